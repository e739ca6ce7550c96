// Header-only layouts of published checkpoints: the real tensor names, dtypes and shapes, in
// the order the model defines its modules (the order Hugging Face writes shards in), with the
// config.json fields they follow. Published facts are asserted in the tests, not stored here;
// these generators only turn a model's shape into its tensor list. Small synthetic layouts
// cover each quantization format. `shardLayout` splits a list the way Hugging Face does.

import { summarize, type ModelSummary } from "../../src/analysis/summary.js";
import type { Checkpoint } from "../../src/checkpoint/checkpoint.js";
import { dtypeId } from "../../src/formats/safetensors/dtypes.js";
import type { SafetensorsFile } from "../../src/formats/safetensors/read.js";
import { TensorTableBuilder, type TensorTable } from "../../src/formats/tensor-table.js";
import { byteSize, canonicalHeader } from "./safetensors.js";

export interface LayoutTensor {
  name: string;
  dtype: string;
  shape: bigint[];
}

export interface Layout {
  /** The published repository the layout follows, or a description for synthetic ones. */
  repo: string;
  tensors: LayoutTensor[];
  /** config.json as published (the fields that matter for counting and memory). */
  config: Record<string, unknown>;
  /** Shard files in the published repository; 1 for a single file or a synthetic layout. */
  shards: number;
}

const t = (name: string, dtype: string, shape: Array<number | bigint>): LayoutTensor => ({
  name,
  dtype,
  shape: shape.map(BigInt),
});

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

// ---------------------------------------------------------------------------------------------
// Dense decoders: Llama, Qwen2, Mistral

export interface DenseShape {
  layers: number;
  hidden: number;
  intermediate: number;
  heads: number;
  kvHeads: number;
  headDim?: number;
  vocab: number;
  tied: boolean;
  /** Qwen2 has q/k/v biases. */
  qkvBias?: boolean;
  dtype?: string;
}

/** One linear layer: [out, in] weight. */
export interface Linear {
  name: string;
  out: number;
  in: number;
}

/** A dense decoder as linear layers (quantizable) and everything else (never quantized). */
export function denseModules(s: DenseShape): { linears: Linear[]; others: LayoutTensor[] } {
  const d = s.dtype ?? "BF16";
  const hd = s.headDim ?? s.hidden / s.heads;
  const q = s.heads * hd;
  const kv = s.kvHeads * hd;
  const linears: Linear[] = [];
  const others: LayoutTensor[] = [t("model.embed_tokens.weight", d, [s.vocab, s.hidden])];
  for (let l = 0; l < s.layers; l++) {
    const p = `model.layers.${l}.`;
    linears.push(
      { name: p + "self_attn.q_proj", out: q, in: s.hidden },
      { name: p + "self_attn.k_proj", out: kv, in: s.hidden },
      { name: p + "self_attn.v_proj", out: kv, in: s.hidden },
      { name: p + "self_attn.o_proj", out: s.hidden, in: q },
      { name: p + "mlp.gate_proj", out: s.intermediate, in: s.hidden },
      { name: p + "mlp.up_proj", out: s.intermediate, in: s.hidden },
      { name: p + "mlp.down_proj", out: s.hidden, in: s.intermediate },
    );
    if (s.qkvBias)
      others.push(
        t(p + "self_attn.q_proj.bias", d, [q]),
        t(p + "self_attn.k_proj.bias", d, [kv]),
        t(p + "self_attn.v_proj.bias", d, [kv]),
      );
    others.push(
      t(p + "input_layernorm.weight", d, [s.hidden]),
      t(p + "post_attention_layernorm.weight", d, [s.hidden]),
    );
  }
  others.push(t("model.norm.weight", d, [s.hidden]));
  if (!s.tied) others.push(t("lm_head.weight", d, [s.vocab, s.hidden]));
  return { linears, others };
}

