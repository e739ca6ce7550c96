// Strict JSON grammar over bytes, as serde_json enforces it (RFC 8259, depth limit 128, no lone
// surrogates, numbers that fit a double), for readers that must see what JSON.parse hides:
// integers above 2^53, `2.0` vs `2`, duplicate keys. Readers extend it with their own schema.
// The input must already be known to be valid UTF-8 (Buffer's isUtf8).

import { UNSAFE_CHARACTER } from "../core/escape.js";
import type { FindingCode } from "../core/codes.js";
import { InspectError } from "../core/errors.js";
import { MAX_JSON_DEPTH, U64_MAX } from "../core/limits.js";
import { group } from "../core/text.js";

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
export const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
export const ZERO = 0x30;
const NINE = 0x39;

export const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
export const isDigit = (c: number) => c >= ZERO && c <= NINE;

// Control characters a terminal would act on, and the invisible bidi overrides and marks.
const CONTROL = UNSAFE_CHARACTER;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** A byte, described for a message. */
export function describeByte(c: number | undefined, end = "the end of the input"): string {
  if (c === undefined) return end;
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

export class JsonCursor {
  protected p = 0;
  protected depth = 0;
  protected readonly len: number;
  /** Facts about the last string read: longer than `longBytes`, or holding control characters. */
  protected longString = false;
  protected controlInString = false;
  /** The last string read had escapes: its raw bytes are not its UTF-8. */
  protected escaped = false;
  /**
   * Opt-in, off for every reader of weights: accept the bare `Infinity`, `-Infinity` and `NaN`
   * that Python's json module writes for non-finite floats (config.json files). RFC 8259 and
   * serde_json reject them; nothing else is relaxed.
   */
  protected pythonLiterals = false;

  constructor(
    protected readonly b: Buffer,
    /** File offset of b[0], so that messages give absolute byte positions. */
    protected readonly base: number,
    /** What the input is called in messages ("header", "index"). */
    protected readonly what: string,
    protected readonly longBytes = Number.MAX_SAFE_INTEGER,
  ) {
    this.len = b.length;
  }

  /**
   * Containers, without a callback per member for the hot paths: `openObject` consumes `{` and
   * says whether a member follows; after each member `nextMember` consumes `,` (true: another
   * follows) or `}` (false). Depth is checked as serde_json does.
   */
  protected openObject(): boolean {
    this.enter();
    this.p++; // '{'
    this.ws();
    if (this.b[this.p] === RBRACE) {
      this.p++;
      this.depth--;
      return false;
    }
    if (this.b[this.p] !== QUOTE)
      this.syntax(`expected a string key, found ${this.describe(this.b[this.p])}`);
    return true;
  }

  protected nextMember(): boolean {
    this.ws();
    const c = this.b[this.p];
    if (c === COMMA) {
      this.p++;
      this.ws();
      const k = this.b[this.p];
      if (k === RBRACE) this.syntax("trailing comma before '}'");
      if (k !== QUOTE) this.syntax(`expected a string key, found ${this.describe(k)}`);
      return true;
    }
    if (c === RBRACE) {
      this.p++;
      this.depth--;
      return false;
    }
    this.syntax(`expected ',' or '}' after an object member, found ${this.describe(c)}`);
  }

  protected openArray(): boolean {
    this.enter();
    this.p++; // '['
    this.ws();
    if (this.b[this.p] === RBRACKET) {
      this.p++;
      this.depth--;
      return false;
    }
    return true;
  }

  protected nextElement(): boolean {
    this.ws();
    const c = this.b[this.p];
    if (c === COMMA) {
      this.p++;
      this.ws();
      if (this.b[this.p] === RBRACKET) this.syntax("trailing comma before ']'");
      return true;
    }
    if (c === RBRACKET) {
      this.p++;
      this.depth--;
      return false;
    }
    this.syntax(`expected ',' or ']' after an array element, found ${this.describe(c)}`);
  }

  /** `member` reads one key and its value. */
  protected object(member: () => void): void {
    if (this.openObject()) {
      do member();
      while (this.nextMember());
    }
  }

  protected array(element: () => void): void {
    if (this.openArray()) {
      do element();
      while (this.nextElement());
    }
  }

  protected enter(): void {
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

  protected colon(): void {
    this.ws();
    if (this.b[this.p] !== COLON) {
      this.syntax(`expected ':' after an object key, found ${this.describe(this.b[this.p])}`);
    }
    this.p++;
    this.ws();
    if (this.p >= this.len) this.syntax(`expected a value, found the end of the ${this.what}`);
  }

  protected ws(): void {
    const b = this.b;
    let p = this.p;
    while (p < this.len && isWs(b[p]!)) p++;
    this.p = p;
  }

  protected skipValue(): void {
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
        if (this.pythonLiterals && this.nonFinite() !== undefined) return;
        if (c === MINUS || (c !== undefined && isDigit(c))) {
          this.number();
          return;
        }
        this.syntax(`expected a value, found ${this.describe(c)}`);
    }
  }

  /**
   * skipValue that reports every key repeated inside an object, at any depth, with the path of
   * the object that repeats it (`parent` is this value's own path, e.g. `$.metadata`).
   */
  protected skipUnique(parent: string, duplicate: (object: string, key: string) => void): void {
    const c = this.b[this.p];
    if (c === LBRACE) {
      const keys = new Set<string>();
      this.object(() => {
        const key = this.string();
        this.colon();
        if (keys.has(key)) duplicate(parent, key);
        else keys.add(key);
        this.skipUnique(`${parent}.${key}`, duplicate);
      });
    } else if (c === LBRACKET) {
      let i = 0;
      this.array(() => this.skipUnique(`${parent}[${i++}]`, duplicate));
    } else this.skipValue();
  }

  /**
   * With `pythonLiterals`: consumes `Infinity`, `-Infinity` or `NaN` and returns its value;
   * undefined (nothing consumed) when none starts here.
   */
  protected nonFinite(): number | undefined {
    if (!this.pythonLiterals) return undefined;
    const b = this.b;
    const negative = b[this.p] === MINUS;
    const at = negative ? this.p + 1 : this.p;
    if (b[at] === 0x49 /* I */) {
      this.p = at;
      this.literal("Infinity");
      return negative ? -Infinity : Infinity;
    }
    if (!negative && b[at] === 0x4e /* N */) {
      this.literal("NaN");
      return NaN;
    }
    return undefined;
  }

  protected literal(word: string): void {
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
  protected number(): boolean {
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
      this.syntax(`invalid number, found ${this.describe(b[p])}`);
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

  /** The u64 value of the integer token [start, p) that number() accepted, or undefined above 2^64 − 1. */
  protected u64Token(start: number): bigint | undefined {
    // Up to 15 digits fit a double exactly; longer tokens go through BigInt.
    if (this.p - start <= 15) {
      let n = 0;
      for (let i = start; i < this.p; i++) n = n * 10 + (this.b[i]! - ZERO);
      return BigInt(n);
    }
    const v = BigInt(this.b.toString("latin1", start, this.p));
    return v > U64_MAX ? undefined : v;
  }

  /** A string value or key, unescaped. */
  protected string(): string {
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
        this.controlCharacter(c);
      }
      if (c >= 0x7f) high = true;
      p++;
    }
    this.p = p + 1;
    const s = high ? b.toString("utf8", start, p) : b.toString("latin1", start, p);
    this.longString = p - start > this.longBytes;
    this.controlInString = high && CONTROL.test(s);
    this.escaped = false;
    return s;
  }

  private controlCharacter(c: number): never {
    this.fatal(
      "JSON_CONTROL_CHARACTER",
      `raw control character ${this.describe(c)} inside a string at byte ${this.where()}`,
      {
        hint: "JSON requires control characters in strings to be escaped",
      },
    );
  }

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
        this.controlCharacter(c);
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
    // Measured on the decoded name: escapes make the raw spelling longer than the name.
    this.longString = p - start > this.longBytes && Buffer.byteLength(out) > this.longBytes;
    this.controlInString = CONTROL.test(out);
    this.escaped = true;
    return out;
  }

  protected skipString(): void {
    this.string();
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

  /** Absolute byte offset in the file, for messages. */
  protected where(p = this.p): string {
    return group(this.base + p);
  }

  protected describe(c: number | undefined): string {
    return describeByte(c, `the end of the ${this.what}`);
  }

  protected kindAt(): string {
    const c = this.b[this.p];
    if (c === LBRACE) return "object";
    if (c === LBRACKET) return "array";
    if (c === QUOTE) return "string";
    if (c === 0x74 || c === 0x66) return "boolean";
    if (c === 0x6e) return "null";
    return "number";
  }

  protected syntax(message: string): never {
    this.fatal("JSON_SYNTAX", `invalid JSON in ${this.what} at byte ${this.where()}: ${message}`);
  }

  protected fatal(code: FindingCode, message: string, detail: { hint?: string } = {}): never {
    throw new InspectError(code, message, { ...detail, offset: BigInt(this.base + this.p) });
  }
}
