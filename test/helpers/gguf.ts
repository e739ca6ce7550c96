// A GGUF writer for tests: tiny files with the keys and tensors llama.cpp's loader expects for a
// few architecture families, and knobs to break every rule the reader checks (docs/gguf.md).

import { GGML_TYPES } from "../../src/formats/gguf/ggml-types.js";
import { VALUE_TYPES, type ValueTypeName } from "../../src/formats/gguf/values.js";

const ggmlTypeNamed = (name: string) => GGML_TYPES.find((t) => t.name === name);

export type KvValue =
  number | bigint | boolean | string | Array<number | bigint | boolean | string>;

export interface Kv {
  /** A Buffer writes bytes that need not be UTF-8. */
  key: string | Buffer;
  /** Scalar type, or the item type of an array (`array: true`). */
  type: ValueTypeName;
  array?: boolean;
  value: KvValue;
}

export interface TensorSpec {
  name: string;
  /** ggml type name ("F32", "Q4_K") or a raw id. */
  type: string | number;
  /** ne[], innermost first, as GGUF stores it (llama.cpp's order). */
  ne: Array<number | bigint>;
  /** Data offset override (relative to the data section); default: packed in order. */
  offset?: bigint;
  /** The tensor's bytes; default: the file's fill. */
  data?: Buffer;
}

export interface GgufSpec {
  kv: Kv[];
  tensors: TensorSpec[];
  version?: number;
  /** Layout alignment; defaults to general.alignment if present, else 32. */
  alignment?: number;
  /** Counts written in the header, when they should lie. */
  tensorCount?: bigint;
  kvCount?: bigint;
  /** Bytes to fill tensor data with (default: a repeating pattern). */
  fill?: number;
  /** Skip the padding after the last tensor. */
  noFinalPadding?: boolean;
}

class Out {
  chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    this.push(b);
  }
  u64(v: bigint | number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  str(s: string | Buffer): void {
    const b = typeof s === "string" ? Buffer.from(s, "utf8") : s;
    this.u64(b.length);
    this.push(b);
  }
  zeros(n: number): void {
    if (n > 0) this.push(Buffer.alloc(n));
  }
}

function scalar(out: Out, type: ValueTypeName, v: number | bigint | boolean | string): void {
  const b = Buffer.alloc(8);
  switch (type) {
    case "u8":
      return out.push(Buffer.from([Number(v) & 0xff]));
    case "i8":
      b.writeInt8(Number(v));
      return out.push(b.subarray(0, 1));
    case "u16":
      b.writeUInt16LE(Number(v));
      return out.push(b.subarray(0, 2));
    case "i16":
      b.writeInt16LE(Number(v));
      return out.push(b.subarray(0, 2));
    case "u32":
      b.writeUInt32LE(Number(v));
      return out.push(b.subarray(0, 4));
    case "i32":
      b.writeInt32LE(Number(v));
      return out.push(b.subarray(0, 4));
    case "f32":
      b.writeFloatLE(Number(v));
      return out.push(b.subarray(0, 4));
    case "bool":
      return out.push(Buffer.from([typeof v === "boolean" ? (v ? 1 : 0) : Number(v)]));
    case "str":
      return out.str(String(v));
    case "u64":
      b.writeBigUInt64LE(BigInt(v));
      return out.push(b);
    case "i64":
      b.writeBigInt64LE(BigInt(v));
      return out.push(b);
    case "f64":
      b.writeDoubleLE(Number(v));
      return out.push(b);
    default:
      throw new Error(`cannot write ${type}`);
  }
}

const typeId = (t: ValueTypeName) => VALUE_TYPES.indexOf(t);

export function writeKv(out: Out, kv: Kv): void {
  out.str(kv.key);
  if (kv.array) {
    const items = kv.value as Array<number | bigint | boolean | string>;
    out.u32(9);
    out.u32(typeId(kv.type));
    out.u64(items.length);
    for (const x of items) scalar(out, kv.type, x);
  } else {
    out.u32(typeId(kv.type));
    scalar(out, kv.type, kv.value as number);
  }
}

