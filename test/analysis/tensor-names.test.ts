import { describe, expect, it } from "vitest";
import { FUSED, NameParser, NOT_EXPERT, ROUTED, SHARED } from "../../src/analysis/tensor-names.js";

const p = new NameParser();
const parsed = (name: string) =>
  p.parse(name)
    ? { stack: name.slice(0, p.stackEnd), layer: p.layer, kind: p.expertKind, expert: p.expert }
    : undefined;

describe("NameParser", () => {
  it("finds the layer of the usual stacks", () => {
    expect(parsed("model.layers.12.self_attn.q_proj.weight")).toEqual({
      stack: "model.layers.",
      layer: 12,
      kind: NOT_EXPERT,
      expert: -1,
    });
    expect(parsed("transformer.h.3.attn.c_attn.weight")?.layer).toBe(3);
    expect(parsed("transformer.blocks.7.ffn.up_proj.weight")?.stack).toBe("transformer.blocks.");
    expect(parsed("bert.encoder.layer.11.output.dense.weight")?.layer).toBe(11);
    expect(parsed("layers.0.attention.wq.weight")?.stack).toBe("layers.");
    expect(parsed("vision_tower.encoder.layers.5.mlp.fc1.weight")?.stack).toBe(
      "vision_tower.encoder.layers.",
    );
  });

  it("tells routed, fused and shared experts apart; routers and shared gates are not experts", () => {
    expect(parsed("model.layers.0.block_sparse_moe.experts.7.w1.weight")).toMatchObject({
      kind: ROUTED,
      expert: 7,
    });
    expect(parsed("model.layers.3.mlp.experts.255.down_proj.weight_scale_inv")?.expert).toBe(255);
    expect(parsed("model.layers.0.mlp.experts.gate_up_proj_blocks")?.kind).toBe(FUSED);
    expect(parsed("model.layers.3.mlp.shared_experts.gate_proj.weight")?.kind).toBe(SHARED);
    expect(parsed("model.layers.3.mlp.shared_expert.up_proj.weight")?.kind).toBe(SHARED);
    expect(parsed("model.layers.3.mlp.shared_expert_gate.weight")?.kind).toBe(NOT_EXPERT);
    expect(parsed("model.layers.0.block_sparse_moe.gate.weight")?.kind).toBe(NOT_EXPERT);
    expect(parsed("model.layers.0.mlp.router.weight")?.kind).toBe(NOT_EXPERT);
  });

  it("reads GGUF's names: blk.N layers, stacked (_exps) and shared (_shexp) experts", () => {
    expect(parsed("blk.3.attn_q.weight")).toMatchObject({ layer: 3, kind: NOT_EXPERT });
    expect(parsed("blk.7.ffn_gate_exps.weight")).toMatchObject({ layer: 7, kind: FUSED });
    expect(parsed("blk.7.ffn_down_shexp.weight")).toMatchObject({ layer: 7, kind: SHARED });
    expect(parsed("blk.7.ffn_gate_inp.weight")).toMatchObject({ layer: 7, kind: NOT_EXPERT });
  });

  it("is not fooled by numbers that are not layer numbers", () => {
    for (const name of [
      "model.embed_tokens.weight",
      "model.blk.3.weight", // GGUF's blk numbers layers only at the start of a name
      "l.5.e.3.w",
      "model.layers.x.mlp.weight",
      "model.layers.0", // no module after the number
      "model.layers.1234567890.mlp.weight", // 10 digits: not an index
      "0.weight",
      "",
    ])
      expect(parsed(name), name).toBeUndefined();
  });

  it("leaves no state behind between names", () => {
    parsed("model.layers.1.mlp.experts.2.w1.weight");
    expect(parsed("model.norm.weight")).toBeUndefined();
    expect(p.expertKind).toBe(NOT_EXPERT);
    expect(p.layer).toBe(-1);
  });
});
