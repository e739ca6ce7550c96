// The memory model against published deployment facts. Checkpoint sizes and parameter counts are
// published figures (model cards, docs/memory-model.md §5); configs are the real ones
// (../shared/realdata/config when present, else the same fields embedded here).

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  alternativesText,
  bitsText,
  notesOf,
  remarkText,
} from "../../src/report/hardware-words.js";
import { readModelConfig, type ModelConfig } from "../../src/model/model-config.js";
import { findDevice, usableBytes } from "../../src/hardware/catalog.js";
import { estimateHardware, RESERVE_PER_DEVICE } from "../../src/hardware/estimate.js";
import {
  findCacheDtype,
  kvBytesPerToken,
  kvCacheBytes,
  kvLayout,
  type KvLayout,
} from "../../src/hardware/kv-cache.js";
import { REALDATA } from "../helpers/cli.js";

const GiB = 1n << 30n;

const EMBEDDED: Record<string, object> = {
  "llama-3.1-8b-instruct": {
    model_type: "llama",
    hidden_size: 4096,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    num_key_value_heads: 8,
    max_position_embeddings: 131072,
    vocab_size: 128256,
  },
  "deepseek-v3": {
    model_type: "deepseek_v3",
    hidden_size: 7168,
    num_hidden_layers: 61,
    num_attention_heads: 128,
    num_key_value_heads: 128,
    kv_lora_rank: 512,
    qk_rope_head_dim: 64,
    qk_nope_head_dim: 128,
    v_head_dim: 128,
    max_position_embeddings: 163840,
    n_routed_experts: 256,
    num_experts_per_tok: 8,
    n_shared_experts: 1,
    num_nextn_predict_layers: 1,
  },
  "mixtral-8x7b-v0.1": {
    model_type: "mixtral",
    hidden_size: 4096,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    num_key_value_heads: 8,
    sliding_window: null,
    max_position_embeddings: 32768,
    num_local_experts: 8,
    num_experts_per_tok: 2,
  },
  "qwen2.5-7b-instruct": {
    model_type: "qwen2",
    hidden_size: 3584,
    num_hidden_layers: 28,
    num_attention_heads: 28,
    num_key_value_heads: 4,
    sliding_window: 131072,
    use_sliding_window: false,
    max_window_layers: 28,
    max_position_embeddings: 32768,
  },
  "mistral-7b-instruct-v0.3": {
    model_type: "mistral",
    hidden_size: 4096,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    num_key_value_heads: 8,
    head_dim: 128,
    sliding_window: null,
  },
};

/** The real config when ../shared/realdata has it, else the embedded copy of its relevant fields. */
function config(name: string): ModelConfig {
  const p = path.join(REALDATA, "config", `${name}.config.json`);
  const raw = existsSync(p) ? JSON.parse(readFileSync(p, "utf8")) : EMBEDDED[name];
  return parse(raw);
}

/** A config object's typed reading; these fixtures are always objects. */
function parse(raw: object | undefined): ModelConfig {
  const c = readModelConfig(raw).config;
  if (!c) throw new Error("not a config object");
  return c;
}

const bf16 = findCacheDtype("bf16")!;

/** Layers of each kind in a layout, and the window of its windowed layers. */
function layersOf(l: KvLayout): { full: number; sliding: number; window?: number } {
  const n = (k: string) => l.groups.filter((g) => g.kind === k).reduce((a, g) => a + g.count, 0);
  const w = l.groups.find((g) => g.window !== undefined)?.window;
  return {
    full: n("full-attention") + n("mla"),
    sliding: n("sliding-attention"),
    ...(w ? { window: w } : {}),
  };
}