export function tensorBytes(t: TensorSpec): bigint {
  const type = typeof t.type === "number" ? undefined : ggmlTypeNamed(t.type);
  if (!type) return 0n;
  let n = 1n;
  for (const d of t.ne) n *= BigInt(d);
  return (n / BigInt(type.blockSize)) * BigInt(type.typeSize);
}

const padTo = (x: bigint, a: bigint) => ((x + a - 1n) / a) * a;

/** Bytes a tensor takes in the file written: none for the absurd shapes of hostile tests. */
const storedBytes = (t: TensorSpec) => {
  const b = tensorBytes(t);
  return b > 1n << 40n ? 0n : b;
};

export interface Written {
  bytes: Buffer;
  /** Absolute offset of the data section. */
  dataStart: number;
  /** Absolute offset where the tensor infos end. */
  headerEnd: number;
  /** Offsets (relative) each tensor was placed at. */
  offsets: bigint[];
}

/** Serialises a spec into a whole GGUF file. */
export function writeGguf(spec: GgufSpec): Written {
  const out = new Out();
  out.push(Buffer.from("GGUF", "latin1"));
  out.u32(spec.version ?? 3);
  out.u64(spec.tensorCount ?? BigInt(spec.tensors.length));
  out.u64(spec.kvCount ?? BigInt(spec.kv.length));
  for (const kv of spec.kv) writeKv(out, kv);
  const alignKv = spec.kv.find((k) => k.key === "general.alignment" && k.type === "u32");
  const align = BigInt(spec.alignment ?? (typeof alignKv?.value === "number" ? alignKv.value : 32));
  const offsets: bigint[] = [];
  let next = 0n;
  for (const t of spec.tensors) {
    const offset = t.offset ?? next;
    offsets.push(offset);
    next = padTo(offset + storedBytes(t), align);
  }
  spec.tensors.forEach((t, i) => {
    out.str(t.name);
    out.u32(t.ne.length);
    for (const d of t.ne) out.u64(d);
    out.u32(typeof t.type === "number" ? t.type : ggmlTypeNamed(t.type)!.id);
    out.u64(offsets[i]!);
  });
  const headerEnd = out.length;
  const dataStart = spec.tensors.length > 0 ? Number(padTo(BigInt(headerEnd), align)) : headerEnd;
  out.zeros(dataStart - headerEnd);
  let end = 0n;
  spec.tensors.forEach((t, i) => {
    const e = offsets[i]! + storedBytes(t);
    if (e > end) end = e;
  });
  const total = spec.noFinalPadding ? end : padTo(end, align);
  const data = Buffer.alloc(Number(total));
  if (spec.fill !== undefined) data.fill(spec.fill);
  else for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0x3f; // finite f16/f32 bits
  spec.tensors.forEach((t, i) => t.data?.copy(data, Number(offsets[i]!)));
  out.push(data);
  return { bytes: Buffer.concat(out.chunks), dataStart, headerEnd, offsets };
}

// ---------------------------------------------------------------------------------------------
// Model families

export interface ModelOptions {
  arch: string;
  layers: number;
  embd: number;
  heads: number | number[];
  kvHeads: number | number[];
  ff: number;
  vocab: number;
  context?: number;
  /** ggml type of the 2-D weights, or per-name overrides (a quant mix). */
  weightType?: string;
  mix?: (name: string) => string | undefined;
  experts?: { count: number; used: number; ff: number; shared?: number; leadingDense?: number };
  slidingWindow?: number;
  slidingPattern?: number | boolean[];
  keyLength?: number;
  valueLength?: number;
  /** Head sizes of the sliding-window layers (`attention.key_length_swa` / `value_length_swa`). */
  swaHeadDims?: { k: number; v: number };
  /** A `rope_freqs.weight` of half the full layers' head size (Gemma 4 requires one). */
  ropeFreqs?: boolean;
  /**
   * MLA tensors. `latent`: converted for llama.cpp's MLA cache (`attention.key_length_mla`, K's
   * decompression split into attn_k_b and attn_v_b); otherwise the older single attn_kv_b.
   */
  mla?: { kvLoraRank: number; ropeDims: number; qkNope: number; vHead: number; latent?: boolean };
  /** Keys added or replaced. */
  extraKv?: Kv[];
  qkvBias?: boolean;
  qkNorm?: boolean;
  postNorms?: boolean;
  tiedOutput?: boolean;
  fileType?: number;
  name?: string;
}

