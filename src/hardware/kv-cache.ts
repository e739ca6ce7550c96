// The KV cache, layer by layer from config.json (memory-and-tiers.md §4):
//   full or GQA layer: 2 × n_kv_heads × head_dim elements per token
//   sliding layer:     the same, but charged for min(window, context) tokens
//   MLA (DeepSeek):    kv_lora_rank + qk_rope_head_dim per token (one latent, no ×2)
// Estimators that ignore GQA, windows or MLA are off by 2-25× (see §10); this one shows its work.

import type { ModelConfig } from "../model/model-config.js";

/** Bytes per cached element as an exact fraction: llama.cpp's q8_0 is 34 bytes per 32 values. */
export interface CacheDtype {
  name: string;
  numerator: bigint;
  denominator: bigint;
}

export const CACHE_DTYPES: readonly CacheDtype[] = [
  { name: "f16", numerator: 2n, denominator: 1n },
  { name: "bf16", numerator: 2n, denominator: 1n },
  { name: "f32", numerator: 4n, denominator: 1n },
  { name: "fp8", numerator: 1n, denominator: 1n },
  { name: "int8", numerator: 1n, denominator: 1n },
  { name: "q8_0", numerator: 34n, denominator: 32n },
  { name: "q4_0", numerator: 18n, denominator: 32n },
];

export const DEFAULT_CACHE_DTYPE: CacheDtype = CACHE_DTYPES[1]!;

/** Accepts the spellings runtimes use: fp8_e4m3, float8_e5m2, fp16, float16, bfloat16, auto… */
export function findCacheDtype(name: string): CacheDtype | undefined {
  const n = name.trim().toLowerCase();
  if (/^(fp8|float8)(_e4m3(fn)?|_e5m2)?$/.test(n) || n === "f8")
    return CACHE_DTYPES.find((d) => d.name === "fp8");
  if (n === "fp16" || n === "float16" || n === "half") return CACHE_DTYPES[0];
  if (n === "bfloat16") return CACHE_DTYPES[1];
  if (n === "float32" || n === "fp32") return CACHE_DTYPES.find((d) => d.name === "f32");
  if (n === "i8" || n === "int8") return CACHE_DTYPES.find((d) => d.name === "int8");
  return CACHE_DTYPES.find((d) => d.name === n);
}

/** The cache dtype a config names, when it names one (FP8 weights alone do not make an FP8 cache). */
export function configCacheDtype(config: ModelConfig | undefined): CacheDtype | undefined {
  const kv = config?.kvCache;
  if (!kv) return undefined;
  if (kv.dtype !== undefined) {
    const d = findCacheDtype(kv.dtype);
    if (d) return d;
  }
  if (kv.bits === 8)
    return CACHE_DTYPES.find((d) => d.name === (kv.type === "int" ? "int8" : "fp8"));
  if (kv.bits === 16) return DEFAULT_CACHE_DTYPE;
  return undefined;
}

export type AttentionKind = "gqa" | "mla";

export interface KvLayout {
  kind: AttentionKind;
  /** Elements cached per token in one attention layer. */
  elementsPerLayer: bigint;
  fullLayers: number;
  slidingLayers: number;
  /** Window of the sliding layers, in tokens. */
  window?: number;
  /** Layers that keep no per-token cache (linear attention, SSM); their state is not counted. */
  otherLayers: number;
  /** How each number was found, for the report. */
  notes: string[];
}

const SLIDING = /sliding|local|chunked/;
const FULL = /full|global|attention$/;

