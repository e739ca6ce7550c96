// The per-sequence cache, layer by layer from config.json (docs/memory-model.md §2):
//   full attention:    2 × n_kv_heads × head_dim elements per token (GQA, MQA; per-layer heads)
//   sliding window:    the same, charged for min(window, context) tokens
//   chunked (Llama 4): the same, charged for min(chunk, context) tokens
//   MLA (DeepSeek):    kv_lora_rank + qk_rope_head_dim per token (one latent, no ×2)
//   Mamba / Mamba-2 / Gated DeltaNet: a fixed state per sequence (conv + SSM state), whatever
//                      the context
// Estimators that ignore GQA, windows, MLA or recurrent layers are off by 2-25×; this one
// shows its work, one group of identical layers at a time.

import type { ModelConfig } from "../model/model-config.js";
import type { LayerKindsSource, Remark } from "./remarks.js";

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

/**
 * How a runtime turns a context into cache cells (docs/memory-model.md §8). llama.cpp rounds the
 * context up to a multiple of 256 cells (`GGML_PAD(n_ctx, 256)`, `src/llama-context.cpp`) and
 * sizes the cache of sliding-window layers at the window plus one micro-batch, also rounded to
 * 256: `GGML_PAD(min(n_ctx, n_swa + n_ubatch), 256)` (`src/llama-kv-cache-iswa.cpp`), or at the
 * full context with `--swa-full`; one stream per sequence (`kv_unified` false, its default).
 * Without a policy a layer holds min(window, context) tokens, as vLLM's paged cache does.
 */
export interface CellPolicy {
  runtime: "llama.cpp";
  /** Cells come in multiples of this. */
  padding: number;
  /** Tokens of one micro-batch (llama.cpp's n_ubatch, 512 by default; at most the cells). */
  ubatch: number;
  /** The cache dtype when not told (llama.cpp's --cache-type-k/-v default: f16). */
  cacheDtype: string;
  /** --swa-full: window (and chunked) layers get the full context's cells. */
  swaFull: boolean;
}

/** llama.cpp's defaults: `common/common.h` n_ubatch 512, swa_full false, kv_unified false. */
export const LLAMA_CPP_CELLS: CellPolicy = {
  runtime: "llama.cpp",
  padding: 256,
  ubatch: 512,
  cacheDtype: "f16",
  swaFull: false,
};

const padTo = (n: number, to: number) => Math.ceil(n / to) * to;

/** Cells of a layer without a window: the context as the runtime rounds it. */
export function fullCells(context: number, policy: CellPolicy | undefined): number {
  return policy ? padTo(context, policy.padding) : context;
}

/** The micro-batch a runtime processes the prompt in, for `context` tokens. */
export function ubatchOf(context: number, policy: CellPolicy): number {
  return Math.min(policy.ubatch, fullCells(context, policy));
}

/** Tokens one sequence keeps in a layer with this window (or none), for `context` tokens. */
export function cellsHeld(
  window: number | undefined,
  context: number,
  policy: CellPolicy | undefined,
): number {
  if (!policy) return Math.min(context, window ?? context);
  const cells = fullCells(context, policy);
  if (window === undefined || policy.swaFull) return cells;
  return padTo(Math.min(cells, window + ubatchOf(context, policy)), policy.padding);
}

/** What a layer keeps per sequence. */
export type LayerKind =
  | "full-attention"
  | "sliding-attention"
  | "chunked-attention"
  | "mla"
  | "mamba"
  | "mamba2"
  | "gated-deltanet"
  | "no-cache";

/** "gqa" covers MHA and MQA; "none" when no layer attends (a pure state-space model). */
export type AttentionKind = "gqa" | "mla" | "none";

/** Identical layers, counted together. */
export interface LayerGroup {
  kind: LayerKind;
  count: number;
  /** Attention: elements cached per token in one layer (at the cache dtype). */
  elementsPerToken?: bigint;
  /** Of those, V's (none for MLA's latent): what llama.cpp pads without flash attention. */
  valueElements?: bigint;
  /** Tokens kept at most per sequence: the window, or the chunk. */
  window?: number;
  /** Recurrent: bytes of state per sequence in one layer, independent of context. */
  stateBytes?: bigint;
}

