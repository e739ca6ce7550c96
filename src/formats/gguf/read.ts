// One .gguf file: header, metadata, tensor infos, data layout and file size, checked in the order
// of llama.cpp's reader (`ggml/src/gguf.cpp`, gguf_init_from_reader) and model loader
// (`src/llama-model-loader.cpp`), plus the stricter checks of docs/gguf.md. Cheapest checks first;
// every count and length is checked against the bytes that remain and the limits in
// core/limits.ts before anything is allocated for it. Reads the header and stops.

import { InspectError } from "../../core/errors.js";
import { FindingSink } from "../../core/finding-sink.js";
import type { Finding } from "../../core/findings.js";
import {
  GGML_TENSOR_ALIGNMENT,
  GGUF_ARRAY_PREVIEW,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAX_ARRAY_ELEMENTS,
  GGUF_MAX_KEPT_ARRAY_BYTES,
  GGUF_MAX_KEPT_STRINGS,
  GGUF_MAX_DECODED_STRING_BYTES,
  GGUF_MAX_DIMS,
  GGUF_MAX_NAME_BYTES,
  GGUF_MAX_STRING_BYTES,
  SNIFF_BYTES,
  TRAILING_SNIFF_BYTES,
} from "../../core/limits.js";
import { excerpt, group, nameOf, plural } from "../../core/text.js";
import type { ByteSource } from "../../sources/source.js";
import { bytesFor, DTYPE_OF_GGML, DTYPES, UNKNOWN_DTYPE } from "../dtypes.js";
import { offsetAt, TensorTableBuilder, type TensorTable } from "../tensor-table.js";
import { describeTrailing, identify } from "../sniff.js";
import { Cursor, decodeUtf8 } from "./cursor.js";
import { ggmlType, REMOVED_GGML_TYPES, GGML_TYPE_COUNT } from "./ggml-types.js";
import {
  ARRAY_TYPE,
  BOOL_TYPE,
  STRING_TYPE,
  VALUE_SIZE,
  integerOf,
  VALUE_TYPES,
  type ArrayItems,
  type Entry,
  type LongString,
  type Scalar,
  type Value,
} from "./values.js";

export const GGUF_MAGIC = "GGUF";

export interface GgufFile {
  format: "gguf";
  name: string;
  /** Size on disk; undefined when read from a pipe. */
  fileBytes: bigint | undefined;
  version: number | undefined;
  /** general.alignment, or 32; undefined when the key holds an invalid value. */
  alignment: number | undefined;
  /** Keys in file order. */
  metadata: Map<string, Entry>;
  /**
   * Tensors in info order. dtypes hold dtype registry ids (formats/dtypes.ts; UNKNOWN_DTYPE when the
   * ggml type is unknown or the shape invalid); shapes are
   * outermost first, as PyTorch and safetensors write them (GGUF stores ne[] innermost first);
   * offsets are [begin, end) relative to the data section, end = begin + the tensor's bytes.
   */
  tensors: TensorTable;
  /** Tensor indices in data order (info order: llama.cpp requires the data in that order). */
  order: Uint32Array;
  /** Σ elements over all tensors: llama.cpp's n_params. */
  elements: bigint;
  /** Σ bytes over all tensors, unpadded: llama.cpp's model size. */
  tensorBytes: bigint;
  /** Offset where the tensor infos end; undefined when the header did not parse. */
  headerBytes: number | undefined;
  /** Absolute offset of the data section; undefined when the header did not parse. */
  dataStart: number | undefined;
  /** End of the last tensor's data, relative to the data section. */
  dataEnd: bigint;
  /** True when the whole header parsed (later checks may still have found errors). */
  complete: boolean;
  findings: Finding[];
}

const INT64_MAX = (1n << 63n) - 1n;
const U64_MASK = (1n << 64n) - 1n;
/** Smallest key/value pair: 8-byte length, a 1-byte key, a 4-byte type, a 1-byte value. */
const MIN_KV_BYTES = 14;
/** Smallest tensor info: 8-byte name length, empty name, n_dims 0, type, offset. */
const MIN_TENSOR_INFO_BYTES = 24;

const pad = (x: number, a: number) => Math.ceil(x / a) * a;
const padBig = (x: bigint, a: bigint) => ((x + a - 1n) / a) * a;

class Parser {
  readonly sink: FindingSink;
  readonly metadata = new Map<string, Entry>();
  readonly builder = new TensorTableBuilder(16);
  /** Bytes of each tensor (undefined for an unknown type or an overflowing shape). */
  readonly bytes: Array<bigint | undefined> = [];
  elements = 0n;
  tensorBytes = 0n;
  version: number | undefined;
  alignment: number | undefined = GGUF_DEFAULT_ALIGNMENT;
  tensorCount = 0n;
  kvCount = 0n;
  headerBytes: number | undefined;
  /** Names as llama.cpp compares them: C strings, cut at the first NUL. */
  readonly names = new Set<string>();
  invalidUtf8 = 0;
  invalidBools = 0;
  longStrings = 0;

