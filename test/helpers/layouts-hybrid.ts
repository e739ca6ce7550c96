// Header-only layouts of published checkpoints whose memory is not one KV cache per layer:
// Mamba hybrids, linear attention, chunked attention, interleaved sliding windows, multimodal
// towers and MTP modules. Real tensor names, dtypes and shapes in module order, with the
// config.json fields their loaders read (as published: Nemotron-H's time_step_limit holds
// Python's Infinity, so its config is also given as the text Python wrote).

import type { Layout, LayoutTensor } from "./layouts.js";

const t = (name: string, dtype: string, shape: Array<number | bigint>): LayoutTensor => ({
  name,
  dtype,
  shape: shape.map(BigInt),
});
const B = "BF16";

// ---------------------------------------------------------------------------------------------
// nvidia/NVIDIA-Nemotron-Nano-9B-v2: 27 Mamba-2, 4 attention and 25 MLP layers

export const NEMOTRON_NANO_9B_V2_PATTERN =
  "M-M-M-MM-M-M-M*-M-M-M*-M-M-M-M*-M-M-M-M*-M-MM-M-M-M-M-M-";

export const NEMOTRON_NANO_9B_V2_CONFIG: Record<string, unknown> = {
  architectures: ["NemotronHForCausalLM"],
  model_type: "nemotron_h",
  attention_bias: false,
  chunk_size: 128,
  conv_kernel: 4,
  expand: 2,
  head_dim: 128,
  hidden_size: 4480,
  hybrid_override_pattern: NEMOTRON_NANO_9B_V2_PATTERN,
  intermediate_size: 15680,
  mamba_head_dim: 80,
  mamba_hidden_act: "silu",
  mamba_num_heads: 128,
  mamba_proj_bias: false,
  max_position_embeddings: 131072,
  mlp_hidden_act: "relu2",
  n_groups: 8,
  num_attention_heads: 40,
  num_hidden_layers: 56,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  ssm_state_size: 128,
  tie_word_embeddings: false,
  time_step_floor: 0.0001,
  time_step_limit: [0.0, Infinity],
  time_step_max: 0.1,
  time_step_min: 0.001,
  torch_dtype: "bfloat16",
  use_conv_bias: true,
  vocab_size: 131072,
};

/** config.json as transformers writes it with Python's json module: a bare Infinity. */
export function pythonJson(config: Record<string, unknown>): string {
  const marked = JSON.stringify(
    config,
    (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? `@@${v}@@` : v),
    2,
  );
  return marked.replace(/"@@(-?Infinity|NaN)@@"/g, "$1");
}

export function nemotronNano9bV2(): Layout {
  const h = 4480;
  const [heads, headDim, state, groups, kernel] = [128, 80, 128, 8, 4];
  const inner = heads * headDim; // 10240
  const convDim = inner + 2 * groups * state; // 12288
  const out = [t("backbone.embeddings.weight", B, [131072, h])];
  [...NEMOTRON_NANO_9B_V2_PATTERN].forEach((kind, l) => {
    const p = `backbone.layers.${l}.`;
    const m = `${p}mixer.`;
    out.push(t(p + "norm.weight", B, [h]));
    if (kind === "M")
      out.push(
        t(m + "A_log", "F32", [heads]),
        t(m + "D", "F32", [heads]),
        t(m + "conv1d.bias", B, [convDim]),
        t(m + "conv1d.weight", B, [convDim, 1, kernel]),
        t(m + "dt_bias", B, [heads]),
        t(m + "in_proj.weight", B, [2 * inner + 2 * groups * state + heads, h]),
        t(m + "norm.weight", B, [inner]),
        t(m + "out_proj.weight", B, [h, inner]),
      );
    else if (kind === "*")
      out.push(
        t(m + "q_proj.weight", B, [40 * 128, h]),
        t(m + "k_proj.weight", B, [8 * 128, h]),
        t(m + "v_proj.weight", B, [8 * 128, h]),
        t(m + "o_proj.weight", B, [h, 40 * 128]),
      );
    else out.push(t(m + "up_proj.weight", B, [15680, h]), t(m + "down_proj.weight", B, [h, 15680]));
  });
  out.push(t("backbone.norm_f.weight", B, [h]), t("lm_head.weight", B, [131072, h]));
  return {
    repo: "nvidia/NVIDIA-Nemotron-Nano-9B-v2",
    tensors: out,
    config: NEMOTRON_NANO_9B_V2_CONFIG,
    shards: 4,
  };
}

