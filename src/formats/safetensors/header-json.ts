// A strict reader for the header: RFC 8259 as serde_json enforces it, straight from the bytes.
// JSON.parse would round integers above 2^53, accept `2.0`, `-0` and lone surrogates, hide
// duplicate keys, and cost 8× the header in memory; this reader keeps integers as u64 BigInts,
// records duplicates, and stores tensors column-wise.
//
// Syntax-level problems (the reference fails while tokenising) throw InspectError. Structural
// problems (a bad dtype, a missing field) are recorded and parsing goes on, because the reference
// tokenises the whole header before it interprets tensor entries: a syntax error later in the
// header is what it reports first.

import { isUtf8 } from "node:buffer";
import { FindingSink } from "../../core/finding-sink.js";
import type { FindingCode } from "../../core/codes.js";
import { LONG_NAME_BYTES } from "../../core/limits.js";
import { excerpt, group, nameOf } from "../../core/text.js";
import { dtypeId, dtypeSuggestion } from "./dtypes.js";
import { TensorTableBuilder, type TensorTable } from "./tensor-table.js";
import {
  BACKSLASH,
  describeByte,
  firstInvalidUtf8,
  isDigit,
  JsonCursor,
  LBRACE,
  LBRACKET,
  MINUS,
  QUOTE,
} from "../json-cursor.js";

export { firstInvalidUtf8 };

export type MetadataState = "absent" | "null" | "present";

export interface HeaderContent {
  tensors: TensorTable;
  /** `__metadata__` in header order; empty when absent or null. */
  metadata: Map<string, string>;
  metadataState: MetadataState;
  /** Whitespace before `{` and after `}`: the padding writers add. */
  leadingWhitespace: number;
  trailingWhitespace: number;
  /** False when some entry was malformed: the table then lacks it and layout checks are moot. */
  complete: boolean;
}

const FIELD_DTYPE = 0;
const FIELD_SHAPE = 1;
const FIELD_OFFSETS = 2;
const FIELD_OTHER = -1;
const FIELD_NAMES = ["dtype", "shape", "data_offsets"] as const;
const FIELD_BYTES = FIELD_NAMES.map((s) => Buffer.from(s, "latin1"));

class HeaderReader extends JsonCursor {
  private readonly builder: TensorTableBuilder;
  private readonly seen = new Map<string, number>();
  private readonly metadata = new Map<string, string>();
  private metadataState: MetadataState = "absent";
  private complete = true;
  private unknownFields = new Map<string, number>();
  /** Scratch for one entry's shape; grows for absurd ranks. */
  private shape = new BigUint64Array(64);

  constructor(
    b: Buffer,
    base: number,
    private readonly sink: FindingSink,
  ) {
    super(b, base, "header", LONG_NAME_BYTES);
    // About 70 header bytes per tensor in real files; a good first guess avoids most regrowth.
    this.builder = new TensorTableBuilder(Math.ceil(b.length / 64));
  }