  constructor(
    readonly src: ByteSource,
    readonly c: Cursor,
  ) {
    this.sink = new FindingSink(src.name);
  }

  fail(code: Finding["code"], message: string, hint?: string, offset = this.c.offset): never {
    throw new InspectError(code, message, { offset: BigInt(offset), ...(hint ? { hint } : {}) });
  }

  truncated(what: string): never {
    this.fail(
      "GGUF_TRUNCATED_HEADER",
      `the file ends inside the GGUF header, while reading ${what} (at byte ${group(this.c.offset)})`,
      "the download stopped early; llama.cpp refuses the file: download it again",
    );
  }

  async u32(what: string): Promise<number> {
    const c = this.c;
    if (c.available < 4 && !(await c.fill(4))) this.truncated(what);
    const v = c.buf.readUInt32LE(c.pos);
    c.pos += 4;
    return v;
  }

  async u64(what: string): Promise<bigint> {
    const c = this.c;
    if (c.available < 8 && !(await c.fill(8))) this.truncated(what);
    const v = c.buf.readBigUInt64LE(c.pos);
    c.pos += 8;
    return v;
  }

  /** A string's length, checked against the limit and the bytes that remain. */
  async length(what: string): Promise<number> {
    const c = this.c;
    if (c.available < 8 && !(await c.fill(8))) this.truncated(`the length of ${what}`);
    const lo = c.buf.readUInt32LE(c.pos);
    const hi = c.buf.readUInt32LE(c.pos + 4);
    c.pos += 8;
    if (hi === 0 && lo <= GGUF_MAX_STRING_BYTES && lo <= c.remaining) return lo;
    const n = (BigInt(hi) << 32n) | BigInt(lo);
    const over = n > BigInt(GGUF_MAX_STRING_BYTES);
    this.fail(
      "GGUF_STRING_TOO_LONG",
      `${what} declares ${plural(n, "byte")}, ${over ? "above llama.cpp's limit of 1 GiB" : `but only ${group(c.remaining)} remain in the file`}`,
      over
        ? "the header is damaged; llama.cpp refuses the file"
        : "the file is truncated inside its header (or the length is damaged); llama.cpp refuses it: download it again",
      c.offset - 8,
    );
  }

  /** A string value: decoded, or its start when longer than GGUF_MAX_DECODED_STRING_BYTES. */
  async string(what: string): Promise<string | LongString> {
    const n = await this.length(what);
    const c = this.c;
    if (n > GGUF_MAX_DECODED_STRING_BYTES) {
      if (!(await c.fill(1024))) this.truncated(what);
      const start = c.buf.toString("utf8", c.pos, c.pos + 1024);
      const at = c.offset;
      if (!(await c.skip(n))) this.truncated(what);
      this.longStrings++;
      if (this.longStrings === 1)
        this.sink.add(
          "GGUF_STRING_NOT_DECODED",
          `${what} is ${plural(n, "byte")} long: only its start is kept`,
          { offset: BigInt(at) },
        );
      return { kind: "long-string", bytes: n, start };
    }
    if (c.available < n && !(await c.fill(n))) this.truncated(what);
    const { text, valid } = decodeUtf8(c.buf, c.pos, c.pos + n);
    if (!valid) this.badUtf8(what, c.offset);
    c.pos += n;
    return text;
  }

  badUtf8(what: string, at: number): void {
    this.invalidUtf8++;
    this.sink.add("GGUF_INVALID_UTF8", `${what} is not valid UTF-8`, {
      offset: BigInt(at),
      hint: "the spec requires UTF-8; llama.cpp accepts the bytes as they are",
    });
  }

  async run(): Promise<void> {
    await this.magic();
    await this.counts();
    for (let i = 0n; i < this.kvCount; i++) await this.keyValue(Number(i));
    this.checkAlignment();
    for (let i = 0n; i < this.tensorCount; i++) await this.tensorInfo(Number(i));
    this.headerBytes = this.c.offset;
  }