/** Module order: each layer's attention (weights, then biases), MLP, norms; then norm, head. */
export function dense(s: DenseShape): LayoutTensor[] {
  const d = s.dtype ?? "BF16";
  const hd = s.headDim ?? s.hidden / s.heads;
  const q = s.heads * hd;
  const kv = s.kvHeads * hd;
  const out = [t("model.embed_tokens.weight", d, [s.vocab, s.hidden])];
  for (let l = 0; l < s.layers; l++) {
    const p = `model.layers.${l}.`;
    out.push(t(p + "self_attn.q_proj.weight", d, [q, s.hidden]));
    if (s.qkvBias) out.push(t(p + "self_attn.q_proj.bias", d, [q]));
    out.push(t(p + "self_attn.k_proj.weight", d, [kv, s.hidden]));
    if (s.qkvBias) out.push(t(p + "self_attn.k_proj.bias", d, [kv]));
    out.push(t(p + "self_attn.v_proj.weight", d, [kv, s.hidden]));
    if (s.qkvBias) out.push(t(p + "self_attn.v_proj.bias", d, [kv]));
    out.push(
      t(p + "self_attn.o_proj.weight", d, [s.hidden, q]),
      t(p + "mlp.gate_proj.weight", d, [s.intermediate, s.hidden]),
      t(p + "mlp.up_proj.weight", d, [s.intermediate, s.hidden]),
      t(p + "mlp.down_proj.weight", d, [s.hidden, s.intermediate]),
      t(p + "input_layernorm.weight", d, [s.hidden]),
      t(p + "post_attention_layernorm.weight", d, [s.hidden]),
    );
  }
  out.push(t("model.norm.weight", d, [s.hidden]));
  if (!s.tied) out.push(t("lm_head.weight", d, [s.vocab, s.hidden]));
  return out;
}

/** config.json of a dense decoder: the fields counting and memory read, plus the family's own. */
function denseConfig(
  s: DenseShape,
  architecture: string,
  modelType: string,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return {
    architectures: [architecture],
    model_type: modelType,
    hidden_size: s.hidden,
    intermediate_size: s.intermediate,
    num_hidden_layers: s.layers,
    num_attention_heads: s.heads,
    num_key_value_heads: s.kvHeads,
    vocab_size: s.vocab,
    tie_word_embeddings: s.tied,
    torch_dtype: "bfloat16",
    ...extra,
  };
}

const llamaConfig = (s: DenseShape, extra: Record<string, unknown>) =>
  denseConfig(s, "LlamaForCausalLM", "llama", extra);

const LLAMA31_ROPE = {
  factor: 8.0,
  low_freq_factor: 1.0,
  high_freq_factor: 4.0,
  original_max_position_embeddings: 8192,
  rope_type: "llama3",
};

export const LLAMA31_8B: DenseShape = {
  layers: 32,
  hidden: 4096,
  intermediate: 14336,
  heads: 32,
  kvHeads: 8,
  vocab: 128256,
  tied: false,
};

/** meta-llama/Llama-3.1-8B. */
export function llama31_8b(): Layout {
  return {
    repo: "meta-llama/Llama-3.1-8B",
    tensors: dense(LLAMA31_8B),
    config: llamaConfig(LLAMA31_8B, {
      max_position_embeddings: 131072,
      rope_scaling: LLAMA31_ROPE,
      rope_theta: 500000.0,
    }),
    shards: 4,
  };
}

export const LLAMA31_70B: DenseShape = {
  layers: 80,
  hidden: 8192,
  intermediate: 28672,
  heads: 64,
  kvHeads: 8,
  vocab: 128256,
  tied: false,
};

/** meta-llama/Llama-3.1-70B. */
export function llama31_70b(): Layout {
  return {
    repo: "meta-llama/Llama-3.1-70B",
    tensors: dense(LLAMA31_70B),
    config: llamaConfig(LLAMA31_70B, {
      max_position_embeddings: 131072,
      rope_scaling: LLAMA31_ROPE,
      rope_theta: 500000.0,
    }),
    shards: 30,
  };
}

const qwen2Config = (s: DenseShape, extra: Record<string, unknown>) =>
  denseConfig(s, "Qwen2ForCausalLM", "qwen2", { use_sliding_window: false, ...extra });

export const QWEN25_7B: DenseShape = {
  layers: 28,
  hidden: 3584,
  intermediate: 18944,
  heads: 28,
  kvHeads: 4,
  vocab: 152064,
  tied: false,
  qkvBias: true,
};

/** Qwen/Qwen2.5-7B: q/k/v biases, untied. */
export function qwen25_7b(): Layout {
  return {
    repo: "Qwen/Qwen2.5-7B",
    tensors: dense(QWEN25_7B),
    config: qwen2Config(QWEN25_7B, {
      max_position_embeddings: 131072,
      sliding_window: 131072,
      max_window_layers: 28,
      rope_theta: 1000000.0,
    }),
    shards: 4,
  };
}

export const QWEN25_1_5B: DenseShape = {
  layers: 28,
  hidden: 1536,
  intermediate: 8960,
  heads: 12,
  kvHeads: 2,
  vocab: 151936,
  tied: true,
  qkvBias: true,
};

