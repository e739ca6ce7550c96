// The neutral model description analysis and hardware read (ModelConfig), filled here from
// config.json; another source (GGUF metadata) fills the same record from a file of its own
// beside this one. config.json is untrusted JSON: a field of the wrong type is left out with a
// note, never trusted and never fatal. Multimodal configs keep the language model's
// shape under `text_config`; those fields win over top-level ones, except the checkpoint-wide
// identity (model_type, architectures) and quantization, which live at the top.

export interface QuantizationGroup {
  /** The key under `config_groups`. */
  name: string;
  /** Module names, `re:` patterns or class names (compressed-tensors matches all three). */
  targets: string[];
  /** Bits per weight value. */
  numBits?: number;
  /** "int" or "float". */
  type?: string;
  strategy?: string;
  groupSize?: number;
  /** Per-group storage format in newer compressed-tensors configs. */
  format?: string;
}

export interface QuantizationConfig {
  /** `quant_method`, lower-cased; "mlx" when only MLX's `quantization` key says it. */
  method?: string;
  /** GPTQ/AWQ/MLX bits per weight (`bits`, older AWQ `w_bit`). */
  bits?: number;
  groupSize?: number;
  /** FP8 element format, e.g. "e4m3". */
  fmt?: string;
  /** FP8 block scaling, e.g. [128, 128]. */
  weightBlockSize?: number[];
  activationScheme?: string;
  /** compressed-tensors `format`, e.g. "pack-quantized". */
  format?: string;
  /** ModelOpt's algorithm, e.g. "NVFP4", "FP8". */
  quantAlgo?: string;
  configGroups?: QuantizationGroup[];
  /** Modules left unquantized: compressed-tensors `ignore`, others' `modules_to_not_convert`. */
  ignore?: string[];
  loadIn4bit?: boolean;
  loadIn8bit?: boolean;
  /** bitsandbytes 4-bit flavour: "nf4" or "fp4". */
  bnb4bitQuantType?: string;
  /** MLX `mode`: "affine" (scales and biases), "mxfp4", … */
  mode?: string;
  /** MLX per-module overrides: module path → bits, or null when left unquantized. */
  moduleBits?: Map<string, number | null>;
}

/** A KV-cache precision the config names; absent means the runtime's default (16-bit). */
export interface KvCacheSetting {
  /** As written, e.g. "fp8", "fp8_e4m3", "float8_e5m2". */
  dtype?: string;
  bits?: number;
  /** compressed-tensors `kv_cache_scheme.type`: "float" or "int". */
  type?: string;
  /** The JSON path it came from. */
  source: string;
}

export interface ModelConfig {
  modelType?: string;
  architectures?: string[];
  numHiddenLayers?: number;
  hiddenSize?: number;
  intermediateSize?: number;
  /** Width of one routed expert's MLP (DeepSeek, Qwen-MoE). */
  moeIntermediateSize?: number;
  numAttentionHeads?: number;
  /** Absent means one KV head per attention head (HF's default). */
  numKeyValueHeads?: number;
  /** Absent means hidden_size / num_attention_heads (HF's default). */
  headDim?: number;
  vocabSize?: number;
  maxPositionEmbeddings?: number;
  tieWordEmbeddings?: boolean;
  torchDtype?: string;

  /** Routed experts per MoE layer (E). */
  experts?: number;
  /** Routed experts each token uses (top-k). */
  expertsPerToken?: number;
  sharedExperts?: number;
  /** The first k layers have a dense MLP (DeepSeek). */
  firstKDenseReplace?: number;
  /** Every n-th layer after those is MoE (DeepSeek). */
  moeLayerFreq?: number;

  /** Multi-head latent attention (DeepSeek): the KV latent's rank; its presence means MLA. */
  kvLoraRank?: number;
  qLoraRank?: number;
  qkRopeHeadDim?: number;
  qkNopeHeadDim?: number;
  vHeadDim?: number;