// ---------------------------------------------------------------------------------------------
// Qwen/Qwen3-Next-80B-A3B-Instruct: 36 Gated DeltaNet + 12 full-attention layers, 512 experts
// (top-10) and a shared expert per layer, and an MTP block under mtp.

export const QWEN3_NEXT_80B_CONFIG: Record<string, unknown> = {
  architectures: ["Qwen3NextForCausalLM"],
  model_type: "qwen3_next",
  decoder_sparse_step: 1,
  full_attention_interval: 4,
  head_dim: 256,
  hidden_size: 2048,
  intermediate_size: 5120,
  linear_conv_kernel_dim: 4,
  linear_key_head_dim: 128,
  linear_num_key_heads: 16,
  linear_num_value_heads: 32,
  linear_value_head_dim: 128,
  max_position_embeddings: 262144,
  mlp_only_layers: [],
  moe_intermediate_size: 512,
  norm_topk_prob: true,
  num_attention_heads: 16,
  num_experts: 512,
  num_experts_per_tok: 10,
  num_hidden_layers: 48,
  num_key_value_heads: 2,
  partial_rotary_factor: 0.25,
  rope_theta: 10000000,
  shared_expert_intermediate_size: 512,
  tie_word_embeddings: false,
  torch_dtype: "bfloat16",
  vocab_size: 151936,
};

function qwen3NextLayer(p: string, full: boolean): LayoutTensor[] {
  const h = 2048;
  const out: LayoutTensor[] = [];
  if (full) {
    const a = `${p}self_attn.`;
    out.push(
      t(a + "k_norm.weight", B, [256]),
      t(a + "k_proj.weight", B, [2 * 256, h]),
      t(a + "o_proj.weight", B, [h, 16 * 256]),
      t(a + "q_norm.weight", B, [256]),
      // Queries and their output gate: 2 × heads × head_dim.
      t(a + "q_proj.weight", B, [2 * 16 * 256, h]),
      t(a + "v_proj.weight", B, [2 * 256, h]),
    );
  } else {
    const a = `${p}linear_attn.`;
    const [kh, vh, kd, vd] = [16, 32, 128, 128];
    out.push(
      t(a + "A_log", "F32", [vh]),
      t(a + "conv1d.weight", B, [2 * kh * kd + vh * vd, 1, 4]),
      t(a + "dt_bias", B, [vh]),
      t(a + "in_proj_ba.weight", B, [2 * vh, h]),
      t(a + "in_proj_qkvz.weight", B, [2 * kh * kd + 2 * vh * vd, h]),
      t(a + "norm.weight", "F32", [vd]),
      t(a + "out_proj.weight", B, [h, vh * vd]),
    );
  }
  out.push(t(`${p}input_layernorm.weight`, B, [h]));
  for (let e = 0; e < 512; e++) {
    const x = `${p}mlp.experts.${e}.`;
    out.push(
      t(x + "down_proj.weight", B, [h, 512]),
      t(x + "gate_proj.weight", B, [512, h]),
      t(x + "up_proj.weight", B, [512, h]),
    );
  }
  out.push(
    t(`${p}mlp.gate.weight`, B, [512, h]),
    t(`${p}mlp.shared_expert.down_proj.weight`, B, [h, 512]),
    t(`${p}mlp.shared_expert.gate_proj.weight`, B, [512, h]),
    t(`${p}mlp.shared_expert.up_proj.weight`, B, [512, h]),
    t(`${p}mlp.shared_expert_gate.weight`, B, [1, h]),
    t(`${p}post_attention_layernorm.weight`, B, [h]),
  );
  return out;
}

export function qwen3Next80b(): Layout {
  const h = 2048;
  const out = [t("lm_head.weight", B, [151936, h]), t("model.embed_tokens.weight", B, [151936, h])];
  for (let l = 0; l < 48; l++) out.push(...qwen3NextLayer(`model.layers.${l}.`, (l + 1) % 4 === 0));
  out.push(t("model.norm.weight", B, [h]));
  out.push(
    t("mtp.fc.weight", B, [h, 2 * h]),
    ...qwen3NextLayer("mtp.layers.0.", true),
    t("mtp.norm.weight", B, [h]),
    t("mtp.pre_fc_norm_embedding.weight", B, [h]),
    t("mtp.pre_fc_norm_hidden.weight", B, [h]),
  );
  return {
    repo: "Qwen/Qwen3-Next-80B-A3B-Instruct",
    tensors: out,
    config: QWEN3_NEXT_80B_CONFIG,
    shards: 41,
  };
}