export interface KvLayout {
  kind: AttentionKind;
  groups: LayerGroup[];
  /** Layer i's groups (one; two for Falcon-H1's parallel blocks), in layer order. */
  byLayer: LayerGroup[][];
  /** The runtime's cell rules, when the model names its runtime (a GGUF file: llama.cpp). */
  policy?: CellPolicy;
  /** How each number was found, for the report (data; the report writes the sentences). */
  remarks: Remark[];
}

const ATTENTION_KINDS: ReadonlySet<LayerKind> = new Set([
  "full-attention",
  "sliding-attention",
  "chunked-attention",
  "mla",
]);
export const isAttention = (k: LayerKind) => ATTENTION_KINDS.has(k);

/**
 * The default sliding-window pattern of model types whose configs usually leave it out: every
 * n-th layer global, the others windowed. From the transformers configuration classes
 * (docs/memory-model.md §3): Gemma2Config and GptOssConfig alternate (layer_types: sliding
 * when (i+1) % 2), Gemma3TextConfig's sliding_window_pattern defaults to 6, Cohere2Config's to 4.
 */
export const DEFAULT_SLIDING_PATTERN: Readonly<Record<string, number>> = {
  gemma2: 2,
  gemma3: 6,
  gemma3_text: 6,
  cohere2: 4,
  gpt_oss: 2,
};

/** Llama4TextConfig: without no_rope_layers, every 4th layer is global (NoPE), the rest chunked. */
export const LLAMA4_NO_ROPE_INTERVAL = 4;

/** The layer kind for one `layer_types` / `layers_block_type` entry. */
function kindOfType(t: string, recurrent: LayerKind): LayerKind | undefined {
  const s = t.toLowerCase();
  if (s === "linear_attention") return recurrent;
  if (s === "mamba" || s === "mamba2" || s === "ssm")
    return recurrent === "gated-deltanet" ? "mamba2" : recurrent;
  if (/chunk/.test(s)) return "chunked-attention";
  if (/sliding|local/.test(s)) return "sliding-attention";
  if (/^(full_attention|attention|global|global_attention|full|hybrid)$/.test(s))
    return "full-attention";
  // shared_kv: a layer that reads an earlier layer's cache (GGUF Gemma 3n / Gemma 4).
  if (/^(mlp|moe|ffn|dense|no_op|none|shared_kv)$/.test(s)) return "no-cache";
  return undefined;
}

/** Which recurrent block a "linear_attention" or "mamba" entry means for this config. */
function recurrentKind(c: ModelConfig): LayerKind {
  const type = c.textModelType ?? c.modelType ?? "";
  if (c.linearValueHeads !== undefined || /qwen3_next|qwen3_5/.test(type)) return "gated-deltanet";
  if (
    type === "jamba" ||
    (c.mambaHeads === undefined && c.mambaExpand !== undefined && c.attnLayerPeriod !== undefined)
  )
    return "mamba";
  return "mamba2";
}

interface Kinds {
  kinds: LayerKind[];
  /** Layers that hold a Mamba-2 mixer beside their attention (Falcon-H1's parallel blocks). */
  parallelMamba: number;
  /** Which field decided, for the report. */
  source: LayerKindsSource;
}