  /** Window in tokens; null when the config says explicitly that there is none. */
  slidingWindow?: number | null;
  /** Qwen2's switch: false means `sliding_window` is not applied at all. */
  useSlidingWindow?: boolean;
  /** Qwen2: layers from this index on use the window (when use_sliding_window). */
  maxWindowLayers?: number;
  /** Gemma 2/3: every n-th layer is global, the others windowed. */
  slidingWindowPattern?: number;
  /** Per-layer attention kinds, e.g. "sliding_attention", "full_attention". */
  layerTypes?: string[];

  /** Multi-token-prediction layers stored after the main ones (DeepSeek-V3: 1). */
  numNextnPredictLayers?: number;

  /** text_config.model_type of a multimodal config (gemma3_text, llama4_text). */
  textModelType?: string;
  /** Sub-configs beside the language model: "vision", "audio" (vision_config, audio_config). */
  modalities?: string[];
  /** KV heads per layer, when the config lists them (OpenELM's num_kv_heads). */
  kvHeadsPerLayer?: number[];

  /** Llama 4: chunked local attention over this many tokens. */
  attentionChunkSize?: number;
  /** Llama 4: 1 where a layer uses RoPE (and the chunk), 0 where it is global (NoPE). */
  noRopeLayers?: number[];
  /** Qwen3-Next: every n-th layer is full attention, the others linear (Gated DeltaNet). */
  fullAttentionInterval?: number;
  /** Nemotron-H: one character per layer, M Mamba-2, * attention, - MLP, E MoE. */
  hybridOverridePattern?: string;
  /** Per-layer block kinds (Zamba, some Jamba exports): "mamba", "attention", "hybrid". */
  layersBlockType?: string[];
  /** Jamba: layer i is attention when i % period == offset, Mamba otherwise. */
  attnLayerPeriod?: number;
  attnLayerOffset?: number;
  /** Bamba: the attention layers' indices; the others are Mamba-2. */
  attnLayerIndices?: number[];

  /** Mamba state: d_state, conv kernel width, heads × head dim (Mamba-2), groups, expand. */
  ssmStateSize?: number;
  convKernel?: number;
  mambaHeads?: number;
  mambaHeadDim?: number;
  mambaGroups?: number;
  mambaExpand?: number;
  /** Mamba inner width when stated (Falcon-H1's mamba_d_ssm). */
  mambaIntermediate?: number;
  /** vLLM's mamba_ssm_cache_dtype when the config names one (NemotronHConfig: "float32"). */
  ssmCacheDtype?: string;

  /** Gated DeltaNet (Qwen3-Next) dimensions. */
  linearKeyHeads?: number;
  linearValueHeads?: number;
  linearKeyHeadDim?: number;
  linearValueHeadDim?: number;
  linearConvKernel?: number;

  quantization?: QuantizationConfig;
  kvCache?: KvCacheSetting;

  /**
   * The runtime whose allocation rules the memory estimate follows, when the weights name one:
   * a GGUF file runs in llama.cpp (cache cells in blocks of 256, window layers sized by the
   * micro-batch, compute and output buffers; docs/memory-model.md §8). Absent: the generic
   * rules (vLLM-like).
   */
  allocation?: "llama.cpp";
  /** V head size where it differs from K's (GGUF `attention.value_length`). */
  valueHeadDim?: number;
  /**
   * K and V head sizes of sliding-window and chunked layers where they differ from the other
   * layers' (GGUF `attention.key_length_swa` / `value_length_swa`).
   */
  swaHeadDim?: number;
  swaValueHeadDim?: number;
  /**
   * False when the runtime caches MLA's decompressed K and V instead of the latent: llama.cpp
   * with a deepseek2 GGUF converted before `attention.key_length_mla` existed.
   */
  latentCache?: boolean;

  /**
   * Values no model can have (0 heads, layers below 1, KV heads that do not divide the query
   * heads, …), as "<json path> <what is wrong>": the fields are left out, and the estimate says
   * it could not use them rather than compute from them (a KV cache of 0 bytes).
   */
  impossible?: string[];

