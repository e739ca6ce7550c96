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
import { InspectError } from "../../core/errors.js";
import { FindingSink } from "../../core/finding-sink.js";
import type { FindingCode } from "../../core/codes.js";
import { LONG_NAME_BYTES, MAX_JSON_DEPTH, U64_MAX } from "../../core/limits.js";
import { excerpt, group, nameOf } from "../../core/text.js";
import { dtypeId, dtypeSuggestion } from "./dtypes.js";
import { TensorTableBuilder, type TensorTable } from "./tensor-table.js";

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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

const FIELD_DTYPE = 0;
const FIELD_SHAPE = 1;
const FIELD_OFFSETS = 2;
const FIELD_OTHER = -1;
const FIELD_NAMES = ["dtype", "shape", "data_offsets"] as const;
const FIELD_BYTES = FIELD_NAMES.map((s) => Buffer.from(s, "latin1"));

// Control characters a terminal would act on, and the invisible bidi overrides.
const CONTROL_IN_NAME = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number) => c >= ZERO && c <= NINE;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** A byte, described for a message. */
function describeByte(c: number | undefined): string {
  if (c === undefined) return "the end of the header";
  if (c >= 0x21 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `byte 0x${c.toString(16).padStart(2, "0")}`;
}

/** Where the first invalid UTF-8 sequence starts (only called once isUtf8 said there is one). */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let need: number;
    let min: number;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

class HeaderReader {
  private p = 0;
  private depth = 0;
  private readonly len: number;
  private readonly builder: TensorTableBuilder;
  private readonly seen = new Map<string, number>();
  private readonly metadata = new Map<string, string>();
  private metadataState: MetadataState = "absent";
  private complete = true;
  private unknownFields = new Map<string, number>();
  /** Scratch for one entry's shape; grows for absurd ranks. */
  private shape = new BigUint64Array(64);

  constructor(
    private readonly b: Buffer,
    /** File offset of b[0], so that messages give absolute byte positions. */
    private readonly base: number,
    private readonly sink: FindingSink,
  ) {
    // About 70 header bytes per tensor in real files; a good first guess avoids most regrowth.
    this.builder = new TensorTableBuilder(Math.ceil(b.length / 64));
    this.len = b.length;
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
    // Up to 15 digits fit a double exactly; longer tokens go through BigInt.
    if (this.p - start <= 15) {
      let n = 0;
      for (let i = start; i < this.p; i++) n = n * 10 + (this.b[i]! - ZERO);
      return BigInt(n);
    }
    const v = BigInt(this.b.toString("latin1", start, this.p));
    if (v > U64_MAX) {
      this.structural(
        code,
        `${field} of tensor ${nameOf(name)} holds ${excerpt(v.toString())}, above 2^64 − 1`,
        { tensor: name },
      );
      return undefined;
    }
    return v;
  }

  // ---- grammar ----

  /** Containers: `body` reads one member or element; depth is checked as serde_json does. */
  private object(member: () => void): void {
    this.enter();
    this.p++; // '{'
    this.ws();
    if (this.b[this.p] === RBRACE) {
      this.p++;
      this.depth--;
      return;
    }
    for (;;) {
      if (this.b[this.p] !== QUOTE) {
        this.syntax(`expected a string key, found ${describeByte(this.b[this.p])}`);
      }
      member();
      this.ws();
      const c = this.b[this.p];
      if (c === COMMA) {
        this.p++;
        this.ws();
        if (this.b[this.p] === RBRACE) this.syntax("trailing comma before '}'");
        continue;
      }
      if (c === RBRACE) {
        this.p++;
        this.depth--;
        return;
      }
      this.syntax(`expected ',' or '}' after an object member, found ${describeByte(c)}`);
    }
  }

  private array(element: () => void): void {
    this.enter();
    this.p++; // '['
    this.ws();
    if (this.b[this.p] === RBRACKET) {
      this.p++;
      this.depth--;
      return;
    }
    for (;;) {
      element();
      this.ws();
      const c = this.b[this.p];
      if (c === COMMA) {
        this.p++;
        this.ws();
        if (this.b[this.p] === RBRACKET) this.syntax("trailing comma before ']'");
        continue;
      }
      if (c === RBRACKET) {
        this.p++;
        this.depth--;
        return;
      }
      this.syntax(`expected ',' or ']' after an array element, found ${describeByte(c)}`);
    }
  }

  private enter(): void {
    if (++this.depth >= MAX_JSON_DEPTH) {
      this.fatal(
        "JSON_TOO_DEEP",
        `nesting reaches ${MAX_JSON_DEPTH} levels at byte ${this.where()}`,
        {
          hint: "serde_json, and so the reference loader, stops at 128 levels, even inside ignored fields",
        },
      );
    }
  }

  private colon(): void {
    this.ws();
    if (this.b[this.p] !== COLON)
      this.syntax(`expected ':' after an object key, found ${describeByte(this.b[this.p])}`);
    this.p++;
    this.ws();
    if (this.p >= this.len) this.syntax("expected a value, found the end of the header");
  }

  private ws(): void {
    const b = this.b;
    let p = this.p;
    while (p < this.len && isWs(b[p]!)) p++;
    this.p = p;
  }

  private skipValue(): void {
    const c = this.b[this.p];
    switch (c) {
      case LBRACE:
        this.object(() => {
          this.skipString();
          this.colon();
          this.skipValue();
        });
        return;
      case LBRACKET:
        this.array(() => this.skipValue());
        return;
      case QUOTE:
        this.skipString();
        return;
      case 0x74:
        this.literal("true");
        return;
      case 0x66:
        this.literal("false");
        return;
      case 0x6e:
        this.literal("null");
        return;
      default:
        if (c === MINUS || (c !== undefined && isDigit(c))) {
          this.number();
          return;
        }
        this.syntax(`expected a value, found ${describeByte(c)}`);
    }
  }

  private literal(word: string): void {
    for (let i = 0; i < word.length; i++) {
      if (this.b[this.p + i] !== word.charCodeAt(i))
        this.syntax(`invalid literal, expected ${word}`);
    }
    this.p += word.length;
  }

  /**
   * Consumes a number token, enforcing the JSON grammar. Returns true when it is a plain
   * non-negative integer (no sign, fraction or exponent).
   */
  private number(): boolean {
    const b = this.b;
    const start = this.p;
    let p = start;
    let integer = true;
    if (b[p] === MINUS) {
      integer = false;
      p++;
    }
    if (b[p] === ZERO) {
      p++;
      if (isDigit(b[p] ?? 0)) {
        this.p = p;
        this.syntax("number with a leading zero");
      }
    } else if (isDigit(b[p] ?? 0)) {
      while (isDigit(b[p] ?? 0)) p++;
    } else {
      this.p = p;
      this.syntax(`invalid number, found ${describeByte(b[p])}`);
    }
    if (b[p] === DOT) {
      integer = false;
      p++;
      if (!isDigit(b[p] ?? 0)) {
        this.p = p;
        this.syntax("a digit must follow the decimal point");
      }
      while (isDigit(b[p] ?? 0)) p++;
    }
    if (b[p] === 0x65 || b[p] === 0x45) {
      integer = false;
      p++;
      if (b[p] === PLUS || b[p] === MINUS) p++;
      if (!isDigit(b[p] ?? 0)) {
        this.p = p;
        this.syntax("a digit must follow the exponent");
      }
      while (isDigit(b[p] ?? 0)) p++;
    }
    this.p = p;
    // serde_json turns every number into a u64, i64 or f64; one that overflows a double is an error.
    if (!integer || p - start > 308) {
      if (!Number.isFinite(Number(b.toString("latin1", start, p)))) {
        this.p = start;
        this.fatal(
          "JSON_NUMBER_OUT_OF_RANGE",
          `number too large for a double at byte ${this.where()}`,
        );
      }
    }
    return integer;
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

  /** A string value or key, unescaped; the header is known to be valid UTF-8 by now. */
  private string(): string {
    const b = this.b;
    const start = this.p + 1;
    let p = start;
    let high = false;
    for (;;) {
      if (p >= this.len) {
        this.p = start - 1;
        this.syntax("unterminated string");
      }
      const c = b[p]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH) return this.escapedString(start);
      if (c < 0x20) {
        this.p = p;
        this.fatal(
          "JSON_CONTROL_CHARACTER",
          `raw control character ${describeByte(c)} inside a string at byte ${this.where()}`,
          {
            hint: "JSON requires control characters in strings to be escaped",
          },
        );
      }
      if (c >= 0x7f) high = true;
      p++;
    }
    this.p = p + 1;
    const s = high ? b.toString("utf8", start, p) : b.toString("latin1", start, p);
    if (p - start > LONG_NAME_BYTES) this.longString = true;
    if (high && CONTROL_IN_NAME.test(s)) this.controlInString = true;
    return s;
  }

  /** Set by string(): facts about the last string read, checked for tensor names. */
  private longString = false;
  private controlInString = false;

  private escapedString(start: number): string {
    const b = this.b;
    let p = start;
    let chunk = start;
    let out = "";
    for (;;) {
      if (p >= this.len) {
        this.p = start - 1;
        this.syntax("unterminated string");
      }
      const c = b[p]!;
      if (c === QUOTE) break;
      if (c < 0x20) {
        this.p = p;
        this.fatal(
          "JSON_CONTROL_CHARACTER",
          `raw control character ${describeByte(c)} inside a string at byte ${this.where()}`,
          {
            hint: "JSON requires control characters in strings to be escaped",
          },
        );
      }
      if (c !== BACKSLASH) {
        p++;
        continue;
      }
      out += b.toString("utf8", chunk, p);
      const e = b[p + 1];
      p += 2;
      switch (e) {
        case QUOTE:
          out += '"';
          break;
        case BACKSLASH:
          out += "\\";
          break;
        case 0x2f:
          out += "/";
          break;
        case 0x62:
          out += "\b";
          break;
        case 0x66:
          out += "\f";
          break;
        case 0x6e:
          out += "\n";
          break;
        case 0x72:
          out += "\r";
          break;
        case 0x74:
          out += "\t";
          break;
        case 0x75: {
          const unit = this.hex4(p);
          p += 4;
          if (unit >= 0xd800 && unit <= 0xdbff) {
            if (b[p] !== BACKSLASH || b[p + 1] !== 0x75) {
              this.p = p - 6;
              this.loneSurrogate(unit);
            }
            const low = this.hex4(p + 2);
            if (low < 0xdc00 || low > 0xdfff) {
              this.p = p - 6;
              this.loneSurrogate(unit);
            }
            out += String.fromCharCode(unit, low);
            p += 6;
          } else if (unit >= 0xdc00 && unit <= 0xdfff) {
            this.p = p - 6;
            this.loneSurrogate(unit);
          } else {
            out += String.fromCharCode(unit);
          }
          break;
        }
        default:
          this.p = p - 2;
          this.syntax(
            `invalid escape \\${e === undefined ? "" : String.fromCharCode(e)} in a string`,
          );
      }
      chunk = p;
    }
    out += b.toString("utf8", chunk, p);
    this.p = p + 1;
    // Escapes only shrink when decoded, so the raw length is a cheap first test; the name itself
    // is what is measured (and reported), not its escaped spelling.
    if (p - start > LONG_NAME_BYTES && Buffer.byteLength(out) > LONG_NAME_BYTES) {
      this.longString = true;
    }
    if (CONTROL_IN_NAME.test(out)) this.controlInString = true;
    return out;
  }

  private skipString(): void {
    this.string();
    this.longString = false;
    this.controlInString = false;
  }

  private hex4(at: number): number {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const h = hexValue(this.b[at + i] ?? 0);
      if (h < 0) {
        this.p = at - 2;
        this.syntax("invalid \\u escape: expected 4 hex digits");
      }
      v = v * 16 + h;
    }
    return v;
  }

  private loneSurrogate(unit: number): never {
    this.fatal(
      "JSON_LONE_SURROGATE",
      `unpaired surrogate \\u${unit.toString(16)} in a string at byte ${this.where()}`,
      {
        hint: "the reference loader rejects escapes that do not form a valid UTF-16 pair",
      },
    );
  }

  // ---- reporting ----

  /** Absolute byte offset in the file, for messages. */
  private where(p = this.p): string {
    return group(this.base + p);
  }

  private kindAt(): string {
    const c = this.b[this.p];
    if (c === LBRACE) return "object";
    if (c === LBRACKET) return "array";
    if (c === QUOTE) return "string";
    if (c === 0x74 || c === 0x66) return "boolean";
    if (c === 0x6e) return "null";
    return "number";
  }

  private structural(
    code: FindingCode,
    message: string,
    detail: { tensor?: string; hint?: string } = {},
  ): void {
    this.complete = false;
    this.sink.add(code, message, { ...detail, offset: BigInt(this.base + this.p) });
  }

  private syntax(message: string): never {
    this.fatal("JSON_SYNTAX", `invalid JSON in header at byte ${this.where()}: ${message}`);
  }

  private fatal(code: FindingCode, message: string, detail: { hint?: string } = {}): never {
    throw new InspectError(code, message, { ...detail, offset: BigInt(this.base + this.p) });
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
