import { describe, expect, it } from "vitest";
import { checkClaims } from "../../src/analysis/claims.js";
import { analyzeTensors, fileOf, qwen25_7b } from "../helpers/layouts.js";

describe("self-reported parameter totals", () => {
  const total = 7_615_616_512n;

  it("flags a claim that differs from the shapes' count and never uses it (huggingface_hub#4221)", () => {
    const l = qwen25_7b();
    const file = fileOf("model.safetensors", l.tensors, {
      format: "pt",
      total_parameters: "333312",
    });
    const a = analyzeTensors(file, { config: l.config });
    expect(a.parameters.total).toBe(total);
    expect(a.findings.map((f) => [f.code, f.severity, f.message, f.file])).toEqual([
      [
        "PARAMETERS_CLAIM_MISMATCH",
        "warning",
        "__metadata__ of model.safetensors claims 333,312 parameters; the tensor shapes give 7,615,616,512",
        "model.safetensors",
      ],
    ]);
  });

  it("accepts the total, or the total without optional modules (DeepSeek-V3's 671 B)", () => {
    expect(checkClaims([{ value: total, source: "the index" }], total, total, total)).toEqual([]);
    expect(
      checkClaims([{ value: "671026419200", source: "x" }], 684_489_845_504n, 671_026_419_200n, 0n),
    ).toEqual([]);
  });

  it("says when a claim is the stored elements, refuses non-numbers, and reports each claim once", () => {
    const f = checkClaims(
      [
        { value: "12", source: "the index's metadata" },
        { value: 12n, source: "__metadata__ of a" },
        { value: "1.8e308", source: "__metadata__ of b" },
      ],
      10n,
      10n,
      12n,
    );
    expect(f.map((x) => x.message)).toEqual([
      "the index's metadata claims 12 parameters (the stored elements, packed and bookkeeping included); the tensor shapes give 10",
      '__metadata__ of b gives total_parameters "1.8e308", not a whole number; the tensors hold 10',
    ]);
  });
});
