// Published facts of real checkpoints, checked on header-only layouts with their real tensor
// names and shapes (model cards). Real config.json and index files from
// ../shared/realdata are used when present.

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HAVE_REALDATA, REALDATA } from "../helpers/cli.js";
import {
  analyzeTensors,
  deepseekV3,
  gptOss,
  GPT_OSS_120B,
  llama31_70b,
  llama31_8b,
  mixtral,
  MIXTRAL_8X22B,
  mixtral8x7b,
  qwen25_7b,
  shardLayout,
  fileOf,
  type Layout,
} from "../helpers/layouts.js";
import { byteSize } from "../helpers/safetensors.js";

const bytesOf = (l: Layout) => l.tensors.reduce((a, x) => a + byteSize(x), 0n);
const analyze = (
  l: Layout,
  input: Parameters<typeof analyzeTensors>[1] = { config: l.config, configPath: "config.json" },
) => analyzeTensors(l.tensors, input);
const billions = (n: bigint) => (Number(n) / 1e9).toFixed(1);
const notInfo = (a: { findings: Array<{ severity: string }> }) =>
  a.findings.filter((f) => f.severity !== "info");

const realConfig = (name: string) => path.join(REALDATA, "config", name);
const realIndex = (name: string) => path.join(REALDATA, "index", name);
const readJson = (p: string) => JSON.parse(readFileSync(p, "utf8")) as Record<string, unknown>;

describe("Llama-3.1-8B", () => {
  const l = llama31_8b();
  it("291 tensors, 8,030,261,248 parameters, 16,060,522,496 bytes in BF16", () => {
    expect(l.tensors).toHaveLength(291);
    expect(bytesOf(l)).toBe(16_060_522_496n);
    const a = analyze(l);
    expect(a.parameters).toEqual({ total: 8_030_261_248n });
    expect(a.residentBytes).toBe(16_060_522_496n);
    expect(a.findings).toEqual([]);
    expect(a.architecture).toMatchObject({
      layers: 32,
      hiddenSize: 4096,
      attentionHeads: 32,
      kvHeads: 8,
      headDim: 128,
      vocabSize: 128256,
      contextLength: 131072,
      tiedEmbeddings: false,
      attention: "gqa",
    });
  });

  it.skipIf(!existsSync(realConfig("llama-3.1-8b-instruct.config.json")))(
    "counts the same with the published Llama-3.1-8B-Instruct config.json",
    () => {
      const a = analyze(l, { config: readJson(realConfig("llama-3.1-8b-instruct.config.json")) });
      expect(a.parameters.total).toBe(8_030_261_248n);
      expect(a.findings).toEqual([]);
      expect(a.architecture).toMatchObject({ layers: 32, kvHeads: 8, vocabSize: 128256 });
    },
  );
});

describe("Llama-3.1-70B", () => {
  it("723 tensors, 70,553,706,496 parameters, 141,107,412,992 bytes", () => {
    const l = llama31_70b();
    expect(l.tensors).toHaveLength(723);
    expect(bytesOf(l)).toBe(141_107_412_992n);
    const a = analyze(l);
    expect(a.parameters).toEqual({ total: 70_553_706_496n });
    expect(a.architecture).toMatchObject({ layers: 80, hiddenSize: 8192, attentionHeads: 64 });
  });
});

