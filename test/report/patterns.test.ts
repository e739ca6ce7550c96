import { describe, expect, it } from "vitest";
import type { TensorRow } from "../../src/analysis/summary.js";
import { collapseFirst, ranges } from "../../src/report/patterns.js";

const collapse = (rows: Parameters<typeof collapseFirst>[0]) => collapseFirst(rows, Infinity).rows;

const row = (name: string, shape: number[], dtype = "BF16"): TensorRow => {
  const n = shape.reduce((a, b) => a * BigInt(b), 1n);
  return {
    name,
    dtype,
    shape: shape.map(BigInt),
    parameters: n,
    bytes: n * 2n,
    offsets: [0n, 0n],
    file: "f",
  };
};

describe("tensor patterns", () => {
  it("compresses number sets into ranges", () => {
    expect(ranges([3, 0, 1, 2, 7, 9, 10])).toBe("0..3,7,9..10");
    expect(ranges([5])).toBe("5");
    expect(ranges([])).toBe("");
  });

  it("collapses layers that share dtype and shape, in first-seen order", () => {
    const rows: TensorRow[] = [row("model.embed_tokens.weight", [128256, 4096])];
    for (let l = 0; l < 32; l++) {
      rows.push(row(`model.layers.${l}.self_attn.q_proj.weight`, [4096, 4096]));
      rows.push(row(`model.layers.${l}.mlp.up_proj.weight`, [14336, 4096]));
    }
    rows.push(row("lm_head.weight", [128256, 4096]));
    const p = collapse(rows);
    expect(p.map((r) => [r.pattern, r.count])).toEqual([
      ["model.embed_tokens.weight", 1],
      ["model.layers.{0..31}.self_attn.q_proj.weight", 32],
      ["model.layers.{0..31}.mlp.up_proj.weight", 32],
      ["lm_head.weight", 1],
    ]);
    expect(p[2]).toMatchObject({
      parameters: 14336n * 4096n,
      totalParameters: 32n * 14336n * 4096n,
      totalBytes: 64n * 14336n * 4096n,
    });
  });

  it("keeps different shapes apart and collapses several indices at once", () => {
    const rows: TensorRow[] = [];
    for (let l = 0; l < 3; l++)
      rows.push(row(`model.layers.${l}.mlp.gate_proj.weight`, [18432, 7168], "F8_E4M3"));
    for (let l = 3; l < 6; l++)
      for (let e = 0; e < 4; e++)
        rows.push(
          row(`model.layers.${l}.mlp.experts.${e}.gate_proj.weight`, [2048, 7168], "F8_E4M3"),
        );
    rows.push(row("model.layers.9.mlp.gate_proj.weight", [18432, 7168], "BF16"));
    const p = collapse(rows);
    expect(p.map((r) => `${r.pattern} ${r.dtype} ×${r.count}`)).toEqual([
      "model.layers.{0..2}.mlp.gate_proj.weight F8_E4M3 ×3",
      "model.layers.{3..5}.mlp.experts.{0..3}.gate_proj.weight F8_E4M3 ×12",
      "model.layers.9.mlp.gate_proj.weight BF16 ×1",
    ]);
  });

  it("treats only whole dot-separated segments as indices", () => {
    const p = collapse([
      row("h0.w", [2]),
      row("h1.w", [2]),
      row("blocks.1.w", [2]),
      row("blocks.12.w", [2]),
    ]);
    expect(p.map((r) => r.pattern)).toEqual(["h0.w", "h1.w", "blocks.{1,12}.w"]);
  });
});