  /**
   * What described the model: config.json, or a GGUF file's own metadata. `from` then holds
   * config.json's JSON paths, or the GGUF keys (llama.block_count).
   */
  source: "config.json" | "gguf";
  /** Field → the JSON path it was read from, e.g. experts → "n_routed_experts". */
  from: Map<string, string>;
}

export interface ConfigReading {
  /** Undefined when the value is not a JSON object at all. */
  config: ModelConfig | undefined;
  /** One line per field that was present but unusable. */
  notes: string[];
  /** One line per value no model can have (also in config.impossible). */
  impossible: string[];
}

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// Own keys only: an untrusted object's inherited members (toString, constructor) are not fields.
function own(o: Json, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "string") {
    const shown = v.length > 40 ? v.slice(0, 39) + "…" : v;
    return `${JSON.stringify(shown)} (a string)`;
  }
  if (typeof v === "number") return String(v);
  return `a ${typeof v}`;
}

const isCount = (v: unknown): v is number =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** "positive": a count that must be at least 1 (layers, heads, widths); 0 or less is impossible. */
type Kind = "count" | "positive" | "bool" | "str" | "strings";

/** Reads typed fields of one JSON object, noting each present field it has to refuse. */
class FieldReader {
  constructor(
    readonly obj: Json,
    readonly path: string,
    readonly notes: string[],
    readonly impossible: string[],
  ) {}

  at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  /** The first of `keys` present and not null (HF writes null for "unset"). */
  first(keys: readonly string[]): { key: string; value: unknown } | undefined {
    for (const key of keys) {
      const value = own(this.obj, key);
      if (value !== undefined && value !== null) return { key, value };
    }
    return undefined;
  }

  typed(kind: Kind, key: string, v: unknown): unknown {
    switch (kind) {
      case "count":
        return isCount(v) ? v : this.refuse(key, v, "a whole number ≥ 0");
      case "positive":
        if (isCount(v) && v >= 1) return v;
        if (typeof v === "number" && Number.isInteger(v) && v <= 0) {
          this.impossible.push(`${this.at(key)} is ${v}, and a model has at least 1`);
          return undefined;
        }
        return this.refuse(key, v, "a whole number ≥ 1");
      case "bool":
        return typeof v === "boolean" ? v : this.refuse(key, v, "true or false");
      case "str":
        return typeof v === "string" ? v : this.refuse(key, v, "a string");
      case "strings":
        return Array.isArray(v) && v.every((x) => typeof x === "string")
          ? v
          : this.refuse(key, v, "a list of strings");
    }
  }

  /** The first usable value among `keys`; refused ones are noted and the next alias is tried. */
  read(kind: Kind, keys: readonly string[]): { key: string; value: unknown } | undefined {
    for (const key of keys) {
      const raw = own(this.obj, key);
      if (raw === undefined || raw === null) continue;
      const value = this.typed(kind, key, raw);
      if (value !== undefined) return { key, value };
    }
    return undefined;
  }

  count(keys: readonly string[]): number | undefined {
    return this.read("count", keys)?.value as number | undefined;
  }
  str(keys: readonly string[]): string | undefined {
    return this.read("str", keys)?.value as string | undefined;
  }
  bool(keys: readonly string[]): boolean | undefined {
    return this.read("bool", keys)?.value as boolean | undefined;
  }
  strings(keys: readonly string[]): string[] | undefined {
    return this.read("strings", keys)?.value as string[] | undefined;
  }
  counts(key: string): number[] | undefined {
    const v = own(this.obj, key);
    if (v === undefined || v === null) return undefined;
    return Array.isArray(v) && v.every(isCount)
      ? (v as number[])
      : this.refuse(key, v, "a list of whole numbers");
  }
  record(key: string): FieldReader | undefined {
    const v = own(this.obj, key);
    if (v === undefined || v === null) return undefined;
    if (!isRecord(v)) return this.refuse(key, v, "an object");
    return new FieldReader(v, this.at(key), this.notes, this.impossible);
  }

