// Rewrites the README's example blocks from real runs of the built CLI (scripts/readme-examples.ts).
// Run: npm run readme. With --check: changes nothing, exits 1 when a block is out of date.

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { examples, regenerate } from "./readme-examples.js";

// From the repo's root, as npm runs it.
const file = path.resolve("README.md");
const before = readFileSync(file, "utf8");
const after = regenerate(before);
const n = examples(before).length;
if (process.argv.includes("--check")) {
  if (after !== before) {
    console.error("README.md: example blocks are out of date; run npm run readme");
    process.exit(1);
  }
  console.log(`README.md: ${n} example blocks up to date`);
} else {
  if (after !== before) writeFileSync(file, after);
  console.log(
    `README.md: ${n} example blocks ${after === before ? "already up to date" : "rewritten"}`,
  );
}
