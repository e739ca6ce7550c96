import { describe, expect, it } from "vitest";
import { predictFromIndex, predictFromNames } from "../../../src/formats/safetensors/predict.js";
import {
  deepseekV3,
  indexJson,
  gptOss,
  llama31_8b,
  mixtral8x7b,
  shardLayout,
  type Layout,
} from "../../helpers/layouts.js";
import { canonicalHeader } from "../../helpers/safetensors.js";

/** The prediction for a shard holding tensors of these names. */
const predictHeaderBytes = (names: readonly string[]) =>
  predictFromNames(
    names.reduce((a, n) => a + Buffer.byteLength(JSON.stringify(n)), 0),
    names.length,
  );

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

  it("from an index's bytes: the same prediction per shard as from the names", () => {
    const l = deepseekV3();
    const shards = shardLayout(l.tensors, l.shards);
    const index = Buffer.from(JSON.stringify(indexJson(shards), null, 2));
    const predicted = predictFromIndex(index);
    expect(predicted.size).toBe(shards.length);
    for (const s of shards)
      expect(predicted.get(s.file)).toBe(predictHeaderBytes(s.tensors.map((t) => t.name)));
  });

  it("from an index: escaped and non-ASCII names and shard names, metadata first", () => {
    const index = Buffer.from(
      JSON.stringify({
        metadata: { total_size: 1, format: "pt" },
        weight_map: { 'a"b': "x é.safetensors", ü: "x é.safetensors", c: "y.safetensors" },
      }),
    );
    const p = predictFromIndex(index);
    expect(p.get("x é.safetensors")).toBe(predictHeaderBytes(['a"b', "ü"]));
    expect(p.get("y.safetensors")).toBe(predictHeaderBytes(["c"]));
    expect(p.size).toBe(2);
    expect(predictFromIndex(Buffer.from("not json")).size).toBe(0);
  });

  it("counts names as JSON-escaped UTF-8", () => {
    expect(predictHeaderBytes(["é"]) - predictHeaderBytes([])).toBe(4 + 96);
    expect(predictHeaderBytes(['a"b']) - predictHeaderBytes([])).toBe(6 + 96);
  });
});