const u32 = (key: string, value: number): Kv => ({ key, type: "u32", value });
const f32 = (key: string, value: number): Kv => ({ key, type: "f32", value });
const str = (key: string, value: string): Kv => ({ key, type: "str", value });

/**
 * A SentencePiece-style vocabulary llama.cpp accepts: <unk>, <s>, </s>, the 256 byte tokens (its
 * tokenizer falls back to them for any character it lacks, and aborts without them), words.
 */
export function spmVocab(n: number): Kv[] {
  const tokens = ["<unk>", "<s>", "</s>"];
  for (let b = 0; b < 256; b++) tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
  for (let i = tokens.length; i < n; i++) tokens.push(`▁t${i}`);
  return [
    str("tokenizer.ggml.model", "llama"),
    { key: "tokenizer.ggml.tokens", type: "str", array: true, value: tokens },
    { key: "tokenizer.ggml.scores", type: "f32", array: true, value: tokens.map((_, i) => -i) },
    {
      key: "tokenizer.ggml.token_type",
      type: "i32",
      array: true,
      value: tokens.map((_, i) => (i === 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1)),
    },
    u32("tokenizer.ggml.bos_token_id", 1),
    u32("tokenizer.ggml.eos_token_id", 2),
    str("tokenizer.chat_template", "{% for m in messages %}{{ m.content }}{% endfor %}"),
  ];
}

const perLayer = (key: string, v: number | number[]): Kv =>
  Array.isArray(v) ? { key, type: "i32", array: true, value: v } : u32(key, v);