/** Qwen/Qwen2.5-1.5B: tied embeddings, so no lm_head is stored. */
export function qwen25_1_5b(): Layout {
  return {
    repo: "Qwen/Qwen2.5-1.5B",
    tensors: dense(QWEN25_1_5B),
    config: qwen2Config(QWEN25_1_5B, {
      max_position_embeddings: 131072,
      sliding_window: 131072,
      max_window_layers: 21,
    }),
    shards: 1,
  };
}

/** deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B: Qwen2.5-1.5B's shapes, embeddings untied. */
export function deepseekR1DistillQwen1_5b(): Layout {
  const shape = { ...QWEN25_1_5B, tied: false };
  return {
    repo: "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B",
    tensors: dense(shape),
    config: qwen2Config(shape, {
      max_position_embeddings: 131072,
      sliding_window: 4096,
      max_window_layers: 21,
    }),
    shards: 1,
  };
}

// ---------------------------------------------------------------------------------------------
// Mixture of experts: Mixtral, DeepSeek-V3, gpt-oss

export interface MixtralShape {
  layers: number;
  hidden: number;
  intermediate: number;
  heads: number;
  kvHeads: number;
  experts: number;
  topK: number;
  vocab: number;
  context: number;
}

export const MIXTRAL_8X7B: MixtralShape = {
  layers: 32,
  hidden: 4096,
  intermediate: 14336,
  heads: 32,
  kvHeads: 8,
  experts: 8,
  topK: 2,
  vocab: 32000,
  context: 32768,
};

export const MIXTRAL_8X22B: MixtralShape = {
  layers: 56,
  hidden: 6144,
  intermediate: 16384,
  heads: 48,
  kvHeads: 8,
  experts: 8,
  topK: 2,
  vocab: 32000,
  context: 65536,
};

/**
 * Mixtral: Mistral's attention, then a router and `experts` MLPs of w1/w2/w3 per layer.
 * mistralai/Mixtral-8x7B-v0.1 by default; MIXTRAL_8X22B is microsoft/WizardLM-2-8x22B's shape.
 */
export function mixtral(
  s: MixtralShape = MIXTRAL_8X7B,
  repo = "mistralai/Mixtral-8x7B-v0.1",
): Layout {
  const { hidden: h, intermediate: inter, vocab } = s;
  const q = h;
  const kv = (s.kvHeads * h) / s.heads;
  const d = "BF16";
  const out = [t("model.embed_tokens.weight", d, [vocab, h])];
  for (let l = 0; l < s.layers; l++) {
    const p = `model.layers.${l}.`;
    out.push(
      t(p + "self_attn.q_proj.weight", d, [q, h]),
      t(p + "self_attn.k_proj.weight", d, [kv, h]),
      t(p + "self_attn.v_proj.weight", d, [kv, h]),
      t(p + "self_attn.o_proj.weight", d, [h, q]),
      t(p + "block_sparse_moe.gate.weight", d, [s.experts, h]),
    );
    for (let e = 0; e < s.experts; e++) {
      const x = `${p}block_sparse_moe.experts.${e}.`;
      out.push(
        t(x + "w1.weight", d, [inter, h]),
        t(x + "w2.weight", d, [h, inter]),
        t(x + "w3.weight", d, [inter, h]),
      );
    }
    out.push(
      t(p + "input_layernorm.weight", d, [h]),
      t(p + "post_attention_layernorm.weight", d, [h]),
    );
  }
  out.push(t("model.norm.weight", d, [h]), t("lm_head.weight", d, [vocab, h]));
  return {
    repo,
    tensors: out,
    config: {
      architectures: ["MixtralForCausalLM"],
      model_type: "mixtral",
      hidden_size: h,
      intermediate_size: inter,
      max_position_embeddings: s.context,
      num_attention_heads: s.heads,
      num_experts_per_tok: s.topK,
      num_hidden_layers: s.layers,
      num_key_value_heads: s.kvHeads,
      num_local_experts: s.experts,
      rope_theta: 1000000.0,
      sliding_window: null,
      tie_word_embeddings: false,
      torch_dtype: "bfloat16",
      vocab_size: vocab,
    },
    shards: s === MIXTRAL_8X22B ? 59 : 19,
  };
}

/** mistralai/Mixtral-8x7B-v0.1. */
export const mixtral8x7b = (): Layout => mixtral();

/** FP8 E4M3 weight with its F32 inverse scale per 128 × 128 block (DeepSeek-V3's layout). */
function fp8Linear(name: string, out: number, inp: number): LayoutTensor[] {
  return [
    t(`${name}.weight`, "F8_E4M3", [out, inp]),
    t(`${name}.weight_scale_inv`, "F32", [ceilDiv(out, 128), ceilDiv(inp, 128)]),
  ];
}

