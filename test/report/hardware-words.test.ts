// The estimate's assumptions are data (numbers and enums); the report writes the sentences, and
// the JSON keeps schema version 1's sentences beside the structured fields, from the same words.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../helpers/load.js";
import { buildReport } from "../../src/inspection.js";
import { FAMILIES, modelSpec, writeGguf } from "../helpers/gguf.js";
import { estimateHardware } from "../../src/hardware/estimate.js";
import { findDevice } from "../../src/hardware/catalog.js";
import { readModelConfig } from "../../src/model/model-config.js";
import {
  alternativesText,
  bitsText,
  laptopText,
  notesOf,
  remarkText,
  serverText,
  shareText,
  weightsOnlyText,
} from "../../src/report/hardware-words.js";

const GiB = 1n << 30n;

const llama = readModelConfig({
  model_type: "llama",
  num_hidden_layers: 32,
  hidden_size: 4096,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  max_position_embeddings: 131072,
}).config!;

describe("structured assumptions", () => {
  const hw = estimateHardware(
    { residentBytes: 16n * GiB, residentParameters: 8_000_000_000n, config: llama },
    { context: 200_000 },
  );

  it("the reference devices and their usable shares, as numbers and a rule", () => {
    expect(hw.assumptions.laptopReference).toEqual({
      device: "m4-32",
      label: "MacBook Air M4 32GB",
      memoryBytes: 32n * GiB,
      usableShare: { numerator: 2, denominator: 3, rule: "metal-working-set" },
    });
    expect(hw.assumptions.serverReference).toEqual({
      device: "h100",
      label: "H100 80GB",
      memoryBytes: 81_559n << 20n,
      usableShare: { numerator: 9, denominator: 10, rule: "vllm-gpu-memory-utilization" },
      gpus: 8,
    });
    // The sentences schema version 1 had, written from them.
    expect(laptopText(hw.assumptions.laptopReference)).toBe(
      "MacBook Air M4 32GB, ⅔ of unified memory (Metal's GPU working-set limit)",
    );
    expect(shareText(hw.assumptions.serverReference.usableShare)).toBe(
      "0.9 of each GPU (vLLM's gpu_memory_utilization)",
    );
    expect(serverText(hw.assumptions.serverReference)).toBe("8 × H100 80GB");
  });

  it("remarks are records of numbers and enums; each has its sentence", () => {
    expect(hw.assumptions.remarks).toEqual([
      {
        kind: "layer-kinds",
        groups: [{ kind: "full-attention", count: 32 }],
        from: { field: "sliding_window", rule: "absent" },
      },
      { kind: "kv-heads", kvHeads: 8, heads: 32, headDim: 128, valueHeadDim: 128 },
      {
        kind: "context-over-max",
        context: 200_000,
        max: 131_072,
        field: "max_position_embeddings",
      },
    ]);
    expect(notesOf(hw)).toEqual([
      "layers: 32 full-attention, from no sliding_window",
      "8 KV heads × 2 × head_dim 128 per layer (GQA, 32 query heads)",
      "context 200000 is longer than the model's max_position_embeddings 131072",
    ]);
  });

  it("precision rows: bits as numbers, the words derived", () => {
    const four = hw.precisions.find((p) => p.name === "4-bit")!;
    expect(four).toMatchObject({ weightBits: 4.89, scheme: "Q4_K_M" });
    expect(four.mxfp4Kept).toBeUndefined();
    expect(bitsText(four)).toBe("4.89 (Q4_K_M)");
    expect(bitsText({ ...four, mxfp4Kept: true })).toBe(
      "4.89 (Q4_K_M); MXFP4 weights stay at 4.25",
    );
    expect(bitsText(hw.precisions[0]!)).toBeUndefined();
  });

  it("a cluster's single-node alternatives as catalogue ids", () => {
    const big = estimateHardware(
      { residentBytes: 700n * GiB, residentParameters: 670_000_000_000n },
      { referenceGpu: findDevice("h100")! },
    );
    // 700 GiB + 10 % for the unknown cache + 5 %: more than 8 × H100 hold, less than 8 × H200.
    expect(big.cluster?.singleNodeAlternativeDevices).toEqual(["h200", "mi300x"]);
    expect(alternativesText(big)).toEqual(["8 × H200 141GB", "8 × MI300X 192GB"]);
  });

  it("weights that are not a language model: the cause as an enum, the sentence from it", () => {
    const w = estimateHardware({
      residentBytes: 1000n,
      residentParameters: 250n,
      weightsOnly: "no-architecture",
    });
    expect(w.languageModel).toBe(false);
    expect(w.weightsOnlyCause).toBe("no-architecture");
    expect(w.assumptions.remarks).toEqual([{ kind: "weights-only" }]);
    expect(notesOf(w)).toEqual([`weights only: ${weightsOnlyText("no-architecture")}`]);
    expect(weightsOnlyText("no-architecture")).toMatch(/^no config\.json, and no layer stack/);
  });

  it("every remark kind has a sentence (a new kind without words fails to compile, and here)", () => {
    expect(remarkText({ kind: "kv-dtype-override", option: "q8_0", config: "fp8" })).toBe(
      "--kv-dtype q8_0 overrides the config's fp8",
    );
    expect(remarkText({ kind: "kv-unknown", cause: "no-config", percent: 10 })).toBe(
      "KV cache unknown without config.json: 10 % of the weights added instead",
    );
    expect(remarkText({ kind: "heads-indivisible", heads: 28, gpus: 8 })).toContain(
      "28 attention heads do not divide over 8 GPUs",
    );
  });
});

describe("a GGUF file's words name its own keys, not config.json's", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "inspect-gguf-words-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("the context cap, the inferred head size and a layer-count mismatch", async () => {
    const file = path.join(dir, "llama.gguf");
    const spec = modelSpec({
      ...FAMILIES.llama(),
      context: 2048,
      extraKv: [{ key: "llama.block_count", type: "u32", value: 3 }],
    });
    writeFileSync(file, writeGguf(spec).bytes);
    const r = buildReport(await loadCheckpoint(file), {});
    expect(r.hardware!.assumptions.remarks).toContainEqual({
      kind: "context-capped",
      context: 2048,
      default: 4096,
      field: "llama.context_length",
    });
    expect(notesOf(r.hardware!)).toContain(
      "context 2048 tokens: the model's llama.context_length, below the default 4096",
    );
    expect(r.architecture!.inferred).toContain(
      "head dim = hidden size / attention heads (no llama.attention.key_length)",
    );
    expect(r.findings.map((f) => f.message)).toContain(
      "the GGUF metadata says 3 layers (llama.block_count); the tensors have 2 (0–1)",
    );
    expect(JSON.stringify(r.findings)).not.toContain("config.json");
  });
});