/** Per-layer attention kinds, or undefined when config.json does not say enough. */
export function kvLayout(config: ModelConfig | undefined): KvLayout | undefined {
  if (!config) return undefined;
  const layers = config.numHiddenLayers;
  if (layers === undefined || layers === 0) return undefined;
  const notes: string[] = [];
  let kind: AttentionKind;
  let elementsPerLayer: bigint;
  if (config.kvLoraRank !== undefined) {
    // MLA caches one compressed latent plus the decoupled RoPE key per layer, whatever the head count.
    const rope = config.qkRopeHeadDim ?? 0;
    kind = "mla";
    elementsPerLayer = BigInt(config.kvLoraRank + rope);
    notes.push(`MLA: kv_lora_rank ${config.kvLoraRank} + qk_rope_head_dim ${rope} per layer`);
  } else {
    const heads = config.numAttentionHeads;
    const headDim =
      config.headDim ?? (heads && config.hiddenSize ? config.hiddenSize / heads : undefined);
    if (!heads || headDim === undefined || !Number.isInteger(headDim)) return undefined;
    const kvHeads = config.numKeyValueHeads ?? heads;
    kind = "gqa";
    elementsPerLayer = 2n * BigInt(kvHeads) * BigInt(headDim);
    notes.push(
      `2 × ${kvHeads} KV heads × head_dim ${headDim} per layer${kvHeads < heads ? ` (GQA, ${heads} query heads)` : ""}`,
    );
  }

  let sliding = 0;
  let other = 0;
  const window = config.slidingWindow ?? undefined;
  if (config.layerTypes && config.layerTypes.length > 0) {
    const types = config.layerTypes.slice(0, layers);
    for (const t of types) {
      if (SLIDING.test(t)) sliding++;
      else if (!FULL.test(t)) other++;
    }
    notes.push(
      `layer_types: ${layers - sliding - other} full, ${sliding} sliding${other ? `, ${other} without a KV cache` : ""}`,
    );
  } else if (window !== undefined && config.useSlidingWindow !== false) {
    if (config.slidingWindowPattern !== undefined && config.slidingWindowPattern > 1) {
      // Gemma: every n-th layer is global, the others windowed.
      const n = config.slidingWindowPattern;
      for (let i = 0; i < layers; i++) if ((i + 1) % n !== 0) sliding++;
      notes.push(`sliding_window_pattern ${n}: ${sliding} of ${layers} layers windowed`);
    } else if (config.useSlidingWindow === true && config.maxWindowLayers !== undefined) {
      // Qwen2: layers from max_window_layers on use the window.
      sliding = Math.max(0, layers - config.maxWindowLayers);
      notes.push(`use_sliding_window: layers from ${config.maxWindowLayers} on windowed`);
    } else {
      sliding = layers;
      notes.push(`sliding_window ${window} on every layer`);
    }
  } else if (window !== undefined) {
    notes.push(`sliding_window ${window} not applied (use_sliding_window is false)`);
  }
  if (sliding > 0 && window === undefined) {
    notes.push("sliding layers without a window size: charged as full layers");
  }
  const windowed = window !== undefined ? sliding : 0;
  return {
    kind,
    elementsPerLayer,
    fullLayers: layers - windowed - other,
    slidingLayers: windowed,
    ...(windowed > 0 && window !== undefined ? { window } : {}),
    otherLayers: other,
    notes,
  };
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/** Cache bytes for `context` tokens in each of `batch` sequences. */
export function kvCacheBytes(
  l: KvLayout,
  context: number,
  batch: number,
  dtype: CacheDtype,
): bigint {
  const full = BigInt(l.fullLayers) * BigInt(context);
  const windowed = BigInt(l.slidingLayers) * BigInt(Math.min(context, l.window ?? context));
  const elements = l.elementsPerLayer * (full + windowed) * BigInt(batch);
  return ceilDiv(elements * dtype.numerator, dtype.denominator);
}

/** Bytes per token at full context (every layer charged), the figure model cards quote. */
export function kvBytesPerToken(l: KvLayout, dtype: CacheDtype): bigint {
  const layers = BigInt(l.fullLayers + l.slidingLayers);
  return ceilDiv(l.elementsPerLayer * layers * dtype.numerator, dtype.denominator);
}
