// Bundles src/cli/main.ts into dist/cli.cjs, with the V8 code cache bin/inspect.cjs loads beside
// it, and the hashing worker into dist/hash-worker.js.
// With --if-needed, does nothing when dist is newer than every source file.

import { spawnSync } from "node:child_process";
import { build } from "esbuild";
import { readFileSync, readdirSync, statSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const out = join(root, "dist");
const entry = join(out, "cli.cjs");

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
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  define: { __INSPECT_VERSION__: JSON.stringify(pkg.version) },
  legalComments: "none",
  logLevel: "warning",
};
// The CLI is one CommonJS file so that bin/inspect.cjs can compile it with a V8 code cache (below);
// the table renderer, chalk and the integrity code are still only evaluated when used.
await build({
  ...common,
  entryPoints: [join(root, "src/cli/main.ts")],
  outfile: join(out, "cli.cjs"),
  format: "cjs",
  define: { ...common.define, "import.meta.url": "__inspectUrl" },
  banner: { js: 'const __inspectUrl = require("node:url").pathToFileURL(__filename).href;' },
});
asciiOnly(entry);
// The hashing worker is its own entry: threads load it by URL (src/integrity/worker-location.ts).
await build({
  ...common,
  entryPoints: [join(root, "src/integrity/hash-worker.ts")],
  outfile: join(out, "hash-worker.js"),
  format: "esm",
  banner: {
    js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
  },
});
/**
 * V8 keeps a script holding any character above U+007F as two bytes a character, decoded from
 * UTF-8 first: the few dashes and arrows esbuild leaves in comments cost every run that decoding
 * and twice the memory. esbuild writes strings, templates and regexes in ASCII already (its
 * default charset), so what is left is in comments, where an escape reads the same; a line that
 * is not a comment fails the build rather than being changed.
 */
function asciiOnly(file) {
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    if (!/[^\x00-\x7f]/.test(lines[i])) continue;
    if (!/^\s*(\/\/|\/\*|\*)/.test(lines[i]))
      throw new Error(`${file}:${i + 1}: a character above U+007F outside a comment`);
    lines[i] = lines[i].replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`);
    changed = true;
  }
  if (changed) writeFileSync(file, lines.join("\n"));
}

// Start-up is part of the product: compiling 0.5 MB of JavaScript costs more than running it on
// a small file. Run the CLI once per output mode on the bundled example, with the launcher
// writing V8's code cache for what those runs compiled; later runs skip the compilation.
const example = join(root, "fixtures", "tiny-llama");
for (const args of [["--json", example], [example]]) {
  const r = spawnSync(process.execPath, [join(root, "bin", "inspect.cjs"), ...args], {
    env: { ...process.env, INSPECT_WRITE_CODE_CACHE: "1" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (r.status !== 0) throw new Error(`code cache run ${args.join(" ")} exited ${r.status}`);
}