// ---------------------------------------------------------------------------------------------
// meta-llama/Llama-4-Scout-17B-16E: 48 MoE layers (16 fused experts, top-1, and a shared
// expert), chunked attention (8,192) on 3 layers in 4, and a vision encoder with its projector.

export const LLAMA4_SCOUT_CONFIG: Record<string, unknown> = {
  architectures: ["Llama4ForConditionalGeneration"],
  model_type: "llama4",
  boi_token_index: 200080,
  eoi_token_index: 200081,
  image_token_index: 200092,
  tie_word_embeddings: false,
  torch_dtype: "bfloat16",
  text_config: {
    model_type: "llama4_text",
    attention_chunk_size: 8192,
    head_dim: 128,
    hidden_size: 5120,
    interleave_moe_layer_step: 1,
    intermediate_size: 8192,
    intermediate_size_mlp: 16384,
    max_position_embeddings: 10485760,
    num_attention_heads: 40,
    num_experts_per_tok: 1,
    num_hidden_layers: 48,
    num_key_value_heads: 8,
    num_local_experts: 16,
    rope_theta: 500000.0,
    torch_dtype: "bfloat16",
    use_qk_norm: true,
    vocab_size: 202048,
  },
  vision_config: {
    model_type: "llama4_vision_model",
    hidden_size: 1408,
    image_size: 336,
    intermediate_size: 5632,
    num_attention_heads: 16,
    num_hidden_layers: 34,
    patch_size: 14,
    pixel_shuffle_ratio: 0.5,
    projector_input_dim: 4096,
    projector_output_dim: 4096,
    vision_output_dim: 4096,
  },
};

export function llama4Scout(): Layout {
  const h = 5120;
  const out: LayoutTensor[] = [];
  out.push(t("language_model.lm_head.weight", B, [202048, h]));
  out.push(t("language_model.model.embed_tokens.weight", B, [202048, h]));
  for (let l = 0; l < 48; l++) {
    const p = `language_model.model.layers.${l}.`;
    const f = `${p}feed_forward.`;
    out.push(
      t(f + "experts.down_proj", B, [16, 8192, h]),
      t(f + "experts.gate_up_proj", B, [16, h, 2 * 8192]),
      t(f + "router.weight", B, [16, h]),
      t(f + "shared_expert.down_proj.weight", B, [h, 8192]),
      t(f + "shared_expert.gate_proj.weight", B, [8192, h]),
      t(f + "shared_expert.up_proj.weight", B, [8192, h]),
      t(p + "input_layernorm.weight", B, [h]),
      t(p + "post_attention_layernorm.weight", B, [h]),
      t(p + "self_attn.k_proj.weight", B, [8 * 128, h]),
      t(p + "self_attn.o_proj.weight", B, [h, 40 * 128]),
      t(p + "self_attn.q_proj.weight", B, [40 * 128, h]),
      t(p + "self_attn.v_proj.weight", B, [8 * 128, h]),
    );
  }
  out.push(t("language_model.model.norm.weight", B, [h]));
  out.push(t("multi_modal_projector.linear_1.weight", B, [h, 4096]));
  const v = "vision_model.";
  const vh = 1408;
  out.push(
    t(v + "class_embedding", B, [vh]),
    t(v + "layernorm_post.bias", B, [vh]),
    t(v + "layernorm_post.weight", B, [vh]),
    t(v + "layernorm_pre.bias", B, [vh]),
    t(v + "layernorm_pre.weight", B, [vh]),
  );
  for (let l = 0; l < 34; l++) {
    const p = `${v}model.layers.${l}.`;
    out.push(
      t(p + "input_layernorm.bias", B, [vh]),
      t(p + "input_layernorm.weight", B, [vh]),
      t(p + "mlp.fc1.bias", B, [5632]),
      t(p + "mlp.fc1.weight", B, [5632, vh]),
      t(p + "mlp.fc2.bias", B, [vh]),
      t(p + "mlp.fc2.weight", B, [vh, 5632]),
      t(p + "post_attention_layernorm.bias", B, [vh]),
      t(p + "post_attention_layernorm.weight", B, [vh]),
    );
    for (const x of ["k_proj", "o_proj", "q_proj", "v_proj"])
      out.push(t(`${p}self_attn.${x}.bias`, B, [vh]), t(`${p}self_attn.${x}.weight`, B, [vh, vh]));
  }
  out.push(
    t(v + "patch_embedding.linear.weight", B, [vh, 3 * 14 * 14]),
    t(v + "positional_embedding_vlm", B, [577, vh]),
    t(v + "vision_adapter.mlp.fc1.weight", B, [4096, 5632]),
    t(v + "vision_adapter.mlp.fc2.weight", B, [4096, 4096]),
  );
  return {
    repo: "meta-llama/Llama-4-Scout-17B-16E",
    tensors: out,
    config: LLAMA4_SCOUT_CONFIG,
    shards: 50,
  };
}