  refuse(key: string, v: unknown, wanted: string): undefined {
    this.notes.push(`${this.at(key)} is ${describe(v)}, not ${wanted}: ignored`);
    return undefined;
  }
}

const KV_HEAD_KEYS = ["num_key_value_heads", "num_kv_heads", "n_head_kv", "multi_query_group_num"];

/** The model's shape, read from text_config first, by every alias seen in published configs. */
const SHAPE_FIELDS: ReadonlyArray<[keyof ModelConfig, Kind, readonly string[]]> = [
  ["numHiddenLayers", "positive", ["num_hidden_layers", "n_layer", "n_layers", "num_layers"]],
  ["hiddenSize", "positive", ["hidden_size", "n_embd", "d_model"]],
  ["intermediateSize", "count", ["intermediate_size", "ffn_hidden_size", "n_inner"]],
  ["moeIntermediateSize", "count", ["moe_intermediate_size"]],
  ["numAttentionHeads", "positive", ["num_attention_heads", "n_head", "n_heads", "num_heads"]],
  ["numKeyValueHeads", "positive", KV_HEAD_KEYS],
  ["headDim", "positive", ["head_dim"]],
  ["vocabSize", "count", ["vocab_size", "padded_vocab_size"]],
  [
    "maxPositionEmbeddings",
    "count",
    ["max_position_embeddings", "n_positions", "max_sequence_length", "seq_length"],
  ],
  ["tieWordEmbeddings", "bool", ["tie_word_embeddings"]],
  ["torchDtype", "str", ["torch_dtype", "dtype"]],
  ["experts", "count", ["num_local_experts", "n_routed_experts", "num_experts", "moe_num_experts"]],
  ["sharedExperts", "count", ["n_shared_experts"]],
  ["firstKDenseReplace", "count", ["first_k_dense_replace"]],
  ["moeLayerFreq", "count", ["moe_layer_freq"]],
  ["kvLoraRank", "count", ["kv_lora_rank"]],
  ["qLoraRank", "count", ["q_lora_rank"]],
  ["qkRopeHeadDim", "count", ["qk_rope_head_dim"]],
  ["qkNopeHeadDim", "count", ["qk_nope_head_dim"]],
  ["vHeadDim", "count", ["v_head_dim"]],
  ["useSlidingWindow", "bool", ["use_sliding_window"]],
  ["maxWindowLayers", "count", ["max_window_layers"]],
  ["slidingWindowPattern", "count", ["sliding_window_pattern"]],
  ["layerTypes", "strings", ["layer_types"]],
  ["numNextnPredictLayers", "count", ["num_nextn_predict_layers"]],
  ["attentionChunkSize", "count", ["attention_chunk_size"]],
  ["fullAttentionInterval", "count", ["full_attention_interval"]],
  ["hybridOverridePattern", "str", ["hybrid_override_pattern"]],
  ["layersBlockType", "strings", ["layers_block_type"]],
  ["attnLayerPeriod", "count", ["attn_layer_period"]],
  ["attnLayerOffset", "count", ["attn_layer_offset"]],
  ["ssmStateSize", "count", ["ssm_state_size", "mamba_d_state", "state_size", "d_state"]],
  ["convKernel", "count", ["conv_kernel", "mamba_d_conv", "d_conv"]],
  ["mambaHeads", "count", ["mamba_num_heads", "mamba_n_heads"]],
  ["mambaHeadDim", "count", ["mamba_head_dim", "mamba_d_head"]],
  ["mambaGroups", "count", ["n_groups", "mamba_n_groups", "mamba_num_groups"]],
  ["mambaExpand", "count", ["mamba_expand", "expand"]],
  ["mambaIntermediate", "count", ["mamba_d_ssm"]],
  ["ssmCacheDtype", "str", ["mamba_ssm_cache_dtype"]],
  ["linearKeyHeads", "count", ["linear_num_key_heads"]],
  ["linearValueHeads", "count", ["linear_num_value_heads"]],
  ["linearKeyHeadDim", "count", ["linear_key_head_dim"]],
  ["linearValueHeadDim", "count", ["linear_value_head_dim"]],
  ["linearConvKernel", "count", ["linear_conv_kernel_dim"]],
];