  async magic(): Promise<void> {
    const c = this.c;
    await c.fill(8);
    const head = c.buf.subarray(0, Math.min(4, c.limit)).toString("latin1");
    if (head !== GGUF_MAGIC) {
      const start = await this.src.read(0n, SNIFF_BYTES);
      const what = identify(start, "GGUF");
      if (what)
        throw new InspectError(what.code, what.message, what.hint ? { hint: what.hint } : {});
      if (c.limit < 4 && GGUF_MAGIC.startsWith(head))
        this.truncated(head.length ? "the magic" : "the magic (the file is empty)");
      const shown = Array.from(c.buf.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(
        " ",
      );
      this.fail(
        "GGUF_BAD_MAGIC",
        `not a GGUF file: it starts with ${shown}${head ? ` ("${escapeLatin1(head)}")` : ""}, not "GGUF"`,
        "llama.cpp refuses it (invalid magic characters)",
        0,
      );
    }
    c.pos = 4;
    const v = await this.u32("the version");
    this.version = v;
    if (v !== 0 && (v & 0xffff) === 0) {
      this.fail(
        "GGUF_BIG_ENDIAN",
        `a big-endian GGUF file (version ${v >>> 24} byte-swapped)`,
        "llama.cpp on a little-endian machine (x86, ARM) refuses it; convert it with gguf-py's gguf_convert_endian",
        4,
      );
    }
    if (v === 1)
      this.fail(
        "GGUF_VERSION_OBSOLETE",
        "GGUF version 1 is obsolete: llama.cpp no longer reads it",
        "convert it again from the original weights with a current convert_hf_to_gguf.py",
        4,
      );
    if (v !== 2 && v !== 3)
      this.fail(
        "GGUF_VERSION_UNSUPPORTED",
        `GGUF version ${v}: llama.cpp reads versions 2 and 3`,
        v === 0
          ? "the header is damaged"
          : "a newer format than llama.cpp reads, or a damaged header",
        4,
      );
  }

  async counts(): Promise<void> {
    const tensors = await this.u64("the tensor count");
    const kvs = await this.u64("the key/value count");
    const remaining = this.c.remaining;
    const check = (n: bigint, what: string, unit: number, at: number) => {
      if (n > INT64_MAX)
        this.fail(
          "GGUF_COUNT_TOO_LARGE",
          `the ${what} is ${group(n)}: negative as llama.cpp reads it (int64)`,
          "the header is damaged; llama.cpp refuses the file",
          at,
        );
      if (remaining !== Infinity && n * BigInt(unit) > BigInt(remaining))
        this.fail(
          "GGUF_COUNT_TOO_LARGE",
          `the ${what} is ${group(n)}, but the ${group(remaining)} bytes after the header could hold at most ${group(BigInt(remaining) / BigInt(unit))}`,
          "the header is damaged or the file truncated; llama.cpp refuses it",
          at,
        );
    };
    check(tensors, "tensor count", MIN_TENSOR_INFO_BYTES, 8);
    check(kvs, "key/value count", MIN_KV_BYTES, 16);
    if (remaining !== Infinity && tensors * 24n + kvs * 14n > BigInt(remaining))
      this.fail(
        "GGUF_COUNT_TOO_LARGE",
        `${group(tensors)} tensor infos and ${group(kvs)} key/value pairs cannot fit in the ${group(remaining)} bytes that follow`,
        "the header is damaged or the file truncated; llama.cpp refuses it",
        8,
      );
    this.tensorCount = tensors;
    this.kvCount = kvs;
  }

  async keyValue(i: number): Promise<void> {
    const at = this.c.offset;
    const k = await this.string(`key ${i + 1}`);
    const key = typeof k === "string" ? k : k.start;
    const label = `key \`${excerpt(key)}\``;
    if (key.length === 0)
      this.sink.add("GGUF_EMPTY_KEY", `key ${i + 1} of ${group(this.kvCount)} is empty`, {
        offset: BigInt(at),
        hint: "llama.cpp refuses the file",
      });
    const duplicate = this.metadata.has(key);
    if (duplicate)
      this.sink.add("GGUF_DUPLICATE_KEY", `${label} appears twice`, {
        offset: BigInt(at),
        hint: "llama.cpp refuses the file (duplicate key); the first value is shown",
      });
    let type = await this.u32(`the type of ${label}`);
    let value: Value;
    if (type === ARRAY_TYPE) {
      const itemType = await this.u32(`the item type of ${label}`);
      const count = await this.u64(`the length of ${label}`);
      if (itemType === ARRAY_TYPE)
        this.fail(
          "GGUF_NESTED_ARRAY",
          `${label} is an array of arrays`,
          "the GGUF spec allows nested arrays, but llama.cpp refuses the file",
          this.c.offset - 12,
        );
      this.checkType(itemType, label, this.c.offset - 12);
      value = await this.array(itemType, count, label);
      type = ARRAY_TYPE;
    } else {
      this.checkType(type, label, this.c.offset - 4);
      value = await this.scalar(type, label);
    }
    if (!duplicate) this.metadata.set(key, { key, type: VALUE_TYPES[type]!, value, offset: at });
  }

  checkType(type: number, label: string, at: number): void {
    if (type >= VALUE_TYPES.length)
      this.fail(
        "GGUF_VALUE_TYPE_INVALID",
        `${label} has value type ${type}; GGUF defines 0 to 12`,
        "the header is damaged; llama.cpp refuses the file",
        at,
      );
  }

  async scalar(type: number, label: string): Promise<Scalar> {
    if (type === STRING_TYPE) return this.string(`the value of ${label}`);
    const size = VALUE_SIZE[type]!;
    const c = this.c;
    if (c.available < size && !(await c.fill(size))) this.truncated(`the value of ${label}`);
    const b = c.buf;
    const p = c.pos;
    c.pos += size;
    switch (type) {
      case 0:
        return b[p]!;
      case 1:
        return b.readInt8(p);
      case 2:
        return b.readUInt16LE(p);
      case 3:
        return b.readInt16LE(p);
      case 4:
        return b.readUInt32LE(p);
      case 5:
        return b.readInt32LE(p);
      case 6:
        return b.readFloatLE(p);
      case BOOL_TYPE:
        if (b[p]! > 1) this.badBool(label, p + c.offset - c.pos, b[p]!);
        return b[p] !== 0;
      case 10:
        return b.readBigUInt64LE(p);
      case 11:
        return b.readBigInt64LE(p);
      default:
        return b.readDoubleLE(p);
    }
  }

  badBool(label: string, at: number, byte: number): void {
    this.invalidBools++;
    this.sink.add("GGUF_BOOL_INVALID", `${label} holds a bool stored as ${byte}`, {
      offset: BigInt(at),
      hint: "the spec allows only 0 and 1; llama.cpp reads it as true",
    });
  }

  async array(itemType: number, count: bigint, label: string): Promise<Value> {
    const c = this.c;
    const size = VALUE_SIZE[itemType]!;
    const minBytes = itemType === STRING_TYPE ? 8 : size;
    if (
      count > BigInt(GGUF_MAX_ARRAY_ELEMENTS) ||
      count * BigInt(minBytes) > BigInt(Math.min(c.remaining, Number.MAX_SAFE_INTEGER))
    )
      this.fail(
        "GGUF_ARRAY_TOO_LONG",
        `${label} declares ${plural(count, "element")} of ${VALUE_TYPES[itemType]}, ${count > BigInt(GGUF_MAX_ARRAY_ELEMENTS) ? "above llama.cpp's limit of 2^30" : `more than the ${group(c.remaining)} bytes that remain could hold`}`,
        "the header is damaged or the file truncated; llama.cpp refuses it",
        c.offset - 8,
      );
    const n = Number(count);
    if (itemType === STRING_TYPE)
      return { kind: "array", itemType: "str", count: n, items: await this.strings(n, label) };
    const typeName = VALUE_TYPES[itemType]!;
    if (n * size > GGUF_MAX_KEPT_ARRAY_BYTES) {
      // Kept: the first items; the rest is walked past, never held.
      const keep = GGUF_ARRAY_PREVIEW;
      const raw = new Uint8Array(keep * size);
      if (!(await c.copyInto(raw)) || !(await c.skip((n - keep) * size)))
        this.truncated(`the items of ${label}`);
      this.notKept(label, n, typeName);
      const items =
        itemType === BOOL_TYPE ? Array.from(raw, (x) => x !== 0) : typedArray(itemType, raw, keep);
      return { kind: "array", itemType: typeName, count: n, items };
    }
    let items: ArrayItems;
    if (itemType === BOOL_TYPE) {
      const raw = new Uint8Array(n);
      const at = c.offset;
      if (!(await c.copyInto(raw))) this.truncated(`the items of ${label}`);
      const bools: boolean[] = new Array<boolean>(n);
      for (let i = 0; i < n; i++) {
        if (raw[i]! > 1) this.badBool(`${label}[${i}]`, at + i, raw[i]!);
        bools[i] = raw[i] !== 0;
      }
      items = bools;
    } else {
      const raw = new Uint8Array(n * size);
      if (!(await c.copyInto(raw))) this.truncated(`the items of ${label}`);
      items = typedArray(itemType, raw, n);
    }
    return { kind: "array", itemType: typeName, count: n, items };
  }

  notKept(label: string, n: number, type: string): void {
    this.sink.add(
      "GGUF_STRING_NOT_DECODED",
      `${label} holds ${plural(n, "item")} of ${type}, above inspect's limit for arrays it keeps: only the first ${GGUF_ARRAY_PREVIEW} are shown`,
    );
  }

  /** A string array: the hot loop of a vocabulary, synchronous while the window lasts. */
  async strings(n: number, label: string): Promise<Array<string | LongString>> {
    const c = this.c;
    const kept = n > GGUF_MAX_KEPT_STRINGS ? GGUF_ARRAY_PREVIEW : n;
    const out = new Array<string | LongString>(kept);
    for (let i = 0; i < kept; i++) {
      if (c.available >= 8) {
        const lo = c.buf.readUInt32LE(c.pos);
        const len = lo;
        if (
          c.buf.readUInt32LE(c.pos + 4) === 0 &&
          len <= GGUF_MAX_DECODED_STRING_BYTES &&
          c.available >= 8 + len
        ) {
          const from = c.pos + 8;
          const text = c.buf.toString("utf8", from, from + len);
          if (text.includes("\uFFFD")) {
            const { valid } = decodeUtf8(c.buf, from, from + len);
            if (!valid) this.badUtf8(`${label}[${i}]`, c.offset + 8);
          }
          c.pos = from + len;
          out[i] = text;
          continue;
        }
      }
      out[i] = await this.string(`${label}[${i}]`);
    }
    if (kept < n) {
      this.notKept(label, n, "str");
      for (let i = kept; i < n; i++) {
        const len = await this.length(`${label}[${i}]`);
        if (!(await c.skip(len))) this.truncated(`${label}[${i}]`);
      }
    }
    return out;
  }

  checkAlignment(): void {
    const e = this.metadata.get("general.alignment");
    if (e === undefined) return;
    const v = e.value;
    if (e.type !== "u32" || typeof v !== "number") {
      this.alignment = undefined;
      this.sink.add("GGUF_ALIGNMENT_INVALID", `general.alignment is of type ${e.type}, not u32`, {
        offset: BigInt(e.offset),
        hint: "llama.cpp refuses the file; tensor offsets were not checked",
      });
      return;
    }
    if (v === 0 || (v & (v - 1)) !== 0) {
      this.alignment = undefined;
      this.sink.add("GGUF_ALIGNMENT_INVALID", `general.alignment is ${v}, not a power of two`, {
        offset: BigInt(e.offset),
        hint: `llama.cpp refuses the file${v % 8 === 0 && v > 0 ? ' (the spec\'s "multiple of 8" allows it, llama.cpp does not)' : ""}; tensor offsets were not checked`,
      });
      return;
    }
    this.alignment = v;
  }

  async tensorInfo(i: number): Promise<void> {
    const at = this.c.offset;
    const nm = await this.string(`the name of tensor ${i + 1}`);
    const name = typeof nm === "string" ? nm : nm.start;
    const label = `tensor ${nameOf(name)}`;
    const nameBytes = typeof nm === "string" ? Buffer.byteLength(nm) : nm.bytes;
    if (nameBytes >= GGUF_MAX_NAME_BYTES)
      this.sink.add(
        "GGUF_NAME_TOO_LONG",
        `${label}: the name is ${plural(nameBytes, "byte")}, llama.cpp allows at most ${GGUF_MAX_NAME_BYTES - 1}`,
        {
          offset: BigInt(at),
          tensor: name,
          hint: "llama.cpp refuses the file (tensor name is too long)",
        },
      );
    const cName = name.split("\0", 1)[0]!;
    if (this.names.has(cName))
      this.sink.add("GGUF_DUPLICATE_TENSOR", `${label} appears twice among the tensor infos`, {
        offset: BigInt(at),
        tensor: name,
        hint: "llama.cpp refuses the file (duplicate tensor name)",
      });
    else this.names.add(cName);
    const nDims = await this.u32(`the rank of ${label}`);
    if (nDims * 8 > this.c.remaining)
      this.fail(
        "GGUF_TOO_MANY_DIMS",
        `${label} declares ${group(nDims)} dimensions, more than the bytes that remain could hold`,
        "the header is damaged; llama.cpp refuses the file",
        this.c.offset - 4,
      );
    if (nDims > GGUF_MAX_DIMS)
      this.sink.add(
        "GGUF_TOO_MANY_DIMS",
        `${label} has ${nDims} dimensions; llama.cpp allows at most ${GGUF_MAX_DIMS}`,
        { offset: BigInt(this.c.offset - 4), tensor: name, hint: "llama.cpp refuses the file" },
      );
    const ne = new BigUint64Array(nDims);
    let ok = true;
    for (let d = 0; d < nDims; d++) {
      ne[d] = await this.u64(`dimension ${d} of ${label}`);
      if (ne[d]! > INT64_MAX) {
        ok = false;
        this.sink.add(
          "GGUF_DIM_NEGATIVE",
          `${label}: dimension ${d} is ${group(ne[d]!)}, negative as llama.cpp reads it (int64)`,
          { offset: BigInt(this.c.offset - 8), tensor: name, hint: "llama.cpp refuses the file" },
        );
      }
    }
    const typeId = await this.u32(`the type of ${label}`);
    const offset = await this.u64(`the offset of ${label}`);
    const type = ggmlType(typeId);
    if (type === undefined) {
      ok = false;
      const removed = REMOVED_GGML_TYPES.get(typeId);
      this.sink.add(
        "GGUF_TYPE_UNKNOWN",
        `${label} has ggml type ${typeId}${removed ? `, ${removed}` : `; llama.cpp defines 0 to ${GGML_TYPE_COUNT - 1}`}`,
        {
          offset: BigInt(this.c.offset - 12),
          tensor: name,
          hint: removed
            ? "llama.cpp refuses the file; convert the model again with a current llama.cpp"
            : "llama.cpp refuses the file; a newer ggml type, or a damaged header",
        },
      );
    }
    // Elements, exactly, and what llama.cpp's int64 arithmetic makes of them.
    let elements = 1n;
    for (let d = 0; d < nDims; d++) elements *= ne[d]!;
    let bytes: bigint | undefined;
    if (ok && type) {
      const row = nDims > 0 ? ne[0]! : 1n;
      if (row % BigInt(type.blockSize) !== 0n) {
        ok = false;
        this.sink.add(
          "GGUF_ROW_NOT_BLOCKS",
          `${label} (${type.name}) has rows of ${group(row)} values, not a multiple of its block size ${type.blockSize}`,
          { offset: BigInt(at), tensor: name, hint: "llama.cpp refuses the file" },
        );
      }
      if (
        elements >= INT64_MAX ||
        (elements / BigInt(type.blockSize)) * BigInt(type.typeSize) > U64_MASK
      ) {
        ok = false;
        const wraps = (elements & U64_MASK) === 0n && elements !== 0n;
        this.sink.add(
          "GGUF_SHAPE_OVERFLOW",
          `${label}: shape [${Array.from(ne).reverse().map(group).join(", ")}] holds ${group(elements)} values, past 64 bits`,
          {
            offset: BigInt(at),
            tensor: name,
            hint: wraps
              ? "the count wraps to exactly 0 in 64 bits, so llama.cpp's overflow guard misses it and accepts the file with no data for this tensor"
              : "llama.cpp refuses the file",
          },
        );
      }
      // Whole blocks: every row is (checked above), so the registry's rule gives the bytes.
      if (ok) bytes = bytesFor(DTYPES[DTYPE_OF_GGML[typeId]!]!, elements);
    }
    const shape = new BigUint64Array(nDims);
    for (let d = 0; d < nDims; d++) shape[d] = ne[nDims - 1 - d]!;
    const end = bytes === undefined ? offset : offset + bytes;
    this.builder.add(
      name,
      type && ok ? DTYPE_OF_GGML[typeId]! : UNKNOWN_DTYPE,
      shape,
      nDims,
      offset,
      end,
    );
    this.bytes.push(bytes);
    if (bytes !== undefined) {
      this.elements += elements;
      this.tensorBytes += bytes;
    }
  }
}

function typedArray(itemType: number, raw: Uint8Array, n: number): ArrayItems {
  const b = raw.buffer;
  switch (itemType) {
    case 0:
      return raw;
    case 1:
      return new Int8Array(b, 0, n);
    case 2:
      return littleEndian(new Uint16Array(b, 0, n), raw, 2);
    case 3:
      return littleEndian(new Int16Array(b, 0, n), raw, 2);
    case 4:
      return littleEndian(new Uint32Array(b, 0, n), raw, 4);
    case 5:
      return littleEndian(new Int32Array(b, 0, n), raw, 4);
    case 6:
      return littleEndian(new Float32Array(b, 0, n), raw, 4);
    case 10:
      return littleEndian(new BigUint64Array(b, 0, n), raw, 8);
    case 11:
      return littleEndian(new BigInt64Array(b, 0, n), raw, 8);
    default:
      return littleEndian(new Float64Array(b, 0, n), raw, 8);
  }
}

const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** On a big-endian host, swap the bytes of each element in place; a no-op elsewhere. */
function littleEndian<T>(view: T, raw: Uint8Array, width: number): T {
  if (!HOST_LE) for (let i = 0; i < raw.length; i += width) raw.subarray(i, i + width).reverse();
  return view;
}

function escapeLatin1(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, "?");
}

