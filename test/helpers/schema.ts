import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020.js";

const schema = JSON.parse(
  readFileSync(path.join(process.cwd(), "schema", "inspect.schema.json"), "utf8"),
);
const ajv = new Ajv2020.default({ allErrors: true, strict: true });
const validate = ajv.compile(schema);

/** Throws with Ajv's explanation when `doc` does not match schema/inspect.schema.json. */
export function assertSchema(doc: unknown): void {
  if (!validate(doc))
    throw new Error(`JSON does not match the schema: ${ajv.errorsText(validate.errors)}`);
}

export const SCHEMA = schema as {
  $defs: { finding: { properties: { code: { enum: string[] } } } };
};
