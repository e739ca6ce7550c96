// Hostile variants of a tiny llama GGUF file that llama.cpp loads: one per rule the reader checks
// (docs/gguf.md). The reader tests check the finding each one raises; the llama.cpp reference test
// loads every one with llama.cpp and checks that it refuses (or aborts on) the files we call errors
// and loads the ones we do not.

import type { FindingCode } from "../../src/core/codes.js";
import {
  FAMILIES,
  GgufOut,
  modelSpec,
  splitSpec,
  tensorBytes,
  writeGguf,
  type GgufSpec,
  type Kv,
  type Written,
} from "./gguf.js";

export interface Variant {
  name: string;
  bytes: Buffer;
  /** Codes the reader must report (at their default severity). */
  codes: FindingCode[];
}

const base = (): GgufSpec => modelSpec(FAMILIES.llama());

function write(mutate: (s: GgufSpec) => void, extra: Partial<GgufSpec> = {}): Buffer {
  const s = { ...base(), ...extra };
  mutate(s);
  return writeGguf(s).bytes;
}

function withKv(kv: Kv, replace?: string): Buffer {
  return write((s) => {
    const i = replace === undefined ? -1 : s.kv.findIndex((k) => k.key === replace);
    if (i >= 0) s.kv[i] = kv;
    else s.kv.push(kv);
  });
}

/** Offset just after a key's bytes (where its u32 value type sits). */
function afterKey(b: Buffer, key: string): number {
  const at = b.indexOf(Buffer.from(key, "utf8"));
  if (at < 0) throw new Error(`no key ${key}`);
  return at + Buffer.byteLength(key);
}

function patch(b: Buffer, f: (b: Buffer) => void): Buffer {
  const c = Buffer.from(b);
  f(c);
  return c;
}

export function goodFile(): Written {
  return writeGguf(base());
}

