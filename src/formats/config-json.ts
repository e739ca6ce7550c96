// config.json checked with the strict cursor before it is parsed: JSON.parse keeps the last of
// two equal keys without a word, and its error messages quote the text around the error (the
// file may be anything a link or a mistake put there). This pass says where the JSON is wrong by
// byte offset only, and lists every repeated key with the path of its object. Python's json
// module writes NaN, Infinity and -Infinity (transformers' configs hold them), so they pass.

import { isUtf8 } from "node:buffer";
import type { FindingCode } from "../core/codes.js";
import { InspectError } from "../core/errors.js";
import { MAX_LISTED_ITEMS } from "../core/limits.js";
import { firstInvalidUtf8, JsonCursor, MINUS } from "./json-cursor.js";

export interface RepeatedKey {
  /** The object's path, e.g. `$.text_config`. */
  object: string;
  key: string;
}

export interface ConfigJsonCheck {
  /** At most MAX_LISTED_ITEMS; `repeatedCount` has them all. */
  repeated: RepeatedKey[];
  repeatedCount: number;
}

const N = 0x4e;
const I = 0x49;

class ConfigChecker extends JsonCursor {
  readonly repeated: RepeatedKey[] = [];
  repeatedCount = 0;

  constructor(b: Buffer) {
    super(b, 0, "config.json");
  }

  check(): void {
    if (!isUtf8(this.b)) {
      this.p = firstInvalidUtf8(this.b);
      this.fatal("JSON_SYNTAX", `config.json is not valid UTF-8 at byte ${this.where()}`);
    }
    this.ws();
    this.skipUnique("$", (object, key) => {
      this.repeatedCount++;
      if (this.repeated.length < MAX_LISTED_ITEMS) this.repeated.push({ object, key });
    });
    this.ws();
    if (this.p < this.len)
      this.syntax(`unexpected ${this.describe(this.b[this.p])} after the value`);
  }

  protected override skipValue(): void {
    const c = this.b[this.p];
    if (c === N) return this.literal("NaN");
    if (c === I) return this.literal("Infinity");
    if (c === MINUS && this.b[this.p + 1] === I) {
      this.p++;
      return this.literal("Infinity");
    }
    super.skipValue();
  }

  protected override fatal(
    _code: FindingCode,
    message: string,
    detail: { hint?: string } = {},
  ): never {
    throw new InspectError("CONFIG_INVALID", message, detail);
  }
}

/** Throws InspectError CONFIG_INVALID (naming a byte offset, quoting nothing) for bad JSON. */
export function checkConfigJson(bytes: Buffer): ConfigJsonCheck {
  const c = new ConfigChecker(bytes);
  c.check();
  return { repeated: c.repeated, repeatedCount: c.repeatedCount };
}
