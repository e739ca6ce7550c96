import { describe, expect, it } from "vitest";
import {
  matchStrength,
  moduleMatcher,
  schemeFromConfig,
  schemeFromNames,
} from "../../src/analysis/quantization.js";
import {
  awq,
  bnb4bit,
  deepseekV3,
  gptOss,
  gptq,
  tableOf,
  tinyDense,
  type LayoutTensor,
} from "../helpers/layouts.js";

const fromNames = (tensors: LayoutTensor[]) => schemeFromNames([tableOf(tensors)]);

describe("schemeFromConfig", () => {
  it("names the method and the rule set that counts it", () => {
    const cases: Array<[Parameters<typeof schemeFromConfig>[0], string, string | undefined]> = [
      [{ method: "fp8", fmt: "e4m3", weightBlockSize: [128, 128] }, "fp8", "fp8"],
      [{ method: "fbgemm_fp8" }, "fp8", "fp8"],
      [{ method: "mxfp4" }, "mxfp4", "mxfp4"],
      [{ method: "gptq", bits: 4 }, "gptq", "gptq"],
      [{ method: "awq", bits: 4 }, "awq", "gptq"],
      [{ method: "intel/auto-round", bits: 4 }, "auto-round", "gptq"],
      [{ method: "bitsandbytes", loadIn4bit: true }, "bitsandbytes", "bitsandbytes-4bit"],
      [{ method: "bitsandbytes", loadIn8bit: true }, "bitsandbytes", "bitsandbytes-8bit"],
      [{ method: "compressed-tensors" }, "compressed-tensors", "compressed-tensors"],
      [{ method: "modelopt", quantAlgo: "NVFP4" }, "nvfp4", "nvfp4"],
      [{ method: "modelopt", quantAlgo: "FP8" }, "fp8", "fp8"],
      [{ method: "mlx", bits: 4 }, "mlx", "mlx"],
      [{ method: "hqq" }, "hqq", undefined],
      [{ method: "mlx" }, "mlx", undefined],
    ];
    for (const [q, method, counting] of cases) {
      const s = schemeFromConfig(q);
      expect([s.method, s.counting], JSON.stringify(q)).toEqual([method, counting]);
      expect(s.source).toBe("config");
    }
  });

  it("assumes 4 bits for GPTQ/AWQ only when the config gives none, and says so", () => {
    expect(schemeFromConfig({ method: "gptq" })).toMatchObject({
      bits: 4,
      notes: ["bits not given: 4 assumed"],
    });
    expect(schemeFromConfig({ method: "gptq", bits: 3 })).toMatchObject({ bits: 3, notes: [] });
  });

  it("gives compressed-tensors one width only when every group agrees", () => {
    const g = (numBits: number) => ({ name: `g${numBits}`, targets: ["Linear"], numBits });
    expect(schemeFromConfig({ method: "compressed-tensors", configGroups: [g(4)] }).bits).toBe(4);
    expect(
      schemeFromConfig({ method: "compressed-tensors", configGroups: [g(4), g(8)] }).bits,
    ).toBeUndefined();
  });
});

describe("schemeFromNames", () => {
  it("finds MXFP4, GPTQ (with its bits), AWQ, bitsandbytes 4-bit and block-scaled FP8", () => {
    expect(fromNames(gptOss().tensors)).toMatchObject({ method: "mxfp4", counting: "mxfp4" });
    expect(fromNames(gptq(3).tensors)).toMatchObject({
      method: "gptq",
      bits: 3,
      notes: ["3-bit, from the shapes of qzeros and scales"],
    });
    expect(fromNames(awq(4).tensors)).toMatchObject({ method: "awq", bits: 4 });
    expect(fromNames(bnb4bit().tensors)).toMatchObject({ method: "bitsandbytes", format: "nf4" });
    const v3 = deepseekV3().tensors.slice(0, 200);
    expect(fromNames(v3)).toMatchObject({ method: "fp8", source: "tensor names" });
  });

  it("finds nothing in plain weights, or in half a pattern", () => {
    expect(fromNames(tinyDense().tensors)).toBeUndefined();
    const f8 = (name: string): LayoutTensor => ({ name, dtype: "F8_E4M3", shape: [4n, 4n] });
    expect(fromNames([f8("a.weight")])).toBeUndefined();
    expect(
      fromNames([f8("a.weight"), { name: "b.weight_scale_inv", dtype: "F32", shape: [1n] }]),
    ).toBeUndefined();
    expect(
      fromNames([
        { name: "x_blocks", dtype: "U8", shape: [2n] },
        { name: "x_scales", dtype: "F32", shape: [1n] },
      ]),
    ).toBeUndefined();
  });

  it("falls back to 4 bits, and says so, when qzeros and scales do not give the width", () => {
    const odd: LayoutTensor[] = [
      { name: "m.qweight", dtype: "I32", shape: [16n, 100n] },
      { name: "m.qzeros", dtype: "I32", shape: [2n, 7n] },
      { name: "m.scales", dtype: "F16", shape: [2n, 100n] },
    ];
    expect(fromNames(odd)).toMatchObject({
      bits: 4,
      notes: ["bits not derivable from the shapes: 4 assumed"],
    });
  });
});

describe("moduleMatcher", () => {
  it("anchors patterns at the start like Python's re.match, and accepts (?P<name>…)", () => {
    const notes: string[] = [];
    const m = moduleMatcher(
      ["re:.*mlp", "re:(?P<x>model)\\.norm", "lm_head", "Linear"],
      notes,
      "t",
    );
    expect(notes).toEqual([]);
    expect(m.patterns.map((p) => p.test("model.layers.0.mlp.up_proj"))).toEqual([true, false]);
    expect(m.patterns[1]!.test("model.norm")).toBe(true);
    expect(m.patterns[1]!.test("x.model.norm")).toBe(false);
    expect(matchStrength(m, "lm_head")).toBe(3);
    expect(matchStrength(m, "model.layers.0.mlp.up_proj")).toBe(2);
    expect(matchStrength(m, "model.layers.0.self_attn.q_proj")).toBe(1);
    expect(matchStrength(moduleMatcher(["lm_head"], [], "t"), "model.norm")).toBe(0);
  });

  it("refuses patterns that could backtrack for ever, over-long ones, and invalid ones", () => {
    const notes: string[] = [];
    const m = moduleMatcher(
      ["re:(a+)+$", "re:" + "a".repeat(600), "re:(unclosed"],
      notes,
      "ignore",
    );
    expect(m.patterns).toEqual([]);
    expect(notes).toHaveLength(3);
    expect(notes[0]).toMatch(/^ignore: pattern "re:\(a\+\)\+\$" not evaluated/);
    expect(notes[2]).toMatch(/not a valid regular expression$/);
  });
});
