import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readModelConfig } from "../../src/model/model-config.js";
import { REALDATA } from "../helpers/cli.js";
import { DEEPSEEK_V3_CONFIG, gptOss } from "../helpers/layouts.js";

const read = (raw: unknown) => {
  const r = readModelConfig(raw);
  expect(r.config).toBeDefined();
  return { config: r.config!, notes: r.notes, impossible: r.impossible };
};
const realConfig = (name: string) => path.join(REALDATA, "config", name);

describe("readModelConfig", () => {
  it("reads DeepSeek-V3: MoE keys, MLA, MTP and the FP8 block quantization", () => {
    const { config: c, notes } = read(DEEPSEEK_V3_CONFIG);
    expect(notes).toEqual([]);
    expect(c).toMatchObject({
      modelType: "deepseek_v3",
      architectures: ["DeepseekV3ForCausalLM"],
      numHiddenLayers: 61,
      hiddenSize: 7168,
      numAttentionHeads: 128,
      numKeyValueHeads: 128,
      vocabSize: 129280,
      maxPositionEmbeddings: 163840,
      tieWordEmbeddings: false,
      experts: 256,
      expertsPerToken: 8,
      sharedExperts: 1,
      firstKDenseReplace: 3,
      moeLayerFreq: 1,
      moeIntermediateSize: 2048,
      kvLoraRank: 512,
      qLoraRank: 1536,
      qkRopeHeadDim: 64,
      qkNopeHeadDim: 128,
      vHeadDim: 128,
      numNextnPredictLayers: 1,
      quantization: {
        method: "fp8",
        fmt: "e4m3",
        weightBlockSize: [128, 128],
        activationScheme: "dynamic",
      },
    });
    expect(c.kvCache).toBeUndefined(); // FP8 weights do not make an FP8 cache
    expect(c.from.get("experts")).toBe("n_routed_experts");
    expect(c.from.get("quantization")).toBe("quantization_config");
  });

  it.skipIf(!existsSync(realConfig("deepseek-v3.config.json")))(
    "reads the published DeepSeek-V3 config.json the same way",
    () => {
      const raw = JSON.parse(readFileSync(realConfig("deepseek-v3.config.json"), "utf8"));
      const { config: c } = read(raw);
      const { config: embedded } = read(DEEPSEEK_V3_CONFIG);
      for (const key of [
        "numHiddenLayers",
        "hiddenSize",
        "experts",
        "expertsPerToken",
        "kvLoraRank",
        "qkRopeHeadDim",
        "numNextnPredictLayers",
        "quantization",
        "vocabSize",
      ] as const)
        expect(c[key], key).toEqual(embedded[key]);
    },
  );

  it("takes E and top-k from each model family's keys", () => {
    expect(read({ num_local_experts: 8, num_experts_per_tok: 2 }).config).toMatchObject({
      experts: 8,
      expertsPerToken: 2,
    });
    expect(read({ num_experts: 128, num_experts_per_tok: 8 }).config.experts).toBe(128);
    expect(read({ moe_num_experts: 64, num_experts_per_token: 6 }).config).toMatchObject({
      experts: 64,
      expertsPerToken: 6,
    });
    expect(read({ num_local_experts: 16, top_k: 4 }).config.expertsPerToken).toBe(4);
  });

  it("does not read Mistral's sampling top_k (50) as a router's top-k, and keeps sliding_window null", () => {
    const raw = { model_type: "mistral", top_k: 50, sliding_window: null, num_hidden_layers: 32 };
    const { config: c, notes } = read(raw);
    expect(c.expertsPerToken).toBeUndefined();
    expect(c.slidingWindow).toBeNull();
    expect(notes).toEqual([]);
    const moe = read({ num_local_experts: 8, top_k: 50 });
    expect(moe.config.expertsPerToken).toBeUndefined();
    expect(moe.notes).toEqual(["top_k is 50, more than the 8 experts: ignored"]);
  });

  it.skipIf(!existsSync(realConfig("mistral-7b-instruct-v0.3.config.json")))(
    "reads the published Mistral-7B-Instruct-v0.3 config.json: no MoE, no window",
    () => {
      const raw = JSON.parse(
        readFileSync(realConfig("mistral-7b-instruct-v0.3.config.json"), "utf8"),
      );
      const { config: c, notes } = read(raw);
      expect(notes).toEqual([]);
      expect(c).toMatchObject({ vocabSize: 32768, numKeyValueHeads: 8, slidingWindow: null });
      expect(c.experts).toBeUndefined();
      expect(c.expertsPerToken).toBeUndefined();
    },
  );

  it("keeps Qwen2's window switch and gpt-oss's per-layer attention kinds", () => {
    const qwen = read({ sliding_window: 131072, use_sliding_window: false, max_window_layers: 28 });
    expect(qwen.config).toMatchObject({
      slidingWindow: 131072,
      useSlidingWindow: false,
      maxWindowLayers: 28,
    });
    const oss = read(gptOss().config).config;
    expect(oss.slidingWindow).toBe(128);
    expect(oss.layerTypes?.slice(0, 2)).toEqual(["sliding_attention", "full_attention"]);
    expect(oss.headDim).toBe(64);
    expect(read({ sliding_window_pattern: 6 }).config.slidingWindowPattern).toBe(6);
  });

  it("ignores fields of the wrong type with a note, and falls back to the next alias", () => {
    const {
      config: c,
      notes,
      impossible,
    } = read({
      num_hidden_layers: "32",
      n_layer: 24,
      hidden_size: -1,
      num_attention_heads: 12.5,
      tie_word_embeddings: "yes",
      layer_types: [1, 2],
      architectures: "LlamaForCausalLM",
      vocab_size: 2 ** 60,
    });
    expect(c.numHiddenLayers).toBe(24);
    expect(c.from.get("numHiddenLayers")).toBe("n_layer");
    expect(c.hiddenSize).toBeUndefined();
    expect(c.numAttentionHeads).toBeUndefined();
    expect(c.tieWordEmbeddings).toBeUndefined();
    expect(c.layerTypes).toBeUndefined();
    expect(c.architectures).toBeUndefined();
    expect(c.vocabSize).toBeUndefined();
    expect(notes).toEqual([
      'architectures is "LlamaForCausalLM" (a string), not a list of strings: ignored',
      'num_hidden_layers is "32" (a string), not a whole number ≥ 1: ignored',
      "num_attention_heads is 12.5, not a whole number ≥ 1: ignored",
      `vocab_size is ${2 ** 60}, not a whole number ≥ 0: ignored`,
      'tie_word_embeddings is "yes" (a string), not true or false: ignored',
      "layer_types is a list, not a list of strings: ignored",
    ]);
    // A negative width is not a wrong type but a shape no model has.
    expect(impossible).toEqual(["hidden_size is -1, and a model has at least 1"]);
    expect(c.impossible).toEqual(impossible);
  });

  it("leaves out values no model can have, and says so (issue 13, item 14)", () => {
    const zero = read({ num_hidden_layers: 0, num_attention_heads: 32, num_key_value_heads: 0 });
    expect(zero.impossible).toEqual([
      "num_hidden_layers is 0, and a model has at least 1",
      "num_key_value_heads is 0, and a model has at least 1",
    ]);
    expect(zero.config.numHiddenLayers).toBeUndefined();
    expect(zero.config.numKeyValueHeads).toBeUndefined();
    const split = read({ hidden_size: 4096, num_attention_heads: 32, num_key_value_heads: 5 });
    expect(split.impossible).toEqual([
      "num_key_value_heads is 5, which does not divide the 32 attention heads (num_attention_heads)",
    ]);
    const width = read({ hidden_size: 4095, num_attention_heads: 32 });
    expect(width.impossible).toEqual([
      "hidden_size is 4095, which the 32 attention heads do not divide, and there is no head_dim",
    ]);
    // With head_dim given, the heads need not divide hidden_size (Gemma: 8 × 256 ≠ 3072).
    expect(read({ hidden_size: 3072, num_attention_heads: 8, head_dim: 256 }).impossible).toEqual(
      [],
    );
    expect(read({ hidden_size: 4096, num_attention_heads: 32 }).config.impossible).toBeUndefined();
  });

  it("notes a quantization_config that is not an object once, and counts as unquantized", () => {
    const { config: c, notes } = read({ quantization_config: "fp8" });
    expect(c.quantization).toBeUndefined();
    expect(c.kvCache).toBeUndefined();
    expect(notes).toEqual(['quantization_config is "fp8" (a string), not an object: ignored']);
  });

  it("is not a config at all when the JSON is not an object", () => {
    for (const raw of [null, [], "config", 3]) {
      const r = readModelConfig(raw);
      expect(r.config).toBeUndefined();
      expect(r.notes).toHaveLength(1);
      expect(r.notes[0]).toMatch(/not a JSON object: ignored$/);
    }
  });

  it("reads own keys only: nothing inherited, and __proto__ is just a key", () => {
    const inherited = Object.create({ num_hidden_layers: 3 }) as object;
    expect(read(inherited).config.numHiddenLayers).toBeUndefined();
    const parsed = JSON.parse('{"__proto__": {"num_hidden_layers": 5}, "hidden_size": 8}');
    const { config: c } = read(parsed);
    expect(c.numHiddenLayers).toBeUndefined();
    expect(c.hiddenSize).toBe(8);
  });

  it("reads a multimodal config's language model from text_config, identity from the top", () => {
    const { config: c } = read({
      model_type: "llava",
      architectures: ["LlavaForConditionalGeneration"],
      hidden_size: 1024, // the top level's own (vision) size loses to text_config's
      text_config: {
        model_type: "llama",
        num_hidden_layers: 32,
        hidden_size: 4096,
        num_attention_heads: 32,
        vocab_size: 32064,
      },
      quantization_config: { quant_method: "awq", bits: 4, group_size: 128 },
    });
    expect(c).toMatchObject({
      modelType: "llava",
      numHiddenLayers: 32,
      hiddenSize: 4096,
      quantization: { method: "awq", bits: 4, groupSize: 128 },
    });
    expect(c.from.get("numHiddenLayers")).toBe("text_config.num_hidden_layers");
    expect(c.from.get("modelType")).toBe("model_type");
  });

  it("reads quantization configs of every counted method", () => {
    const q = (quantization_config: unknown) => read({ quantization_config }).config.quantization;
    expect(q({ quant_method: "GPTQ", bits: 3, group_size: 128, desc_act: true })).toEqual({
      method: "gptq",
      bits: 3,
      groupSize: 128,
    });
    expect(q({ quant_method: "awq", w_bit: 4, q_group_size: 64 })).toEqual({
      method: "awq",
      bits: 4,
      groupSize: 64,
    });
    expect(q({ load_in_4bit: true, bnb_4bit_quant_type: "nf4" })).toEqual({
      method: "bitsandbytes",
      loadIn4bit: true,
      bnb4bitQuantType: "nf4",
    });
    expect(q({ quant_method: "mxfp4", modules_to_not_convert: ["lm_head"] })).toEqual({
      method: "mxfp4",
      ignore: ["lm_head"],
    });
    expect(
      q({
        quant_method: "modelopt",
        quant_algo: "NVFP4",
        group_size: 16,
        exclude_modules: ["lm_head"],
      }),
    ).toEqual({ method: "modelopt", quantAlgo: "NVFP4", groupSize: 16, ignore: ["lm_head"] });
    expect(
      q({
        quant_method: "compressed-tensors",
        format: "pack-quantized",
        config_groups: {
          group_0: {
            targets: ["Linear"],
            weights: { num_bits: 4, type: "int", strategy: "group", group_size: 128 },
            format: "pack-quantized",
          },
        },
        ignore: ["lm_head", "re:.*mlp.gate$"],
      }),
    ).toEqual({
      method: "compressed-tensors",
      format: "pack-quantized",
      ignore: ["lm_head", "re:.*mlp.gate$"],
      configGroups: [
        {
          name: "group_0",
          targets: ["Linear"],
          numBits: 4,
          type: "int",
          strategy: "group",
          groupSize: 128,
          format: "pack-quantized",
        },
      ],
    });
  });

  it("reads MLX's quantization key with per-module overrides, also when mirrored in quantization_config", () => {
    const mlx = {
      group_size: 64,
      bits: 4,
      "model.layers.0.mlp.gate": { group_size: 64, bits: 8 },
      lm_head: false,
    };
    for (const raw of [{ quantization: mlx }, { quantization: mlx, quantization_config: mlx }]) {
      const { config: c } = read(raw);
      expect(c.quantization).toEqual({
        method: "mlx",
        bits: 4,
        groupSize: 64,
        moduleBits: new Map<string, number | null>([
          ["model.layers.0.mlp.gate", 8],
          ["lm_head", null],
        ]),
      });
      expect(c.from.get("quantization")).toBe("quantization");
    }
  });

  it("names the KV-cache dtype when the config does, and only then", () => {
    expect(read({ kv_cache_dtype: "fp8_e5m2" }).config.kvCache).toEqual({
      dtype: "fp8_e5m2",
      source: "kv_cache_dtype",
    });
    const ct = read({
      quantization_config: {
        quant_method: "compressed-tensors",
        kv_cache_scheme: { num_bits: 8, type: "float", strategy: "tensor" },
      },
    });
    expect(ct.config.kvCache).toEqual({
      dtype: "fp8",
      bits: 8,
      type: "float",
      source: "quantization_config.kv_cache_scheme",
    });
    const opt = read({
      quantization_config: { quant_method: "modelopt", kv_cache_quant_algo: "FP8" },
    });
    expect(opt.config.kvCache).toEqual({
      dtype: "fp8",
      source: "quantization_config.kv_cache_quant_algo",
    });
    expect(
      read({ quantization_config: { quant_method: "fp8", kv_cache_scheme: null } }).config.kvCache,
    ).toBeUndefined();
  });
});