export async function readGguf(src: ByteSource): Promise<GgufFile> {
  const size = src.size === undefined ? undefined : Number(src.size);
  const c = new Cursor(src, size);
  const p = new Parser(src, c);
  const file: GgufFile = {
    format: "gguf",
    name: src.name,
    fileBytes: src.size,
    version: undefined,
    alignment: undefined,
    metadata: p.metadata,
    tensors: p.builder.finish(),
    order: new Uint32Array(0),
    elements: 0n,
    tensorBytes: 0n,
    headerBytes: undefined,
    dataStart: undefined,
    dataEnd: 0n,
    complete: false,
    findings: [],
  };
  try {
    await p.run();
    file.complete = true;
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    p.sink.push(e.toFinding(src.name));
  }
  file.version = p.version;
  file.alignment = p.alignment;
  file.tensors = p.builder.finish();
  file.order = Uint32Array.from({ length: file.tensors.count }, (_, i) => i);
  file.elements = p.elements;
  file.tensorBytes = p.tensorBytes;
  if (file.complete) {
    file.headerBytes = p.headerBytes;
    await checkLayout(p, file);
    checkModel(p, file);
  }
  file.findings = p.sink.finish();
  return file;
}

/** Data section, tensor offsets (llama.cpp's contiguity rule), file size. */
async function checkLayout(p: Parser, file: GgufFile): Promise<void> {
  const sink = p.sink;
  const t = file.tensors;
  const headerEnd = file.headerBytes!;
  const align = file.alignment;
  // llama.cpp pads to the alignment only when there are tensors (gguf_init_from_reader).
  const dataStart = t.count > 0 && align !== undefined ? pad(headerEnd, align) : headerEnd;
  file.dataStart = dataStart;
  await checkPadding(p, file, headerEnd, dataStart);
  if (t.count === 0) {
    sink.add("GGUF_NO_TENSORS", "no tensors: a vocabulary-only or metadata-only file", {
      hint: "llama.cpp loads such a file only with vocab_only",
    });
  }
  if (align === undefined) return;
  const A = BigInt(align);

  // Info order, as llama.cpp requires: each offset is the padded end of the one before.
  let expected = 0n;
  let dataEnd = 0n;
  let paddedEnd = 0n;
  const overlapping = findOverlaps(p, file);
  for (let i = 0; i < t.count; i++) {
    const bytes = p.bytes[i];
    const begin = offsetAt(t, 2 * i);
    const name = t.names[i]!;
    if (begin % A !== 0n) {
      sink.add(
        "GGUF_OFFSET_MISALIGNED",
        `tensor ${nameOf(name)} starts at data offset ${group(begin)}, not a multiple of the alignment ${align}`,
        { tensor: name, offset: BigInt(dataStart) + begin, hint: "llama.cpp refuses the file" },
      );
    } else if (begin !== expected && !overlapping.has(i)) {
      sink.add(
        "GGUF_NOT_CONTIGUOUS",
        begin > expected
          ? `tensor ${nameOf(name)} starts at data offset ${group(begin)}, leaving a gap of ${plural(begin - expected, "byte")} after ${i === 0 ? "the start of the data section" : `tensor ${nameOf(t.names[i - 1]!)}`}`
          : `tensor ${nameOf(name)} starts at data offset ${group(begin)}, before the end of the tensor listed before it (${group(expected)}): the data is not in info order`,
        {
          tensor: name,
          offset: BigInt(dataStart) + begin,
          hint: `llama.cpp refuses the file (tensor has offset ${begin}, expected ${expected}); rewrite it with gguf-py or llama.cpp's tools`,
        },
      );
    }
    if (bytes === undefined) {
      expected = padBig(begin, A);
      continue;
    }
    const end = begin + bytes;
    if (end > dataEnd) dataEnd = end;
    const pe = padBig(end, A);
    if (pe > paddedEnd) paddedEnd = pe;
    expected = pe;
  }
  file.dataEnd = dataEnd;
  checkAlignmentCrash(p, file, align, dataStart);
  await checkFileSize(p, file, BigInt(dataStart), dataEnd, paddedEnd);
}

