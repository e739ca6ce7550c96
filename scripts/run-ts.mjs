// Runs a TypeScript script (fixture generators, the benchmark) by bundling it with esbuild into a
// temporary module: scripts share the test helpers' generators without a TS runtime dependency.

import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error("usage: node scripts/run-ts.mjs <script.ts> [args…]");
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), "inspect-run-"));
const out = join(dir, "script.mjs");
await build({
  entryPoints: [resolve(file)],
  outfile: out,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
process.argv = [process.argv[0], resolve(file), ...args];
try {
  await import(pathToFileURL(out).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