/** Lists of whole numbers, read from text_config first. */
const LIST_FIELDS: ReadonlyArray<[keyof ModelConfig, string]> = [
  ["noRopeLayers", "no_rope_layers"],
  ["attnLayerIndices", "attn_layer_indices"],
];

/** Top-k keys that mean nothing else. */
const TOP_K_KEYS = ["num_experts_per_tok", "num_experts_per_token", "moe_top_k"];
/** `top_k` is also a sampling default (Mistral-7B's config says 50): trusted only beside experts. */
const AMBIGUOUS_TOP_K = ["top_k"];

export function readModelConfig(raw: unknown): ConfigReading {
  const notes: string[] = [];
  const impossible: string[] = [];
  if (!isRecord(raw)) {
    notes.push(`config.json is ${describe(raw)}, not a JSON object: ignored`);
    return { config: undefined, notes, impossible };
  }
  const config: ModelConfig = { source: "config.json", from: new Map() };
  const top = new FieldReader(raw, "", notes, impossible);
  const text = top.record("text_config");
  const shape = text ? [text, top] : [top];
  const identity = text ? [top, text] : [top];
  const fields = config as unknown as Record<string, unknown>;

  const take = (
    field: keyof ModelConfig,
    kind: Kind,
    keys: readonly string[],
    readers: FieldReader[],
  ) => {
    for (const r of readers) {
      const hit = r.read(kind, keys);
      if (!hit) continue;
      fields[field] = hit.value;
      config.from.set(field, r.at(hit.key));
      return;
    }
  };

  take("modelType", "str", ["model_type"], identity);
  take("architectures", "strings", ["architectures"], identity);
  if (text) {
    const t = text.str(["model_type"]);
    if (t !== undefined) config.textModelType = t;
  }
  const modalities = ["vision", "audio"].filter((m) => isRecord(own(raw, `${m}_config`)));
  if (modalities.length > 0) config.modalities = modalities;
  // A per-layer list (OpenELM) is read as such, before the count aliases refuse it.
  for (const r of shape) {
    const key = KV_HEAD_KEYS.find((k) => Array.isArray(own(r.obj, k)));
    if (key === undefined) continue;
    const list = r.counts(key);
    if (list && list.length > 0) {
      config.kvHeadsPerLayer = list;
      config.from.set("kvHeadsPerLayer", r.at(key));
    }
    break;
  }
  for (const [field, kind, keys] of SHAPE_FIELDS) {
    if (field === "numKeyValueHeads" && config.kvHeadsPerLayer) continue;
    take(field, kind, keys, shape);
  }
  for (const [field, key] of LIST_FIELDS) {
    for (const r of shape) {
      const list = r.counts(key);
      if (list === undefined) continue;
      fields[field] = list;
      config.from.set(field, r.at(key));
      break;
    }
  }
  readSlidingWindow(config, shape);
  take("expertsPerToken", "count", TOP_K_KEYS, shape);
  if (config.expertsPerToken === undefined && config.experts !== undefined)
    take("expertsPerToken", "count", AMBIGUOUS_TOP_K, shape);
  if (
    config.experts !== undefined &&
    config.expertsPerToken !== undefined &&
    config.expertsPerToken > config.experts
  ) {
    notes.push(
      `${config.from.get("expertsPerToken")} is ${config.expertsPerToken}, more than the ${config.experts} experts: ignored`,
    );
    delete config.expertsPerToken;
    config.from.delete("expertsPerToken");
  }

  for (const r of identity) {
    const q = readQuantization(r);
    if (!q) continue;
    config.quantization = q.config;
    config.from.set("quantization", q.path);
    break;
  }
  const kv = readKvCache(identity);
  if (kv) config.kvCache = kv;
  impossible.push(...impossibleShape(config));
  if (impossible.length > 0) config.impossible = impossible;
  return { config, notes, impossible };
}

