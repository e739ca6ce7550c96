// Bundles src/cli/main.ts into dist/cli.js (and the hashing worker into dist/hash-worker.js). One
// ESM file starts faster than a tree of modules; the table renderer (with cli-table3) and chalk
// are split into chunks loaded only for tables.
// With --if-needed, does nothing when dist is newer than every source file.

import { build } from "esbuild";
import { readFileSync, readdirSync, statSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const out = join(root, "dist");
const entry = join(out, "cli.js");

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

if (process.argv.includes("--if-needed") && existsSync(entry)) {
  const sources = Math.max(newest(join(root, "src")), statSync(join(root, "package.json")).mtimeMs);
  if (statSync(entry).mtimeMs >= sources) process.exit(0);
}

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
rmSync(out, { recursive: true, force: true });
await build({
  // The hashing worker is its own entry: threads load it by URL (src/integrity/worker-location.ts).
  entryPoints: {
    cli: join(root, "src/cli/main.ts"),
    "hash-worker": join(root, "src/integrity/hash-worker.ts"),
  },
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "chunks/[name]-[hash]",
  define: { __INSPECT_VERSION__: JSON.stringify(pkg.version) },
  // commander and cli-table3 are CommonJS and require() Node built-ins.
  banner: {
    js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
  },
  legalComments: "none",
  logLevel: "warning",
});