export const DEEPSEEK_V3_CONFIG: Record<string, unknown> = {
  architectures: ["DeepseekV3ForCausalLM"],
  model_type: "deepseek_v3",
  first_k_dense_replace: 3,
  hidden_size: 7168,
  intermediate_size: 18432,
  kv_lora_rank: 512,
  max_position_embeddings: 163840,
  moe_intermediate_size: 2048,
  moe_layer_freq: 1,
  n_group: 8,
  n_routed_experts: 256,
  n_shared_experts: 1,
  num_attention_heads: 128,
  num_experts_per_tok: 8,
  num_hidden_layers: 61,
  num_key_value_heads: 128,
  num_nextn_predict_layers: 1,
  q_lora_rank: 1536,
  qk_nope_head_dim: 128,
  qk_rope_head_dim: 64,
  quantization_config: {
    activation_scheme: "dynamic",
    fmt: "e4m3",
    quant_method: "fp8",
    weight_block_size: [128, 128],
  },
  tie_word_embeddings: false,
  topk_group: 4,
  torch_dtype: "bfloat16",
  v_head_dim: 128,
  vocab_size: 129280,
};

/**
 * deepseek-ai/DeepSeek-V3: MLA attention, 3 dense layers then 58 MoE layers of 256 routed
 * experts (top-8) and 1 shared, every linear layer of the blocks in FP8 with block scales; the
 * router, norms, embeddings and head in BF16. Layer 61 is the multi-token-prediction module: a
 * full MoE layer plus its own embedding, projections and head.
 */
export function deepseekV3(): Layout {
  const h = 7168;
  const vocab = 129280;
  const heads = 128;
  const [qRank, kvRank, rope, nope, vDim] = [1536, 512, 64, 128, 128];
  const [inter, moeInter, experts] = [18432, 2048, 256];
  const out = [t("model.embed_tokens.weight", "BF16", [vocab, h])];
  const layer = (l: number, dense: boolean): LayoutTensor[] => {
    const p = `model.layers.${l}.`;
    const a = `${p}self_attn.`;
    const ts: LayoutTensor[] = [
      ...fp8Linear(a + "q_a_proj", qRank, h),
      t(a + "q_a_layernorm.weight", "BF16", [qRank]),
      ...fp8Linear(a + "q_b_proj", heads * (nope + rope), qRank),
      ...fp8Linear(a + "kv_a_proj_with_mqa", kvRank + rope, h),
      t(a + "kv_a_layernorm.weight", "BF16", [kvRank]),
      ...fp8Linear(a + "kv_b_proj", heads * (nope + vDim), kvRank),
      ...fp8Linear(a + "o_proj", h, heads * vDim),
    ];
    const mlp = (m: string, width: number) => [
      ...fp8Linear(m + "gate_proj", width, h),
      ...fp8Linear(m + "up_proj", width, h),
      ...fp8Linear(m + "down_proj", h, width),
    ];
    if (dense) ts.push(...mlp(`${p}mlp.`, inter));
    else {
      for (let e = 0; e < experts; e++) ts.push(...mlp(`${p}mlp.experts.${e}.`, moeInter));
      ts.push(
        t(`${p}mlp.gate.weight`, "BF16", [experts, h]),
        t(`${p}mlp.gate.e_score_correction_bias`, "F32", [experts]),
        ...mlp(`${p}mlp.shared_experts.`, moeInter),
      );
    }
    ts.push(
      t(p + "input_layernorm.weight", "BF16", [h]),
      t(p + "post_attention_layernorm.weight", "BF16", [h]),
    );
    return ts;
  };
  for (let l = 0; l < 61; l++) out.push(...layer(l, l < 3));
  const m = "model.layers.61.";
  out.push(
    t(m + "embed_tokens.weight", "BF16", [vocab, h]),
    t(m + "enorm.weight", "BF16", [h]),
    t(m + "hnorm.weight", "BF16", [h]),
    t(m + "eh_proj.weight", "BF16", [h, 2 * h]),
    ...layer(61, false),
    t(m + "shared_head.norm.weight", "BF16", [h]),
    t(m + "shared_head.head.weight", "BF16", [vocab, h]),
  );
  out.push(t("model.norm.weight", "BF16", [h]), t("lm_head.weight", "BF16", [vocab, h]));
  return { repo: "deepseek-ai/DeepSeek-V3", tensors: out, config: DEEPSEEK_V3_CONFIG, shards: 163 };
}

