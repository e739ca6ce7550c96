// Runs hash-worker.ts as a worker when inspect runs from source (vitest, scripts): Node 20 cannot
// load TypeScript, so the worker is bundled in memory with esbuild (a dev dependency) and imported
// from a data: URL; it imports only node: built-ins once bundled. The built CLI never loads this
// file: dist/hash-worker.js is bundled ahead of time.

import { workerData } from "node:worker_threads";
import { build } from "esbuild";

const out = await build({
  entryPoints: [workerData.entry],
  bundle: true,
  write: false,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "silent",
});
const code = out.outputFiles[0].contents;
await import("data:text/javascript;base64," + Buffer.from(code).toString("base64"));