/** Tensors whose bytes intersect another's (any order), reported once each. */
function findOverlaps(p: Parser, file: GgufFile): Set<number> {
  const t = file.tensors;
  const idx: number[] = [];
  for (let i = 0; i < t.count; i++) if ((p.bytes[i] ?? 0n) > 0n) idx.push(i);
  idx.sort((a, b) => {
    const x = offsetAt(t, 2 * a);
    const y = offsetAt(t, 2 * b);
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  const flagged = new Set<number>();
  let last = -1;
  for (const i of idx) {
    if (last >= 0 && offsetAt(t, 2 * i) < offsetAt(t, 2 * last + 1)) {
      flagged.add(i);
      p.sink.add(
        "GGUF_TENSOR_OVERLAP",
        `tensor ${nameOf(t.names[i]!)} (data ${group(offsetAt(t, 2 * i))}–${group(offsetAt(t, 2 * i + 1))}) overlaps tensor ${nameOf(t.names[last]!)} (${group(offsetAt(t, 2 * last))}–${group(offsetAt(t, 2 * last + 1))})`,
        {
          tensor: t.names[i]!,
          hint: "llama.cpp refuses the file (its offsets must be contiguous)",
        },
      );
    }
    if (last < 0 || offsetAt(t, 2 * i + 1) > offsetAt(t, 2 * last + 1)) last = i;
  }
  return flagged;
}

/**
 * The bytes between the tensor infos and the data: zero padding in a well-formed file. A tensor
 * info there means the header's tensor count is too small (llama.cpp then takes the rest of the
 * infos for data and reads every tensor from the wrong place).
 */
async function checkPadding(
  p: Parser,
  file: GgufFile,
  headerEnd: number,
  dataStart: number,
): Promise<void> {
  const probe = await p.src.read(BigInt(headerEnd), Math.max(dataStart - headerEnd, 96));
  const extra = parseTensorInfo(probe);
  if (extra !== undefined) {
    p.sink.add(
      "GGUF_TENSOR_COUNT_SHORT",
      `another tensor info (${nameOf(extra)}) follows the ${plural(file.tensors.count, "tensor info")} the header counts, at byte ${group(headerEnd)}`,
      {
        offset: BigInt(headerEnd),
        hint: "the header's tensor count is too small: llama.cpp takes the remaining infos for tensor data and loads every tensor from the wrong bytes",
      },
    );
    return;
  }
  const padding = probe.subarray(0, dataStart - headerEnd);
  if (padding.some((b) => b !== 0))
    p.sink.add(
      "GGUF_PADDING_NONZERO",
      `the ${plural(padding.length, "byte")} of padding before the tensor data at ${group(headerEnd)} are not all zero`,
      { offset: BigInt(headerEnd), hint: "the spec pads with zeros; llama.cpp ignores the bytes" },
    );
}

/** The name of a plausible tensor info at the start of `b`, or undefined. */
function parseTensorInfo(b: Buffer): string | undefined {
  if (b.length < 8) return undefined;
  const len = b.readUInt32LE(0);
  if (b.readUInt32LE(4) !== 0 || len === 0 || len >= GGUF_MAX_NAME_BYTES || b.length < 8 + len + 4)
    return undefined;
  const name = b.subarray(8, 8 + len);
  if (!name.every((x) => x >= 0x20 && x < 0x7f)) return undefined;
  const nDims = b.readUInt32LE(8 + len);
  if (nDims === 0 || nDims > GGUF_MAX_DIMS || b.length < 8 + len + 4 + 8 * nDims + 12)
    return undefined;
  for (let d = 0; d < nDims; d++)
    if (b.readBigUInt64LE(12 + len + 8 * d) > 1n << 40n) return undefined;
  if (ggmlType(b.readUInt32LE(12 + len + 8 * nDims)) === undefined) return undefined;
  return name.toString("latin1");
}

/**
 * llama.cpp maps the file and hands the CPU backend a pointer to the first tensor's data; the
 * backend asserts that it lies on GGML_TENSOR_ALIGNMENT bytes (ggml-backend.cpp,
 * ggml_backend_cpu_buffer_from_ptr), so data off that boundary aborts the process.
 */
function checkAlignmentCrash(p: Parser, file: GgufFile, align: number, dataStart: number): void {
  if (align >= GGML_TENSOR_ALIGNMENT || file.tensors.count === 0) return;
  const e = file.metadata.get("general.alignment")!;
  if (dataStart % GGML_TENSOR_ALIGNMENT !== 0)
    p.sink.add(
      "GGUF_ALIGNMENT_CRASH",
      `general.alignment is ${align} and the tensor data starts at byte ${group(dataStart)}, not on ${GGML_TENSOR_ALIGNMENT} bytes`,
      {
        offset: BigInt(e.offset),
        hint: "llama.cpp's default (mmap) load aborts on an assertion; write the file with alignment 32",
      },
    );
  else
    p.sink.add(
      "GGUF_ALIGNMENT_SMALL",
      `general.alignment is ${align}, below the ${GGML_TENSOR_ALIGNMENT} that ggml's CPU backend needs`,
      {
        offset: BigInt(e.offset),
        hint: "the data happens to start on 32 bytes so llama.cpp loads it; a rewrite with other metadata may not",
      },
    );
}

/** llama.cpp's loader: every tensor within the file (llama-model-loader.h, llama_tensor_weight). */
async function checkFileSize(
  p: Parser,
  file: GgufFile,
  dataStart: bigint,
  dataEnd: bigint,
  paddedEnd: bigint,
): Promise<void> {
  const size = file.fileBytes;
  const end = dataStart + dataEnd;
  if (size === undefined) {
    p.sink.add(
      "SIZE_UNCHECKED",
      `read from a stream: the header declares ${group(end)} bytes in all, but truncation and trailing bytes could not be checked`,
      { hint: "inspect the file itself to check its size" },
    );
    return;
  }
  const t = file.tensors;
  if (size < end) {
    let incomplete = 0;
    let first: string | undefined;
    let firstBegin = -1n;
    for (let i = 0; i < t.count; i++) {
      if (p.bytes[i] === undefined) continue;
      if (dataStart + offsetAt(t, 2 * i + 1) > size) {
        incomplete++;
        if (first === undefined || offsetAt(t, 2 * i) < firstBegin) {
          first = t.names[i]!;
          firstBegin = offsetAt(t, 2 * i);
        }
      }
    }
    const pct = Number((size * 10000n) / end) / 100;
    p.sink.add(
      "GGUF_DATA_TRUNCATED",
      `file is truncated: the tensors end at byte ${group(end)}, the file has ${group(size)} (${plural(end - size, "byte")} missing)`,
      {
        offset: size,
        ...(first !== undefined ? { tensor: first } : {}),
        hint: `the download stopped at ${pct.toFixed(2)} %; ${plural(incomplete, "tensor")}${first !== undefined ? ` from ${nameOf(first)} on` : ""} incomplete; llama.cpp refuses it ("data is not within the file bounds"): download it again`,
      },
    );
    return;
  }
  const padded = dataStart + paddedEnd;
  if (size < padded && t.count > 0) {
    p.sink.add(
      "GGUF_FINAL_PADDING_MISSING",
      `the file ends with the last tensor at byte ${group(size)}, without the ${plural(padded - size, "byte")} of padding to the alignment`,
      { offset: size },
    );
  } else if (size > padded) {
    const tail = await p.src.read(padded, TRAILING_SNIFF_BYTES);
    p.sink.add(
      "GGUF_TRAILING_BYTES",
      `${plural(size - padded, "byte")} follow the tensor data at byte ${group(padded)}`,
      { offset: padded, hint: `${describeTrailing(tail)}; llama.cpp ignores them` },
    );
  }
}

/** What llama.cpp's model loader needs before it looks at any tensor. */
function checkModel(p: Parser, file: GgufFile): void {
  // A split set's later parts carry only tensors and the split.* keys: the loader reads the
  // model's keys from the first part (llama.cpp's gguf-split writes them there alone).
  const splitNo = integerOf(file.metadata.get("split.no")?.value);
  if (splitNo !== undefined && splitNo > 0) return;
  const arch = file.metadata.get("general.architecture");
  if (arch === undefined || typeof arch.value !== "string") {
    p.sink.add(
      "GGUF_NO_ARCHITECTURE",
      arch === undefined
        ? "no general.architecture key"
        : `general.architecture is of type ${arch.type}, not a string`,
      { hint: "llama.cpp's model loader refuses the file: it cannot tell which model this is" },
    );
  }
}
