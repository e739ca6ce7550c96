#!/usr/bin/env node
// Thin launcher of the built CLI (npm run build): compiles dist/cli.cjs with the V8 code cache
// written at build time, which saves most of the start-up compilation. A cache from another
// Node version is rejected by V8 and the code is compiled as usual. CommonJS, like the bundle:
// an ES module entry costs Node's module loader (and the ES facades of the built-ins it
// imports) about a tenth of a bare `node` start.

"use strict";
const { readFileSync, writeFileSync } = require("node:fs");
const { createRequire, Module } = require("node:module");
const path = require("node:path");
const vm = require("node:vm");

const dist = path.join(__dirname, "..", "dist");
const file = path.join(dist, "cli.cjs");
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
const module_ = { exports: {} };
script.runInThisContext()(module_.exports, createRequire(file), module_, file, dist);