export interface GptOssShape {
  layers: number;
  experts: number;
  topK: number;
  hidden: number;
  intermediate: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
}

export const GPT_OSS_20B: GptOssShape = {
  layers: 24,
  experts: 32,
  topK: 4,
  hidden: 2880,
  intermediate: 2880,
  heads: 64,
  kvHeads: 8,
  headDim: 64,
  vocab: 201088,
};

export const GPT_OSS_120B: GptOssShape = { ...GPT_OSS_20B, layers: 36, experts: 128 };

/**
 * openai/gpt-oss-20b and -120b: experts fused (E first), their weights in MXFP4 as U8 blocks
 * [E, out, in/32, 16] with U8 E8M0 scales [E, out, in/32]; everything else BF16. With `config`
 * false the layout has no quantization config (for the name-pattern rule).
 */
export function gptOss(s: GptOssShape = GPT_OSS_20B, repo = "openai/gpt-oss-20b"): Layout {
  const d = "BF16";
  const q = s.heads * s.headDim;
  const kv = s.kvHeads * s.headDim;
  const out = [t("model.embed_tokens.weight", d, [s.vocab, s.hidden])];
  for (let l = 0; l < s.layers; l++) {
    const p = `model.layers.${l}.`;
    const x = `${p}mlp.experts.`;
    out.push(
      t(p + "input_layernorm.weight", d, [s.hidden]),
      t(p + "self_attn.q_proj.weight", d, [q, s.hidden]),
      t(p + "self_attn.q_proj.bias", d, [q]),
      t(p + "self_attn.k_proj.weight", d, [kv, s.hidden]),
      t(p + "self_attn.k_proj.bias", d, [kv]),
      t(p + "self_attn.v_proj.weight", d, [kv, s.hidden]),
      t(p + "self_attn.v_proj.bias", d, [kv]),
      t(p + "self_attn.o_proj.weight", d, [s.hidden, q]),
      t(p + "self_attn.o_proj.bias", d, [s.hidden]),
      t(p + "self_attn.sinks", d, [s.heads]),
      t(p + "post_attention_layernorm.weight", d, [s.hidden]),
      t(p + "mlp.router.weight", d, [s.experts, s.hidden]),
      t(p + "mlp.router.bias", d, [s.experts]),
      t(x + "gate_up_proj_blocks", "U8", [s.experts, 2 * s.intermediate, s.hidden / 32, 16]),
      t(x + "gate_up_proj_scales", "U8", [s.experts, 2 * s.intermediate, s.hidden / 32]),
      t(x + "gate_up_proj_bias", d, [s.experts, 2 * s.intermediate]),
      t(x + "down_proj_blocks", "U8", [s.experts, s.hidden, s.intermediate / 32, 16]),
      t(x + "down_proj_scales", "U8", [s.experts, s.hidden, s.intermediate / 32]),
      t(x + "down_proj_bias", d, [s.experts, s.hidden]),
    );
  }
  out.push(t("model.norm.weight", d, [s.hidden]), t("lm_head.weight", d, [s.vocab, s.hidden]));
  return {
    repo,
    tensors: out,
    config: {
      architectures: ["GptOssForCausalLM"],
      model_type: "gpt_oss",
      hidden_size: s.hidden,
      intermediate_size: s.intermediate,
      num_hidden_layers: s.layers,
      num_attention_heads: s.heads,
      num_key_value_heads: s.kvHeads,
      head_dim: s.headDim,
      vocab_size: s.vocab,
      max_position_embeddings: 131072,
      num_local_experts: s.experts,
      num_experts_per_tok: s.topK,
      experts_per_token: s.topK,
      sliding_window: 128,
      layer_types: Array.from({ length: s.layers }, (_, i) =>
        i % 2 === 0 ? "sliding_attention" : "full_attention",
      ),
      tie_word_embeddings: false,
      quantization_config: {
        quant_method: "mxfp4",
        modules_to_not_convert: [
          "model.layers.*.self_attn",
          "model.layers.*.mlp.router",
          "model.embed_tokens",
          "lm_head",
        ],
      },
    },
    shards: 3,
  };
}

// ---------------------------------------------------------------------------------------------
// Small synthetic layouts, one per quantization format. Each quantizes the linear layers of the
// same small dense model, so its logical count must equal that model's unquantized count.

export const TINY: DenseShape = {
  layers: 2,
  hidden: 128,
  intermediate: 256,
  heads: 4,
  kvHeads: 2,
  vocab: 1024,
  tied: false,
  dtype: "F16",
};

