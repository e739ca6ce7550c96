// Memory as llama.cpp allocates it, for tiny GGUF files whose every byte is derived by hand in
// the comments (docs/memory-model.md §8). llama-cpp-memory.test.ts checks the same rules against
// llama.cpp itself; these pin the exact numbers.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { summarize } from "../../src/analysis/summary.js";
import { loadCheckpoint } from "../helpers/load.js";
import { DEVICES, findDevice, usableBytes, type Device } from "../../src/hardware/catalog.js";
import { findCacheDtype } from "../../src/hardware/kv-cache.js";
import {
  estimateHardware,
  type FitTarget,
  type HardwareOptions,
} from "../../src/hardware/estimate.js";
import { layerSplit, proportionalCounts } from "../../src/hardware/llama-cpp.js";
import { fitFailureText } from "../../src/report/hardware-words.js";
import { buildReport } from "../../src/inspection.js";
import { headlineLines } from "../../src/report/headline.js";
import { PLAIN } from "../../src/report/style.js";
import { renderTable } from "../../src/report/table.js";
import { familyFile, type Family, type ModelOptions } from "../helpers/gguf.js";

const dir = mkdtempSync(path.join(tmpdir(), "inspect-gguf-memory-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function estimate(family: Family, hardware: HardwareOptions = {}, layers?: number) {
  const file = path.join(dir, `${family}${layers ?? ""}.gguf`);
  const tweak = layers === undefined ? undefined : (o: ModelOptions) => ({ ...o, layers });
  writeFileSync(file, familyFile(family, tweak).bytes);
  return buildReport(await loadCheckpoint(file), { hardware }).hardware!;
}

const GiB = 1n << 30n;

describe("KV cells as llama.cpp pads them", () => {
  it("llama: 1,000 tokens take 1,024 cells (a multiple of 256)", async () => {
    const hw = await estimate("llama", { context: 1000 });
    // 2 layers × 2 KV heads × (K 64 + V 64) × 2 bytes = 1,024 bytes per cell; × 1,024 cells.
    expect(hw.breakdown.kvCache).toBe(1_048_576n);
    expect(hw.assumptions.runtime).toEqual({
      name: "llama.cpp",
      cells: 1024,
      cellPadding: 256,
      ubatch: 512,
      flashAttention: true,
      flashAttentionSetting: "auto",
      swaFull: false,
      unifiedCache: false,
    });
    expect(hw.breakdown.layers).toEqual([
      { kind: "full-attention", count: 2, bytes: 1_048_576n, bytesPerToken: 1024n, cells: 1024 },
    ]);
  });

  it("1,024 tokens stay 1,024 cells; 1,025 take 1,280", async () => {
    expect((await estimate("llama", { context: 1024 })).breakdown.kvCache).toBe(1024n * 1024n);
    expect((await estimate("llama", { context: 1025 })).breakdown.kvCache).toBe(1024n * 1280n);
  });

  it("--kv-dtype q8_0 and q4_0: 34 and 18 bytes per block of 32 values", async () => {
    const q8 = await estimate("llama", { context: 4096, kvDtype: findCacheDtype("q8_0")! });
    // 512 values per cell (2 layers × 2 heads × 128) = 16 blocks × 34 bytes = 544 × 4,096 cells.
    expect(q8.breakdown.kvCache).toBe(544n * 4096n);
    const q4 = await estimate("llama", { context: 4096, kvDtype: findCacheDtype("q4_0")! });
    // 16 blocks × 18 bytes = 288 per cell.
    expect(q4.breakdown.kvCache).toBe(288n * 4096n);
  });

  it("batch 2: one stream of cells per sequence", async () => {
    const hw = await estimate("llama", { context: 1000, batch: 2 });
    expect(hw.breakdown.kvCache).toBe(2n * 1_048_576n);
    // The output buffer holds one row of logits per sequence: 512 tokens × 4 bytes × 2.
    expect(hw.breakdown.outputBuffer).toBe(4096n);
  });
});

describe("sliding-window layers as llama.cpp sizes them", () => {
  it("gemma2: the window (128) plus one micro-batch (512), padded to 256: 768 cells", async () => {
    const hw = await estimate("gemma2", { context: 1000 });
    // 512 bytes per cell per layer (2 heads × (64 + 64) × 2 bytes). llama.cpp's gemma2 period is
    // 2 (layer il windowed when il % 2 < 1): layers 0 and 2 hold 768 cells, 2 × 512 × 768 =
    // 786,432; layers 1 and 3 the full 1,024, 2 × 512 × 1,024 = 1,048,576.
    expect(hw.breakdown.kvCache).toBe(786_432n + 1_048_576n);
    expect(hw.assumptions.runtime?.windowCells).toBe(768);
    const byKind = Object.fromEntries(hw.breakdown.layers!.map((g) => [g.kind, g]));
    expect(byKind["sliding-attention"]).toMatchObject({ count: 2, cells: 768, window: 128 });
    expect(byKind["full-attention"]).toMatchObject({ count: 2, cells: 1024 });
    // No config.json: the remark names the GGUF key the layer kinds came from.
    expect(hw.assumptions.remarks[0]).toMatchObject({
      kind: "layer-kinds",
      from: { field: "layer_types", key: "gemma2.attention.sliding_window" },
    });
  });

  it("gemma3 (5 windowed of every 6): 5 × 768 cells + 1 × 1,024", async () => {
    const hw = await estimate("gemma3", { context: 1000 });
    // One KV head: (64 + 64) × 2 bytes = 256 per cell per layer.
    expect(hw.breakdown.kvCache).toBe(5n * 256n * 768n + 256n * 1024n);
  });

  it("a short context caps the window cache at the context's own cells", async () => {
    const hw = await estimate("gemma3", { context: 100 });
    // 256 cells; the micro-batch is min(512, 256) = 256, and min(256, 128 + 256) = 256.
    expect(hw.assumptions.runtime).toMatchObject({ cells: 256, windowCells: 256, ubatch: 256 });
    expect(hw.breakdown.kvCache).toBe(6n * 256n * 256n);
  });
});

describe("window layers with heads of their own size (key_length_swa, Gemma 4)", () => {
  it("gemma4: window layers cache K and V of 64, the full layer of 128", async () => {
    const hw = await estimate("gemma4", { context: 1000 });
    // Window layers 0-2: 1 KV head × (64 + 64) × 2 bytes × 768 cells × 3 = 589,824; the full
    // layer 3: 1 × (128 + 128) × 2 × 1,024 = 524,288 (llama.cpp: 0.28 + 0.28 and 0.25 + 0.25 MiB).
    expect(hw.breakdown.kvCache).toBe(589_824n + 524_288n);
    expect(hw.assumptions.remarks).toContainEqual({
      kind: "kv-heads",
      kvHeads: 1,
      heads: 4,
      headDim: 128,
      valueHeadDim: 128,
      swaHeadDim: 64,
      swaValueHeadDim: 64,
    });
    const byKind = Object.fromEntries(hw.breakdown.layers!.map((g) => [g.kind, g]));
    expect(byKind["sliding-attention"]).toMatchObject({ count: 3, bytesPerToken: 768n });
    expect(byKind["full-attention"]).toMatchObject({ count: 1, bytesPerToken: 512n });
  });

  it("without flash attention llama.cpp pads every V row to the widest layer's", async () => {
    const hw = await estimate("gemma4", { context: 1000, flashAttention: "off" });
    // Window layers: K 64 + V padded to 128, × 2 bytes × 768 × 3 = 884,736 (llama.cpp: K 0.28,
    // V 0.56 MiB); the full layer unchanged.
    expect(hw.breakdown.kvCache).toBe(884_736n + 524_288n);
    expect(hw.assumptions.remarks).toContainEqual({
      kind: "value-rows-padded",
      valueElements: 128n,
    });
    // One V width: nothing to pad.
    const llama = await estimate("llama", { context: 1000, flashAttention: "off" });
    expect(llama.breakdown.kvCache).toBe(1_048_576n);
    expect(llama.assumptions.remarks.map((r) => r.kind)).not.toContain("value-rows-padded");
  });
});

describe("layers that reuse an earlier layer's cache (Gemma 4's shared_kv_layers)", () => {
  it("the last shared_kv_layers layers hold no cache", async () => {
    const file = path.join(dir, "gemma4-shared.gguf");
    writeFileSync(file, familyFile("gemma4Shared").bytes);
    const hw = buildReport(await loadCheckpoint(file), { hardware: { context: 1000 } }).hardware!;
    // Layers 0 (window, 1 × (64 + 64) × 2 bytes × 768 cells = 196,608) and 1 (full, 1 × (128 +
    // 128) × 2 × 1,024 = 524,288) hold a cache; layers 2 and 3 read theirs.
    expect(hw.breakdown.kvCache).toBe(196_608n + 524_288n);
    expect(hw.breakdown.layers!.find((g) => g.kind === "no-cache")).toMatchObject({ count: 2 });
  });

  it("gemma3n: 20 layers with a cache (llama.cpp's constant), windowed 4 of every 5", async () => {
    const file = path.join(dir, "gemma3n.gguf");
    writeFileSync(file, familyFile("gemma3", (o) => ({ ...o, arch: "gemma3n", layers: 25 })).bytes);
    const hw = buildReport(await loadCheckpoint(file), { hardware: { context: 1000 } }).hardware!;
    // Of layers 0-19, 16 windowed (il % 5 < 4) at 768 cells and 4 full at 1,024, 256 bytes per
    // cell each; layers 20-24 hold none.
    expect(hw.breakdown.kvCache).toBe(16n * 256n * 768n + 4n * 256n * 1024n);
    expect(hw.breakdown.layers!.find((g) => g.kind === "no-cache")).toMatchObject({ count: 5 });
  });
});

describe("Llama 4's chunked attention as llama.cpp runs it", () => {
  it("3 of every 4 layers chunked over 8,192 tokens: 8,704 cells at 10,000 tokens", async () => {
    const hw = await estimate("llama4", { context: 10000 });
    // 2 KV heads × (64 + 64) × 2 bytes = 512 bytes per cell per layer. Chunked layers 0-2:
    // GGML_PAD(min(10,240, 8,192 + 512), 256) = 8,704 cells; layer 3: 10,240.
    expect(hw.breakdown.kvCache).toBe(3n * 512n * 8704n + 512n * 10240n);
    const chunked = hw.breakdown.layers!.find((g) => g.kind === "chunked-attention")!;
    expect(chunked).toMatchObject({ count: 3, window: 8192, cells: 8704 });
    // vLLM's full-length note does not apply: llama.cpp sizes chunked layers as window layers.
    expect(chunked.fullLengthBytes).toBeUndefined();
    expect(hw.assumptions.remarks.map((r) => r.kind)).not.toContain("chunked-full-length");
    expect(hw.assumptions.remarks[0]).toMatchObject({
      kind: "layer-kinds",
      from: { field: "layer_types", key: "general.architecture" },
    });
  });

  it("a pattern key sets the period; sliding_window 0 turns chunking off", async () => {
    const withKv = (kv: { key: string; value: number }) =>
      familyFile("llama4", (o) => ({
        ...o,
        extraKv: [...o.extraKv!, { key: kv.key, type: "u32", value: kv.value }],
      })).bytes;
    const two = path.join(dir, "llama4-period2.gguf");
    writeFileSync(two, withKv({ key: "llama4.attention.sliding_window_pattern", value: 2 }));
    const hw2 = buildReport(await loadCheckpoint(two), { hardware: { context: 10000 } }).hardware!;
    // il % 2 < 1: layers 0 and 2 chunked.
    expect(hw2.breakdown.kvCache).toBe(2n * 512n * 8704n + 2n * 512n * 10240n);
    const off = path.join(dir, "llama4-nochunk.gguf");
    writeFileSync(off, withKv({ key: "llama4.attention.sliding_window", value: 0 }));
    const hw0 = buildReport(await loadCheckpoint(off), { hardware: { context: 10000 } }).hardware!;
    expect(hw0.breakdown.kvCache).toBe(4n * 512n * 10240n);
  });
});

describe("MLA as llama.cpp caches it", () => {
  it("converted with key_length_mla: K holds the latent, there is no V", async () => {
    const hw = await estimate("deepseek2Mla", { context: 1000 });
    // (kv_lora_rank 128 + rope 32) × 2 bytes × 2 layers × 1,024 cells.
    expect(hw.breakdown.kvCache).toBe(160n * 2n * 2n * 1024n);
    expect(hw.assumptions.attention).toBe("mla");
    expect(hw.assumptions.runtime?.mlaCache).toBe("latent");
  });

  it("an older conversion: K and V decompressed, per head", async () => {
    const hw = await estimate("deepseek2", { context: 1000 });
    // 4 heads × (K 96 + V 64) × 2 bytes × 2 layers × 1,024 cells.
    expect(hw.breakdown.kvCache).toBe(4n * 160n * 2n * 2n * 1024n);
    expect(hw.assumptions.runtime?.mlaCache).toBe("decompressed");
  });
});

describe("compute and output buffers", () => {
  it("llama: the KQ mask plus the feed-forward peak; logits of one row", async () => {
    const hw = await estimate("llama", { context: 1000 });
    // mask 512 × 1,024 × 2 = 1,048,576; feed-forward 4 × 512 × 512 × 4 = 4,194,304 (larger than
    // the attention phase 6 × 512 × 256 × 4 and the logits 512 × (512 + 256) × 4).
    expect(hw.breakdown.computeBuffer).toBe(1_048_576n + 4_194_304n);
    expect(hw.breakdown.outputBuffer).toBe(512n * 4n);
    expect(hw.breakdown.activations).toBe(1_048_576n + 4_194_304n + 2048n);
    expect(hw.assumptions.activationsFrom).toBe("llama.cpp-buffers");
  });

  it("a MoE: the experts a token uses set the feed-forward width", async () => {
    const hw = await estimate("moe", { context: 1000 });
    // 2 of 4 experts of width 512: 4 × 512 × 1,024 × 4 = 8,388,608, plus the mask.
    expect(hw.breakdown.computeBuffer).toBe(1_048_576n + 8_388_608n);
  });

  it("gemma2: the mask covers the window cache too", async () => {
    const hw = await estimate("gemma2", { context: 1000 });
    // 512 × (1,024 + 768) × 2 = 1,835,008, plus the feed-forward 4,194,304.
    expect(hw.breakdown.computeBuffer).toBe(1_835_008n + 4_194_304n);
  });
});

describe("--flash-attn (llama.cpp's -fa on|off|auto)", () => {
  it("auto by default, resolved to on: no KQ matrix, an F16 mask", async () => {
    const hw = await estimate("llama", { context: 1000 });
    expect(hw.assumptions.runtime).toMatchObject({
      flashAttention: true,
      flashAttentionSetting: "auto",
      swaFull: false,
    });
    expect((await estimate("llama", { context: 1000, flashAttention: "on" })).breakdown).toEqual(
      hw.breakdown,
    );
  });

  it("off: the F32 KQ matrix of the widest layer and an F32 mask", async () => {
    const hw = await estimate("llama", { context: 1000, flashAttention: "off" });
    // mask 512 × 1,024 × 4 = 2,097,152; KQ 512 tokens × 1,024 cells × 4 heads × 4 bytes =
    // 8,388,608 on top of the attention phase's 6 × 512 × 256 × 4 = 3,145,728, which is now
    // larger than the feed-forward (4,194,304). llama.cpp reserves 13.01 MiB.
    expect(hw.breakdown.computeBuffer).toBe(2_097_152n + 8_388_608n + 3_145_728n);
    expect(hw.assumptions.runtime).toMatchObject({
      flashAttention: false,
      flashAttentionSetting: "off",
    });
    expect(hw.breakdown.kvCache).toBe(1_048_576n);
  });

  it("off with window layers: both masks in F32, KQ over the full layers' cells", async () => {
    const hw = await estimate("gemma3", { context: 5000, flashAttention: "off" });
    // masks 512 × (5,120 + 768) × 4 = 12,058,624; KQ 512 × 5,120 × 4 heads × 4 = 41,943,040;
    // attention rows 3,145,728.
    expect(hw.breakdown.computeBuffer).toBe(12_058_624n + 41_943_040n + 3_145_728n);
  });

  it("off with a q8_0 cache: llama.cpp refuses the context, and the remark says so", async () => {
    const hw = await estimate("llama", {
      context: 1000,
      flashAttention: "off",
      kvDtype: findCacheDtype("q8_0")!,
    });
    expect(hw.assumptions.remarks).toContainEqual({
      kind: "quantized-cache-needs-flash-attention",
      cacheDtype: "q8_0",
    });
    const auto = await estimate("llama", { context: 1000, kvDtype: findCacheDtype("q8_0")! });
    expect(auto.assumptions.remarks.map((r) => r.kind)).not.toContain(
      "quantized-cache-needs-flash-attention",
    );
  });

  it("grok: llama.cpp forces flash attention off whatever was asked", async () => {
    const file = path.join(dir, "grok.gguf");
    writeFileSync(file, familyFile("llama", (o) => ({ ...o, arch: "grok" })).bytes);
    const hw = buildReport(await loadCheckpoint(file), {
      hardware: { context: 1000, flashAttention: "on" },
    }).hardware!;
    expect(hw.assumptions.runtime).toMatchObject({
      flashAttention: false,
      flashAttentionSetting: "on",
    });
    expect(hw.assumptions.remarks).toContainEqual({
      kind: "flash-attention-forced-off",
      architecture: "grok",
    });
  });
});

describe("--swa-full (llama.cpp's full-size window cache)", () => {
  it("gemma3: the window layers take the full context's cells, and the mask grows", async () => {
    const hw = await estimate("gemma3", { context: 5000, swaFull: true });
    // 6 layers × 256 bytes × 5,120 cells (llama.cpp: 0.62 + 3.12 MiB of K and V each).
    expect(hw.breakdown.kvCache).toBe(6n * 256n * 5120n);
    expect(hw.assumptions.runtime).toMatchObject({ windowCells: 5120, swaFull: true });
    const sliding = hw.breakdown.layers!.find((g) => g.kind === "sliding-attention")!;
    expect(sliding).toMatchObject({ count: 5, window: 128, cells: 5120 });
    // mask 512 × (5,120 + 5,120) × 2 = 10,485,760, plus the feed-forward 4,194,304.
    expect(hw.breakdown.computeBuffer).toBe(10_485_760n + 4_194_304n);
  });

  it("a model without window layers is unchanged", async () => {
    const a = await estimate("llama", { context: 5000, swaFull: true });
    const b = await estimate("llama", { context: 5000 });
    expect(a.breakdown).toEqual(b.breakdown);
    expect(a.assumptions.runtime?.swaFull).toBe(true);
  });
});

describe("the layer split (-ngl)", () => {
  // llama, F16: each layer holds 2 norms (1,024 bytes each), q and o (131,072 each), k and v
  // (65,536 each), gate, up and down (262,144 each): 1,181,696 bytes. The embedding is 262,144,
  // the output layer 263,168 (head 262,144 + norm 1,024). At 1,000 tokens each layer's cache is
  // 524,288, the compute buffer 5,242,880 and the output buffer 2,048.
  const LAYER = 1_181_696n + 524_288n;
  const OUTPUT = 263_168n;
  const COMPUTE = 5_242_880n;

  it("a budget for the output layer and one block: -ngl 2 of 3, the rest in RAM", async () => {
    const gpu2 = OUTPUT + COMPUTE + LAYER + GiB;
    const hw = await estimate("llama", {
      context: 1000,
      target: { kind: "memory", label: "test", memoryBytes: gpu2 + LAYER - 1n },
    });
    expect(hw.fit?.layerSplit).toEqual({
      runtime: "llama.cpp",
      layers: 3,
      gpuLayers: 2,
      gpuBytes: gpu2,
      // The embedding, layer 0 with its cache, the output buffer.
      ramBytes: 262_144n + LAYER + 2048n,
      distribution: "filled",
      devices: [{ layers: 2, bytes: gpu2, usableBytes: gpu2 + LAYER - 1n, output: true }],
    });
  });

  it("everything fits: all 3, with only the embedding and the output buffer in RAM", async () => {
    const hw = await estimate("llama", {
      context: 1000,
      target: { kind: "memory", label: "t", memoryBytes: 2n * GiB },
    });
    expect(hw.fit?.layerSplit).toMatchObject({ gpuLayers: 3, ramBytes: 262_144n + 2048n });
  });

  it("not even the output layer: -ngl 0, everything in RAM", async () => {
    const hw = await estimate("llama", {
      context: 1000,
      target: { kind: "memory", label: "t", memoryBytes: GiB },
    });
    expect(hw.fit?.layerSplit).toMatchObject({
      gpuLayers: 0,
      gpuBytes: 0n,
      ramBytes: 262_144n + 2n * LAYER + OUTPUT + COMPUTE + 2048n,
    });
  });

  it("a tied head: the output layer carries llama.cpp's copy of the embedding", async () => {
    const hw = await estimate("gemma2", {
      context: 1000,
      target: { kind: "memory", label: "t", memoryBytes: 2n * GiB },
    });
    const s = hw.fit!.layerSplit!;
    expect(s.gpuLayers).toBe(5);
    // Embedding 256 × 512 × 2 = 262,144, kept in RAM and copied to the GPU for the logits.
    expect(s.ramBytes).toBe(262_144n + 2048n);
  });

  it("this machine's RAM (no GPU): no split", async () => {
    const hw = await estimate("llama", {
      target: { kind: "memory", label: "RAM", memoryBytes: 2n * GiB, systemRam: true },
    });
    expect(hw.fit?.layerSplit).toBeUndefined();
  });
});

describe("the table and the headline say the same", () => {
  async function rendered(family: Family, hardware: HardwareOptions) {
    const file = path.join(dir, `${family}.gguf`);
    writeFileSync(file, familyFile(family).bytes);
    const report = buildReport(await loadCheckpoint(file), { hardware });
    return {
      table: renderTable(report, { style: PLAIN }),
      headline: headlineLines(report, PLAIN).join("\n"),
    };
  }

  it("the split: -ngl, the layers left in RAM and their bytes, in both", async () => {
    const { table, headline } = await rendered("llama", {
      context: 1000,
      target: { kind: "memory", label: "1.08GB", memoryBytes: 1_081_000_000n },
    });
    const words = "-ngl 2 of 3 (1.08 GB on the GPU); the other 1 in RAM (1.97 MB of RAM)";
    expect(table).toContain(`llama.cpp ${words}`);
    expect(headline).toContain(`does not fit 1.08GB`);
    expect(headline).toContain(`llama.cpp ${words}`);
  });

  it("the cells, the window cells and the buffers llama.cpp allocates", async () => {
    const { table } = await rendered("gemma3", { context: 1000 });
    expect(table).toMatch(
      /KV cache .* 1,536 B\/token in f16 × 1,024 cells \(llama\.cpp\) × 1, window layers fewer/,
    );
    expect(table).toContain("5 sliding-attention ≤ 128 tokens, 768 cells: 983.04 kB");
    expect(table).toContain(
      "llama.cpp: 1,024 cells per sequence (the context rounded up to 256); window layers 768 (window + a 512-token micro-batch)",
    );
    expect(table).toMatch(
      /activations .* llama\.cpp compute buffer 6\.03 MB \(estimated\) \+ output buffer 2\.05 kB/,
    );
  });
});

// The same llama numbers (F16, 1,000 tokens): a layer with its cache, the output layer, the
// compute buffer, the token embedding and the output buffer.
const LAYER = 1_181_696n + 524_288n;
const OUTPUT = 263_168n;
const COMPUTE = 5_242_880n;
const EMBEDDING = 262_144n;
const LOGITS = 2048n;

/** A GPU whose usable share (0.9) is at least `usable` and less than one byte more. */
function gpu(usable: bigint, count: number, systemRamBytes?: bigint): FitTarget {
  const device: Device = {
    id: "test-gpu",
    label: "Test GPU",
    kind: "consumer-gpu",
    memoryBytes: (usable * 10n + 8n) / 9n,
  };
  expect(usableBytes(device) - usable).toBe(0n);
  return {
    kind: "devices",
    device,
    count,
    ...(systemRamBytes !== undefined ? { systemRamBytes } : {}),
  };
}

describe("the verdict follows llama.cpp's split (docs/memory-model.md §8)", () => {
  // Every layer on one device: both blocks, the output layer, the compute buffer, the reserve.
  const ALL = 2n * LAYER + OUTPUT + COMPUTE + GiB;

  it("every layer on the device fits, though weights + KV + buffers + reserve would not", async () => {
    const hw = await estimate("llama", {
      context: 1000,
      target: { kind: "memory", label: "t", memoryBytes: ALL },
    });
    // The whole-model rule counts the embedding and the logits, which llama.cpp keeps in RAM.
    expect(hw.requiredBytes).toBe(ALL + EMBEDDING + LOGITS);
    expect(hw.fit).toMatchObject({
      fits: true,
      perDeviceBytes: ALL,
      marginBytes: 0n,
      requiredBytes: ALL + EMBEDDING + LOGITS,
      layerSplit: { gpuLayers: 3, layers: 3, ramBytes: EMBEDDING + LOGITS },
    });
    expect(hw.fit!.maxContext).toBeGreaterThanOrEqual(1000);
    // The precision what-ifs use the same rule.
    expect(hw.precisions.find((p) => p.name === "as stored")?.fits).toBe(true);
  });

  it("one byte less: -ngl 2 of 3, and without the system RAM that does not fit", async () => {
    const hw = await estimate("llama", {
      context: 1000,
      target: { kind: "memory", label: "t", memoryBytes: ALL - 1n },
    });
    expect(hw.fit).toMatchObject({ fits: false, perDeviceBytes: ALL, marginBytes: -1n });
    expect(hw.fit!.layerSplit).toMatchObject({
      gpuLayers: 2,
      ramBytes: EMBEDDING + LAYER + LOGITS,
    });
    expect(hw.fit!.maxContext).toBeLessThan(1000);
    expect(hw.precisions.find((p) => p.name === "as stored")?.fits).toBe(false);
    expect(fitFailureText(hw.fit!, (b) => `${b} B`)).toBe(
      `only 2 of 3 layers fit on the GPU (llama.cpp -ngl 2; all 3 need ${ALL} B, ${ALL - 1n} B usable); the other 1 would run from system RAM (${EMBEDDING + LAYER + LOGITS} B), which counts only with --memory auto`,
    );
  });

  it("with the system RAM counted (--memory auto): the rest in RAM runs, if the RAM holds it", async () => {
    const ram = EMBEDDING + LAYER + LOGITS;
    const runs = await estimate("llama", { context: 1000, target: gpu(ALL - 1n, 1, ram) });
    expect(runs.fit).toMatchObject({ fits: true, systemRamBytes: ram, marginBytes: -1n });
    expect(runs.fit!.layerSplit).toMatchObject({ gpuLayers: 2, ramBytes: ram });
    // No GPU speed for a model partly in RAM.
    expect(runs.fit!.decodeTokensPerSecond).toBeUndefined();
    const short = await estimate("llama", { context: 1000, target: gpu(ALL - 1n, 1, ram - 1n) });
    expect(short.fit!.fits).toBe(false);
    expect(fitFailureText(short.fit!, (b) => `${b} B`)).toBe(
      `only 2 of 3 layers fit on the GPU (llama.cpp -ngl 2; all 3 need ${ALL} B, ${ALL - 1n} B usable); the other 1 need ${ram} B of system RAM, ${ram - 1n} B usable`,
    );
  });

  it("the table and the headline say it runs partly from RAM", async () => {
    const file = path.join(dir, "llama.gguf");
    writeFileSync(file, familyFile("llama").bytes);
    const ram = EMBEDDING + LAYER + LOGITS;
    const report = buildReport(await loadCheckpoint(file), {
      hardware: { context: 1000, target: gpu(ALL - 1n, 1, ram) },
    });
    const table = renderTable(report, { style: PLAIN });
    expect(table).toContain("fit 1 × Test GPU: runs partly from RAM (all layers need 1.08 GB");
    expect(table).toContain("longest context that runs: ");
    expect(table).toContain(
      "llama.cpp -ngl 2 of 3 (1.08 GB on the GPU); the other 1 in RAM (1.97 MB of RAM, 1.97 MB usable)",
    );
    expect(headlineLines(report, PLAIN).join("\n")).toContain(
      "runs partly from RAM on 1 × Test GPU; llama.cpp -ngl 2 of 3",
    );
  });
});

describe("several GPUs: llama.cpp's layer split mode", () => {
  it("units go to the first device whose split point is above j / ngl, in float", () => {
    expect(proportionalCounts([1, 1], 3)).toEqual([2, 1]);
    expect(proportionalCounts([1, 1], 32)).toEqual([16, 16]);
    expect(proportionalCounts([1, 1], 33)).toEqual([17, 16]);
    // 22/33 equals the split point 2/3: upper_bound sends it to the second device.
    expect(proportionalCounts([2, 1], 33)).toEqual([22, 11]);
    expect(proportionalCounts([24 * 2 ** 30, 12 * 2 ** 30], 33)).toEqual([22, 11]);
    expect(proportionalCounts([1, 1, 1], 8)).toEqual([3, 3, 2]);
    expect(proportionalCounts([3, 0, 1], 8)).toEqual([6, 0, 2]);
  });

  it("3 equal GPUs, 7 layers and the output: 3, 3 and 2, each with its own buffer and reserve", async () => {
    const big = 40n * GiB;
    const hw = await estimate("llama", { context: 1000, target: gpu(big, 3) }, 7);
    const each = COMPUTE + GiB;
    const devices = [
      { layers: 3, bytes: 3n * LAYER + each, usableBytes: big, output: false },
      { layers: 3, bytes: 3n * LAYER + each, usableBytes: big, output: false },
      { layers: 2, bytes: LAYER + OUTPUT + each, usableBytes: big, output: true },
    ];
    expect(hw.fit!.layerSplit).toEqual({
      runtime: "llama.cpp",
      layers: 8,
      gpuLayers: 8,
      gpuBytes: 3n * LAYER + each,
      ramBytes: EMBEDDING + LOGITS,
      distribution: "proportional",
      devices,
    });
    expect(hw.fit).toMatchObject({
      fits: true,
      devices: 3,
      perDeviceBytes: 3n * LAYER + each,
      marginBytes: big - 3n * LAYER - each,
      requiredBytes: 7n * LAYER + OUTPUT + 3n * each + EMBEDDING + LOGITS,
    });
  });

  it("when the proportional split overflows a device, --fit fills them from the last", async () => {
    // Room for two layers (or a layer and the output layer) each: 6 of the 8 units.
    const room = 2n * LAYER + COMPUTE + GiB;
    const hw = await estimate("llama", { context: 1000, target: gpu(room, 3) }, 7);
    const s = hw.fit!.layerSplit!;
    expect(s).toMatchObject({ gpuLayers: 6, distribution: "filled" });
    expect(s.devices.map((d) => d.layers)).toEqual([2, 2, 2]);
    expect(s.devices.map((d) => d.bytes)).toEqual([room, room, LAYER + OUTPUT + COMPUTE + GiB]);
    expect(s.ramBytes).toBe(EMBEDDING + 2n * LAYER + LOGITS);
    expect(hw.fit!.fits).toBe(false);
  });

  it("unequal devices: the proportional split by memory, else the last filled first", () => {
    const w = { layers: [10n, 10n, 10n, 10n], inputBytes: 7n, outputBytes: 5n, residentBytes: 52n };
    const buffers = { computeBytes: 3n, outputBytes: 1n, ubatch: 512, cells: 256 };
    // 2:1 memory, 5 units: j/5 below 2/3 for j = 0..3, so 4 and 1 (the output layer alone).
    const fits = layerSplit(w, [0n, 0n, 0n, 0n], buffers, [60n, 30n], 0n);
    expect(fits.split.devices.map((d) => [d.layers, d.bytes])).toEqual([
      [4, 43n],
      [1, 8n],
    ]);
    expect(fits.split.distribution).toBe("proportional");
    // 20 and 60: in proportion the first device gets 2 layers (23 bytes) and cannot hold them;
    // --fit gives the last device the output layer and every layer (48), the first none.
    const filled = layerSplit(w, [0n, 0n, 0n, 0n], buffers, [20n, 60n], 0n);
    expect(filled.split.devices.map((d) => [d.layers, d.bytes])).toEqual([
      [0, 0n],
      [5, 48n],
    ]);
    expect(filled.split).toMatchObject({ gpuLayers: 5, distribution: "filled", ramBytes: 8n });
    expect(filled.whole.map((d) => d.layers)).toEqual([2, 3]);
  });
});

describe("--tensor-split", () => {
  const w = { layers: [10n, 10n, 10n, 10n], inputBytes: 7n, outputBytes: 5n, residentBytes: 52n };
  const buffers = { computeBytes: 3n, outputBytes: 1n, ubatch: 512, cells: 256 };
  const cache = [0n, 0n, 0n, 0n];

  it("spreads the layers in the proportions given, not by memory", () => {
    // 1:3, 5 units: j/5 below 1/4 for j = 0, 1: 2 and 3.
    const p = layerSplit(w, cache, buffers, [100n, 100n], 0n, [1, 3]);
    expect(p.split.devices.map((d) => [d.layers, d.bytes, d.output])).toEqual([
      [2, 23n, false],
      [3, 28n, true],
    ]);
    expect(p.split.distribution).toBe("proportional");
  });

  it("a split that overflows a device is kept: the largest -ngl spread that way that fits", () => {
    // 3:1 on 30 and 60 bytes: -ngl 5 puts 4 units (43 bytes) on the first device, -ngl 4 three
    // layers (33); -ngl 3 gives it all three units (j/3 below 3/4): layers 2, 3 and the output.
    const p = layerSplit(w, cache, buffers, [30n, 60n], 0n, [3, 1]);
    expect(p.split.devices.map((d) => [d.layers, d.bytes, d.output])).toEqual([
      [3, 28n, true],
      [0, 0n, false],
    ]);
    expect(p.split).toMatchObject({ gpuLayers: 3, distribution: "proportional", ramBytes: 28n });
  });
});

describe("GPUs of different kinds, and speed over a layer split", () => {
  const rtx4090 = findDevice("rtx-4090")!;
  const rtx4060 = findDevice("rtx-4060")!;

  it("llama.cpp runs the layers one device after the other: two GPUs decode as fast as one", async () => {
    const one = await estimate("llama", { target: { kind: "devices", device: rtx4090, count: 1 } });
    const two = await estimate("llama", { target: { kind: "devices", device: rtx4090, count: 2 } });
    expect(one.fit!.decodeTokensPerSecond).toBeGreaterThan(0);
    expect(two.fit!.decodeTokensPerSecond).toBe(one.fit!.decodeTokensPerSecond);
  });

  it("without a layer split (tensor parallel), the smallest device bounds equal shards", () => {
    const hw = estimateHardware(
      { residentBytes: 10n * GiB, residentParameters: 5_000_000_000n },
      { target: { kind: "mixed", devices: [rtx4090, rtx4060] } },
    );
    expect(hw.fit).toMatchObject({
      target: "RTX 4090 24GB + RTX 4060 8GB",
      devices: 2,
      usableBytes: usableBytes(rtx4060),
      mixedDevices: ["rtx-4090", "rtx-4060"],
    });
    expect(hw.fit!.perDeviceBytes).toBe(hw.fit!.requiredBytes / 2n);
    expect(hw.fit!.layerSplit).toBeUndefined();
  });
});

describe("the smallest setups use the fit's rule", () => {
  it("every catalogue row agrees with --gpu on that device and count (a 30 GB llama)", async () => {
    const file = path.join(dir, "llama.gguf");
    writeFileSync(file, familyFile("llama").bytes);
    const m = summarize(await loadCheckpoint(file));
    // The tiny llama's layers scaled 10,000 times: about 29 GB of weights, split by layers.
    const lw = m.layerWeights!;
    const x = 10_000n;
    const footprint = {
      residentBytes: lw.residentBytes * x,
      residentParameters: 1n,
      config: m.modelConfig!,
      layerWeights: {
        layers: lw.layers.map((b) => b * x),
        inputBytes: lw.inputBytes * x,
        outputBytes: lw.outputBytes * x,
        residentBytes: lw.residentBytes * x,
      },
    };
    const hw = estimateHardware(footprint, { context: 1000 });
    const counts = new Set(hw.devices.map((d) => d.count));
    // Some devices need one, some several: the rows are not all alike.
    expect(counts.size).toBeGreaterThan(1);
    for (const row of hw.devices) {
      const device = DEVICES.find((d) => d.id === row.device)!;
      const fit = (count: number) =>
        estimateHardware(footprint, {
          context: 1000,
          target: { kind: "devices", device, count },
        }).fit!;
      if (row.fits) {
        expect(fit(row.count!)).toMatchObject({ fits: true, perDeviceBytes: row.perDeviceBytes });
        if (row.count! > 1) expect(fit(row.count! / 2).fits).toBe(false);
      } else expect(fit(row.count ?? 8).fits).toBe(false);
    }
  });
});