describe("KV cache per token", () => {
  it("Llama-3.1-8B: 128 KiB per token in BF16 (GQA, 8 KV heads)", () => {
    const l = kvLayout(config("llama-3.1-8b-instruct"))!;
    expect(l.kind).toBe("gqa");
    expect(kvBytesPerToken(l, bf16)).toBe(131_072n);
  });

  it("DeepSeek-V3: 70,272 bytes per token (MLA latent, not 128 KV heads)", () => {
    const l = kvLayout(config("deepseek-v3"))!;
    expect(l.kind).toBe("mla");
    expect(kvBytesPerToken(l, bf16)).toBe(70_272n);
    // The GQA formula on its num_key_value_heads would give 25× more.
    expect(2n * 128n * 128n * 61n * 2n).toBe(3_997_696n);
  });

  it("Qwen2.5-7B: 57,344 bytes per token; its 131072 window is off (use_sliding_window false)", () => {
    const l = kvLayout(config("qwen2.5-7b-instruct"))!;
    expect(kvBytesPerToken(l, bf16)).toBe(57_344n);
    expect(layersOf(l).sliding).toBe(0);
    expect(l.remarks.map((r) => remarkText(r)).join(" ")).toContain("not applied");
  });

  it("Mistral-7B-v0.1 windows every layer at 4,096: the cache stops at 512 MiB per sequence", () => {
    const l = kvLayout(
      parse({
        hidden_size: 4096,
        num_hidden_layers: 32,
        num_attention_heads: 32,
        num_key_value_heads: 8,
        sliding_window: 4096,
      }),
    )!;
    expect(layersOf(l).sliding).toBe(32);
    expect(kvCacheBytes(l, 4096, 1, bf16)).toBe(512n << 20n);
    expect(kvCacheBytes(l, 32768, 1, bf16)).toBe(512n << 20n);
    expect(kvCacheBytes(l, 32768, 3, bf16)).toBe(3n * (512n << 20n));
  });

  it("gpt-oss alternates 128-token window layers with full ones (layer_types)", () => {
    const types = Array.from({ length: 24 }, (_, i) =>
      i % 2 === 0 ? "sliding_attention" : "full_attention",
    );
    const c = parse({
      hidden_size: 2880,
      head_dim: 64,
      num_hidden_layers: 24,
      num_attention_heads: 64,
      num_key_value_heads: 8,
      sliding_window: 128,
      layer_types: types,
    });
    const l = kvLayout(c)!;
    expect(layersOf(l)).toEqual({ full: 12, sliding: 12, window: 128 });
    const perLayerToken = 2n * 8n * 64n * 2n;
    expect(kvCacheBytes(l, 4096, 1, bf16)).toBe(perLayerToken * (12n * 4096n + 12n * 128n));
  });

  it("Gemma-style sliding_window_pattern windows 5 layers in 6", () => {
    const c = parse({
      hidden_size: 2560,
      head_dim: 256,
      num_hidden_layers: 12,
      num_attention_heads: 8,
      num_key_value_heads: 4,
      sliding_window: 1024,
      sliding_window_pattern: 6,
    });
    const l = kvLayout(c)!;
    expect(layersOf(l)).toMatchObject({ full: 2, sliding: 10 });
  });

  it("uses the config's cache dtype, but FP8 weights alone do not make an FP8 cache", () => {
    const fp8Weights = parse({
      ...EMBEDDED["llama-3.1-8b-instruct"],
      quantization_config: { quant_method: "fp8" },
    });
    expect(
      estimateHardware({
        residentBytes: 8n * GiB,
        residentParameters: 8n * GiB,
        config: fp8Weights,
      }).assumptions.kvCacheDtype,
    ).toBe("bf16");
    const fp8Cache = parse({
      ...EMBEDDED["llama-3.1-8b-instruct"],
      kv_cache_dtype: "fp8_e4m3",
    });
    const e = estimateHardware({
      residentBytes: 8n * GiB,
      residentParameters: 8n * GiB,
      config: fp8Cache,
    });
    expect(e.assumptions).toMatchObject({
      kvCacheDtype: "fp8",
      kvCacheDtypeFrom: "config",
      kvBytesPerToken: 65_536n,
    });
    const q8 = estimateHardware(
      { residentBytes: 8n * GiB, residentParameters: 0n, config: fp8Cache },
      { kvDtype: findCacheDtype("q8_0")! },
    );
    expect(q8.assumptions.kvCacheDtypeFrom).toBe("option");
    expect(q8.breakdown.kvCache).toBe((131_072n * 4096n * 34n) / 64n);
  });
});