/** Every layer's kind, from the most explicit field the config has. */
function layerKinds(c: ModelConfig, layers: number, notes: Remark[]): Kinds {
  const recurrent = recurrentKind(c);
  const type = c.textModelType ?? c.modelType ?? "";
  const fill = (f: (i: number) => LayerKind) => Array.from({ length: layers }, (_, i) => f(i));
  const unknown = new Set<string>();
  const fromList = (list: readonly string[], field: string): LayerKind[] => {
    if (list.length !== layers)
      notes.push({ kind: "layer-list-length", field, listed: list.length, declared: layers });
    return list.map((t) => {
      const k = kindOfType(t, recurrent);
      if (k !== undefined) return k;
      unknown.add(t);
      return "full-attention";
    });
  };
  let kinds: LayerKind[];
  let source: LayerKindsSource;
  if (c.hybridOverridePattern !== undefined) {
    const p = c.hybridOverridePattern;
    kinds = [...p].map((ch) =>
      ch === "M" ? "mamba2" : ch === "*" ? "full-attention" : "no-cache",
    );
    if (p.length !== layers)
      notes.push({
        kind: "layer-list-length",
        field: "hybrid_override_pattern",
        listed: p.length,
        declared: layers,
      });
    source = { field: "hybrid_override_pattern" };
  } else if (c.layerTypes !== undefined && c.layerTypes.length > 0) {
    kinds = fromList(c.layerTypes, "layer_types");
    // A list that did not come from config.json (GGUF's sliding-window keys) names its source.
    const key = c.from.get("layerTypes");
    source = {
      field: "layer_types",
      ...(key !== undefined && !key.endsWith("layer_types") ? { key } : {}),
    };
  } else if (c.layersBlockType !== undefined && c.layersBlockType.length > 0) {
    kinds = fromList(c.layersBlockType, "layers_block_type");
    source = { field: "layers_block_type" };
  } else if (c.fullAttentionInterval !== undefined && c.fullAttentionInterval > 0) {
    const n = c.fullAttentionInterval;
    kinds = fill((i) => ((i + 1) % n === 0 ? "full-attention" : recurrent));
    source = { field: "full_attention_interval", interval: n };
  } else if (c.attnLayerPeriod !== undefined && c.attnLayerPeriod > 0) {
    const period = c.attnLayerPeriod;
    const offset = c.attnLayerOffset ?? 0;
    kinds = fill((i) => (i % period === offset ? "full-attention" : recurrent));
    source = { field: "attn_layer_period", period, offset };
  } else if (c.attnLayerIndices !== undefined) {
    const at = new Set(c.attnLayerIndices);
    kinds = fill((i) => (at.has(i) ? "full-attention" : recurrent));
    source = { field: "attn_layer_indices" };
  } else if (c.attentionChunkSize !== undefined && c.attentionChunkSize > 0) {
    const noRope = c.noRopeLayers && c.noRopeLayers.length > 0 ? c.noRopeLayers : undefined;
    if (noRope) {
      kinds = fill((i) => ((noRope[i] ?? 1) !== 0 ? "chunked-attention" : "full-attention"));
      source = { field: "no_rope_layers" };
    } else {
      const n = LLAMA4_NO_ROPE_INTERVAL;
      kinds = fill((i) => ((i + 1) % n !== 0 ? "chunked-attention" : "full-attention"));
      source = { field: "attention_chunk_size", globalEvery: n };
    }
  } else {
    ({ kinds, source } = slidingKinds(c, layers, type, notes));
  }
  if (unknown.size > 0) notes.push({ kind: "unknown-layer-types", types: [...unknown] });
  const parallelMamba = type === "falcon_h1" ? kinds.length : 0;
  if (parallelMamba > 0) notes.push({ kind: "parallel-mamba" });
  return { kinds, parallelMamba, source };
}

