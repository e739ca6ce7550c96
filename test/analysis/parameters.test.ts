// Quantization-aware counting: each synthetic layout quantizes the same small model, so its
// logical parameters must equal that model's unquantized count exactly.

import { describe, expect, it } from "vitest";
import {
  BOOKKEEPING,
  countingRules,
  exactIn,
  groupBits,
  parametersOf,
  WEIGHT,
} from "../../src/analysis/parameters.js";
import { schemeFromConfig } from "../../src/analysis/quantization.js";
import { BIGINTS } from "../../src/formats/tensor-table.js";
import { dtypeId } from "../../src/formats/safetensors/dtypes.js";
import {
  analyzeTensors,
  awq,
  bnb4bit,
  bnb8bit,
  compressedTensors,
  gptOss,
  gptq,
  mlx,
  nvfp4,
  tinyDense,
  type Layout,
} from "../helpers/layouts.js";

const analyze = (l: Layout, withConfig = true) =>
  analyzeTensors(l.tensors, withConfig ? { config: l.config } : {});
const UNQUANTIZED = analyze(tinyDense()).parameters.total;
const elementsOf = (l: Layout) =>
  l.tensors.reduce((a, x) => a + x.shape.reduce((p, d) => p * d, 1n), 0n);

describe("the tiny model every synthetic layout quantizes", () => {
  it("has 557,696 parameters: 2 layers of 128 hidden, 256 intermediate, vocab 1024, untied", () => {
    // 2 × (q 128² + k, v 64·128 + o 128² + 3 · 256·128 + 2 norms) + 2 · 1024·128 + norm
    const layer = 128 * 128 * 2 + 64 * 128 * 2 + 3 * 256 * 128 + 2 * 128;
    expect(UNQUANTIZED).toBe(BigInt(2 * layer + 2 * 1024 * 128 + 128));
  });
});