export function variants(): Variant[] {
  const good = goodFile();
  const g = good.bytes;
  const v: Variant[] = [];
  const add = (name: string, bytes: Buffer, ...codes: FindingCode[]) =>
    v.push({ name, bytes, codes });

  // The file itself
  add(
    "bad magic",
    patch(g, (b) => b.write("GGUX", 0, "latin1")),
    "GGUF_BAD_MAGIC",
  );
  add(
    "LFS pointer",
    Buffer.from(
      "version https://git-lfs.github.com/spec/v1\noid sha256:" +
        "ab".repeat(32) +
        "\nsize 4920000000\n",
    ),
    "LFS_POINTER",
  );
  add(
    "HTML page",
    Buffer.from("<!DOCTYPE html><html><head><title>Sign in</title></head></html>"),
    "HTML_DOCUMENT",
  );
  {
    const header = Buffer.from('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
    const st = Buffer.alloc(8 + header.length + 4);
    st.writeBigUInt64LE(BigInt(header.length));
    header.copy(st, 8);
    add("safetensors renamed .gguf", st, "SAFETENSORS_FILE");
  }
  add("truncated in the vocabulary", g.subarray(0, 5000), "GGUF_STRING_TOO_LONG");
  add("truncated in the tensor infos", g.subarray(0, good.headerEnd - 10), "GGUF_TRUNCATED_HEADER");
  add("truncated in the counts", g.subarray(0, 20), "GGUF_TRUNCATED_HEADER");
  add("empty file", Buffer.alloc(0), "GGUF_TRUNCATED_HEADER");
  add(
    "version 1",
    patch(g, (b) => b.writeUInt32LE(1, 4)),
    "GGUF_VERSION_OBSOLETE",
  );
  add(
    "version 4",
    patch(g, (b) => b.writeUInt32LE(4, 4)),
    "GGUF_VERSION_UNSUPPORTED",
  );
  add(
    "version 0",
    patch(g, (b) => b.writeUInt32LE(0, 4)),
    "GGUF_VERSION_UNSUPPORTED",
  );
  add(
    "big-endian",
    patch(g, (b) => b.writeUInt32BE(3, 4)),
    "GGUF_BIG_ENDIAN",
  );
  add(
    "tensor count too large",
    patch(g, (b) => b.writeBigUInt64LE(1n << 40n, 8)),
    "GGUF_COUNT_TOO_LARGE",
  );
  add(
    "tensor count negative",
    patch(g, (b) => b.writeBigUInt64LE(1n << 63n, 8)),
    "GGUF_COUNT_TOO_LARGE",
  );
  add(
    "key count too large",
    patch(g, (b) => b.writeBigUInt64LE(1n << 40n, 16)),
    "GGUF_COUNT_TOO_LARGE",
  );

  // Metadata
  add(
    "key length past the end",
    patch(g, (b) => b.writeBigUInt64LE(1n << 33n, 24)),
    "GGUF_STRING_TOO_LONG",
  );
  add(
    "string value past the end",
    patch(g, (b) => b.writeBigUInt64LE(BigInt(b.length), afterKey(b, "general.architecture") + 4)),
    "GGUF_STRING_TOO_LONG",
  );
  add(
    "array count past the end",
    patch(g, (b) => b.writeBigUInt64LE(1n << 29n, afterKey(b, "tokenizer.ggml.scores") + 8)),
    "GGUF_ARRAY_TOO_LONG",
  );
  add(
    "array count above 2^30",
    patch(g, (b) => b.writeBigUInt64LE((1n << 30n) + 1n, afterKey(b, "tokenizer.ggml.scores") + 8)),
    "GGUF_ARRAY_TOO_LONG",
  );
  add(
    "value type 13",
    patch(g, (b) => b.writeUInt32LE(13, afterKey(b, "llama.context_length"))),
    "GGUF_VALUE_TYPE_INVALID",
  );
  {
    const out = new GgufOut();
    out.str("x.nested");
    out.u32(9);
    out.u32(9);
    out.u64(1);
    out.u32(4);
    out.u64(1);
    out.u32(7);
    const nested = Buffer.concat(out.chunks);
    const s = base();
    const w = writeGguf({ ...s, kvCount: BigInt(s.kv.length + 1) });
    // Insert the nested array before the first tensor info (after the last key/value pair).
    const at = w.bytes.indexOf(Buffer.from("token_embd.weight")) - 8;
    add(
      "nested array",
      Buffer.concat([w.bytes.subarray(0, at), nested, w.bytes.subarray(at)]),
      "GGUF_NESTED_ARRAY",
    );
  }
  add("empty key", withKv({ key: "", type: "u32", value: 1 }), "GGUF_EMPTY_KEY");
  add(
    "duplicate key",
    withKv({ key: "llama.context_length", type: "u32", value: 8192 }),
    "GGUF_DUPLICATE_KEY",
  );
  add(
    "alignment of type u64",
    withKv({ key: "general.alignment", type: "u64", value: 32n }),
    "GGUF_ALIGNMENT_INVALID",
  );
  add(
    "alignment 48",
    write((s) => s.kv.push({ key: "general.alignment", type: "u32", value: 48 })),
    "GGUF_ALIGNMENT_INVALID",
  );
  add(
    "alignment 0",
    write((s) => s.kv.push({ key: "general.alignment", type: "u32", value: 0 }), { alignment: 32 }),
    "GGUF_ALIGNMENT_INVALID",
  );
  add("bool stored as 2", withKv({ key: "x.flag", type: "bool", value: 2 }), "GGUF_BOOL_INVALID");
  add(
    "key not UTF-8",
    withKv({ key: Buffer.from([0x78, 0x2e, 0xff, 0xfe]), type: "u32", value: 1 }),
    "GGUF_INVALID_UTF8",
  );
  add(
    "no architecture",
    write((s) => (s.kv = s.kv.filter((k) => k.key !== "general.architecture"))),
    "GGUF_NO_ARCHITECTURE",
  );

  // Tensor infos
  const tensor = (name: string, f: (t: GgufSpec["tensors"][number]) => void) =>
    write((s) => f(s.tensors.find((t) => t.name === name)!));
  add(
    "tensor name of 64 bytes",
    write((s) => s.tensors.push({ name: "x".repeat(64), type: "F32", ne: [8] })),
    "GGUF_NAME_TOO_LONG",
  );
  add(
    "duplicate tensor",
    write((s) => s.tensors.push({ ...s.tensors[0]! })),
    "GGUF_DUPLICATE_TENSOR",
  );
  add(
    "5 dimensions",
    tensor("output_norm.weight", (t) => (t.ne = [256, 1, 1, 1, 1])),
    "GGUF_TOO_MANY_DIMS",
  );
  add(
    "negative dimension",
    tensor("output_norm.weight", (t) => (t.ne = [(1n << 63n) + 256n])),
    "GGUF_DIM_NEGATIVE",
  );
  add(
    "shape overflow",
    write((s) => s.tensors.push({ name: "x.big", type: "F32", ne: [1n << 40n, 1n << 40n] })),
    "GGUF_SHAPE_OVERFLOW",
  );
  add(
    "shape wrapping to 0",
    write((s) => s.tensors.push({ name: "x.wrap", type: "F32", ne: [1n << 32n, 1n << 32n] })),
    "GGUF_SHAPE_OVERFLOW",
  );
  add(
    "removed type Q4_2",
    tensor("output_norm.weight", (t) => (t.type = 4)),
    "GGUF_TYPE_UNKNOWN",
  );
  add(
    "type 50",
    tensor("output_norm.weight", (t) => (t.type = 50)),
    "GGUF_TYPE_UNKNOWN",
  );
  add(
    "row not a multiple of the block",
    write((s) => s.tensors.push({ name: "x.q4k", type: "Q4_K", ne: [128, 2] })),
    "GGUF_ROW_NOT_BLOCKS",
  );

  // Layout
  const offsets = good.offsets;
  add(
    "offset misaligned",
    write((s) => (s.tensors[1]!.offset = offsets[1]! + 1n)),
    "GGUF_OFFSET_MISALIGNED",
  );
  add(
    "overlap",
    write((s) => (s.tensors[2]!.offset = offsets[1]!)),
    "GGUF_TENSOR_OVERLAP",
  );
  add(
    "gap",
    write((s) => s.tensors.forEach((t, i) => i >= 3 && (t.offset = offsets[i]! + 64n))),
    "GGUF_NOT_CONTIGUOUS",
  );
  {
    // Two tensors of equal size (blk.0.attn_q, blk.0.attn_output) with their data swapped.
    const s = base();
    const q = s.tensors.findIndex((t) => t.name === "blk.0.attn_q.weight");
    const o = s.tensors.findIndex((t) => t.name === "blk.0.attn_output.weight");
    if (tensorBytes(s.tensors[q]!) !== tensorBytes(s.tensors[o]!)) throw new Error("sizes differ");
    s.tensors[q]!.offset = offsets[o]!;
    s.tensors[o]!.offset = offsets[q]!;
    s.tensors.forEach((t, i) => t.offset === undefined && (t.offset = offsets[i]!));
    add("data out of order", writeGguf(s).bytes, "GGUF_NOT_CONTIGUOUS");
  }
  add("truncated data", g.subarray(0, g.length - 5000), "GGUF_DATA_TRUNCATED");
  add(
    "tensor count one short",
    write((s) => (s.tensorCount = BigInt(s.tensors.length - 1))),
    "GGUF_TENSOR_COUNT_SHORT",
  );
  add(
    "alignment 1",
    write((s) => s.kv.push({ key: "general.alignment", type: "u32", value: 1 }), {}),
    "GGUF_ALIGNMENT_CRASH",
  );

  // Accepted by llama.cpp; warnings and facts
  add("trailing bytes", Buffer.concat([g, Buffer.from("extra bytes")]), "GGUF_TRAILING_BYTES");
  add(
    "padding not zero",
    patch(g, (b) => b.fill(0x55, good.headerEnd, good.dataStart)),
    "GGUF_PADDING_NONZERO",
  );
  add(
    "no final padding",
    writeGguf({ ...modelSpec({ ...FAMILIES.llamaQ4KM(), vocab: 513 }), noFinalPadding: true })
      .bytes,
    "GGUF_FINAL_PADDING_MISSING",
  );
  {
    // Alignment 8 with a header that happens to end on 32 bytes: the data lands on 32 bytes too.
    let w: Written | undefined;
    for (let n = 0; n < 32 && (w === undefined || w.dataStart % 32 !== 0); n++) {
      const s = base();
      s.kv.push({ key: "general.alignment", type: "u32", value: 8 });
      s.kv.find((k) => k.key === "general.name")!.value = "x".repeat(n);
      w = writeGguf(s);
    }
    add("alignment 8, data on 32 bytes", w!.bytes, "GGUF_ALIGNMENT_SMALL");
  }
  for (const a of [4, 8, 16]) {
    let w: Written | undefined;
    for (let n = 0; n < 32 && (w === undefined || w.dataStart % 32 === 0); n++) {
      const s = base();
      s.kv.push({ key: "general.alignment", type: "u32", value: a });
      s.kv.find((k) => k.key === "general.name")!.value = "y".repeat(n);
      w = writeGguf(s);
    }
    add(`alignment ${a}, data off 32 bytes`, w!.bytes, "GGUF_ALIGNMENT_CRASH");
  }
  add(
    "version 2",
    patch(g, (b) => b.writeUInt32LE(2, 4)),
  );
  return v;
}

// ---------------------------------------------------------------------------------------------
// Split sets

export interface SplitVariant {
  name: string;
  /** Parts 1..N, as specs (the folder test writes them as m-0000i-of-0000N.gguf). */
  parts: GgufSpec[];
  /** "severity CODE" of every finding the set raises, in order. */
  findings: string[];
}

const setKey =
  (at: number, key: string, type: Kv["type"], value: number) => (p: number, kv: Kv[]) =>
    p === at ? kv.map((x) => (x.key === key ? { ...x, type, value } : x)) : kv;
const dropKey = (at: number, key: string) => (p: number, kv: Kv[]) =>
  p === at ? kv.filter((x) => x.key !== key) : kv;

/** A good 3-part set and one broken per rule of docs/gguf.md "Split sets". */
export function splitVariants(): SplitVariant[] {
  const spec = base();
  const n = spec.tensors.length;
  const split = (edit?: (p: number, kv: Kv[]) => Kv[]) => splitSpec(spec, 3, edit);
  const dup = split();
  dup[2]!.tensors[0] = { ...dup[0]!.tensors[1]! };
  return [
    { name: "a good set", parts: split(), findings: [] },
    {
      name: "split.no of part 2 says 2",
      parts: split(setKey(1, "split.no", "u16", 2)),
      findings: ["error GGUF_SPLIT_MISMATCH"],
    },
    {
      name: "split.no missing in part 2",
      parts: split(dropKey(1, "split.no")),
      findings: ["error GGUF_SPLIT_KEY_INVALID"],
    },
    {
      name: "split.no of part 2 a u32",
      parts: split(setKey(1, "split.no", "u32", 1)),
      findings: ["error GGUF_SPLIT_KEY_INVALID"],
    },
    {
      name: "split.count of part 1 a u32",
      parts: split(setKey(0, "split.count", "u32", 3)),
      findings: ["error GGUF_SPLIT_KEY_INVALID"],
    },
    {
      name: "split.count of part 1 says 4",
      parts: split(setKey(0, "split.count", "u16", 4)),
      findings: ["error GGUF_SPLIT_MISMATCH"],
    },
    {
      name: "split.count of part 3 says 5 (llama.cpp reads the first part's only)",
      parts: split(setKey(2, "split.count", "u16", 5)),
      findings: ["warning GGUF_SPLIT_MISMATCH"],
    },
    {
      name: "split.tensors.count one too many",
      parts: split(setKey(0, "split.tensors.count", "i32", n + 1)),
      findings: ["error GGUF_SPLIT_TENSOR_COUNT"],
    },
    {
      name: "split.tensors.count missing",
      parts: split(dropKey(0, "split.tensors.count")),
      findings: ["error GGUF_SPLIT_KEY_INVALID"],
    },
    { name: "a tensor in parts 1 and 3", parts: dup, findings: ["error GGUF_DUPLICATE_TENSOR"] },
  ];
}
