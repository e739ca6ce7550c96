import { describe, expect, it } from "vitest";
import { columnLines, displayWidth } from "../../src/report/columns.js";
import { cutToWidth, keep, wrapLines } from "../../src/report/wrap.js";
import { outputWidth } from "../../src/cli/width.js";

describe("wrapLines", () => {
  it("breaks at spaces, the first line after its prefix, the others under it", () => {
    expect(wrapLines("one two three four five six seven", 24, "  k ", "    ")).toEqual([
      "  k one two three four",
      "    five six seven",
    ]);
    // However deep the indent, a line keeps 16 columns for text.
    expect(wrapLines("one two three four five", 10, "", "")).toEqual([
      "one two three",
      "four five",
    ]);
  });

  it("keeps glued phrases whole and writes the glue as spaces", () => {
    const text = `alpha beta ${keep("8 × H100 80GB")} gamma`;
    expect(wrapLines(text, 20, "")).toEqual(["alpha beta", "8 × H100 80GB gamma"]);
    expect(wrapLines("alpha beta 8 × H100 80GB gamma", 20, "")).toEqual([
      "alpha beta 8 × H100",
      "80GB gamma",
    ]);
    expect(wrapLines(text, 100, "")).toEqual(["alpha beta 8 × H100 80GB gamma"]);
  });

  it("cuts a word longer than the line, after a separator when one is near", () => {
    const lines = wrapLines("see model.layers.61.shared_head.head.weight now", 20, "");
    expect(lines).toEqual(["see", "model.layers.61.", "shared_head.head.", "weight now"]);
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(20);
  });

  it("measures colour as nothing and never splits a colour sequence", () => {
    const red = (s: string) => `\u001b[31m${s}\u001b[39m`;
    const lines = wrapLines(`${red("abcdefghijklmnopqrstuvwxyz0123456789")} tail`, 20, "");
    expect(lines).toHaveLength(3);
    expect(lines.join("")).toContain("\u001b[31m");
    for (const l of lines) {
      expect(displayWidth(l)).toBeLessThanOrEqual(20);
      expect(l).not.toMatch(/\u001b(?!\[\d+m)/);
    }
  });
});

describe("cutToWidth", () => {
  it("cuts in the middle with an ellipsis, by display width", () => {
    expect(cutToWidth("model.layers.61.embed_tokens.weight", 20)).toBe("model.laye…ns.weight");
    expect(displayWidth(cutToWidth("模型模型模型模型", 7))).toBeLessThanOrEqual(7);
    expect(cutToWidth("short", 20)).toBe("short");
  });
});

describe("columns at a width", () => {
  const head = ["name", "n", "size"];
  const rows = [
    ["model.layers.0.mlp.gate_proj.weight", "58,720,256", "117.44 MB"],
    ["lm_head.weight", "525,336,576", "1.05 GB"],
  ];

  it("narrows the gap, then cuts the name column, never a number", () => {
    const natural = columnLines(head, rows, { right: [1, 2] });
    expect(natural[1]).toBe("  model.layers.0.mlp.gate_proj.weight   58,720,256  117.44 MB");
    expect(columnLines(head, rows, { right: [1, 2], width: 60, shrink: 0 })[1]).toBe(
      "  model.layers.0.mlp.gate_proj.weight  58,720,256 117.44 MB",
    );
    const cut = columnLines(head, rows, { right: [1, 2], width: 50, shrink: 0 });
    expect(cut[1]).toBe("  model.layers.…_proj.weight  58,720,256 117.44 MB");
    expect(cut[2]).toBe("  lm_head.weight             525,336,576   1.05 GB");
    for (const l of cut) expect(displayWidth(l)).toBeLessThanOrEqual(50);
  });

  it("wraps the text column under itself", () => {
    const lines = columnLines(
      ["", "bytes", "how"],
      [["KV cache", "1.05 MB", "256 B/token in bf16 × 4,096 tokens × 1"]],
      { right: [1], width: 42, wrap: 2 },
    );
    expect(lines).toEqual([
      "              bytes  how",
      "  KV cache  1.05 MB  256 B/token in bf16 ×",
      "                     4,096 tokens × 1",
    ]);
  });

  it("lays out records when nothing else fits", () => {
    const lines = columnLines(head, rows, { right: [1, 2], width: 40, shrink: 0 });
    expect(lines).toEqual([
      "  model.layers.0.mlp.gate_proj.weight:",
      "    n 58,720,256, size 117.44 MB",
      "  lm_head.weight: n 525,336,576,",
      "    size 1.05 GB",
    ]);
  });
});

describe("outputWidth", () => {
  it("is the terminal's on a TTY, else COLUMNS, else 80; never below 40", () => {
    expect(outputWidth({ isTTY: true, columns: 132, env: { COLUMNS: "90" } })).toBe(132);
    expect(outputWidth({ isTTY: false, columns: undefined, env: { COLUMNS: "90" } })).toBe(90);
    expect(outputWidth({ isTTY: false, columns: undefined, env: {} })).toBe(80);
    expect(outputWidth({ isTTY: false, columns: undefined, env: { COLUMNS: "wide" } })).toBe(80);
    expect(outputWidth({ isTTY: false, columns: undefined, env: { COLUMNS: "10" } })).toBe(40);
  });
});
