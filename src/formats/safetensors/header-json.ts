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
import { HASHED_NAMES_MIN_BYTES, LONG_NAME_BYTES } from "../../core/limits.js";
import { excerpt, group, nameOf } from "../../core/text.js";
import {
  addName,
  addNameBytes,
  emptyDigest,
  halfSipHash,
  hashOut,
  HashPairSet,
  randomNameKey,
  type NameDigest,
  type NameKey,
} from "../name-digest.js";
import { DTYPES, dtypeId, dtypeSuggestion } from "./dtypes.js";
import { TensorTableBuilder, type TensorTable } from "../tensor-table.js";
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
  /** The tensors' names digested under the key given to readHeaderJson (a checkpoint's index check). */
  nameDigest?: NameDigest;
}

const FIELD_DTYPE = 0;
const FIELD_SHAPE = 1;
const FIELD_OFFSETS = 2;
const FIELD_OTHER = -1;
const FIELD_NAMES = ["dtype", "shape", "data_offsets"] as const;
const FIELD_BYTES = FIELD_NAMES.map((s) => Buffer.from(s, "latin1"));
const DTYPE_BYTES = DTYPES.map((d) => Buffer.from(d.name, "latin1"));

/** Longer names (legal, and rare) are left to the general reader. */
const CANONICAL_NAME_BYTES = 4096;
/**
 * The header is turned into text a window at a time, of this many bytes: small enough for V8 to
 * allocate it in the young generation, where the garbage collector frees it at once (larger
 * strings wait for a full collection, and a 100 MB header's windows would pile up)…
 */
const TEXT_WINDOW = 64 * 1024;
/** …moved on when less than this is left: a canonical entry with the longest name fits. */
const CANONICAL_SPAN = 2 * CANONICAL_NAME_BYTES;

// The entry every writer emits: `"name":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]}`,
// compact, fields in this order, the name printable ASCII. Matched whole by one sticky regular
// expression (`canonicalEntries`): V8 runs it as native code from the first header on, where the
// general reader's JavaScript takes thousands of entries to be optimised. Anything else
// (whitespace, other fields or order, escapes, non-ASCII, suspicious or very long names, numbers
// of more than 15 digits, an unknown dtype, a duplicate) is left to the general reader, which
// reports it.
const EXACT_NUMBER = "(?:0|[1-9][0-9]{0,14})"; // below 10^15: exact in a double
const CANONICAL = new RegExp(
  `"[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]{1,${CANONICAL_NAME_BYTES}}":\\{"dtype":"[A-Z0-9_]{1,16}",` +
    `"shape":\\[(?:${EXACT_NUMBER}(?:,${EXACT_NUMBER})*)?\\],` +
    `"data_offsets":\\[${EXACT_NUMBER},${EXACT_NUMBER}\\]\\}`,
  "y",
);
/**
 * The dtypes by the length of their name, to match one in place without making a string. Read
 * by index, not with `for … of` and a destructured pair: until V8 optimises the reader, each
 * step of that allocates (an iterator and a result per entry, 13 MB over DeepSeek-V3's shards).
 */
const DTYPES_BY_LENGTH: Array<Array<{ name: string; id: number }>> = [];
DTYPES.forEach((d, id) => (DTYPES_BY_LENGTH[d.name.length] ??= []).push({ name: d.name, id }));
const NO_DTYPES: Array<{ name: string; id: number }> = [];
/** After this many entries in a row the expression could not take, it is no longer tried. */
const CANONICAL_MISSES = 16;
const COMMA = 0x2c;
const RBRACKET = 0x5d;

