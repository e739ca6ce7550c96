// The layout generators and shardLayout, which the checkpoint tests and the benchmark build on.

import { describe, expect, it } from "vitest";
import {
  checkpointOf,
  deepseekV3,
  indexJson,
  llama31_70b,
  llama31_8b,
  shardLayout,
  tinyDense,
} from "../helpers/layouts.js";
import { byteSize } from "../helpers/safetensors.js";
import { tensorsOf } from "../../src/formats/weights.js";

describe("shardLayout", () => {
  it("splits in order into the published shard counts, every tensor once", () => {
    for (const [layout, n] of [
      [llama31_8b(), 4],
      [llama31_70b(), 30],
      [deepseekV3(), 163],
    ] as const) {
      const shards = shardLayout(layout.tensors, n);
      expect(shards, layout.repo).toHaveLength(n);
      expect(shards.flatMap((s) => s.tensors)).toEqual(layout.tensors);
      expect(shards.every((s) => s.tensors.length > 0)).toBe(true);
      expect(shards[0]!.file).toBe(`model-00001-of-${String(n).padStart(5, "0")}.safetensors`);
      expect(shards.reduce((a, s) => a + s.bytes, 0n)).toBe(
        layout.tensors.reduce((a, x) => a + byteSize(x), 0n),
      );
    }
  });

  it("uses transformers' 5 GB when that gives the count (Llama-3.1-8B: 4 shards ≤ 5 GB)", () => {
    const shards = shardLayout(llama31_8b().tensors, 4);
    expect(shards.every((s) => s.bytes <= 5_000_000_000n)).toBe(true);
    expect(shards.at(-1)!.tensors.at(-1)!.name).toBe("lm_head.weight");
  });

  it("balances by bytes when 5 GB gives another count (DeepSeek-V3: 163 shards)", () => {
    const shards = shardLayout(deepseekV3().tensors, 163);
    const sizes = shards.slice(0, -1).map((s) => Number(s.bytes) / 1e9);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThan(1);
  });

  it("refuses impossible counts and honours an explicit maximum", () => {
    const t = tinyDense().tensors;
    expect(() => shardLayout(t, 0)).toThrow(RangeError);
    expect(() => shardLayout(t, t.length + 1)).toThrow(RangeError);
    expect(() => shardLayout(t, 2, 5_000_000_000n)).toThrow(/1 shards at that size, not 2/);
    expect(shardLayout(t, t.length)).toHaveLength(t.length);
  });

  it("writes an index as transformers does: total_size and a sorted weight_map", () => {
    const shards = shardLayout(llama31_8b().tensors, 4);
    const index = indexJson(shards);
    expect(index.metadata).toEqual({ total_size: 16_060_522_496 });
    const keys = Object.keys(index.weight_map);
    expect(keys).toHaveLength(291);
    expect(keys).toEqual([...keys].sort());
    expect(index.weight_map["lm_head.weight"]).toBe("model-00004-of-00004.safetensors");
  });
});

describe("checkpointOf", () => {
  it("builds parsed files from a layout, one per shard, with the layout's config", () => {
    const cp = checkpointOf(llama31_8b(), { shards: 4 });
    expect(cp.kind).toBe("sharded");
    expect(cp.files.map((f) => tensorsOf(f)!.count).reduce((a, b) => a + b)).toBe(291);
    expect(cp.config).toMatchObject({ model_type: "llama" });
    expect(checkpointOf(llama31_8b(), { withoutConfig: true }).config).toBeUndefined();
  });
});