describe("packed and bookkeeping tensors", () => {
  it.each([
    ["GPTQ 4-bit", gptq(4), 8],
    ["GPTQ 3-bit", gptq(3), 32 / 3],
    ["GPTQ 8-bit", gptq(8), 4],
    ["AWQ 4-bit", awq(4), 8],
  ])("%s: qweight I32 × 32/bits, qzeros/scales/g_idx 0", (_, layout, ratio) => {
    const a = analyze(layout);
    expect(a.parameters.total).toBe(UNQUANTIZED);
    expect(a.parameters.stored).toBe(elementsOf(layout));
    expect(a.findings).toEqual([]);
    expect(a.quantization).toMatchObject({ packedTensors: 14, counted: true, source: "config" });
    const qweight = layout.tensors.find((x) => x.name.endsWith("q_proj.qweight"))!;
    const n = qweight.shape[0]! * qweight.shape[1]!;
    expect(Number(n) * ratio).toBe(128 * 128);
  });

  it("GPTQ 3-bit multiplies by the exact ratio 32/3 (32 weights in 3 words), never by 10 or 11", () => {
    const rules = countingRules(schemeFromConfig({ method: "gptq", bits: 3 }));
    const role = rules.roleOf("m.qweight", dtypeId("I32"));
    expect(role).toMatchObject({ kind: "packed", num: 32n, den: 3n });
    expect(parametersOf(role, 12n * 128n)).toBe(16_384n);
    expect(exactIn(role, 12n * 128n, BIGINTS)).toBe(true);
    expect(exactIn(role, 7n, BIGINTS)).toBe(false);
    expect(parametersOf(role, 7n)).toBe(74n); // 224 / 3, rounded down
  });

  it("reports a packed tensor whose shape the bits cannot fill, and counts it rounded down", () => {
    const layout = gptq(3);
    layout.tensors.push({ name: "extra.qweight", dtype: "I32", shape: [7n] });
    const a = analyze(layout);
    expect(a.parameters.total).toBe(UNQUANTIZED + 74n);
    expect(a.findings.map((f) => [f.code, f.severity])).toEqual([
      ["PACKED_COUNT_INEXACT", "warning"],
    ]);
    expect(a.findings[0]!.message).toContain("extra.qweight (7 × 32/3)");
  });

  it("bitsandbytes 4-bit: U8 × 2; absmax, quant_map, nested_* and quant_state are bookkeeping", () => {
    const a = analyze(bnb4bit());
    expect(a.parameters.total).toBe(UNQUANTIZED);
    expect(a.quantization).toMatchObject({
      method: "bitsandbytes",
      bits: 4,
      format: "nf4",
      packedTensors: 14,
      bookkeepingTensors: 14 * 5,
    });
  });

  it("bitsandbytes 8-bit: I8 weights × 1; SCB and weight_format are bookkeeping", () => {
    const a = analyze(bnb8bit());
    expect(a.parameters.total).toBe(UNQUANTIZED);
    expect(a.quantization).toMatchObject({ bits: 8, packedTensors: 0, bookkeepingTensors: 28 });
  });

  it("compressed-tensors: each module at its own group's bits (8-bit attention, 4-bit MLP)", () => {
    const layout = compressedTensors();
    const a = analyze(layout);
    expect(a.parameters.total).toBe(UNQUANTIZED);
    expect(a.quantization).toMatchObject({
      method: "compressed-tensors",
      format: "pack-quantized",
      packedTensors: 14,
      bookkeepingTensors: 14 * 3,
    });
    expect(a.quantization!.bits).toBeUndefined(); // two groups, two widths
    // Applying one group's bits to every module (huggingface.js#2215) would miss the total.
    const oneGroup = structuredClone(layout.config);
    const groups = (oneGroup["quantization_config"] as { config_groups: Record<string, unknown> })
      .config_groups;
    delete groups["group_1"];
    (groups["group_0"] as { targets: string[] }).targets = ["Linear"];
    expect(analyzeTensors(layout.tensors, { config: oneGroup }).parameters.total).not.toBe(
      UNQUANTIZED,
    );
  });

  it("ModelOpt NVFP4: U8 × 2; F8_E4M3 block scales and F32 global scales are bookkeeping", () => {
    const a = analyze(nvfp4());
    expect(a.parameters.total).toBe(UNQUANTIZED);
    expect(a.quantization).toMatchObject({
      method: "nvfp4",
      packedTensors: 14,
      bookkeepingTensors: 42,
    });
  });

  it("MLX: U32 × 32/bits with per-module bits; scales and biases are bookkeeping", () => {
    const a = analyze(mlx());
    expect(a.parameters.total).toBe(UNQUANTIZED);
    expect(a.quantization).toMatchObject({
      method: "mlx",
      bits: 4,
      groupSize: 64,
      packedTensors: 14,
    });
  });

  it("MXFP4 (gpt-oss): U8 blocks × 2; U8 scales (one exponent per 32 weights) are 0", () => {
    const a = analyze(gptOss());
    const blocks = 24n * 32n * (5760n + 2880n) * 90n * 16n;
    const scales = blocks / 16n;
    expect(a.parameters.stored! - a.parameters.total).toBe(scales - blocks);
    expect(a.quantization?.bookkeepingElements).toBe(scales);
    expect(a.quantization?.packedParameters).toBe(2n * blocks); // the experts' weights, at 4.25 bits
  });

  it("F8_E8M0 tensors are scale exponents under any rules", () => {
    for (const rules of [
      countingRules(undefined),
      countingRules(schemeFromConfig({ method: "fp8" })),
    ])
      expect(rules.roleOf("w.weight_scale", dtypeId("F8_E8M0"))).toBe(BOOKKEEPING);
  });

  it("shares one role object per ratio: a million tensors are not a million allocations", () => {
    const rules = countingRules(schemeFromConfig({ method: "gptq", bits: 4 }));
    const a = rules.roleOf("a.qweight", dtypeId("I32"));
    expect(rules.roleOf("b.qweight", dtypeId("I32"))).toBe(a);
    expect(rules.roleOf("b.weight", dtypeId("F16"))).toBe(WEIGHT);
  });
});