describe("the memory model", () => {
  const llama8b = {
    residentBytes: 16_060_522_496n,
    residentParameters: 8_030_261_248n,
    config: config("llama-3.1-8b-instruct"),
  };

  it("adds KV at 4,096 tokens, 5 % activations and a 1 GiB reserve, and states its assumptions", () => {
    const e = estimateHardware(llama8b);
    expect(e.breakdown).toEqual({
      weights: 16_060_522_496n,
      kvCache: 131_072n * 4096n,
      activations: 803_026_125n,
      reserve: GiB,
      layers: [
        { kind: "full-attention", count: 32, bytesPerToken: 131_072n, bytes: 131_072n * 4096n },
      ],
    });
    expect(e.requiredBytes).toBe(16_060_522_496n + 536_870_912n + 803_026_125n + GiB);
    expect(e.assumptions).toMatchObject({
      context: 4096,
      batch: 1,
      kvCacheKnown: true,
      attention: "gqa",
      activationsPercent: 5,
      reservePerDeviceBytes: GiB,
    });
    expect(e.tier).toBe("laptop");
  });

  it("scales the KV cache with --context and --batch", () => {
    const e = estimateHardware(llama8b, { context: 32768, batch: 4 });
    expect(e.breakdown.kvCache).toBe(131_072n * 32768n * 4n);
  });

  it("without config.json, adds 10 % of the weights for an unknown KV cache and says so", () => {
    const e = estimateHardware({ residentBytes: 10n * GiB, residentParameters: 5n * GiB });
    expect(e.breakdown.kvCache).toBe(GiB);
    expect(e.assumptions.kvCacheKnown).toBe(false);
    expect(notesOf(e).join(" ")).toContain("KV cache unknown");
  });

  it("a 1.5 B model in BF16 is a laptop model (Qwen2.5-1.5B: 1,543,714,304 parameters)", () => {
    const e = estimateHardware({
      residentBytes: 3_087_428_608n,
      residentParameters: 1_543_714_304n,
      config: parse({
        hidden_size: 1536,
        num_hidden_layers: 28,
        num_attention_heads: 12,
        num_key_value_heads: 2,
      }),
    });
    expect(e.tier).toBe("laptop");
  });
});

