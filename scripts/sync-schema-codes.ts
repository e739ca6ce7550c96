// Writes the finding-code enum of schema/inspect.schema.json from src/core/codes.ts, the one
// source of truth (a test checks they agree). Run: node scripts/run-ts.mjs scripts/sync-schema-codes.ts

import { readFileSync, writeFileSync } from "node:fs";
import { ALL_CODES } from "../src/core/codes.js";

const file = "schema/inspect.schema.json";
const schema = JSON.parse(readFileSync(file, "utf8"));
schema.$defs.finding.properties.code.enum = ALL_CODES;
writeFileSync(file, JSON.stringify(schema, null, 2) + "\n");
console.log(`${file}: ${ALL_CODES.length} codes`);
