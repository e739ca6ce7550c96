// Regenerates fixtures/: a tiny Llama-architecture checkpoint (2 layers, hidden 64, GQA 4/2,
// untied head) with deterministic BF16 weights and its config.json, and the same architecture as
// a GGUF file in Q8_0 (norms in F32), as llama.cpp names and shapes it. Run: npm run fixtures.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FAMILIES, modelSpec, writeGguf } from "../test/helpers/gguf.js";
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

// The GGUF: each 2-D weight quantized to Q8_0 for real (blocks of 32: an F16 scale, max|x| / 127,
// and 32 signed bytes), so that llama.cpp loads and runs it.
const f16 = (x: number): number => {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = ((b >>> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return sign; // below F16's normal range: zero (no scale here is that small)
  const mant = (b & 0x7fffff) + 0x1000; // round to nearest
  return sign | ((exp + (mant >>> 23)) << 10) | ((mant & 0x7fffff) >>> 13);
};
const q8 = (n: number): Buffer => {
  const out = Buffer.alloc((n / 32) * 34);
  const block = new Float64Array(32);
  for (let b = 0; b < n / 32; b++) {
    let amax = 0;
    for (let i = 0; i < 32; i++) {
      block[i] = (next() - 0.5) * 0.2;
      amax = Math.max(amax, Math.abs(block[i]!));
    }
    const d = amax / 127;
    out.writeUInt16LE(f16(d), b * 34);
    for (let i = 0; i < 32; i++)
      out.writeInt8(d === 0 ? 0 : Math.round(block[i]! / d), b * 34 + 2 + i);
  }
  return out;
};
const spec = modelSpec({
  ...FAMILIES.llama(),
  name: "tiny-llama",
  embd: hidden,
  heads,
  kvHeads,
  ff: intermediate,
  layers,
  vocab,
  context: 2048,
  weightType: "Q8_0",
  fileType: 7, // LLAMA_FTYPE_MOSTLY_Q8_0
  extraKv: [{ key: "llama.rope.dimension_count", type: "u32", value: headDim }],
});
for (const t of spec.tensors) {
  const n = t.ne.reduce<number>((a, b) => a * Number(b), 1);
  t.data = t.type === "F32" ? Buffer.from(new Float32Array(n).fill(1).buffer) : q8(n);
}
const ggufDir = join(process.cwd(), "fixtures", "tiny-llama-gguf");
mkdirSync(ggufDir, { recursive: true });
writeFileSync(join(ggufDir, "tiny-llama-Q8_0.gguf"), writeGguf(spec).bytes);
console.log(`wrote ${ggufDir}: ${spec.tensors.length} tensors`);