/** The unquantized model the synthetic layouts quantize. */
export function tinyDense(): Layout {
  return {
    repo: "synthetic dense",
    tensors: dense(TINY),
    config: llamaConfig(TINY, {}),
    shards: 1,
  };
}

function quantized(
  repo: string,
  perLinear: (m: Linear) => LayoutTensor[],
  quantization: Record<string, unknown>,
  key = "quantization_config",
): Layout {
  const { linears, others } = denseModules(TINY);
  return {
    repo,
    tensors: [...others, ...linears.flatMap(perLinear)],
    config: llamaConfig(TINY, { [key]: quantization }),
    shards: 1,
  };
}

/** GPTQ: qweight I32 [in·b/32, out], qzeros I32 [in/g, out·b/32], scales F16 [in/g, out], g_idx. */
export function gptq(bits: number, group = 64): Layout {
  return quantized(
    `synthetic GPTQ ${bits}-bit`,
    (m) => [
      t(`${m.name}.qweight`, "I32", [(m.in * bits) / 32, m.out]),
      t(`${m.name}.qzeros`, "I32", [m.in / group, (m.out * bits) / 32]),
      t(`${m.name}.scales`, "F16", [m.in / group, m.out]),
      t(`${m.name}.g_idx`, "I32", [m.in]),
    ],
    { quant_method: "gptq", bits, group_size: group, desc_act: false, sym: true },
  );
}

/** AWQ (GEMM): qweight I32 [in, out·b/32], qzeros I32 [in/g, out·b/32], scales F16 [in/g, out]. */
export function awq(bits = 4, group = 64): Layout {
  return quantized(
    `synthetic AWQ ${bits}-bit`,
    (m) => [
      t(`${m.name}.qweight`, "I32", [m.in, (m.out * bits) / 32]),
      t(`${m.name}.qzeros`, "I32", [m.in / group, (m.out * bits) / 32]),
      t(`${m.name}.scales`, "F16", [m.in / group, m.out]),
    ],
    { quant_method: "awq", bits, group_size: group, zero_point: true, version: "gemm" },
  );
}

/** bitsandbytes NF4 as transformers serializes it: U8 [out·in/2, 1] plus its quant state. */
export function bnb4bit(): Layout {
  return quantized(
    "synthetic bitsandbytes 4-bit",
    (m) => [
      t(`${m.name}.weight`, "U8", [(m.out * m.in) / 2, 1]),
      t(`${m.name}.weight.absmax`, "U8", [(m.out * m.in) / 64]),
      t(`${m.name}.weight.quant_map`, "F32", [16]),
      t(`${m.name}.weight.nested_absmax`, "F32", [ceilDiv((m.out * m.in) / 64, 256)]),
      t(`${m.name}.weight.nested_quant_map`, "F32", [256]),
      t(`${m.name}.weight.quant_state.bitsandbytes__nf4`, "U8", [117]),
    ],
    {
      quant_method: "bitsandbytes",
      load_in_4bit: true,
      load_in_8bit: false,
      bnb_4bit_quant_type: "nf4",
      bnb_4bit_compute_dtype: "bfloat16",
    },
  );
}

/** bitsandbytes LLM.int8(): I8 weights (×1) with F32 SCB row scales. */
export function bnb8bit(): Layout {
  return quantized(
    "synthetic bitsandbytes 8-bit",
    (m) => [
      t(`${m.name}.weight`, "I8", [m.out, m.in]),
      t(`${m.name}.SCB`, "F32", [m.out]),
      t(`${m.name}.weight_format`, "U8", []),
    ],
    { quant_method: "bitsandbytes", load_in_8bit: true, load_in_4bit: false },
  );
}

/**
 * compressed-tensors pack-quantized with two groups (MLP 4-bit, attention 8-bit): each
 * module's bits come from its own group (huggingface.js#2215 applied one group's to all).
 */
