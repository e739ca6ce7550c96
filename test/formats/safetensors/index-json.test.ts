// The index's two readings: the tensor → shard map, and the per-shard name digests that stand in
// for it when the index agrees with its shards. The digest reading must accept exactly what the
// map reading accepts, and hand anything doubtful (a name listed twice, any error) back to it.

import { describe, expect, it } from "vitest";
import { InspectError } from "../../../src/core/errors.js";
import {
  addName,
  emptyDigest,
  randomNameKey,
  type NameDigest,
} from "../../../src/formats/name-digest.js";
import { readIndexDigests, readIndexJson } from "../../../src/formats/safetensors/index-json.js";

const key = randomNameKey();

/** The digests readIndexDigests should give: each shard's names, in first-listed shard order. */
function expected(entries: Array<[string, string]>): Map<string, NameDigest> {
  const out = new Map<string, NameDigest>();
  for (const [name, shard] of entries) {
    let d = out.get(shard);
    if (!d) out.set(shard, (d = emptyDigest()));
    addName(d, key, name);
  }
  return out;
}

const ENTRIES: Array<[string, string]> = [
  ["model.embed_tokens.weight", "model-00001-of-00002.safetensors"],
  ["model.layers.0.mlp.up_proj.weight", "model-00001-of-00002.safetensors"],
  ["lm_head.weight", "model-00002-of-00002.safetensors"],
  ["model.layers.0.mlp.down_proj.weight", "model-00001-of-00002.safetensors"],
  ["model.norm.weight", "model-00002-of-00002.safetensors"],
];

const indexText = (entries: Array<[string, string]>, indent?: number) =>
  JSON.stringify(
    {
      metadata: { total_size: 1234, total_parameters: 99 },
      weight_map: Object.fromEntries(entries),
    },
    null,
    indent,
  );

describe("readIndexDigests", () => {
  it("gives each shard's count and digest, the entry count and the totals", () => {
    for (const indent of [undefined, 2, 4]) {
      const d = readIndexDigests(Buffer.from(indexText(ENTRIES, indent)), key)!;
      expect(d.listed).toEqual(expected(ENTRIES));
      expect([...d.listed.keys()]).toEqual([
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
      ]);
      expect(d.tensorCount).toBe(5);
      expect(d.totalSize).toBe(1234n);
      expect(d.totalParameters).toBe(99n);
    }
  });

  it("agrees with the map reading on every index it accepts", () => {
    const text = indexText(ENTRIES, 2);
    const map = readIndexJson(Buffer.from(text)).weightMap;
    expect(readIndexDigests(Buffer.from(text), key)!.listed).toEqual(expected([...map]));
  });

  it("hashes an escaped name as the name it decodes to", () => {
    const text =
      '{"weight_map": {"a\\u0062.w\\u00e9": "s1.safetensors", "x\\"y\\\\z": "s1.safetensors",' +
      ' "plain": "s\\u0032.safetensors"}}';
    const d = readIndexDigests(Buffer.from(text), key)!;
    expect(d.listed).toEqual(
      expected([
        ["ab.wé", "s1.safetensors"],
        ['x"y\\z', "s1.safetensors"],
        ["plain", "s2.safetensors"],
      ]),
    );
  });

  it("leaves a name listed twice to the map reading, which reports it", () => {
    for (const second of ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]) {
      const text = indexText(ENTRIES).replace(
        '"model.norm.weight"',
        `"model.embed_tokens.weight":"${second}","model.norm.weight"`,
      );
      expect(readIndexDigests(Buffer.from(text), key)).toBeUndefined();
      const full = readIndexJson(Buffer.from(text));
      expect(full.findings.map((f) => f.code)).toEqual(["INDEX_INVALID"]);
    }
    // Spelled differently, the same name.
    const escaped = '{"weight_map": {"ab": "s.safetensors", "a\\u0062": "s.safetensors"}}';
    expect(readIndexDigests(Buffer.from(escaped), key)).toBeUndefined();
  });

  it.each([
    ["a trailing comma", '{"weight_map": {"a": "s.safetensors",}}'],
    ["a value that is not a string", '{"weight_map": {"a": 1}}'],
    ["an object value", '{"weight_map": {"a": {"x": "s"}}}'],
    ["a raw newline in a name", '{"weight_map": {"a\nb": "s.safetensors"}}'],
    ["a raw tab in a shard name", '{"weight_map": {"a": "s\t.safetensors"}}'],
    ["a lone surrogate", '{"weight_map": {"\\ud800": "s.safetensors"}}'],
    ["a bad escape", '{"weight_map": {"\\q": "s.safetensors"}}'],
    ["a missing colon", '{"weight_map": {"a" "s.safetensors"}}'],
    ["a missing comma", '{"weight_map": {"a": "s.safetensors" "b": "s.safetensors"}}'],
    ["an unterminated name", '{"weight_map": {"a'],
    ["an empty weight_map", '{"weight_map": {}}'],
    ["no weight_map", '{"metadata": {}}'],
    ["trailing bytes", '{"weight_map": {"a": "s.safetensors"}} x'],
    ["not UTF-8", Buffer.from([0x7b, 0xff, 0x7d])],
  ])("refuses %s, as the map reading does", (_what, text) => {
    const bytes = typeof text === "string" ? Buffer.from(text) : text;
    expect(readIndexDigests(bytes, key)).toBeUndefined();
    expect(() => readIndexJson(bytes)).toThrow(InspectError);
  });
});