describe("Qwen2.5-7B", () => {
  const l = qwen25_7b();
  it("339 tensors with q/k/v biases, 7,615,616,512 parameters, 15,231,233,024 bytes", () => {
    expect(l.tensors).toHaveLength(339);
    expect(l.tensors.filter((x) => x.name.endsWith("_proj.bias"))).toHaveLength(3 * 28);
    expect(bytesOf(l)).toBe(15_231_233_024n);
    const a = analyze(l);
    expect(a.parameters).toEqual({ total: 7_615_616_512n });
    // sliding_window 131072 is carried with use_sliding_window false: no window.
    expect(a.architecture?.slidingWindow).toBeUndefined();
    expect(a.architecture).toMatchObject({ layers: 28, attentionHeads: 28, kvHeads: 4 });
  });

  it.skipIf(!existsSync(realConfig("qwen2.5-7b-instruct.config.json")))(
    "counts the same with the published Qwen2.5-7B-Instruct config.json",
    () => {
      const a = analyze(l, { config: readJson(realConfig("qwen2.5-7b-instruct.config.json")) });
      expect(a.parameters.total).toBe(7_615_616_512n);
      expect(a.findings).toEqual([]);
      expect(a.architecture?.slidingWindow).toBeUndefined();
    },
  );
});

describe("Mixtral-8x7B", () => {
  const l = mixtral8x7b();
  it("995 tensors; 46,702,792,704 total and 12,879,925,248 active parameters", () => {
    expect(l.tensors).toHaveLength(995);
    expect(bytesOf(l)).toBe(93_405_585_408n);
    const a = analyze(l);
    expect(a.parameters).toEqual({ total: 46_702_792_704n, active: 12_879_925_248n });
    expect(a.findings).toEqual([]);
    // docs/counting.md §3: non-expert 1,605,636,096 + 2/8 of routed 45,097,156,608.
    expect(a.moe).toMatchObject({
      experts: 8,
      topK: 2,
      layers: 32,
      routedParameters: 45_097_156_608n,
      fused: false,
      source: "config",
    });
    expect(a.parameters.total - a.moe!.routedParameters).toBe(1_605_636_096n);
    // Memory follows the total: every expert is resident.
    expect(a.residentBytes).toBe(93_405_585_408n);
  });

  const index = realIndex("mixtral-8x7b-v0.1.model.safetensors.index.json");
  it.skipIf(!existsSync(index))(
    "has the published index's tensor names, total_size and shards (5 GB shards reproduce it)",
    () => {
      const real = readJson(index) as {
        metadata: { total_size: number };
        weight_map: Record<string, string>;
      };
      expect(new Set(l.tensors.map((x) => x.name))).toEqual(new Set(Object.keys(real.weight_map)));
      expect(BigInt(real.metadata.total_size)).toBe(bytesOf(l));
      const shards = shardLayout(l.tensors, 19);
      const ours = Object.fromEntries(
        shards.flatMap((s) => s.tensors.map((x) => [x.name, s.file])),
      );
      expect(ours).toEqual(real.weight_map);
    },
  );

  it.skipIf(!existsSync(realConfig("mixtral-8x7b-v0.1.config.json")))(
    "counts the same with the published config.json",
    () => {
      const a = analyze(l, { config: readJson(realConfig("mixtral-8x7b-v0.1.config.json")) });
      expect(a.parameters).toEqual({ total: 46_702_792_704n, active: 12_879_925_248n });
      expect(a.findings).toEqual([]);
    },
  );
});

describe("Mixtral-8x22B (WizardLM-2-8x22B)", () => {
  const l = mixtral(MIXTRAL_8X22B, "microsoft/WizardLM-2-8x22B");
  it("141 B total, 39 B active (Mistral's announcement)", () => {
    const a = analyze(l);
    expect(a.parameters).toEqual({ total: 140_620_634_112n, active: 39_152_031_744n });
    expect(billions(a.parameters.total)).toBe("140.6");
    expect(Math.round(Number(a.parameters.active) / 1e9)).toBe(39);
  });

  const index = realIndex("wizardlm-2-8x22b.model.safetensors.index.json");
  it.skipIf(!existsSync(index))(
    "matches the published index: 1,739 names, 59 shards, total_size",
    () => {
      const real = readJson(index) as {
        metadata: { total_size: number };
        weight_map: Record<string, string>;
      };
      expect(l.tensors).toHaveLength(1739);
      expect(BigInt(real.metadata.total_size)).toBe(281_241_268_224n);
      expect(bytesOf(l)).toBe(281_241_268_224n);
      const shards = shardLayout(l.tensors, 59);
      const ours = Object.fromEntries(
        shards.flatMap((s) => s.tensors.map((x) => [x.name, s.file])),
      );
      expect(ours).toEqual(real.weight_map);
    },
  );

  it.skipIf(!existsSync(realConfig("wizardlm-2-8x22b.config.json")))(
    "counts the same with the published config.json",
    () => {
      const a = analyze(l, { config: readJson(realConfig("wizardlm-2-8x22b.config.json")) });
      expect(a.parameters.active).toBe(39_152_031_744n);
      expect(a.findings).toEqual([]);
    },
  );
});

