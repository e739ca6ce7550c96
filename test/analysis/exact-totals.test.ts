// The summary counts the usual tensor in Numbers and falls back to BigInts for huge ones: every
// total must stay exact either way, across 2^53, and equal what BigInt arithmetic gives.

import { describe, expect, it } from "vitest";
import { EXACT_PART, Total } from "../../src/analysis/model-tally.js";
import { buildReport } from "../../src/inspection.js";
import { analyzeTensors, fileOf, type LayoutTensor } from "../helpers/layouts.js";
import { byteSize } from "../helpers/safetensors.js";

const elementsOf = (t: LayoutTensor) => t.shape.reduce((a, b) => a * b, 1n);
const t = (name: string, dtype: string, shape: number[]): LayoutTensor => ({
  name,
  dtype,
  shape: shape.map(BigInt),
});

describe("Total", () => {
  it("adds exactly across 2^52 and 2^53", () => {
    const t = new Total();
    let expected = 0n;
    const parts = [EXACT_PART - 1, 1, EXACT_PART - 1, EXACT_PART - 1, 12345, EXACT_PART / 2 + 3];
    for (let round = 0; round < 50; round++) {
      for (const x of parts) {
        t.add(x);
        expected += BigInt(x);
      }
      t.add(2n ** 70n + 1n);
      expected += 2n ** 70n + 1n;
    }
    expect(t.value).toBe(expected);
  });
});

/**
 * Experts and layers as a MoE checkpoint names them, small (counted in Numbers) and huge (past
 * 2^44 elements, counted in BigInts), with totals far past 2^53.
 */
function mixed(): LayoutTensor[] {
  const out: LayoutTensor[] = [t("model.embed_tokens.weight", "BF16", [4096, 64])];
  for (let layer = 0; layer < 3; layer++) {
    const p = `model.layers.${layer}.`;
    out.push(t(`${p}input_layernorm.weight`, "BF16", [64]));
    for (let e = 0; e < 4; e++) {
      // 2^43 F64 elements: 2^46 bytes each, counted in Numbers; 24 of them pass 2^50 bytes.
      out.push(t(`${p}mlp.experts.${e}.up_proj.weight`, "F64", [2 ** 22, 2 ** 21]));
      out.push(t(`${p}mlp.experts.${e}.up_proj.weight_scale_inv`, "F32", [3, 5]));
    }
    // 2^45 and 2^52 elements: past 2^44, counted in BigInts.
    out.push(t(`${p}mlp.experts.9.down_proj.weight`, "U8", [2 ** 25, 2 ** 20]));
    out.push(t(`${p}mlp.shared_experts.down_proj.weight`, "F8_E4M3", [2 ** 4, 2 ** 48]));
  }
  out.push(t("model.layers.3.eh_proj.weight", "F32", [2 ** 30, 2 ** 16]));
  out.push(t("lm_head.weight", "BF16", [4096, 64]));
  return out;
}

describe("exact totals over small and huge tensors", () => {
  const tensors = mixed();
  const config = {
    model_type: "deepseek_v3",
    quantization_config: { quant_method: "fp8", fmt: "e4m3", weight_block_size: [128, 128] },
  };

  it("the summary: total, stored, routed and shared parameters, optional bytes", () => {
    const a = analyzeTensors(tensors, { config });
    const bookkeeping = (t: LayoutTensor) => t.name.endsWith("_scale_inv");
    let total = 0n;
    let stored = 0n;
    for (const t of tensors) {
      stored += elementsOf(t);
      if (!bookkeeping(t)) total += elementsOf(t);
    }
    expect(a.parameters.total).toBe(total);
    expect(a.parameters.stored).toBe(stored);
    expect(total > 2n ** 53n).toBe(true);
    const layer3 = tensors.filter((t) => t.name.startsWith("model.layers.3."));
    expect(a.parameters.optional?.parameters).toBe(layer3.reduce((s, t) => s + elementsOf(t), 0n));
    expect(a.parameters.optional?.bytes).toBe(layer3.reduce((s, t) => s + byteSize(t), 0n));
    const routed = tensors.filter((t) => /\.experts\.\d+\./.test(t.name) && !bookkeeping(t));
    expect(a.moe?.routedParameters).toBe(routed.reduce((s, t) => s + elementsOf(t), 0n));
    const shared = tensors.filter((t) => t.name.includes(".shared_experts."));
    expect(a.moe?.sharedParameters).toBe(shared.reduce((s, t) => s + elementsOf(t), 0n));
    expect(a.quantization?.bookkeepingBytes).toBe(
      tensors.filter(bookkeeping).reduce((s, t) => s + byteSize(t), 0n),
    );
  });

  it("summarize: bytes, dtype totals and the largest tensors", () => {
    const half = tensors.length >> 1;
    const s = buildReport({
      target: "m",
      kind: "sharded",
      files: [
        fileOf("a.safetensors", tensors.slice(0, half)),
        fileOf("b.safetensors", tensors.slice(half)),
      ],
      findings: [],
      config,
    });
    expect(s.bytes.tensors).toBe(tensors.reduce((a, t) => a + byteSize(t), 0n));
    const byDtype = new Map<string, { tensors: number; bytes: bigint }>();
    for (const t of tensors) {
      const d = byDtype.get(t.dtype) ?? { tensors: 0, bytes: 0n };
      d.tensors++;
      d.bytes += byteSize(t);
      byDtype.set(t.dtype, d);
    }
    expect(new Map(s.dtypes.map((d) => [d.dtype, { tensors: d.tensors, bytes: d.bytes }]))).toEqual(
      byDtype,
    );
    const largest = [...tensors].sort((x, y) => {
      const d = byteSize(y) - byteSize(x);
      return d > 0n ? 1 : d < 0n ? -1 : 0;
    });
    expect(s.largest.map((r) => r.bytes)).toEqual(largest.slice(0, 10).map(byteSize));
    expect(s.largest[0]!.name).toBe("model.layers.0.mlp.shared_experts.down_proj.weight");
  });
});

describe("exact totals over files counted in Numbers", () => {
  // Six files of 60 F64 experts of 2^43 elements (2^46 bytes): each file's values stay below
  // 2^52, so its table holds Numbers, while the totals pass 2^53 bytes.
  const files = Array.from({ length: 6 }, (_, f) =>
    Array.from({ length: 60 }, (_, e) =>
      t(`model.layers.${f}.mlp.experts.${e}.up_proj.weight`, "F64", [2 ** 22, 2 ** 21]),
    ),
  );

  it("summarize: bytes, parameters and dtype totals", () => {
    const shards = files.map((f, i) => fileOf(`m-${i}.safetensors`, f));
    for (const s of shards) expect(s.header!.tensors.small).toBe(true);
    const s = buildReport({ target: "m", kind: "sharded", files: shards, findings: [] });
    const all = files.flat();
    const bytes = all.reduce((a, x) => a + byteSize(x), 0n);
    expect(bytes > 2n ** 53n).toBe(true);
    expect(s.bytes.tensors).toBe(bytes);
    expect(s.parameters.total).toBe(all.reduce((a, x) => a + elementsOf(x), 0n));
    expect(s.dtypes).toEqual([
      { dtype: "F64", tensors: 360, parameters: s.parameters.total, bytes },
    ]);
  });
});