/** Sliding windows from sliding_window and its companions, or each model type's default. */
function slidingKinds(
  c: ModelConfig,
  layers: number,
  type: string,
  notes: Remark[],
): { kinds: LayerKind[]; source: LayerKindsSource } {
  const all = (k: LayerKind) => Array.from({ length: layers }, (): LayerKind => k);
  const window = c.slidingWindow ?? undefined;
  if (window === undefined)
    return { kinds: all("full-attention"), source: { field: "sliding_window", rule: "absent" } };
  if (c.useSlidingWindow === false) {
    notes.push({ kind: "sliding-window-off", window });
    return { kinds: all("full-attention"), source: { field: "sliding_window", rule: "disabled" } };
  }
  const pattern = (n: number): LayerKind[] =>
    Array.from({ length: layers }, (_, i) =>
      (i + 1) % n !== 0 ? "sliding-attention" : "full-attention",
    );
  if (c.slidingWindowPattern !== undefined && c.slidingWindowPattern > 1) {
    const n = c.slidingWindowPattern;
    return { kinds: pattern(n), source: { field: "sliding_window", rule: "pattern", pattern: n } };
  }
  const byType = DEFAULT_SLIDING_PATTERN[type];
  if (byType !== undefined)
    return {
      kinds: pattern(byType),
      source: {
        field: "sliding_window",
        rule: "model-type-default",
        modelType: type,
        pattern: byType,
      },
    };
  if (c.useSlidingWindow === true && c.maxWindowLayers !== undefined) {
    // Qwen2: layers from max_window_layers on use the window.
    const from = c.maxWindowLayers;
    return {
      kinds: Array.from({ length: layers }, (_, i) =>
        i >= from ? "sliding-attention" : "full-attention",
      ),
      source: { field: "sliding_window", rule: "max-window-layers", from },
    };
  }
  return {
    kinds: all("sliding-attention"),
    source: { field: "sliding_window", rule: "every-layer", window },
  };
}

/** Bytes of one state element: the model's dtype (vLLM's mamba_cache_dtype "auto"). */
function stateElementBytes(c: ModelConfig): bigint {
  const d = c.torchDtype?.toLowerCase();
  return d === "float32" || d === "fp32" ? 4n : 2n;
}

/** The SSM part's dtype: mamba_ssm_cache_dtype when the config names it, else the conv state's. */
function ssmElementBytes(c: ModelConfig): bigint {
  const d = c.ssmCacheDtype ? findCacheDtype(c.ssmCacheDtype) : undefined;
  return d && d.denominator === 1n ? d.numerator : stateElementBytes(c);
}

/**
 * State bytes of one recurrent layer, from vLLM's MambaStateShapeCalculator
 * (vllm/model_executor/layers/mamba/mamba_utils.py), or undefined when a dimension is missing:
 *   mamba:          conv (kernel − 1) × inner;  ssm inner × d_state;        inner = expand × hidden
 *   mamba2:         conv (kernel − 1) × (inner + 2 × groups × d_state);  ssm heads × head_dim × d_state
 *   gated-deltanet: conv (kernel − 1) × (2 × k_heads × k_dim + v_heads × v_dim);  ssm v_heads × k_dim × v_dim
 */
function recurrentState(kind: LayerKind, c: ModelConfig, notes: Remark[]): bigint | undefined {
  const conv = BigInt(stateElementBytes(c));
  const ssm = ssmElementBytes(c);
  const say = (dims: "linear" | "mamba2" | "mamba", convEl: bigint, ssmEl: bigint) => {
    const bytes = convEl * conv + ssmEl * ssm;
    notes.push({
      kind: "recurrent-state",
      layerKind: kind,
      convElements: convEl,
      ssmElements: ssmEl,
      dims,
      ...(ssm !== conv ? { ssmElementBytes: Number(ssm) } : {}),
    });
    return bytes;
  };
  const B = (n: number) => BigInt(n);
  if (kind === "gated-deltanet") {
    const [kh, vh, kd, vd, k] = [
      c.linearKeyHeads,
      c.linearValueHeads,
      c.linearKeyHeadDim,
      c.linearValueHeadDim,
      c.linearConvKernel,
    ];
    if (
      kh === undefined ||
      vh === undefined ||
      kd === undefined ||
      vd === undefined ||
      k === undefined
    )
      return undefined;
    const convEl = B(k - 1) * (2n * B(kh) * B(kd) + B(vh) * B(vd));
    return say("linear", convEl, B(vh) * B(kd) * B(vd));
  }
  const state = c.ssmStateSize;
  const k = c.convKernel;
  if (state === undefined || k === undefined || k < 1) return undefined;
  if (kind === "mamba2") {
    const heads = c.mambaHeads;
    const headDim = c.mambaHeadDim;
    if (heads === undefined || headDim === undefined) return undefined;
    const inner = c.mambaIntermediate ?? heads * headDim;
    const groups = c.mambaGroups ?? 1;
    const convEl = B(k - 1) * (B(inner) + 2n * B(groups) * B(state));
    return say("mamba2", convEl, B(heads) * B(headDim) * B(state));
  }
  const inner =
    c.mambaIntermediate ??
    (c.mambaExpand !== undefined && c.hiddenSize !== undefined
      ? c.mambaExpand * c.hiddenSize
      : undefined);
  if (inner === undefined) return undefined;
  return say("mamba", B(k - 1) * B(inner), B(inner) * B(state));
}