export function compressedTensors(): Layout {
  const bitsOf = (name: string) => (name.includes(".mlp.") ? 4 : 8);
  return quantized(
    "synthetic compressed-tensors (4-bit MLP, 8-bit attention)",
    (m) => {
      const b = bitsOf(m.name);
      return [
        t(`${m.name}.weight_packed`, "I32", [m.out, (m.in * b) / 32]),
        t(`${m.name}.weight_scale`, "BF16", [m.out, m.in / 32]),
        t(`${m.name}.weight_zero_point`, "I32", [(m.out * b) / 32, m.in / 32]),
        t(`${m.name}.weight_shape`, "I64", [2]),
      ];
    },
    {
      quant_method: "compressed-tensors",
      format: "pack-quantized",
      config_groups: {
        group_0: {
          targets: ["re:.*mlp.*"],
          weights: {
            num_bits: 4,
            type: "int",
            symmetric: false,
            strategy: "group",
            group_size: 32,
          },
        },
        group_1: {
          targets: ["re:.*self_attn.*"],
          weights: {
            num_bits: 8,
            type: "int",
            symmetric: false,
            strategy: "group",
            group_size: 32,
          },
        },
      },
      ignore: ["lm_head"],
      kv_cache_scheme: { num_bits: 8, type: "float", strategy: "tensor", dynamic: false },
    },
  );
}

/** NVIDIA ModelOpt NVFP4: U8 [out, in/2], F8_E4M3 scales per 16 values, F32 global scales. */
export function nvfp4(): Layout {
  return quantized(
    "synthetic ModelOpt NVFP4",
    (m) => [
      t(`${m.name}.weight`, "U8", [m.out, m.in / 2]),
      t(`${m.name}.weight_scale`, "F8_E4M3", [m.out, m.in / 16]),
      t(`${m.name}.weight_scale_2`, "F32", []),
      t(`${m.name}.input_scale`, "F32", []),
    ],
    { quant_method: "modelopt", quant_algo: "NVFP4", group_size: 16, kv_cache_quant_algo: "FP8" },
  );
}

/** MLX affine 4-bit (one module at 8 bits): U32 [out, in·b/32], scales and biases per group. */
export function mlx(): Layout {
  const special = "model.layers.0.mlp.down_proj";
  const quantization = { group_size: 64, bits: 4, [special]: { group_size: 64, bits: 8 } };
  const layout = quantized(
    "synthetic MLX 4-bit",
    (m) => {
      const b = m.name === special ? 8 : 4;
      return [
        t(`${m.name}.weight`, "U32", [m.out, (m.in * b) / 32]),
        t(`${m.name}.scales`, "BF16", [m.out, m.in / 64]),
        t(`${m.name}.biases`, "BF16", [m.out, m.in / 64]),
      ];
    },
    quantization,
    "quantization",
  );
  layout.config["quantization_config"] = quantization;
  return layout;
}

// ---------------------------------------------------------------------------------------------
// Shards, tables and checkpoints built from a layout

export interface Shard {
  /** model-00001-of-00004.safetensors */
  file: string;
  tensors: LayoutTensor[];
  bytes: bigint;
}

/** transformers' save_pretrained default max_shard_size, "5GB". */
export const HF_MAX_SHARD_BYTES = 5_000_000_000n;

/** huggingface_hub's rule: start a new shard when the next tensor would pass the maximum.
 * Returns each shard's first tensor index. */
function greedy(sizes: readonly bigint[], max: bigint): number[] {
  const starts = [0];
  let size = 0n;
  for (let i = 0; i < sizes.length; i++) {
    const b = sizes[i]!;
    if (size + b > max && i > starts[starts.length - 1]!) {
      starts.push(i);
      size = 0n;
    }
    size += b;
  }
  return starts;
}

/**
 * Splits tensors, in order, into `shardCount` consecutive shards as Hugging Face does: greedily
 * under a maximum shard size. The maximum is `maxShardBytes` when given, else transformers'
 * default 5 GB when that gives `shardCount` shards (it reproduces the published Mixtral-8x7B
 * and WizardLM-2-8x22B indexes exactly), else the smallest maximum that gives that many
 * (shards balanced by bytes).
 */
