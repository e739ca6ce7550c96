// A whole JSON document as plain values, on the strict cursor: for the small JSON files beside
// the weights (config.json). Unlike JSON.parse it never rounds an integer silently (one above
// 2^53 stays a bigint, which typed readers then refuse by name), keeps a "__proto__" key as an
// own field, and, only when asked, accepts the non-finite floats Python's json module writes
// (`Infinity`, `-Infinity`, `NaN`: NVIDIA's Nemotron-H config.json has `[0.0, Infinity]`),
// reporting where each one was. A key repeated in an object is kept as Python keeps it (the last
// wins) and reported with where, since readers disagree (serde_json and many others keep the
// first, or refuse).

import { isUtf8 } from "node:buffer";
import { InspectError } from "../core/errors.js";
import { MAX_LISTED_ITEMS } from "../core/limits.js";
import {
  firstInvalidUtf8,
  isDigit,
  JsonCursor,
  LBRACE,
  LBRACKET,
  MINUS,
  QUOTE,
} from "./json-cursor.js";

export interface JsonValueOptions {
  /** Accept Python's bare Infinity, -Infinity and NaN. */
  pythonLiterals?: boolean;
}

export interface RepeatedKey {
  /** The object's JSON path, e.g. "text_config"; "" for the top level. */
  object: string;
  key: string;
}

export interface JsonValue {
  value: unknown;
  /** JSON paths of the non-finite numbers accepted, e.g. "time_step_limit[1]". */
  nonFinite: string[];
  /** Keys repeated in an object (the last value kept): the first MAX_LISTED_ITEMS. */
  repeated: RepeatedKey[];
  /** How many repeats there were in all. */
  repeatedCount: number;
}

class ValueReader extends JsonCursor {
  readonly nonFinitePaths: string[] = [];
  readonly repeated: RepeatedKey[] = [];
  repeatedCount = 0;

  constructor(b: Buffer, what: string, options: JsonValueOptions) {
    super(b, 0, what);
    this.pythonLiterals = options.pythonLiterals === true;
  }

  document(): unknown {
    this.ws();
    if (this.p >= this.len) this.syntax(`expected a value, found the end of the ${this.what}`);
    const v = this.value("");
    this.ws();
    if (this.p < this.len)
      this.syntax(`trailing characters after the value: ${this.describe(this.b[this.p])}`);
    return v;
  }

  private value(path: string): unknown {
    const c = this.b[this.p];
    switch (c) {
      case LBRACE: {
        const o: Record<string, unknown> = {};
        this.object(() => {
          const key = this.string();
          this.colon();
          if (Object.hasOwn(o, key)) {
            this.repeatedCount++;
            if (this.repeated.length < MAX_LISTED_ITEMS) this.repeated.push({ object: path, key });
          }
          const v = this.value(path ? `${path}.${key}` : key);
          // An own data property even for "__proto__", which plain assignment would not make.
          Object.defineProperty(o, key, {
            value: v,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        });
        return o;
      }
      case LBRACKET: {
        const a: unknown[] = [];
        this.array(() => a.push(this.value(`${path}[${a.length}]`)));
        return a;
      }
      case QUOTE:
        return this.string();
      case 0x74:
        this.literal("true");
        return true;
      case 0x66:
        this.literal("false");
        return false;
      case 0x6e:
        this.literal("null");
        return null;
      default: {
        const special = this.nonFinite();
        if (special !== undefined) {
          this.nonFinitePaths.push(path || "the document");
          return special;
        }
        if (c !== MINUS && !(c !== undefined && isDigit(c)))
          this.syntax(`expected a value, found ${this.describe(c)}`);
        const start = this.p;
        this.number();
        const token = this.b.toString("latin1", start, this.p);
        const n = Number(token);
        // An integer token a double cannot hold exactly stays exact.
        if (!Number.isSafeInteger(n) && /^-?\d+$/.test(token)) return BigInt(token);
        return n;
      }
    }
  }
}

/** Parses `b` (a whole file) or throws an InspectError naming the byte that is wrong. */
export function parseJsonValue(b: Buffer, what: string, options: JsonValueOptions = {}): JsonValue {
  if (!isUtf8(b)) {
    throw new InspectError(
      "JSON_SYNTAX",
      `${what} is not valid UTF-8 (at byte ${firstInvalidUtf8(b)})`,
      { offset: BigInt(firstInvalidUtf8(b)) },
    );
  }
  const r = new ValueReader(b, what, options);
  const value = r.document();
  return {
    value,
    nonFinite: r.nonFinitePaths,
    repeated: r.repeated,
    repeatedCount: r.repeatedCount,
  };
}