/** Per-layer kinds and sizes, or undefined when config.json does not say enough. */
export function kvLayout(config: ModelConfig | undefined): KvLayout | undefined {
  // A value no model can have (0 KV heads, …) leaves the cache unknown, never computed around it.
  if (!config || config.impossible !== undefined) return undefined;
  const declared = config.numHiddenLayers;
  if (declared === undefined || declared === 0) return undefined;
  const notes: Remark[] = [];
  const { kinds, parallelMamba, source } = layerKinds(config, declared, notes);

  // Attention elements per token, per layer.
  let attention: AttentionKind = "none";
  let perLayer: (i: number) => bigint | undefined = () => undefined;
  let valueOf: (i: number) => bigint | undefined = () => undefined;
  if (config.kvLoraRank !== undefined && config.latentCache !== false) {
    // MLA caches one compressed latent plus the decoupled RoPE key per layer, whatever the head count.
    const rope = config.qkRopeHeadDim ?? 0;
    attention = "mla";
    const e = BigInt(config.kvLoraRank + rope);
    perLayer = () => e;
    notes.push({ kind: "mla-latent", kvLoraRank: config.kvLoraRank, ropeDims: rope });
  } else if (kinds.some(isAttention)) {
    const heads = config.numAttentionHeads;
    const headDim =
      config.headDim ?? (heads && config.hiddenSize ? config.hiddenSize / heads : undefined);
    if (!heads || headDim === undefined || !Number.isInteger(headDim)) return undefined;
    const perLayerHeads = config.kvHeadsPerLayer;
    const kvHeads = config.numKeyValueHeads ?? heads;
    // K and V rows: head_dim each, unless V's head differs (GGUF value_length), and on window
    // layers the window's own head sizes when the file gives them (GGUF key_length_swa /
    // value_length_swa, each defaulting to the other layers' size as llama.cpp does).
    const vDim = config.valueHeadDim ?? headDim;
    const kSwa = config.swaHeadDim ?? headDim;
    const vSwa = config.swaValueHeadDim ?? vDim;
    const windowed = (i: number) =>
      kinds[i] === "sliding-attention" || kinds[i] === "chunked-attention";
    const dims = (i: number): [number, number] => (windowed(i) ? [kSwa, vSwa] : [headDim, vDim]);
    attention = "gqa";
    if (config.kvLoraRank !== undefined) notes.push({ kind: "mla-decompressed" });
    const swa =
      kSwa !== headDim || vSwa !== vDim ? { swaHeadDim: kSwa, swaValueHeadDim: vSwa } : {};
    const headsAt = (i: number) => BigInt(perLayerHeads?.[i] ?? kvHeads);
    perLayer = (i) => headsAt(i) * BigInt(dims(i)[0] + dims(i)[1]);
    valueOf = (i) => headsAt(i) * BigInt(dims(i)[1]);
    if (perLayerHeads) {
      notes.push({
        kind: "kv-heads-per-layer",
        field: config.from.get("kvHeadsPerLayer") ?? "kvHeadsPerLayer",
        headDim,
        valueHeadDim: vDim,
        ...swa,
      });
    } else {
      notes.push({ kind: "kv-heads", kvHeads, heads, headDim, valueHeadDim: vDim, ...swa });
    }
  }

  const window = config.slidingWindow ?? undefined;
  const chunk = config.attentionChunkSize;
  const groups: LayerGroup[] = [];
  const add = (g: LayerGroup) => {
    const same = groups.find(
      (x) =>
        x.kind === g.kind &&
        x.elementsPerToken === g.elementsPerToken &&
        x.valueElements === g.valueElements &&
        x.window === g.window &&
        x.stateBytes === g.stateBytes,
    );
    if (same) same.count += g.count;
    else groups.push(g);
    return same ?? g;
  };
  // Each layer's groups, in layer order: what a split by layers (llama.cpp's -ngl) moves.
  const byLayer: LayerGroup[][] = kinds.map(() => []);
  const states = new Map<LayerKind, bigint | undefined>();
  const stateOf = (k: LayerKind) => {
    if (!states.has(k)) {
      const s = recurrentState(k, config, notes);
      if (s === undefined) notes.push({ kind: "state-unknown", layerKind: k });
      states.set(k, s);
    }
    return states.get(k);
  };
  let unwindowed = 0;
  const groupOf = (k: LayerKind, i: number): LayerGroup | undefined => {
    if (k === "no-cache") return add({ kind: k, count: 1 });
    if (k === "mamba" || k === "mamba2" || k === "gated-deltanet") {
      const s = stateOf(k);
      return add({ kind: k, count: 1, ...(s !== undefined ? { stateBytes: s } : {}) });
    }
    const e = perLayer(i);
    if (e === undefined) return undefined;
    const v = valueOf(i);
    const ve = v !== undefined ? { valueElements: v } : {};
    const kind: LayerKind = attention === "mla" && k === "full-attention" ? "mla" : k;
    const w = k === "sliding-attention" ? window : k === "chunked-attention" ? chunk : undefined;
    if (k !== "full-attention" && w === undefined) {
      unwindowed++;
      return add({
        kind: attention === "mla" ? "mla" : "full-attention",
        count: 1,
        elementsPerToken: e,
        ...ve,
      });
    }
    return add({
      kind,
      count: 1,
      elementsPerToken: e,
      ...ve,
      ...(w !== undefined ? { window: w } : {}),
    });
  };
  kinds.forEach((k, i) => {
    const g = groupOf(k, i);
    if (g) byLayer[i]!.push(g);
  });
  if (unwindowed > 0) notes.push({ kind: "windowless-layers", layers: unwindowed });
  if (parallelMamba > 0) {
    const s = stateOf("mamba2");
    const g = add({
      kind: "mamba2",
      count: parallelMamba,
      ...(s !== undefined ? { stateBytes: s } : {}),
    });
    for (const l of byLayer) l.push(g);
  }
  notes.unshift({
    kind: "layer-kinds",
    groups: groups.map((g) => ({
      kind: g.kind,
      count: g.count,
      ...(g.window !== undefined ? { window: g.window } : {}),
    })),
    from: source,
  });
  if (config.modelType === "gpt_oss") notes.push({ kind: "attention-sinks" });
  return {
    kind: attention,
    groups,
    byLayer,
    remarks: notes,
    ...(config.allocation === "llama.cpp" ? { policy: LLAMA_CPP_CELLS } : {}),
  };
}

