#!/usr/bin/env node
// Thin launcher of the built CLI (npm run build): compiles dist/cli.cjs with the V8 code cache
// written at build time, which saves most of the start-up compilation. A cache from another
// Node version is rejected by V8 and the code is compiled as usual.

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire, Module } from "node:module";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const file = fileURLToPath(new URL("../dist/cli.cjs", import.meta.url));
const cacheFile = file + ".cache";
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // No cache (a build without it): compile from source.
}
const script = new vm.Script(Module.wrap(readFileSync(file, "utf8")), {
  filename: file,
  cachedData,
});
if (process.env.INSPECT_WRITE_CODE_CACHE) {
  process.once("exit", () => writeFileSync(cacheFile, script.createCachedData()));
}
const module = { exports: {} };
script.runInThisContext()(
  module.exports,
  createRequire(file),
  module,
  file,
  fileURLToPath(new URL("../dist", import.meta.url)),
);