describe("published deployment facts", () => {
  // DeepSeek-V3 without its MTP layer: 671,026,419,200 FP8 parameters plus their F32 block scales.
  // ≈ 673.2 GB resident; the exact layout test is in the checkpoint tests.
  const deepseek = {
    residentBytes: 673_200_000_000n,
    residentParameters: 671_026_419_200n,
    config: config("deepseek-v3"),
    optional: [
      {
        kind: "multi-token-prediction",
        name: "MTP layer 61",
        parameters: 13_463_426_304n,
        bytes: 13_600_000_000n,
      },
    ],
  };

  it("DeepSeek-V3 FP8 does not fit one 8 × H100 node, fits one 8 × H200 node (its README: 2 nodes of 8 GPUs)", () => {
    const e = estimateHardware(deepseek);
    expect(e.tier).toBe("cluster");
    expect(e.cluster).toEqual({ nodes: 2, singleNodeAlternativeDevices: ["h200", "mi300x"] });
    expect(alternativesText(e)).toEqual(["8 × H200 141GB", "8 × MI300X 192GB"]);
    const h100 = e.devices.find((d) => d.device === "h100")!;
    expect(h100).toMatchObject({ fits: false, nodes: 2 });
    const h200 = e.devices.find((d) => d.device === "h200")!;
    expect(h200).toMatchObject({ fits: true, count: 8 });
    expect(estimateHardware(deepseek, { referenceGpu: findDevice("h200")! }).tier).toBe(
      "single-server",
    );
    // §8: 708.2 GB on one device; the MTP layer is left out and listed.
    expect(Number(e.requiredBytes) / 1e9).toBeCloseTo(708.2, 1);
    expect(notesOf(e)).toContain(
      "MTP layer 61 not resident (loaded only for speculative decoding)",
    );
  });

  it("Llama-3.1-70B in BF16 needs a server, and fits a 96 GB Mac at 4-bit", () => {
    const llama70 = {
      residentBytes: 141_107_412_992n,
      residentParameters: 70_553_706_496n,
      config: parse({
        hidden_size: 8192,
        num_hidden_layers: 80,
        num_attention_heads: 64,
        num_key_value_heads: 8,
        max_position_embeddings: 131072,
      }),
    };
    const mac96 = findDevice("mac-96gb")!;
    const e = estimateHardware(llama70, { target: { kind: "devices", device: mac96, count: 1 } });
    expect(e.tier).toBe("single-server");
    expect(e.assumptions.kvBytesPerToken).toBe(327_680n);
    expect(e.fit!.fits).toBe(false);
    const four = e.precisions.find((p) => p.name === "4-bit")!;
    expect(four.weightsBytes).toBe((70_553_706_496n * 489n + 799n) / 800n);
    expect(four.fits).toBe(true);
    expect(four.tier).toBe("single-server"); // 45.7 GB: above the 32 GB laptop reference
    expect(e.precisions.find((p) => p.name === "16-bit")!.weightsBytes).toBe(141_107_412_992n);
  });

  it("Mixtral-8x7B fits 2 × H100 (not 1)", () => {
    const e = estimateHardware(
      {
        residentBytes: 93_405_585_408n,
        residentParameters: 46_702_792_704n,
        config: config("mixtral-8x7b-v0.1"),
      },
      { target: { kind: "devices", device: findDevice("h100")!, count: 1 } },
    );
    expect(e.tier).toBe("single-server");
    expect(e.devices.find((d) => d.device === "h100")).toMatchObject({ count: 2, fits: true });
    expect(e.fit!.fits).toBe(false);
    expect(e.devices.find((d) => d.device === "h200")).toMatchObject({ count: 1, fits: true });
  });

  it("Llama-3.1-405B in BF16 needs two 8 × 80 GB nodes or one H200/B200/MI300X node", () => {
    // Parameters from Meta's published config: hidden 16384, 126 layers, 128 / 8 KV heads of 128,
    // MLP 53248, vocab 128256, untied embeddings.
    const [h, layers, kv, mlp, vocab] = [16384n, 126n, 8n * 128n, 53248n, 128256n];
    const perLayer = 2n * h * h + 2n * kv * h + 3n * mlp * h + 2n * h;
    const params = layers * perLayer + 2n * vocab * h + h;
    expect(params).toBe(405_853_388_800n);
    const c = parse({
      hidden_size: 16384,
      num_hidden_layers: 126,
      num_attention_heads: 128,
      num_key_value_heads: 8,
      max_position_embeddings: 131072,
    });
    const e = estimateHardware({
      residentBytes: 2n * params,
      residentParameters: params,
      config: c,
    });
    expect(e.tier).toBe("cluster");
    expect(e.cluster!.nodes).toBe(2);
    expect(e.devices.find((d) => d.device === "a100")).toMatchObject({ fits: false, nodes: 2 });
    for (const gpu of ["h200", "b200", "mi300x"])
      expect(e.devices.find((d) => d.device === gpu)).toMatchObject({ fits: true, count: 8 });
    const four = e.precisions.find((p) => p.name === "4-bit")!;
    expect(four.tier).toBe("single-server");
  });

  it("marks MXFP4 weights as staying at 4.25 bits in the 4-bit what-if", () => {
    const e = estimateHardware({
      residentBytes: 13n * GiB,
      residentParameters: 20_000_000_000n,
      mxfp4Parameters: 19_000_000_000n,
    });
    const four = e.precisions.find((p) => p.name === "4-bit")!;
    expect(bitsText(four)).toBe("4.89 (Q4_K_M); MXFP4 weights stay at 4.25");
    expect(four.weightsBytes).toBe((1_000_000_000n * 489n) / 800n + (19_000_000_000n * 17n) / 32n);
  });
});