describe("without a quantization config", () => {
  it("recognises GPTQ from qweight + qzeros + scales and reads the bits from their shapes", () => {
    for (const bits of [3, 4, 8]) {
      const a = analyze(gptq(bits), false);
      expect(a.parameters.total, `${bits}-bit`).toBe(UNQUANTIZED);
      expect(a.quantization).toMatchObject({ method: "gptq", source: "tensor names", bits });
      expect(a.findings.map((f) => f.code)).toEqual(["QUANTIZATION_FROM_NAMES"]);
    }
    expect(analyze(awq(4), false).quantization).toMatchObject({ method: "awq", bits: 4 });
  });

  it("recognises MXFP4 from U8 _blocks beside U8 _scales", () => {
    const a = analyze(gptOss(), false);
    expect(a.parameters.total).toBe(20_914_757_184n);
    expect(a.quantization).toMatchObject({ method: "mxfp4", source: "tensor names" });
  });

  it("recognises bitsandbytes 4-bit by its quant_state tensors", () => {
    expect(analyze(bnb4bit(), false).parameters.total).toBe(UNQUANTIZED);
  });

  it("counts stored elements where names allow more than one reading (MLX U32, NVFP4 U8)", () => {
    for (const layout of [mlx(), nvfp4()]) {
      const a = analyze(layout, false);
      expect(a.quantization).toBeUndefined();
      expect(a.parameters.total).toBe(elementsOf(layout));
    }
  });

  it("needs both halves of a pattern: U8 _blocks alone, or qweight without qzeros, stay stored", () => {
    const blocks = {
      repo: "x",
      tensors: gptOss().tensors.filter((x) => !x.name.endsWith("_scales")),
      config: {},
      shards: 1,
    };
    expect(analyze(blocks, false).quantization).toBeUndefined();
    const layout = gptq(4);
    const noZeros = {
      ...layout,
      tensors: layout.tensors.filter((x) => !x.name.endsWith(".qzeros")),
    };
    const a = analyze(noZeros, false);
    expect(a.quantization).toBeUndefined();
    expect(a.parameters.total).toBe(elementsOf(noZeros));
  });
});

describe("compressed-tensors group resolution", () => {
  const scheme = schemeFromConfig({
    method: "compressed-tensors",
    configGroups: [
      { name: "all", targets: ["Linear"], numBits: 4 },
      { name: "attn", targets: ["re:.*self_attn\\..*"], numBits: 8 },
      { name: "one", targets: ["model.layers.0.self_attn.q_proj"], numBits: 2 },
    ],
    ignore: ["lm_head", "re:.*mlp\\.gate$"],
  });

  it("prefers an exact name, then a pattern, then a class (as compressed-tensors does)", () => {
    expect(groupBits(scheme, "model.layers.0.self_attn.q_proj")).toBe(2);
    expect(groupBits(scheme, "model.layers.0.self_attn.k_proj")).toBe(8);
    expect(groupBits(scheme, "model.layers.0.mlp.up_proj")).toBe(4);
  });

  it("honours ignore: an ignored module is not unpacked", () => {
    expect(groupBits(scheme, "lm_head")).toBeUndefined();
    expect(groupBits(scheme, "model.layers.3.mlp.gate")).toBeUndefined();
    const rules = countingRules(scheme);
    expect(rules.roleOf("lm_head.weight_packed", dtypeId("I32"))).toBe(WEIGHT);
    expect(rules.roleOf("model.layers.3.mlp.up_proj.weight_packed", dtypeId("I32"))).toMatchObject({
      num: 8n,
      den: 1n,
    });
  });
});