/** Keys and tensors of a small model of the given family, in llama.cpp's names and shapes. */
export function modelSpec(o: ModelOptions): GgufSpec {
  const a = o.arch;
  const headsAt = (l: number) => (Array.isArray(o.heads) ? o.heads[l]! : o.heads);
  const kvHeadsAt = (l: number) => (Array.isArray(o.kvHeads) ? o.kvHeads[l]! : o.kvHeads);
  const maxHeads = Math.max(...[o.heads].flat());
  const headK = o.keyLength ?? o.embd / maxHeads;
  const headV = o.valueLength ?? o.embd / maxHeads;
  const kv: Kv[] = [
    str("general.architecture", a),
    str("general.name", o.name ?? `tiny-${a}`),
    u32("general.file_type", o.fileType ?? 1),
    u32("general.quantization_version", 2),
    u32(`${a}.context_length`, o.context ?? 4096),
    u32(`${a}.embedding_length`, o.embd),
    u32(`${a}.block_count`, o.layers),
    u32(`${a}.feed_forward_length`, o.ff),
    perLayer(`${a}.attention.head_count`, o.heads),
    perLayer(`${a}.attention.head_count_kv`, o.kvHeads),
    f32(`${a}.attention.layer_norm_rms_epsilon`, 1e-6),
    f32(`${a}.rope.freq_base`, 10000),
  ];
  if (o.keyLength !== undefined) kv.push(u32(`${a}.attention.key_length`, o.keyLength));
  if (o.valueLength !== undefined) kv.push(u32(`${a}.attention.value_length`, o.valueLength));
  if (o.swaHeadDims)
    kv.push(
      u32(`${a}.attention.key_length_swa`, o.swaHeadDims.k),
      u32(`${a}.attention.value_length_swa`, o.swaHeadDims.v),
    );
  if (o.slidingWindow !== undefined) kv.push(u32(`${a}.attention.sliding_window`, o.slidingWindow));
  if (o.slidingPattern !== undefined)
    kv.push(
      typeof o.slidingPattern === "number"
        ? u32(`${a}.attention.sliding_window_pattern`, o.slidingPattern)
        : {
            key: `${a}.attention.sliding_window_pattern`,
            type: "bool",
            array: true,
            value: o.slidingPattern,
          },
    );
  if (o.experts) {
    kv.push(
      u32(`${a}.expert_count`, o.experts.count),
      u32(`${a}.expert_used_count`, o.experts.used),
    );
    if (a !== "llama") kv.push(u32(`${a}.expert_feed_forward_length`, o.experts.ff));
  }
  kv.push(...spmVocab(o.vocab));
  for (const extra of o.extraKv ?? []) {
    const i = kv.findIndex((k) => k.key === extra.key);
    if (i >= 0) kv[i] = extra;
    else kv.push(extra);
  }

  const wt = o.weightType ?? "F16";
  const typeOf = (name: string, ne: number[]) => (ne.length === 1 ? "F32" : (o.mix?.(name) ?? wt));
  const tensors: TensorSpec[] = [];
  const add = (name: string, ne: number[]) => tensors.push({ name, type: typeOf(name, ne), ne });
  add("token_embd.weight", [o.embd, o.vocab]);
  if (o.ropeFreqs) add("rope_freqs.weight", [headK / 2]);
  // Which layers are windowed, for their own head sizes: the pattern array, or every layer but
  // each n-th (llama.cpp's il % n < n - 1).
  const p0 = o.slidingPattern;
  const isSwa = (l: number) =>
    Array.isArray(p0) ? p0[l] === true : typeof p0 === "number" && l % p0 < p0 - 1;
  for (let l = 0; l < o.layers; l++) {
    const p = `blk.${l}.`;
    const hk = o.swaHeadDims && isSwa(l) ? o.swaHeadDims.k : headK;
    const hv = o.swaHeadDims && isSwa(l) ? o.swaHeadDims.v : headV;
    const qDim = hk * headsAt(l);
    const kDim = hk * kvHeadsAt(l);
    const vDim = hv * kvHeadsAt(l);
    add(p + "attn_norm.weight", [o.embd]);
    if (o.mla) {
      const m = o.mla;
      add(p + "attn_q.weight", [o.embd, headsAt(l) * (m.qkNope + m.ropeDims)]);
      add(p + "attn_kv_a_mqa.weight", [o.embd, m.kvLoraRank + m.ropeDims]);
      add(p + "attn_kv_a_norm.weight", [m.kvLoraRank]);
      if (m.latent) {
        add(p + "attn_k_b.weight", [m.qkNope, m.kvLoraRank, headsAt(l)]);
        add(p + "attn_v_b.weight", [m.kvLoraRank, m.vHead, headsAt(l)]);
      } else add(p + "attn_kv_b.weight", [m.kvLoraRank, headsAt(l) * (m.qkNope + m.vHead)]);
      add(p + "attn_output.weight", [headsAt(l) * m.vHead, o.embd]);
    } else {
      add(p + "attn_q.weight", [o.embd, qDim]);
      add(p + "attn_k.weight", [o.embd, kDim]);
      add(p + "attn_v.weight", [o.embd, vDim]);
      if (o.qkvBias) {
        add(p + "attn_q.bias", [qDim]);
        add(p + "attn_k.bias", [kDim]);
        add(p + "attn_v.bias", [vDim]);
      }
      if (o.qkNorm) {
        add(p + "attn_q_norm.weight", [hk]);
        add(p + "attn_k_norm.weight", [hk]);
      }
      add(p + "attn_output.weight", [qDim, o.embd]);
    }
    if (o.postNorms) add(p + "post_attention_norm.weight", [o.embd]);
    add(p + "ffn_norm.weight", [o.embd]);
    const e = o.experts;
    if (e && l >= (e.leadingDense ?? 0)) {
      add(p + "ffn_gate_inp.weight", [o.embd, e.count]);
      add(p + "ffn_gate_exps.weight", [o.embd, e.ff, e.count]);
      add(p + "ffn_down_exps.weight", [e.ff, o.embd, e.count]);
      add(p + "ffn_up_exps.weight", [o.embd, e.ff, e.count]);
      if (e.shared) {
        add(p + "ffn_gate_shexp.weight", [o.embd, e.ff * e.shared]);
        add(p + "ffn_down_shexp.weight", [e.ff * e.shared, o.embd]);
        add(p + "ffn_up_shexp.weight", [o.embd, e.ff * e.shared]);
      }
    } else {
      add(p + "ffn_gate.weight", [o.embd, o.ff]);
      add(p + "ffn_down.weight", [o.ff, o.embd]);
      add(p + "ffn_up.weight", [o.embd, o.ff]);
    }
    if (o.postNorms) add(p + "post_ffw_norm.weight", [o.embd]);
  }
  add("output_norm.weight", [o.embd]);
  if (!o.tiedOutput) add("output.weight", [o.embd, o.vocab]);
  return { kv, tensors };
}