/**
 * The cache llama.cpp allocates without flash attention: V is stored transposed and each layer's
 * V rows are padded to the widest layer's (`n_embd_v_gqa_max`, [TAG_V_CACHE_VARIABLE] in the
 * `llama_kv_cache` constructor, src/llama-kv-cache.cpp). The same layout when V has one width.
 */
export function padValueRows(l: KvLayout): KvLayout {
  const widest = l.groups.reduce(
    (m, g) => (g.valueElements !== undefined && g.valueElements > m ? g.valueElements : m),
    0n,
  );
  if (l.groups.every((g) => g.valueElements === undefined || g.valueElements === widest)) return l;
  const padded = new Map(
    l.groups.map((g) => [
      g,
      g.valueElements === undefined || g.elementsPerToken === undefined
        ? g
        : {
            ...g,
            elementsPerToken: g.elementsPerToken - g.valueElements + widest,
            valueElements: widest,
          },
    ]),
  );
  return {
    ...l,
    groups: l.groups.map((g) => padded.get(g)!),
    byLayer: l.byLayer.map((gs) => gs.map((g) => padded.get(g)!)),
    remarks: [...l.remarks, { kind: "value-rows-padded", valueElements: widest }],
  };
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/** One group's cache for `context` tokens in each of `batch` sequences. */
export function groupBytes(
  g: LayerGroup,
  context: number,
  batch: number,
  dtype: CacheDtype,
  policy?: CellPolicy,
): bigint {
  const n = BigInt(g.count) * BigInt(batch);
  if (g.stateBytes !== undefined) return g.stateBytes * n;
  if (g.elementsPerToken === undefined) return 0n;
  const tokens = BigInt(cellsHeld(g.window, context, policy));
  return ceilDiv(g.elementsPerToken * tokens * n * dtype.numerator, dtype.denominator);
}

/** Cache bytes for `context` tokens in each of `batch` sequences. */
export function kvCacheBytes(
  l: KvLayout,
  context: number,
  batch: number,
  dtype: CacheDtype,
): bigint {
  let elements = 0n;
  let fixed = 0n;
  for (const g of l.groups) {
    if (g.stateBytes !== undefined) fixed += g.stateBytes * BigInt(g.count);
    else if (g.elementsPerToken !== undefined)
      elements +=
        g.elementsPerToken * BigInt(g.count) * BigInt(cellsHeld(g.window, context, l.policy));
  }
  const b = BigInt(batch);
  return ceilDiv(elements * b * dtype.numerator, dtype.denominator) + fixed * b;
}

/** Each layer's cache for `context` tokens in each of `batch` sequences, in layer order. */
export function layerCacheBytes(
  l: KvLayout,
  context: number,
  batch: number,
  dtype: CacheDtype,
): bigint[] {
  return l.byLayer.map((gs) =>
    gs.reduce((a, g) => a + groupBytes({ ...g, count: 1 }, context, batch, dtype, l.policy), 0n),
  );
}

/** Bytes per token at full context (every attention layer charged), the figure model cards quote. */
export function kvBytesPerToken(l: KvLayout, dtype: CacheDtype): bigint {
  let elements = 0n;
  for (const g of l.groups)
    if (g.elementsPerToken !== undefined) elements += g.elementsPerToken * BigInt(g.count);
  return ceilDiv(elements * dtype.numerator, dtype.denominator);
}

/** One group as the report shows it: per token and per sequence, for all its layers together. */
export interface LayerBreakdown {
  kind: LayerKind;
  count: number;
  /** Attention: bytes per cached token, all layers of the group. */
  bytesPerToken?: bigint;
  /** Recurrent: bytes per sequence, all layers of the group, independent of context. */
  fixedBytes?: bigint;
  /** Tokens kept at most (window or chunk). */
  window?: number;
  /** Cells each sequence's cache holds in these layers, when the runtime rounds (llama.cpp). */
  cells?: number;
  /** At the context and batch assumed. */
  bytes: bigint;
  /** Chunked layers: what they take when allocated for the whole context instead. */
  fullLengthBytes?: bigint;
}

export function layerBreakdown(
  l: KvLayout,
  context: number,
  batch: number,
  dtype: CacheDtype,
): LayerBreakdown[] {
  return l.groups.map((g) => {
    const out: LayerBreakdown = {
      kind: g.kind,
      count: g.count,
      bytes: groupBytes(g, context, batch, dtype, l.policy),
    };
    if (l.policy && g.elementsPerToken !== undefined)
      out.cells = cellsHeld(g.window, context, l.policy);
    if (g.elementsPerToken !== undefined)
      out.bytesPerToken = ceilDiv(
        g.elementsPerToken * BigInt(g.count) * dtype.numerator,
        dtype.denominator,
      );
    if (g.stateBytes !== undefined) out.fixedBytes = g.stateBytes * BigInt(g.count);
    if (g.window !== undefined) out.window = g.window;
    // vLLM's case (its hybrid manager off); llama.cpp sizes chunked layers as window layers.
    if (g.kind === "chunked-attention" && g.window !== undefined && !l.policy)
      out.fullLengthBytes = groupBytes({ ...g, window: undefined }, context, batch, dtype);
    return out;
  });
}
