// Regenerates fixtures/: a tiny Llama-architecture checkpoint (2 layers, hidden 64, GQA 4/2,
// untied head) with deterministic BF16 weights and its config.json. Run: npm run fixtures.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalHeader, rawFile, type TensorSpec } from "../test/helpers/safetensors.js";

const hidden = 64;
const heads = 4;
const kvHeads = 2;
const headDim = hidden / heads;
const intermediate = 128;
const layers = 2;
const vocab = 512;

const tensors: TensorSpec[] = [
  { name: "model.embed_tokens.weight", dtype: "BF16", shape: [vocab, hidden] },
  { name: "model.norm.weight", dtype: "BF16", shape: [hidden] },
  { name: "lm_head.weight", dtype: "BF16", shape: [vocab, hidden] },
];
for (let l = 0; l < layers; l++) {
  const p = `model.layers.${l}`;
  tensors.push(
    { name: `${p}.input_layernorm.weight`, dtype: "BF16", shape: [hidden] },
    { name: `${p}.post_attention_layernorm.weight`, dtype: "BF16", shape: [hidden] },
    { name: `${p}.self_attn.q_proj.weight`, dtype: "BF16", shape: [heads * headDim, hidden] },
    { name: `${p}.self_attn.k_proj.weight`, dtype: "BF16", shape: [kvHeads * headDim, hidden] },
    { name: `${p}.self_attn.v_proj.weight`, dtype: "BF16", shape: [kvHeads * headDim, hidden] },
    { name: `${p}.self_attn.o_proj.weight`, dtype: "BF16", shape: [hidden, heads * headDim] },
    { name: `${p}.mlp.gate_proj.weight`, dtype: "BF16", shape: [intermediate, hidden] },
    { name: `${p}.mlp.up_proj.weight`, dtype: "BF16", shape: [intermediate, hidden] },
    { name: `${p}.mlp.down_proj.weight`, dtype: "BF16", shape: [hidden, intermediate] },
  );
}
// The reference writer's order: by dtype, then by name.
tensors.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

// Deterministic weights: a 32-bit LCG mapped to [-0.1, 0.1), norms at 1.0, stored as BF16.
let seed = 0x2545f491;
const next = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const chunks: Buffer[] = [];
for (const t of tensors) {
  const n = t.shape.reduce<number>((a, b) => a * Number(b), 1);
  const buf = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) {
    f32[0] = t.name.endsWith("norm.weight") ? 1 : (next() - 0.5) * 0.2;
    buf.writeUInt16LE(u32[0]! >>> 16, i * 2);
  }
  chunks.push(buf);
}
const { header } = canonicalHeader(tensors, { metadata: { format: "pt" } });
const dir = join(process.cwd(), "fixtures", "tiny-llama");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "model.safetensors"), rawFile(header, Buffer.concat(chunks)));
const config = {
  architectures: ["LlamaForCausalLM"],
  model_type: "llama",
  hidden_size: hidden,
  intermediate_size: intermediate,
  num_hidden_layers: layers,
  num_attention_heads: heads,
  num_key_value_heads: kvHeads,
  head_dim: headDim,
  vocab_size: vocab,
  max_position_embeddings: 2048,
  rms_norm_eps: 1e-5,
  rope_theta: 10000.0,
  tie_word_embeddings: false,
  torch_dtype: "bfloat16",
};
writeFileSync(join(dir, "config.json"), JSON.stringify(config, null, 2) + "\n");
console.log(`wrote ${dir}: ${tensors.length} tensors`);