// ---------------------------------------------------------------------------------------------
// google/gemma-3-27b-it: 62 layers, 5 sliding (1,024) to 1 global, the pattern left out of
// config.json; a SigLIP vision tower and its projector; embeddings tied.

export const GEMMA3_27B_CONFIG: Record<string, unknown> = {
  architectures: ["Gemma3ForConditionalGeneration"],
  model_type: "gemma3",
  boi_token_index: 255999,
  eoi_token_index: 256000,
  image_token_index: 262144,
  initializer_range: 0.02,
  mm_tokens_per_image: 256,
  text_config: {
    head_dim: 128,
    hidden_size: 5376,
    intermediate_size: 21504,
    model_type: "gemma3_text",
    num_attention_heads: 32,
    num_hidden_layers: 62,
    num_key_value_heads: 16,
    query_pre_attn_scalar: 168,
    rope_scaling: { factor: 8.0, rope_type: "linear" },
    sliding_window: 1024,
  },
  torch_dtype: "bfloat16",
  vision_config: {
    hidden_size: 1152,
    image_size: 896,
    intermediate_size: 4304,
    model_type: "siglip_vision_model",
    num_attention_heads: 16,
    num_hidden_layers: 27,
    patch_size: 14,
    vision_use_head: false,
  },
};

export function gemma3_27b(): Layout {
  const h = 5376;
  const out = [t("language_model.model.embed_tokens.weight", B, [262208, h])];
  for (let l = 0; l < 62; l++) {
    const p = `language_model.model.layers.${l}.`;
    out.push(
      t(p + "input_layernorm.weight", B, [h]),
      t(p + "mlp.down_proj.weight", B, [h, 21504]),
      t(p + "mlp.gate_proj.weight", B, [21504, h]),
      t(p + "mlp.up_proj.weight", B, [21504, h]),
      t(p + "post_attention_layernorm.weight", B, [h]),
      t(p + "post_feedforward_layernorm.weight", B, [h]),
      t(p + "pre_feedforward_layernorm.weight", B, [h]),
      t(p + "self_attn.k_norm.weight", B, [128]),
      t(p + "self_attn.k_proj.weight", B, [16 * 128, h]),
      t(p + "self_attn.o_proj.weight", B, [h, 32 * 128]),
      t(p + "self_attn.q_norm.weight", B, [128]),
      t(p + "self_attn.q_proj.weight", B, [32 * 128, h]),
      t(p + "self_attn.v_proj.weight", B, [16 * 128, h]),
    );
  }
  out.push(t("language_model.model.norm.weight", B, [h]));
  out.push(
    t("multi_modal_projector.mm_input_projection_weight", B, [1152, h]),
    t("multi_modal_projector.mm_soft_emb_norm.weight", B, [1152]),
  );
  const v = "vision_tower.vision_model.";
  const vh = 1152;
  out.push(
    t(v + "embeddings.patch_embedding.bias", B, [vh]),
    t(v + "embeddings.patch_embedding.weight", B, [vh, 3, 14, 14]),
    t(v + "embeddings.position_embedding.weight", B, [4096, vh]),
  );
  for (let l = 0; l < 27; l++) {
    const p = `${v}encoder.layers.${l}.`;
    out.push(
      t(p + "layer_norm1.bias", B, [vh]),
      t(p + "layer_norm1.weight", B, [vh]),
      t(p + "layer_norm2.bias", B, [vh]),
      t(p + "layer_norm2.weight", B, [vh]),
      t(p + "mlp.fc1.bias", B, [4304]),
      t(p + "mlp.fc1.weight", B, [4304, vh]),
      t(p + "mlp.fc2.bias", B, [vh]),
      t(p + "mlp.fc2.weight", B, [vh, 4304]),
    );
    for (const x of ["k_proj", "out_proj", "q_proj", "v_proj"])
      out.push(t(`${p}self_attn.${x}.bias`, B, [vh]), t(`${p}self_attn.${x}.weight`, B, [vh, vh]));
  }
  out.push(t(v + "post_layernorm.bias", B, [vh]), t(v + "post_layernorm.weight", B, [vh]));
  return { repo: "google/gemma-3-27b-it", tensors: out, config: GEMMA3_27B_CONFIG, shards: 12 };
}