/**
 * Values that are each possible but not together: attention heads are split over the KV heads
 * (grouped-query attention), and without head_dim each head is hidden_size / heads wide.
 * transformers refuses such configs when it builds the model; the fields are left out.
 */
function impossibleShape(c: ModelConfig): string[] {
  const out: string[] = [];
  const at = (field: keyof ModelConfig) => c.from.get(field) ?? field;
  const drop = (...fields: Array<keyof ModelConfig>) => {
    for (const f of fields) {
      delete (c as unknown as Record<string, unknown>)[f];
      c.from.delete(f);
    }
  };
  const heads = c.numAttentionHeads;
  const kvHeads = c.numKeyValueHeads;
  if (heads !== undefined && kvHeads !== undefined && heads % kvHeads !== 0) {
    out.push(
      `${at("numKeyValueHeads")} is ${kvHeads}, which does not divide the ${heads} attention heads (${at("numAttentionHeads")})`,
    );
    drop("numKeyValueHeads", "numAttentionHeads");
  } else if (
    c.kvLoraRank === undefined &&
    c.headDim === undefined &&
    heads !== undefined &&
    c.hiddenSize !== undefined &&
    c.hiddenSize % heads !== 0
  ) {
    out.push(
      `${at("hiddenSize")} is ${c.hiddenSize}, which the ${heads} attention heads do not divide, and there is no head_dim`,
    );
    drop("numAttentionHeads");
  }
  return out;
}

/** `sliding_window: null` says "no window", so unlike other fields it is kept. */
function readSlidingWindow(config: ModelConfig, readers: FieldReader[]): void {
  for (const r of readers) {
    if (!Object.hasOwn(r.obj, "sliding_window")) continue;
    const v = r.obj["sliding_window"];
    if (v === null) config.slidingWindow = null;
    else {
      const n = r.typed("count", "sliding_window", v) as number | undefined;
      if (n === undefined) continue;
      config.slidingWindow = n;
    }
    config.from.set("slidingWindow", r.at("sliding_window"));
    return;
  }
}

function readQuantization(
  r: FieldReader,
): { config: QuantizationConfig; path: string } | undefined {
  const qc = r.record("quantization_config");
  const mlx = r.record("quantization");
  if (qc) {
    const q = readQuantizationConfig(qc);
    if (q.method === undefined && (q.loadIn4bit || q.loadIn8bit)) q.method = "bitsandbytes";
    // mlx-lm writes the same object under both keys, without a quant_method.
    if (q.method === undefined && mlx) return { config: readMlx(mlx), path: mlx.path };
    if (q.method === "mlx" && mlx) return { config: readMlx(mlx), path: mlx.path };
    return { config: q, path: qc.path };
  }
  if (mlx) return { config: readMlx(mlx), path: mlx.path };
  return undefined;
}

