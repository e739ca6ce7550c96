import { describe, expect, it } from "vitest";
import {
  analyzeTensors,
  deepseekV3,
  gptOss,
  llama31_8b,
  mixtral,
  fileOf,
  type Layout,
  type LayoutTensor,
} from "../helpers/layouts.js";

// A small Mixtral: 4 layers of 8 experts, so each broken variant is cheap.
const SMALL = {
  layers: 4,
  hidden: 64,
  intermediate: 128,
  heads: 4,
  kvHeads: 2,
  experts: 8,
  topK: 2,
  vocab: 100,
  context: 4096,
};
const small = () => mixtral(SMALL, "small mixtral");
const analyze = (l: Layout, config: unknown = l.config) => analyzeTensors(l.tensors, { config });
const bare = (l: Layout) => analyzeTensors(l.tensors);
const codes = (a: { findings: Array<{ code: string }> }) => a.findings.map((f) => f.code);
const without = (l: Layout, drop: (t: LayoutTensor) => boolean): Layout => ({
  ...l,
  tensors: l.tensors.filter((t) => !drop(t)),
});

describe("mixture of experts", () => {
  it("active = non-expert + top-k/E of the routed experts, per layer", () => {
    const a = analyze(small());
    const expert = 3n * 128n * 64n;
    expect(a.moe).toMatchObject({
      experts: 8,
      topK: 2,
      layers: 4,
      routedParameters: 4n * 8n * expert,
      expertParameters: 4n * expert,
      sharedParameters: 0n,
    });
    expect(a.parameters.active).toBe(a.parameters.total - 4n * 6n * expert);
    expect(a.findings).toEqual([]);
  });

  it("reports experts missing from a layer, naming them", () => {
    const a = analyze(
      without(small(), (t) => t.name.includes("layers.2.block_sparse_moe.experts.5.")),
    );
    expect(codes(a)).toEqual(["EXPERTS_INCOMPLETE"]);
    expect(a.findings[0]!.message).toBe("expert numbers do not cover 0–7: layer 2 lacks 1 (5)");
  });

  it("reports experts numbered beyond E, and the config that declares fewer", () => {
    const l = small();
    l.tensors.push(
      ...l.tensors
        .filter((t) => t.name.startsWith("model.layers.0.block_sparse_moe.experts.7."))
        .map((t) => ({ ...t, name: t.name.replace("experts.7.", "experts.9.") })),
    );
    const a = analyze(l);
    expect(codes(a)).toEqual(["EXPERTS_INCOMPLETE", "CONFIG_MISMATCH"]);
    expect(a.findings[0]!.message).toContain("layer 0 has expert 9 beyond 7");
    expect(a.findings[1]!.message).toContain(
      "declares 8 experts per layer (num_local_experts), but expert 9 is stored",
    );
  });

  it("reports experts of unequal size", () => {
    const l = small();
    const w1 = l.tensors.find(
      (t) => t.name === "model.layers.1.block_sparse_moe.experts.3.w1.weight",
    )!;
    w1.shape = [120n, 64n];
    const a = analyze(l);
    expect(codes(a)).toEqual(["EXPERTS_UNEQUAL"]);
    expect(a.findings[0]!.message).toBe(
      "experts of one layer differ in size: layer 1: 24,064 vs 24,576 parameters",
    );
  });

  it("infers E from the expert numbers without config.json, but gives no active count", () => {
    const a = bare(small());
    expect(a.moe).toMatchObject({ experts: 8, source: "tensor names" });
    expect(a.moe!.topK).toBeUndefined();
    expect(a.parameters.active).toBeUndefined();
    expect(a.architecture!.inferred).toEqual(
      expect.arrayContaining([
        "8 experts per layer, from the highest expert number",
        "top-k unknown without config.json: no active count",
      ]),
    );
  });

  it("takes E from fused experts' first dimension when no config says (gpt-oss)", () => {
    const a = bare(gptOss());
    expect(a.moe).toMatchObject({ experts: 32, fused: true, source: "tensor names" });
    expect(a.architecture!.inferred).toContain(
      "32 experts per layer, from the fused expert tensors' first dimension",
    );
  });

  it("keeps dense layers and the MTP layer out of the MoE layers (DeepSeek-V3: 58 of 61)", () => {
    const l = deepseekV3();
    const file = fileOf("model.safetensors", l.tensors);
    const a = analyzeTensors(file, { config: l.config });
    expect(a.moe?.layers).toBe(58);
    const shifted = { ...l.config, first_k_dense_replace: 4 };
    const b = analyzeTensors(file, { config: shifted });
    expect(codes(b)).toEqual(["CONFIG_MISMATCH"]);
    expect(b.findings[0]!.message).toBe(
      "config.json makes 57 of 61 layers MoE (first_k_dense_replace 4, moe_layer_freq 1); experts are stored in 58, including layer 3",
    );
  });

  it("is no MoE for a dense model, even when its config carries a sampling top_k", () => {
    const l = llama31_8b();
    const a = analyze(l, { ...l.config, top_k: 50 });
    expect(a.moe).toBeUndefined();
    expect(a.parameters.active).toBeUndefined();
    const declared = analyze(l, { ...l.config, num_local_experts: 8 });
    expect(declared.findings.map((f) => [f.code, f.severity])).toEqual([
      ["CONFIG_MISMATCH", "info"],
    ]);
  });
});