/** The families the tests and the llama.cpp reference cover, at sizes that load in milliseconds. */
export const FAMILIES = {
  llama: (): ModelOptions => ({
    arch: "llama",
    layers: 2,
    embd: 256,
    heads: 4,
    kvHeads: 2,
    ff: 512,
    vocab: 512,
    extraKv: [u32("llama.rope.dimension_count", 64)],
  }),
  llamaQ4KM: (): ModelOptions => ({
    ...FAMILIES.llama(),
    fileType: 15,
    weightType: "Q4_K",
    mix: (n) =>
      n.includes("attn_v") || n.includes("ffn_down")
        ? "Q6_K"
        : n === "output.weight"
          ? "Q6_K"
          : undefined,
  }),
  qwen2: (): ModelOptions => ({
    arch: "qwen2",
    layers: 2,
    embd: 256,
    heads: 4,
    kvHeads: 2,
    ff: 512,
    vocab: 512,
    qkvBias: true,
    fileType: 7,
    weightType: "Q8_0",
  }),
  gemma2: (): ModelOptions => ({
    arch: "gemma2",
    layers: 4,
    embd: 256,
    heads: 4,
    kvHeads: 2,
    ff: 512,
    vocab: 512,
    keyLength: 64,
    valueLength: 64,
    slidingWindow: 128,
    postNorms: true,
    tiedOutput: true,
    extraKv: [f32("gemma2.attn_logit_softcapping", 50), f32("gemma2.final_logit_softcapping", 30)],
  }),
  gemma3: (): ModelOptions => ({
    arch: "gemma3",
    layers: 6,
    embd: 256,
    heads: 4,
    kvHeads: 1,
    ff: 512,
    vocab: 512,
    keyLength: 64,
    valueLength: 64,
    slidingWindow: 128,
    postNorms: true,
    qkNorm: true,
    tiedOutput: true,
    fileType: 18,
    weightType: "Q6_K",
  }),
  moe: (): ModelOptions => ({
    arch: "llama",
    layers: 2,
    embd: 256,
    heads: 4,
    kvHeads: 2,
    ff: 512,
    vocab: 512,
    experts: { count: 4, used: 2, ff: 512 },
    fileType: 2,
    weightType: "Q4_0",
  }),
  deepseek2: (): ModelOptions => ({
    arch: "deepseek2",
    layers: 2,
    embd: 256,
    heads: 4,
    kvHeads: 4,
    ff: 512,
    vocab: 512,
    keyLength: 96,
    valueLength: 64,
    mla: { kvLoraRank: 128, ropeDims: 32, qkNope: 64, vHead: 64 },
    experts: { count: 4, used: 2, ff: 256, shared: 1, leadingDense: 1 },
    extraKv: [
      u32("deepseek2.leading_dense_block_count", 1),
      u32("deepseek2.expert_shared_count", 1),
      f32("deepseek2.expert_weights_scale", 1),
      u32("deepseek2.attention.kv_lora_rank", 128),
      u32("deepseek2.attention.q_lora_rank", 0),
      u32("deepseek2.rope.dimension_count", 32),
    ],
  }),
  /**
   * Gemma 4's layout: window layers with heads of 64, full layers of 128
   * (`attention.key_length_swa`), the pattern one flag per layer, no per-layer embeddings.
   */
  gemma4: (): ModelOptions => ({
    arch: "gemma4",
    layers: 4,
    embd: 256,
    heads: 4,
    kvHeads: 1,
    ff: 512,
    vocab: 512,
    keyLength: 128,
    valueLength: 128,
    swaHeadDims: { k: 64, v: 64 },
    slidingWindow: 128,
    slidingPattern: [true, true, true, false],
    postNorms: true,
    qkNorm: true,
    tiedOutput: true,
    ropeFreqs: true,
    extraKv: [u32("gemma4.embedding_length_per_layer_input", 0)],
  }),
  /**
   * Gemma 4 whose last 2 layers reuse the cache of layers 0 (window) and 1 (full):
   * `attention.shared_kv_layers`, as Gemma 4 E2B and E4B are converted.
   */
  gemma4Shared: (): ModelOptions => ({
    ...FAMILIES.gemma4(),
    slidingPattern: [true, false, true, false],
    extraKv: [...FAMILIES.gemma4().extraKv!, u32("gemma4.attention.shared_kv_layers", 2)],
  }),
  /**
   * Llama 4: chunked attention on 3 of every 4 layers (llama.cpp's default; the chunk, 8,192
   * tokens, is a constant of its loader), MoE with a shared expert in every layer.
   */
  llama4: (): ModelOptions => ({
    arch: "llama4",
    layers: 4,
    embd: 256,
    heads: 4,
    kvHeads: 2,
    ff: 512,
    vocab: 512,
    context: 16384,
    experts: { count: 4, used: 1, ff: 256, shared: 1 },
    extraKv: [u32("llama4.interleave_moe_layer_step", 1)],
  }),
  /** deepseek2 as converted since llama.cpp's MLA cache: one KV head of the latent's width. */
  deepseek2Mla: (): ModelOptions => ({
    ...FAMILIES.deepseek2(),
    kvHeads: 1,
    keyLength: 128 + 32,
    valueLength: 128,
    mla: { kvLoraRank: 128, ropeDims: 32, qkNope: 64, vHead: 64, latent: true },
    extraKv: [
      ...FAMILIES.deepseek2().extraKv!,
      u32("deepseek2.attention.key_length_mla", 64 + 32),
      u32("deepseek2.attention.value_length_mla", 64),
    ],
  }),
} satisfies Record<string, () => ModelOptions>;