export function shardLayout(
  tensors: readonly LayoutTensor[],
  shardCount: number,
  maxShardBytes?: bigint,
): Shard[] {
  if (shardCount < 1 || shardCount > tensors.length)
    throw new RangeError(`cannot split ${tensors.length} tensors into ${shardCount} shards`);
  const sizes = tensors.map(byteSize);
  let starts: number[];
  if (maxShardBytes !== undefined) starts = greedy(sizes, maxShardBytes);
  else {
    starts = greedy(sizes, HF_MAX_SHARD_BYTES);
    if (starts.length !== shardCount) {
      let lo = 0n;
      let hi = 0n;
      for (const b of sizes) {
        hi += b;
        if (b > lo) lo = b;
      }
      while (lo < hi) {
        const mid = (lo + hi) / 2n;
        if (greedy(sizes, mid).length <= shardCount) hi = mid;
        else lo = mid + 1n;
      }
      starts = greedy(sizes, lo);
      // A dominant tensor can leave fewer shards than asked: split the longest further.
      while (starts.length < shardCount) {
        let k = 0;
        let longest = 0;
        for (let i = 0; i < starts.length; i++) {
          const len = (starts[i + 1] ?? sizes.length) - starts[i]!;
          if (len > longest) [k, longest] = [i, len];
        }
        starts.splice(k + 1, 0, starts[k]! + (longest >> 1));
      }
    }
  }
  if (starts.length !== shardCount)
    throw new RangeError(`${starts.length} shards at that size, not ${shardCount}`);
  const digits = (n: number) => String(n).padStart(5, "0");
  return starts.map((from, i) => {
    const to = starts[i + 1] ?? tensors.length;
    let bytes = 0n;
    for (let k = from; k < to; k++) bytes += sizes[k]!;
    return {
      file: `model-${digits(i + 1)}-of-${digits(shardCount)}.safetensors`,
      tensors: tensors.slice(from, to),
      bytes,
    };
  });
}

/** model.safetensors.index.json for these shards, weight_map sorted as transformers writes it. */
export function indexJson(
  shards: readonly Shard[],
  metadata: Record<string, unknown> = {},
): { metadata: Record<string, unknown>; weight_map: Record<string, string> } {
  const pairs: Array<[string, string]> = [];
  for (const s of shards) for (const x of s.tensors) pairs.push([x.name, s.file]);
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const total = shards.reduce((a, s) => a + s.bytes, 0n);
  return {
    metadata: { total_size: Number(total), ...metadata },
    weight_map: Object.fromEntries(pairs),
  };
}

/** A TensorTable as the header parser would build it, tensors back to back in list order. */
export function tableOf(tensors: readonly LayoutTensor[]): TensorTable {
  const b = new TensorTableBuilder(tensors.length);
  let at = 0n;
  for (const x of tensors) {
    const id = dtypeId(x.dtype);
    if (id < 0) throw new Error(`unknown dtype ${x.dtype}`);
    const size = byteSize(x);
    b.add(x.name, id, BigUint64Array.from(x.shape), x.shape.length, at, at + size);
    at += size;
  }
  return b.finish();
}

/**
 * What the summary says of these tensors as one file (fileOf) with this config.json: the model
 * facts the analysis makes (parameters, architecture, quantization, MoE, findings). A file built
 * once can be given instead, to summarise a large layout under several configs.
 */
export function analyzeTensors(
  tensors: readonly LayoutTensor[] | SafetensorsFile,
  input: { config?: unknown; configPath?: string } = {},
): ModelSummary {
  const file = "format" in tensors ? tensors : fileOf("model.safetensors", tensors);
  const cp: Checkpoint = { target: "test", kind: "file", files: [file], findings: [] };
  if (input.config !== undefined) cp.config = input.config;
  if (input.configPath !== undefined) cp.configPath = input.configPath;
  return summarize(cp);
}

/** A parsed, valid file holding these tensors, as the reader would return it, without parsing. */
export function fileOf(
  name: string,
  tensors: readonly LayoutTensor[],
  metadata: Record<string, string> = { format: "pt" },
): SafetensorsFile {
  const table = tableOf(tensors);
  const { header, dataBytes } = canonicalHeader(tensors, { metadata });
  const headerLength = BigInt(Buffer.byteLength(header));
  return {
    format: "safetensors",
    name,
    fileBytes: 8n + headerLength + dataBytes,
    headerLength,
    header: {
      tensors: table,
      metadata: new Map(Object.entries(metadata)),
      metadataState: "present",
      leadingWhitespace: 0,
      trailingWhitespace: header.length - header.trimEnd().length,
      complete: true,
    },
    order: Uint32Array.from({ length: table.count }, (_, i) => i),
    dataBytes,
    findings: [],
  };
}

/** The layout as a checkpoint of `shards` files (default: one), with its config. */
export function checkpointOf(
  layout: Layout,
  options: { shards?: number; config?: unknown; withoutConfig?: boolean } = {},
): Checkpoint {
  const n = options.shards ?? 1;
  const files =
    n === 1
      ? [fileOf("model.safetensors", layout.tensors)]
      : shardLayout(layout.tensors, n).map((s) => fileOf(s.file, s.tensors));
  const cp: Checkpoint = {
    target: layout.repo,
    kind: n === 1 ? "file" : "sharded",
    files,
    findings: [],
  };
  if (!options.withoutConfig) {
    cp.config = options.config ?? layout.config;
    cp.configPath = "config.json";
  }
  return cp;
}