  read(): HeaderContent {
    const b = this.b;
    if (!isUtf8(b)) {
      const at = firstInvalidUtf8(b);
      this.p = at;
      this.fatal(
        "INVALID_UTF8",
        `header is not valid UTF-8: ${describeByte(b[at])} at byte ${this.where()}`,
      );
    }
    if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
      this.fatal("JSON_BOM", "header starts with a UTF-8 byte-order mark", {
        hint: 'the reference loader rejects it ("expected value at line 1 column 1"); strip the 3 bytes EF BB BF and shorten the length prefix',
      });
    }
    this.ws();
    const leading = this.p;
    if (this.p === this.len) {
      this.fatal(
        "JSON_EMPTY",
        this.len === 0 ? "header is empty (length 0)" : "header is only whitespace",
      );
    }
    const first = b[this.p]!;
    if (first !== LBRACE) {
      if (
        first === LBRACKET ||
        first === QUOTE ||
        first === MINUS ||
        isDigit(first) ||
        first === 0x74 ||
        first === 0x66 ||
        first === 0x6e
      ) {
        this.fatal("HEADER_NOT_OBJECT", `header is a JSON ${this.kindAt()}, not an object`);
      }
      this.syntax(`expected '{' at the start of the header, found ${describeByte(first)}`);
    }
    this.object(() => this.topLevelMember());
    const afterObject = this.p;
    this.ws();
    const trailing = this.p - afterObject;
    if (this.p < this.len) {
      const c = b[this.p]!;
      const what = c === 0 ? "NUL padding" : c === 0x0c ? "a form feed" : `${describeByte(c)}`;
      this.fatal(
        "JSON_TRAILING_CHARACTERS",
        `${what} after the header's closing brace at byte ${this.where()}`,
        { hint: "only spaces, tabs and newlines may pad the header" },
      );
    }
    if (this.unknownFields.size > 0) {
      const list = [...this.unknownFields].map(([k, n]) => `${excerpt(k, 40)} (${group(n)})`);
      this.sink.add(
        "UNKNOWN_FIELD",
        `tensor entries carry fields the format ignores: ${list.slice(0, 5).join(", ")}${list.length > 5 ? ", …" : ""}`,
        {
          hint: "loaders skip them silently, so arbitrary data can hide there",
        },
      );
    }
    if (leading > 0) {
      this.sink.add(
        "LEADING_WHITESPACE",
        `${group(leading)} bytes of whitespace before the header's opening brace`,
        {
          hint: "accepted since safetensors 0.6 (#686); some older readers require '{' first",
        },
      );
    }
    return {
      tensors: this.builder.finish(),
      metadata: this.metadata,
      metadataState: this.metadataState,
      leadingWhitespace: leading,
      trailingWhitespace: trailing,
      complete: this.complete,
    };
  }

  // ---- top level ----

  private topLevelMember(): void {
    const keyStart = this.p;
    this.longString = false;
    this.controlInString = false;
    const key = this.string();
    if (key === "__metadata__") {
      this.colon();
      this.metadataValue(keyStart);
      return;
    }
    // Legal but suspicious names; checked here, where the raw byte length is known for free.
    if (key.length === 0) {
      this.sink.add(
        "EMPTY_NAME",
        `a tensor has an empty name (key at byte ${this.where(keyStart)})`,
        { tensor: key },
      );
    } else if (this.controlInString) {
      this.sink.add(
        "NAME_CONTROL_CHARACTERS",
        `tensor ${nameOf(key)} has control or bidi-override characters in its name`,
        {
          tensor: key,
          hint: "shown escaped here; such names can hide from, or mislead, tools that print them raw",
        },
      );
    }
    if (this.longString) {
      this.sink.add(
        "LONG_NAME",
        `tensor ${nameOf(key)} has a name of ${group(Buffer.byteLength(key))} bytes`,
        { tensor: key },
      );
    }
    this.colon();
    this.tensorEntry(key, keyStart);
  }

  private metadataValue(keyStart: number): void {
    if (this.metadataState !== "absent") {
      this.structural(
        "METADATA_INVALID",
        `second __metadata__ entry at byte ${this.where(keyStart)}`,
        {
          hint: "the reference loader rejects it as a duplicate field",
        },
      );
      this.skipValue();
      return;
    }
    const c = this.b[this.p];
    if (c === 0x6e) {
      this.literal("null");
      this.metadataState = "null";
      return;
    }
    if (c !== LBRACE) {
      this.structural(
        "METADATA_INVALID",
        `__metadata__ is a JSON ${this.kindAt()}, expected an object of strings (or null)`,
      );
      this.skipValue();
      return;
    }
    this.metadataState = "present";
    this.object(() => {
      const key = this.string();
      this.colon();
      if (this.b[this.p] !== QUOTE) {
        this.structural(
          "METADATA_INVALID",
          `__metadata__ value of "${excerpt(key)}" is a JSON ${this.kindAt()}; the format allows only strings`,
        );
        this.skipValue();
        return;
      }
      const value = this.string();
      if (this.metadata.has(key)) {
        this.sink.add(
          "DUPLICATE_METADATA_KEY",
          `__metadata__ key "${excerpt(key)}" appears twice`,
          {
            hint: "parsers disagree on which value wins; the reference keeps the last",
          },
        );
      }
      this.metadata.set(key, value);
    });
  }

  private tensorEntry(name: string, keyStart: number): void {
    const c = this.b[this.p];
    if (c !== LBRACE) {
      this.structural(
        "TENSOR_ENTRY_INVALID",
        `entry for tensor ${nameOf(name)} is a JSON ${this.kindAt()}, expected an object with dtype, shape and data_offsets`,
        { tensor: name },
      );
      this.skipValue();
      return;
    }
    let dtype = -2; // -2 missing, -1 invalid
    let rank = -2;
    let begin = -1n;
    let end = -1n;
    let offsetsSeen = false;
    let bad = false;
    const problem = (code: FindingCode, message: string) => {
      bad = true;
      this.structural(code, message, { tensor: name });
    };
    this.object(() => {
      const field = this.fieldName();
      this.colon();
      switch (field) {
        case FIELD_DTYPE: {
          if (dtype !== -2) {
            problem("TENSOR_ENTRY_INVALID", `tensor ${nameOf(name)} has two dtype fields`);
            this.skipValue();
            return;
          }
          if (this.b[this.p] !== QUOTE) {
            dtype = -1;
            problem(
              "DTYPE_UNKNOWN",
              `dtype of tensor ${nameOf(name)} is a JSON ${this.kindAt()}, expected a string`,
            );
            this.skipValue();
            return;
          }
          const s = this.string();
          dtype = dtypeId(s);
          if (dtype < 0) {
            const hint = dtypeSuggestion(s);
            bad = true;
            this.structural(
              "DTYPE_UNKNOWN",
              `tensor ${nameOf(name)} has unknown dtype "${excerpt(s)}"`,
              hint === undefined ? { tensor: name } : { tensor: name, hint },
            );
          }
          return;
        }
        case FIELD_SHAPE: {
          if (rank !== -2) {
            problem("TENSOR_ENTRY_INVALID", `tensor ${nameOf(name)} has two shape fields`);
            this.skipValue();
            return;
          }
          rank = this.shapeArray(name);
          if (rank < 0) bad = true;
          return;
        }
        case FIELD_OFFSETS: {
          if (offsetsSeen) {
            problem("TENSOR_ENTRY_INVALID", `tensor ${nameOf(name)} has two data_offsets fields`);
            this.skipValue();
            return;
          }
          offsetsSeen = true;
          const pair = this.offsetsArray(name);
          if (pair === undefined) bad = true;
          else [begin, end] = pair;
          return;
        }
        default:
          this.unknownFields.set(this.lastField, (this.unknownFields.get(this.lastField) ?? 0) + 1);
          this.skipValue();
      }
    });
    const missing = [
      dtype === -2 && "dtype",
      rank === -2 && "shape",
      !offsetsSeen && "data_offsets",
    ].filter(Boolean);
    if (missing.length > 0)
      problem("TENSOR_ENTRY_INVALID", `tensor ${nameOf(name)} lacks ${missing.join(", ")}`);
    if (bad) return;
    const previous = this.seen.get(name);
    if (previous !== undefined) {
      this.sink.add(
        "DUPLICATE_TENSOR",
        `tensor ${nameOf(name)} appears twice in the header (again at byte ${this.where(keyStart)})`,
        {
          tensor: name,
          hint: "loaders disagree on which entry wins; the reference keeps the last, which is what is checked here",
        },
      );
      this.builder.set(previous, dtype, this.shape, rank, begin, end);
      return;
    }
    this.seen.set(name, this.builder.add(name, dtype, this.shape, rank, begin, end));
  }

  /** Returns the rank with dims in this.shape, or -1 after recording the problem. */
  private shapeArray(name: string): number {
    if (this.b[this.p] !== LBRACKET) {
      this.structural(
        "SHAPE_INVALID",
        `shape of tensor ${nameOf(name)} is a JSON ${this.kindAt()}, expected an array of integers`,
        { tensor: name },
      );
      this.skipValue();
      return -1;
    }
    let rank = 0;
    let ok = true;
    this.array(() => {
      const v = this.u64Element(name, "shape");
      if (v === undefined) {
        ok = false;
        return;
      }
      if (rank === this.shape.length) {
        const next = new BigUint64Array(rank * 2);
        next.set(this.shape);
        this.shape = next;
      }
      this.shape[rank++] = v;
    });
    return ok ? rank : -1;
  }

  private offsetsArray(name: string): [bigint, bigint] | undefined {
    if (this.b[this.p] !== LBRACKET) {
      this.structural(
        "OFFSETS_INVALID",
        `data_offsets of tensor ${nameOf(name)} is a JSON ${this.kindAt()}, expected [begin, end]`,
        { tensor: name },
      );
      this.skipValue();
      return undefined;
    }
    const values: bigint[] = [];
    let ok = true;
    this.array(() => {
      const v = this.u64Element(name, "data_offsets");
      if (v === undefined) ok = false;
      else values.push(v);
    });
    if (!ok) return undefined;
    if (values.length !== 2) {
      this.structural(
        "OFFSETS_INVALID",
        `data_offsets of tensor ${nameOf(name)} has ${values.length} values, expected 2`,
        { tensor: name },
      );
      return undefined;
    }
    return [values[0]!, values[1]!];
  }

  /** One array element that must be a u64; records why not and returns undefined otherwise. */
  private u64Element(name: string, field: "shape" | "data_offsets"): bigint | undefined {
    const code = field === "shape" ? "SHAPE_INVALID" : "OFFSETS_INVALID";
    const c = this.b[this.p]!;
    if (c !== MINUS && !isDigit(c)) {
      this.structural(
        code,
        `${field} of tensor ${nameOf(name)} holds a JSON ${this.kindAt()}, expected a non-negative integer`,
        { tensor: name },
      );
      this.skipValue();
      return undefined;
    }
    const start = this.p;
    const integer = this.number();
    if (!integer) {
      const text = this.b.toString("latin1", start, this.p);
      this.structural(
        code,
        `${field} of tensor ${nameOf(name)} holds ${excerpt(text)}, expected a non-negative integer without sign, fraction or exponent`,
        { tensor: name },
      );
      return undefined;
    }
    const v = this.u64Token(start);
    if (v === undefined) {
      this.structural(
        code,
        `${field} of tensor ${nameOf(name)} holds ${excerpt(this.b.toString("latin1", start, this.p))}, above 2^64 − 1`,
        { tensor: name },
      );
    }
    return v;
  }

  /** The unknown field name last returned as FIELD_OTHER. */
  private lastField = "";

  /** Tensor-entry field: compared on raw bytes when it has no escapes (the usual case). */
  private fieldName(): number {
    const b = this.b;
    const start = this.p + 1;
    let p = start;
    while (p < this.len) {
      const c = b[p]!;
      if (c === QUOTE) {
        const n = p - start;
        for (let f = 0; f < 3; f++) {
          const fb = FIELD_BYTES[f]!;
          if (fb.length === n && b.compare(fb, 0, n, start, p) === 0) {
            this.p = p + 1;
            return f;
          }
        }
        break;
      }
      if (c === BACKSLASH || c < 0x20) break;
      p++;
    }
    const key = this.string();
    const f = FIELD_NAMES.indexOf(key as (typeof FIELD_NAMES)[number]);
    if (f >= 0) return f;
    this.lastField = key;
    return FIELD_OTHER;
  }

  // ---- reporting ----

  private structural(
    code: FindingCode,
    message: string,
    detail: { tensor?: string; hint?: string } = {},
  ): void {
    this.complete = false;
    this.sink.add(code, message, { ...detail, offset: BigInt(this.base + this.p) });
  }
}

/**
 * Parses the N header bytes. `base` is their offset in the file (8), used in messages.
 * Throws InspectError on syntax errors; records structural problems and warnings in `sink`.
 */
export function readHeaderJson(bytes: Buffer, base: number, sink: FindingSink): HeaderContent {
  // Findings go to a sink of their own and reach the caller's only once the whole header has
  // tokenised. The reference tokenises everything before it interprets any entry, so a syntax
  // error anywhere is the one failure it reports: a bad dtype or an empty name read before it
  // would come first in the report and mislead (and `[NaN]` would read as "a JSON number").
  const local = new FindingSink();
  const content = new HeaderReader(bytes, base, local).read();
  for (const f of local.finish()) sink.push(f);
  return content;
}
