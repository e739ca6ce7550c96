import { describe, expect, it } from "vitest";
import { predictHeaderBytes } from "../../../src/formats/safetensors/predict.js";
import {
  deepseekV3,
  gptOss,
  llama31_8b,
  mixtral8x7b,
  shardLayout,
  type Layout,
} from "../../helpers/layouts.js";
import { canonicalHeader } from "../../helpers/safetensors.js";

describe("predicted header size", () => {
  it.each<[string, () => Layout]>([
    ["DeepSeek-V3", deepseekV3],
    ["Llama-3.1-8B", llama31_8b],
    ["Mixtral-8x7B", mixtral8x7b],
    ["gpt-oss-20b", gptOss],
  ])("%s: every shard's header fits its prediction, within 2x + 4 KiB", (_, layout) => {
    const l = layout();
    for (const s of shardLayout(l.tensors, l.shards)) {
      const { header } = canonicalHeader(s.tensors, { metadata: { format: "pt" } });
      const actual = 8 + Buffer.byteLength(header);
      const predicted = predictHeaderBytes(s.tensors.map((t) => t.name));
      expect(predicted).toBeGreaterThanOrEqual(actual);
      expect(predicted).toBeLessThanOrEqual(2 * actual + 4096);
    }
  });

  it("counts names as JSON-escaped UTF-8", () => {
    expect(predictHeaderBytes(["é"]) - predictHeaderBytes([])).toBe(4 + 96);
    expect(predictHeaderBytes(['a"b']) - predictHeaderBytes([])).toBe(6 + 96);
  });
});