describe("DeepSeek-V3 (FP8 with block scales, MLA, 256 experts, an MTP layer)", () => {
  const l = deepseekV3();
  const file = fileOf("model.safetensors", l.tensors);
  const a = analyzeTensors(file, { config: l.config, configPath: "config.json" });

  it("has about 92,000 tensors, with F32 scales [ceil(out/128), ceil(in/128)]", () => {
    expect(l.tensors).toHaveLength(91_991);
    const scale = l.tensors.find(
      (x) => x.name === "model.layers.0.self_attn.kv_a_proj_with_mqa.weight_scale_inv",
    );
    expect(scale).toEqual({ name: scale!.name, dtype: "F32", shape: [5n, 56n] }); // [576, 7168]
  });

  it("684,489,845,504 parameters, the MTP layer's 13,463,426,304 optional: 671,026,419,200 without", () => {
    expect(a.parameters.total).toBe(684_489_845_504n);
    expect(a.parameters.optional).toEqual({
      parameters: 13_463_426_304n,
      bytes: 15_424_227_552n,
      modules: [
        {
          kind: "multi-token-prediction",
          name: "model.layers.61.",
          parameters: 13_463_426_304n,
          bytes: 15_424_227_552n,
          tensors: 1564,
        },
      ],
    });
    expect(a.parameters.total - a.parameters.optional!.parameters).toBe(671_026_419_200n);
    expect(notInfo(a)).toEqual([]);
  });

  it("counting the F32 scales as parameters would give 684,531,386,000: they are bookkeeping", () => {
    expect(a.parameters.stored).toBe(684_531_386_000n);
    expect(a.quantization).toMatchObject({
      method: "fp8",
      source: "config",
      counted: true,
      format: "e4m3",
      blockSize: [128, 128],
      packedTensors: 0,
      bookkeepingElements: 684_531_386_000n - 684_489_845_504n,
    });
  });

  it("active ≈ 37.6 B, MTP layer excluded (non-expert + shared + 8/256 of the routed)", () => {
    expect(a.parameters.active).toBe(37_552_297_472n);
    expect(billions(a.parameters.active!)).toBe("37.6");
    expect(a.moe).toMatchObject({
      experts: 256,
      topK: 8,
      sharedExperts: 1,
      layers: 58,
      // 58 layers of 256 routed and 1 shared expert, each 3 × 2048 × 7168
      routedParameters: 58n * 256n * 44_040_192n,
      sharedParameters: 58n * 44_040_192n,
    });
  });

  it("≈ 688.6 GB = 641.3 GiB with MTP, ≈ 673.2 GB resident without it", () => {
    const total = bytesOf(l);
    expect(billions(total)).toBe("688.6");
    expect((Number(total) / 2 ** 30).toFixed(1)).toBe("641.3");
    expect(a.residentBytes).toBe(total - 15_424_227_552n);
    expect(billions(a.residentBytes)).toBe("673.2");
  });

  it("reports MLA and the MTP layer in the architecture", () => {
    expect(a.architecture).toMatchObject({
      modelType: "deepseek_v3",
      layers: 61,
      mtpLayers: 1,
      attention: "mla",
      kvLoraRank: 512,
      qkRopeHeadDim: 64,
      vocabSize: 129280,
      tiedEmbeddings: false,
    });
  });

  it("without config.json: scales still bookkeeping, layer 61 still MTP (it holds eh_proj), no active", () => {
    const bare = analyzeTensors(file);
    expect(bare.parameters.total).toBe(684_489_845_504n);
    expect(bare.parameters.optional?.parameters).toBe(13_463_426_304n);
    expect(bare.parameters.active).toBeUndefined();
    expect(bare.quantization).toMatchObject({ method: "fp8", source: "tensor names" });
    expect(bare.findings.map((f) => f.code)).toEqual(["QUANTIZATION_FROM_NAMES"]);
    expect(bare.architecture).toMatchObject({ layers: 61, mtpLayers: 1, vocabSize: 129280 });
    expect(bare.architecture!.inferred).toContain(
      "top-k unknown without config.json: no active count",
    );
  });

  it.skipIf(!existsSync(realConfig("deepseek-v3.config.json")))(
    "counts the same with the published config.json",
    () => {
      const real = analyzeTensors(file, {
        config: readJson(realConfig("deepseek-v3.config.json")),
      });
      expect(real.parameters.total).toBe(684_489_845_504n);
      expect(real.parameters.active).toBe(37_552_297_472n);
      expect(real.parameters.optional?.parameters).toBe(13_463_426_304n);
      expect(notInfo(real)).toEqual([]);
    },
  );
});

