import { describe, expect, it } from "vitest";
import {
  analyzeTensors,
  deepseekR1DistillQwen1_5b,
  gptOss,
  llama31_8b,
  qwen25_1_5b,
  tinyDense,
  type Layout,
} from "../helpers/layouts.js";

const analyze = (l: Layout, config: unknown = l.config) =>
  analyzeTensors(l.tensors, { config, configPath: "config.json" });
const bare = (l: Layout) => analyzeTensors(l.tensors);
const codes = (a: { findings: Array<{ code: string; severity: string }> }) =>
  a.findings.map((f) => `${f.code}:${f.severity}`);

describe("tied embeddings (docs/counting.md §2)", () => {
  it("Qwen2.5-1.5B (tied) and DeepSeek-R1-Distill-Qwen-1.5B (untied) differ by one vocab × hidden matrix", () => {
    const tied = analyze(qwen25_1_5b());
    const untied = analyze(deepseekR1DistillQwen1_5b());
    expect(qwen25_1_5b().tensors).toHaveLength(338);
    expect(tied.parameters.total).toBe(1_543_714_304n);
    expect(untied.parameters.total).toBe(1_777_088_000n);
    expect(untied.parameters.total - tied.parameters.total).toBe(151_936n * 1536n);
    // Qwen's model card: 1.31 B non-embedding parameters.
    expect(((Number(tied.parameters.total) - 151_936 * 1536) / 1e9).toFixed(2)).toBe("1.31");
    expect(tied.architecture?.tiedEmbeddings).toBe(true);
    expect(untied.architecture?.tiedEmbeddings).toBe(false);
    expect(tied.findings).toEqual([]);
    expect(untied.findings).toEqual([]);
  });

  it("counts what is stored: never adds a missing head, never subtracts a stored one", () => {
    const l = deepseekR1DistillQwen1_5b();
    const claimsTied = analyze(l, { ...l.config, tie_word_embeddings: true });
    expect(claimsTied.parameters.total).toBe(1_777_088_000n);
    expect(codes(claimsTied)).toEqual(["CONFIG_MISMATCH:info"]);
    expect(claimsTied.findings[0]!.message).toBe(
      "config.json ties the embeddings, yet lm_head.weight is stored: counted as stored",
    );
    const q = qwen25_1_5b();
    const claimsUntied = analyze(q, { ...q.config, tie_word_embeddings: false });
    expect(claimsUntied.parameters.total).toBe(1_543_714_304n);
    expect(codes(claimsUntied)).toEqual(["CONFIG_MISMATCH:info"]);
  });

  it("infers an untied head from lm_head without config.json, and nothing from its absence", () => {
    expect(bare(deepseekR1DistillQwen1_5b()).architecture).toMatchObject({ tiedEmbeddings: false });
    expect(bare(qwen25_1_5b()).architecture?.tiedEmbeddings).toBeUndefined();
  });
});

describe("architecture", () => {
  it("reads config.json and derives what HF derives (head dim), saying so", () => {
    const a = analyze(llama31_8b());
    expect(a.architecture).toEqual({
      modelType: "llama",
      architectures: ["LlamaForCausalLM"],
      layers: 32,
      hiddenSize: 4096,
      intermediateSize: 14336,
      attentionHeads: 32,
      kvHeads: 8,
      headDim: 128,
      attention: "gqa",
      vocabSize: 128256,
      contextLength: 131072,
      tiedEmbeddings: false,
      inferred: ["head dim = hidden size / attention heads (no head_dim)"],
    });
  });

  it("infers layers, hidden size, vocabulary and an untied head from tensor names alone", () => {
    const a = bare(tinyDense());
    expect(a.architecture).toEqual({
      layers: 2,
      hiddenSize: 128,
      vocabSize: 1024,
      tiedEmbeddings: false,
      inferred: [
        "2 layers, from model.layers.0–1",
        "hidden size 128, from model.embed_tokens.weight",
        "vocabulary 1024, from model.embed_tokens.weight",
        "untied embeddings: lm_head.weight is stored",
      ],
    });
  });

  it("does not invent a layer count from an adapter's few layers", () => {
    const tensors = [36, 37, 38, 39].map((i) => ({
      name: `model.layers.${i}.self_attn.q_proj.lora_a`,
      dtype: "F32",
      shape: [8n, 2304n],
    }));
    const a = bare({ repo: "lora", tensors, config: {}, shards: 1 });
    expect(a.architecture).toEqual({
      inferred: ["layer numbers 36–39 only (4): a partial checkpoint or an adapter"],
    });
  });

  it("has no architecture for tensors that say nothing about one", () => {
    const a = bare({
      repo: "x",
      tensors: [{ name: "mel_80", dtype: "F32", shape: [80n, 201n] }],
      config: {},
      shards: 1,
    });
    expect(a.architecture).toBeUndefined();
  });

  it("flags a config.json that disagrees with the tensors", () => {
    const l = tinyDense();
    const a = analyze(l, { ...l.config, num_hidden_layers: 3, vocab_size: 1000, hidden_size: 96 });
    expect(codes(a)).toEqual([
      "CONFIG_MISMATCH:warning",
      "CONFIG_MISMATCH:warning",
      "CONFIG_MISMATCH:warning",
    ]);
    expect(a.findings.map((f) => f.message)).toEqual([
      "config.json says 3 layers (num_hidden_layers); the tensors have 2 (0–1)",
      "config.json says hidden size 96; model.embed_tokens.weight is 1,024 × 128",
      "config.json says a vocabulary of 1,000; model.embed_tokens.weight has 1,024 rows",
    ]);
    expect(a.findings.every((f) => f.file === "config.json")).toBe(true);
  });

  it("reports a sliding window only where it applies", () => {
    expect(analyze(gptOss()).architecture?.slidingWindow).toBe(128);
    const l = tinyDense();
    const mistral = analyze(l, { ...l.config, sliding_window: 4096 });
    expect(mistral.architecture?.slidingWindow).toBe(4096);
    const qwen = analyze(l, { ...l.config, sliding_window: 4096, use_sliding_window: false });
    expect(qwen.architecture?.slidingWindow).toBeUndefined();
    const none = analyze(l, { ...l.config, sliding_window: null });
    expect(none.architecture?.slidingWindow).toBeUndefined();
  });

  it("turns config.json problems into findings, never into a crash", () => {
    const l = tinyDense();
    const a = analyze(l, { ...l.config, num_hidden_layers: "2" });
    expect(codes(a)).toEqual(["CONFIG_FIELD_IGNORED:info"]);
    expect(a.architecture?.layers).toBe(2); // inferred instead
    expect(a.architecture?.inferred[0]).toBe("2 layers, from model.layers.0–1");
    const b = analyze(l, ["not", "an", "object"]);
    expect(codes(b)).toEqual(["CONFIG_INVALID:warning"]);
    expect(b.parameters.total).toBe(bare(l).parameters.total);
  });
});