export type Family = keyof typeof FAMILIES;

export function familyFile(f: Family, tweak?: (o: ModelOptions) => ModelOptions): Written {
  const o = FAMILIES[f]();
  return writeGguf(modelSpec(tweak ? tweak(o) : o));
}

/** Raw header bytes for a file that ends in the header: magic, version, counts, given KVs. */
export function headerOnly(version: number, tensors: bigint, kvs: bigint, body: Kv[] = []): Buffer {
  const out = new Out();
  out.push(Buffer.from("GGUF", "latin1"));
  out.u32(version);
  out.u64(tensors);
  out.u64(kvs);
  for (const kv of body) writeKv(out, kv);
  return Buffer.concat(out.chunks);
}

export { Out as GgufOut };

// ---------------------------------------------------------------------------------------------
// Split sets

/**
 * A spec cut into `parts` files as llama.cpp's gguf-split writes them: the metadata in the first
 * part only, `split.no` (u16), `split.count` (u16) and `split.tensors.count` (i32) in every part,
 * the tensors in order, spread evenly. `edit` changes one part's keys (hostile sets).
 */
export function splitSpec(
  spec: GgufSpec,
  parts: number,
  edit?: (part: number, kv: Kv[]) => Kv[],
): GgufSpec[] {
  const per = Math.ceil(spec.tensors.length / parts);
  return Array.from({ length: parts }, (_, i) => {
    const kv: Kv[] = [
      ...(i === 0 ? spec.kv : []),
      { key: "split.no", type: "u16", value: i },
      { key: "split.count", type: "u16", value: parts },
      { key: "split.tensors.count", type: "i32", value: spec.tensors.length },
    ];
    return {
      kv: edit ? edit(i, kv) : kv,
      tensors: spec.tensors.slice(i * per, (i + 1) * per).map((t) => ({ ...t, offset: undefined })),
    };
  });
}

/** `name-0000N-of-0000M.gguf`, as llama.cpp names part N (from 1) of M. */
export const splitName = (name: string, n: number, m: number) =>
  `${name}-${String(n).padStart(5, "0")}-of-${String(m).padStart(5, "0")}.gguf`;