describe("gpt-oss (fused MXFP4 experts)", () => {
  it("gpt-oss-20b: 20.91 B (OpenAI's model card), its 3.61 B active leaving out the embedding", () => {
    const l = gptOss();
    const a = analyze(l);
    expect(a.parameters.total).toBe(20_914_757_184n);
    expect(a.parameters.active).toBe(4_187_440_704n);
    const embedding = 201_088n * 2880n;
    expect((Number(a.parameters.active! - embedding) / 1e9).toFixed(2)).toBe("3.61");
    expect(a.moe).toMatchObject({ experts: 32, topK: 4, fused: true, layers: 24 });
    expect(a.quantization).toMatchObject({
      method: "mxfp4",
      packedTensors: 48,
      bookkeepingTensors: 48,
    });
    // Counting the U8 scales too adds about 3 % (huggingface.js#2323).
    const withScales = a.parameters.total + a.quantization!.bookkeepingElements;
    expect(withScales).toBe(21_511_953_984n);
    expect(Number(withScales) / Number(a.parameters.total)).toBeCloseTo(1.029, 3);
    expect(bytesOf(l)).toBe(13_761_264_768n);
  });

  it("gpt-oss-120b: 116.83 B total, 5.13 B active without the embedding", () => {
    const a = analyze(gptOss(GPT_OSS_120B, "openai/gpt-oss-120b"));
    expect((Number(a.parameters.total) / 1e9).toFixed(2)).toBe("116.83");
    expect(a.parameters.total).toBe(116_829_156_672n);
    const embedding = 201_088n * 2880n;
    expect((Number(a.parameters.active! - embedding) / 1e9).toFixed(2)).toBe("5.13");
  });
});

describe.skipIf(!HAVE_REALDATA)("every published config in realdata", () => {
  it("reads without a refused field", async () => {
    const { readModelConfig } = await import("../../src/model/model-config.js");
    const dir = path.join(REALDATA, "config");
    const { readdirSync } = await import("node:fs");
    const names = readdirSync(dir).filter((n) => n.endsWith(".json"));
    expect(names.length).toBeGreaterThanOrEqual(7);
    for (const n of names) {
      const r = readModelConfig(readJson(path.join(dir, n)));
      expect(r.notes, n).toEqual([]);
      expect(r.config?.numHiddenLayers, n).toBeGreaterThan(0);
    }
  });
});