describe("the tier agrees with the per-GPU setups", () => {
  it("charges a reserve on each of the reference node's GPUs, as the device rows do", () => {
    // Weights chosen so that one reserve fits under 8 × usable but eight reserves do not.
    const usable = usableBytes(findDevice("h100")!);
    const shared = 8n * usable - 4n * GiB; // weights + KV + activations, all split over 8 GPUs
    const weights = ((shared - GiB / 10n) * 100n) / 115n; // 10 % unknown-KV margin + 5 % activations
    const e = estimateHardware({ residentBytes: weights, residentParameters: 0n });
    expect(e.requiredBytes <= e.thresholds.singleServerBytes).toBe(true);
    expect(e.tier).toBe("cluster");
    expect(e.devices.find((d) => d.device === "h100")).toMatchObject({ fits: false, nodes: 2 });
  });
});

describe("does it fit on mine?", () => {
  const llama8b = {
    residentBytes: 16_060_522_496n,
    residentParameters: 8_030_261_248n,
    config: config("llama-3.1-8b-instruct"),
  };

  it("answers with the margin and the longest context that would fit", () => {
    const rtx3090 = findDevice("rtx-3090")!;
    const e = estimateHardware(llama8b, { target: { kind: "devices", device: rtx3090, count: 1 } });
    const fit = e.fit!;
    expect(fit.fits).toBe(true);
    expect(fit.usableBytes).toBe(usableBytes(rtx3090));
    expect(fit.marginBytes).toBe(fit.usableBytes - fit.perDeviceBytes);
    const c = fit.maxContext!;
    const needAt = (ctx: number) => estimateHardware(llama8b, { context: ctx }).requiredBytes;
    expect(needAt(c) <= fit.usableBytes).toBe(true);
    expect(needAt(c + 1) > fit.usableBytes).toBe(true);
    expect(c).toBeGreaterThan(30_000);
  });

  it("says 0 tokens when even the weights do not fit, and splits across several GPUs", () => {
    const small = estimateHardware(llama8b, {
      target: { kind: "memory", label: "8 GB", memoryBytes: 8_000_000_000n },
    });
    expect(small.fit).toMatchObject({ fits: false, maxContext: 0 });
    expect(small.fit!.marginBytes < 0n).toBe(true);
    const two = estimateHardware(llama8b, {
      target: { kind: "devices", device: findDevice("rtx-4060-ti")!, count: 2 },
    });
    expect(two.fit!.devices).toBe(2);
    expect(two.fit!.requiredBytes).toBe(
      estimateHardware(llama8b).requiredBytes + RESERVE_PER_DEVICE,
    );
    expect(two.fit!.fits).toBe(true);
  });

  it("caps the longest context at max_position_embeddings", () => {
    const e = estimateHardware(llama8b, {
      target: { kind: "devices", device: findDevice("b200")!, count: 1 },
    });
    expect(e.fit!.maxContext).toBe(131_072);
  });

  it("has no context answer without a KV layout", () => {
    const e = estimateHardware(
      { residentBytes: GiB, residentParameters: 0n },
      { target: { kind: "memory", label: "24 GB", memoryBytes: 24_000_000_000n } },
    );
    expect(e.fit).toMatchObject({ fits: true, maxContext: null });
  });
});