class HeaderReader extends JsonCursor {
  private readonly builder: TensorTableBuilder;
  /** Tensor names → table index, for duplicates; see seenHashes. */
  private seen: Map<string, number> | undefined;
  /**
   * In a large header (HASHED_NAMES_MIN_BYTES), or when names are digested anyway, the canonical
   * entries' duplicates are found from keyed hashes of their names' bytes rather than from a map
   * of every name. A hash seen twice sends the entry to the general reader, which builds the
   * exact map then (seenNames) and uses it from there on. The key is random for each run, so no
   * file can be written to collide (or to crowd one slot of the table); a collision would cost
   * only that map, never a wrong answer.
   */
  private readonly seenHashes: HashPairSet | undefined;
  private readonly metadata = new Map<string, string>();
  private metadataState: MetadataState = "absent";
  private complete = true;
  private unknownFields = new Map<string, number>();
  /** Scratch for one entry's shape; grows for absurd ranks. */
  private shape = new BigUint64Array(64);

  /** The key's digest of the names added to the table, when asked for. */
  private readonly digest: NameDigest | undefined;
  /** The key names are hashed under: the digest's, else a fresh one in a large header. */
  private readonly hashKey: NameKey | undefined;
  private keyEnd = 0;
  private keyEscaped = false;

  constructor(
    b: Buffer,
    base: number,
    private readonly sink: FindingSink,
    private readonly nameKey?: NameKey,
  ) {
    super(b, base, "header", LONG_NAME_BYTES);
    // About 70 header bytes per tensor in real files; a good first guess avoids most regrowth.
    this.builder = new TensorTableBuilder(Math.ceil(b.length / 64));
    if (nameKey) this.digest = emptyDigest();
    this.hashKey = nameKey ?? (b.length >= HASHED_NAMES_MIN_BYTES ? randomNameKey() : undefined);
    if (this.hashKey) this.seenHashes = new HashPairSet(Math.ceil(b.length / 64));
    else this.seen = new Map();
  }