function readQuantizationConfig(r: FieldReader): QuantizationConfig {
  const q: QuantizationConfig = {};
  const method = r.str(["quant_method"]);
  if (method !== undefined) q.method = method.toLowerCase();
  const bits = r.count(["bits", "w_bit"]);
  if (bits !== undefined) q.bits = bits;
  const groupSize = r.count(["group_size", "q_group_size"]);
  if (groupSize !== undefined) q.groupSize = groupSize;
  const fmt = r.str(["fmt"]);
  if (fmt !== undefined) q.fmt = fmt;
  const block = r.counts("weight_block_size");
  if (block !== undefined) q.weightBlockSize = block;
  const act = r.str(["activation_scheme"]);
  if (act !== undefined) q.activationScheme = act;
  const format = r.str(["format"]);
  if (format !== undefined) q.format = format;
  const algo = r.str(["quant_algo"]);
  if (algo !== undefined) q.quantAlgo = algo;
  const ignore = r.strings(["ignore", "modules_to_not_convert", "exclude_modules"]);
  if (ignore !== undefined) q.ignore = ignore;
  const in4 = r.bool(["load_in_4bit", "_load_in_4bit"]);
  if (in4 !== undefined) q.loadIn4bit = in4;
  const in8 = r.bool(["load_in_8bit", "_load_in_8bit"]);
  if (in8 !== undefined) q.loadIn8bit = in8;
  const bnb = r.str(["bnb_4bit_quant_type"]);
  if (bnb !== undefined) q.bnb4bitQuantType = bnb;
  const groups = r.record("config_groups");
  if (groups) {
    q.configGroups = [];
    for (const name of Object.keys(groups.obj)) {
      const g = groups.record(name);
      if (!g) continue;
      const group: QuantizationGroup = { name, targets: g.strings(["targets"]) ?? [] };
      const w = g.record("weights");
      if (w) {
        const numBits = w.count(["num_bits"]);
        if (numBits !== undefined) group.numBits = numBits;
        const type = w.str(["type"]);
        if (type !== undefined) group.type = type;
        const strategy = w.str(["strategy"]);
        if (strategy !== undefined) group.strategy = strategy;
        const gs = w.count(["group_size"]);
        if (gs !== undefined) group.groupSize = gs;
      }
      const gf = g.str(["format"]);
      if (gf !== undefined) group.format = gf;
      q.configGroups.push(group);
    }
  }
  return q;
}

/** MLX: `{"group_size": 64, "bits": 4, "model.layers.0.mlp.gate": {"bits": 8, …} | false}`. */
function readMlx(r: FieldReader): QuantizationConfig {
  const q: QuantizationConfig = { method: "mlx" };
  const bits = r.count(["bits"]);
  if (bits !== undefined) q.bits = bits;
  const groupSize = r.count(["group_size"]);
  if (groupSize !== undefined) q.groupSize = groupSize;
  const mode = r.str(["mode"]);
  if (mode !== undefined) q.mode = mode;
  for (const key of Object.keys(r.obj)) {
    const v = r.obj[key];
    if (v === false) (q.moduleBits ??= new Map()).set(key, null);
    else if (isRecord(v)) {
      const b = new FieldReader(v, r.at(key), r.notes, r.impossible).count(["bits"]);
      if (b !== undefined) (q.moduleBits ??= new Map()).set(key, b);
    }
  }
  return q;
}

function readKvCache(readers: FieldReader[]): KvCacheSetting | undefined {
  for (const r of readers) {
    const dtype = r.str(["kv_cache_dtype"]);
    if (dtype !== undefined) return { dtype, source: r.at("kv_cache_dtype") };
    // Already refused with a note by readQuantization when it is not an object.
    const raw = own(r.obj, "quantization_config");
    if (!isRecord(raw)) continue;
    const q = new FieldReader(raw, r.at("quantization_config"), r.notes, r.impossible);
    const scheme = q.record("kv_cache_scheme");
    if (scheme) {
      const kv: KvCacheSetting = { source: scheme.path };
      const bits = scheme.count(["num_bits"]);
      if (bits !== undefined) kv.bits = bits;
      const type = scheme.str(["type"]);
      if (type !== undefined) kv.type = type;
      if (type === "float" && bits === 8) kv.dtype = "fp8";
      else if (type === "int" && bits !== undefined) kv.dtype = `int${bits}`;
      return kv;
    }
    const algo = q.str(["kv_cache_quant_algo"]);
    if (algo !== undefined)
      return { dtype: algo.toLowerCase(), source: q.at("kv_cache_quant_algo") };
  }
  return undefined;
}