  /** The exact map of names so far, built from the table when hashes had stood in for it. */
  private seenNames(): Map<string, number> {
    if (this.seen === undefined) {
      this.seen = new Map();
      const names = this.builder.namesSoFar();
      for (let i = 0; i < names.length; i++) this.seen.set(names[i]!, i);
    }
    return this.seen;
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
    if (this.openObject()) {
      do {
        if (this.canonicalMisses >= CANONICAL_MISSES || !this.canonicalEntries())
          this.topLevelMember();
      } while (this.nextMember());
    }
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
      ...(this.digest ? { nameDigest: this.digest } : {}),
    };
  }

  // ---- top level ----

  /** Consecutive entries the expression gave back to the general reader. */
  private canonicalMisses = 0;
  /** Where it last gave up: not tried twice on the same entry. */
  private missedAt = -1;
  /** Part of the header as a string of one character per byte, for the expression, from textBase. */
  private text = "";
  private textBase = 0;
  /** Scratch for one canonical entry's dims. */
  private dimScratch = new Float64Array(8);

  /**
   * Reads canonical entries from the key at this.p on, as many as follow one another; true when
   * it read at least one (this.p is then after the last), false when it read none (this.p is
   * unchanged). Nothing is recorded for an entry before all of it has been read.
   */
  private canonicalEntries(): boolean {
    let p = this.p;
    if (p === this.missedAt) return false;
    const b = this.b;
    let text = this.text;
    let base = this.textBase;
    let read = false;
    for (;;) {
      // A window of the header as text (latin1: one character per byte), moved on before an
      // entry could run past its end: a 100 MB header never becomes a 100 MB string too.
      if (p + CANONICAL_SPAN > base + text.length && base + text.length < this.len) {
        base = p;
        text = b.toString("latin1", p, Math.min(this.len, p + TEXT_WINDOW));
        this.text = text;
        this.textBase = base;
      }
      // Matched, not captured: the parts are read back below from known places, which costs
      // no array and no string per part. Positions in `text` are relative to `base`.
      const at = p - base;
      CANONICAL.lastIndex = at;
      if (!CANONICAL.test(text)) break;
      const end = CANONICAL.lastIndex;
      const nameEnd = text.indexOf('"', at + 1);
      const dtypeStart = nameEnd + 12; // after `":{"dtype":"`
      const dtypeEnd = text.indexOf('"', dtypeStart);
      let dtype = -1;
      const sameLength = DTYPES_BY_LENGTH[dtypeEnd - dtypeStart] ?? NO_DTYPES;
      for (let k = 0; k < sameLength.length; k++) {
        if (text.startsWith(sameLength[k]!.name, dtypeStart)) dtype = sameLength[k]!.id;
      }
      if (dtype < 0) break;
      // From the bytes, not text.slice: a slice would keep the whole window alive.
      const name = b.toString("latin1", p + 1, base + nameEnd);
      if (name === "__metadata__") break;
      if (this.seen !== undefined) {
        if (this.seen.has(name)) break;
      } else {
        halfSipHash(this.hashKey!, b, p + 1, base + nameEnd);
        if (!this.seenHashes!.add(hashOut[0]!, hashOut[1]!)) break;
      }
      // The shape, after `","shape":[`, up to `]`.
      let rank = 0;
      let i = dtypeEnd + 11;
      let c = text.charCodeAt(i);
      if (c !== RBRACKET) {
        let v = 0;
        for (; ; c = text.charCodeAt(++i)) {
          if (c !== COMMA && c !== RBRACKET) v = v * 10 + (c - 0x30);
          else {
            this.dim(rank++, v);
            if (c === RBRACKET) break;
            v = 0;
          }
        }
      }
      // data_offsets, read backwards from `,E]}` and `[B,`.
      i = end - 3;
      let last = 0;
      for (let unit = 1; (c = text.charCodeAt(i)) !== COMMA; i--, unit *= 10)
        last += (c - 0x30) * unit;
      let first = 0;
      for (let unit = 1; (c = text.charCodeAt(--i)) !== LBRACKET; unit *= 10)
        first += (c - 0x30) * unit;
      const index = this.builder.addSmall(name, dtype, this.dimScratch, rank, first, last);
      if (this.seen !== undefined) {
        this.seen.set(name, index);
        if (this.digest) addNameBytes(this.digest, this.nameKey!, b, p + 1, base + nameEnd);
      } else if (this.digest) {
        const d = this.digest;
        d.count++;
        d.lo = (d.lo + hashOut[0]!) | 0;
        d.hi = (d.hi + hashOut[1]!) | 0;
      }
      read = true;
      this.canonicalMisses = 0;
      // Another entry right after the comma: go on; else the caller reads the separator.
      if (b[base + end] !== COMMA || b[base + end + 1] !== QUOTE) {
        this.p = base + end;
        return true;
      }
      p = base + end + 1;
    }
    // The entry at p is for the general reader.
    this.canonicalMisses++;
    this.missedAt = p;
    if (!read) return false;
    this.p = p - 1; // the comma before it, for the caller to read
    return true;
  }

  private dim(k: number, v: number): void {
    if (k === this.dimScratch.length) {
      const next = new Float64Array(k * 2);
      next.set(this.dimScratch);
      this.dimScratch = next;
    }
    this.dimScratch[k] = v;
  }

  private topLevelMember(): void {
    const keyStart = this.p;
    this.longString = false;
    this.controlInString = false;
    const key = this.string();
    this.keyEnd = this.p - 1;
    this.keyEscaped = this.escaped;
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

  // One entry's fields, kept on the reader rather than in closures: a million entries must not
  // allocate a closure, an array and a tuple each.
  private eName = "";
  private eDtype = -2; // -2 missing, -1 invalid
  private eRank = -2; // -2 missing, -1 invalid
  private eOffsets = 0; // values read; -1 invalid
  private eBegin = 0n;
  private eEnd = 0n;
  private eBad = false;

  private problem(code: FindingCode, message: string, hint?: string): void {
    this.eBad = true;
    this.structural(
      code,
      message,
      hint === undefined ? { tensor: this.eName } : { tensor: this.eName, hint },
    );
  }

  private tensorEntry(name: string, keyStart: number): void {
    if (this.b[this.p] !== LBRACE) {
      this.structural(
        "TENSOR_ENTRY_INVALID",
        `entry for tensor ${nameOf(name)} is a JSON ${this.kindAt()}, expected an object with dtype, shape and data_offsets`,
        { tensor: name },
      );
      this.skipValue();
      return;
    }
    this.eName = name;
    this.eDtype = -2;
    this.eRank = -2;
    this.eOffsets = -2;
    this.eBad = false;
    if (this.openObject()) {
      do {
        const field = this.fieldName();
        this.colon();
        if (field === FIELD_DTYPE) this.dtypeField();
        else if (field === FIELD_SHAPE) this.shapeField();
        else if (field === FIELD_OFFSETS) this.offsetsField();
        else {
          this.unknownFields.set(this.lastField, (this.unknownFields.get(this.lastField) ?? 0) + 1);
          this.skipValue();
        }
      } while (this.nextMember());
    }
    if (this.eDtype === -2 || this.eRank === -2 || this.eOffsets === -2) {
      const missing = [
        this.eDtype === -2 ? "dtype" : "",
        this.eRank === -2 ? "shape" : "",
        this.eOffsets === -2 ? "data_offsets" : "",
      ].filter((x) => x !== "");
      this.problem("TENSOR_ENTRY_INVALID", `tensor ${nameOf(name)} lacks ${missing.join(", ")}`);
    }
    if (this.eBad) return;
    const seen = this.seenNames();
    const previous = seen.get(name);
    if (previous !== undefined) {
      this.sink.add(
        "DUPLICATE_TENSOR",
        `tensor ${nameOf(name)} appears twice in the header (again at byte ${this.where(keyStart)})`,
        {
          tensor: name,
          hint: "loaders disagree on which entry wins; the reference keeps the last, which is what is checked here",
        },
      );
      this.builder.set(previous, this.eDtype, this.shape, this.eRank, this.eBegin, this.eEnd);
      return;
    }
    seen.set(
      name,
      this.builder.add(name, this.eDtype, this.shape, this.eRank, this.eBegin, this.eEnd),
    );
    if (this.digest) {
      // An unescaped key's raw bytes are the name's UTF-8 (the header was checked to be UTF-8).
      if (this.keyEscaped) addName(this.digest, this.nameKey!, name);
      else addNameBytes(this.digest, this.nameKey!, this.b, keyStart + 1, this.keyEnd);
    }
  }

  private dtypeField(): void {
    const name = this.eName;
    if (this.eDtype !== -2) {
      this.problem("TENSOR_ENTRY_INVALID", `tensor ${nameOf(name)} has two dtype fields`);
      this.skipValue();
      return;
    }
    if (this.b[this.p] !== QUOTE) {
      this.eDtype = -1;
      this.problem(
        "DTYPE_UNKNOWN",
        `dtype of tensor ${nameOf(name)} is a JSON ${this.kindAt()}, expected a string`,
      );
      this.skipValue();
      return;
    }
    const known = this.knownDtype();
    if (known >= 0) {
      this.eDtype = known;
      return;
    }
    const s = this.string();
    this.eDtype = dtypeId(s);
    if (this.eDtype < 0) {
      this.problem(
        "DTYPE_UNKNOWN",
        `tensor ${nameOf(name)} has unknown dtype "${excerpt(s)}"`,
        dtypeSuggestion(s),
      );
    }
  }

  /** A dtype string matched on its bytes, without making a string; -1 to take the slow path. */
  private knownDtype(): number {
    const b = this.b;
    const start = this.p + 1;
    let end = start;
    while (end < this.len && b[end] !== QUOTE && b[end] !== BACKSLASH) end++;
    if (b[end] !== QUOTE) return -1;
    const n = end - start;
    for (let id = 0; id < DTYPE_BYTES.length; id++) {
      const d = DTYPE_BYTES[id]!;
      if (d.length !== n) continue;
      let k = 0;
      while (k < n && d[k] === b[start + k]) k++;
      if (k === n) {
        this.p = end + 1;
        return id;
      }
    }
    return -1;
  }

  /** The dims go to this.shape; eRank is the rank, or -1 after recording the problem. */
  private shapeField(): void {
    const name = this.eName;
    if (this.eRank !== -2) {
      this.problem("TENSOR_ENTRY_INVALID", `tensor ${nameOf(name)} has two shape fields`);
      this.skipValue();
      return;
    }
    if (this.b[this.p] !== LBRACKET) {
      this.eRank = -1;
      this.problem(
        "SHAPE_INVALID",
        `shape of tensor ${nameOf(name)} is a JSON ${this.kindAt()}, expected an array of integers`,
      );
      this.skipValue();
      return;
    }
    let rank = 0;
    let ok = true;
    if (this.openArray()) {
      do {
        const v = this.u64Element("shape");
        if (v === undefined) ok = false;
        else {
          if (rank === this.shape.length) {
            const next = new BigUint64Array(rank * 2);
            next.set(this.shape);
            this.shape = next;
          }
          this.shape[rank++] = v;
        }
      } while (this.nextElement());
    }
    this.eRank = ok ? rank : -1;
  }

  private offsetsField(): void {
    const name = this.eName;
    if (this.eOffsets !== -2) {
      this.problem("TENSOR_ENTRY_INVALID", `tensor ${nameOf(name)} has two data_offsets fields`);
      this.skipValue();
      return;
    }
    this.eOffsets = -1;
    if (this.b[this.p] !== LBRACKET) {
      this.problem(
        "OFFSETS_INVALID",
        `data_offsets of tensor ${nameOf(name)} is a JSON ${this.kindAt()}, expected [begin, end]`,
      );
      this.skipValue();
      return;
    }
    let count = 0;
    let ok = true;
    if (this.openArray()) {
      do {
        const v = this.u64Element("data_offsets");
        if (v === undefined) ok = false;
        else if (count === 0) this.eBegin = v;
        else if (count === 1) this.eEnd = v;
        count++;
      } while (this.nextElement());
    }
    if (!ok) return;
    if (count !== 2) {
      this.problem(
        "OFFSETS_INVALID",
        `data_offsets of tensor ${nameOf(name)} has ${count} values, expected 2`,
      );
      return;
    }
    this.eOffsets = 2;
  }

  /** One array element that must be a u64; records why not and returns undefined otherwise. */
  private u64Element(field: "shape" | "data_offsets"): bigint | undefined {
    const name = this.eName;
    const code = field === "shape" ? "SHAPE_INVALID" : "OFFSETS_INVALID";
    const c = this.b[this.p]!;
    if (c !== MINUS && !isDigit(c)) {
      this.problem(
        code,
        `${field} of tensor ${nameOf(name)} holds a JSON ${this.kindAt()}, expected a non-negative integer`,
      );
      this.skipValue();
      return undefined;
    }
    const start = this.p;
    const integer = this.number();
    if (!integer) {
      const text = this.b.toString("latin1", start, this.p);
      this.problem(
        code,
        `${field} of tensor ${nameOf(name)} holds ${excerpt(text)}, expected a non-negative integer without sign, fraction or exponent`,
      );
      return undefined;
    }
    const v = this.u64Token(start);
    if (v === undefined) {
      this.problem(
        code,
        `${field} of tensor ${nameOf(name)} holds ${excerpt(this.b.toString("latin1", start, this.p))}, above 2^64 − 1`,
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
          if (fb.length !== n) continue;
          let k = 0;
          while (k < n && fb[k] === b[start + k]) k++;
          if (k === n) {
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
 * With `nameKey`, also digests the table's names (`nameDigest`) for a checkpoint's index check.
 */
export function readHeaderJson(
  bytes: Buffer,
  base: number,
  sink: FindingSink,
  nameKey?: NameKey,
): HeaderContent {
  // Findings go to a sink of their own and reach the caller's only once the whole header has
  // tokenised. The reference tokenises everything before it interprets any entry, so a syntax
  // error anywhere is the one failure it reports: a bad dtype or an empty name read before it
  // would come first in the report and mislead (and `[NaN]` would read as "a JSON number").
  const local = new FindingSink();
  const content = new HeaderReader(bytes, base, local, nameKey).read();
  for (const f of local.finish()) sink.push(f);
  return content;
}
