// The header reader's fast path: entries spelled exactly as writers emit them are matched by a
// regular expression, the rest read by the general tokenizer. The same header spelled both ways
// (compact, which takes the fast path, and with a space after each entry's colon, which never
// does) must give the same table, metadata, findings and name digest.

import { describe, expect, it } from "vitest";
import { FindingSink } from "../../../src/core/finding-sink.js";
import { InspectError } from "../../../src/core/errors.js";
import { HASHED_NAMES_MIN_BYTES } from "../../../src/core/limits.js";
import type { Finding } from "../../../src/core/findings.js";
import { randomNameKey, type NameKey } from "../../../src/formats/name-digest.js";
import {
  readHeaderJson,
  type HeaderContent,
} from "../../../src/formats/safetensors/header-json.js";

interface Parsed {
  content?: HeaderContent;
  error?: Finding;
  findings: Finding[];
}

function parse(text: string, key?: NameKey): Parsed {
  const sink = new FindingSink("h.safetensors");
  try {
    const content = readHeaderJson(Buffer.from(text, "utf8"), 8, sink, key);
    return { content, findings: sink.finish() };
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    return { error: e.toFinding("h.safetensors"), findings: sink.finish() };
  }
}

/** The same header with a space after every entry's colon: no entry is canonical any more. */
const spaced = (text: string) => text.replace(/":\{"dtype"/g, '": {"dtype"');

/** What must agree between the two readings; byte positions in messages differ, so not those. */
function view(p: Parsed) {
  const t = p.content?.tensors;
  return {
    error: p.error?.code,
    findings: p.findings.map((f) => [f.code, f.severity, f.tensor]),
    table: t && {
      names: t.names,
      dtypes: [...t.dtypes],
      offsets: [...t.offsets],
      shapes: t.names.map((_, i) => [
        ...t.dims.subarray(t.shapeStart[i], t.shapeStart[i]! + t.ranks[i]!),
      ]),
    },
    metadata: p.content && [...p.content.metadata],
    metadataState: p.content?.metadataState,
    complete: p.content?.complete,
  };
}

function expectSameBothWays(text: string): Parsed {
  expect(spaced(text)).not.toBe(text);
  for (const key of [undefined, randomNameKey()]) {
    const fast = parse(text, key);
    const general = parse(spaced(text), key);
    expect(view(fast)).toEqual(view(general));
    expect(fast.content?.nameDigest).toEqual(general.content?.nameDigest);
  }
  return parse(text);
}

const e = (
  dtype: string,
  shape: Array<number | string>,
  begin: number | string,
  end: number | string,
) => `{"dtype":"${dtype}","shape":[${shape.join(",")}],"data_offsets":[${begin},${end}]}`;

/** A valid header of n tensors with varied names, dtypes and ranks, in data order. */
function manyTensors(n: number, longNames = false): string {
  const parts = ['"__metadata__":{"format":"pt"}'];
  let at = 0;
  const dtypes: Array<[string, number]> = [
    ["F16", 2],
    ["BF16", 2],
    ["F32", 4],
    ["F8_E4M3", 1],
    ["U8", 1],
    ["I64", 8],
  ];
  for (let i = 0; i < n; i++) {
    const [dtype, size] = dtypes[i % dtypes.length]!;
    const shape = i % 7 === 0 ? [] : i % 5 === 0 ? [2, 3, 1, 4, 2] : [i % 13, 3];
    const elements = shape.reduce((a, b) => a * b, 1);
    let name = `model.layers.${i >> 4}.mlp.experts.${i & 15}.w${i}`;
    if (longNames && i % 500 === 7) name += ".x".repeat(1000 + (i % 3) * 1500); // 2 KB to 5 KB
    parts.push(`${JSON.stringify(name)}:${e(dtype, shape, at, at + elements * size)}`);
    at += elements * size;
  }
  return "{" + parts.join(",") + "}";
}

describe("canonical entries", () => {
  it("read the same as the general reader, over window boundaries and very long names", () => {
    const text = manyTensors(6000, true);
    expect(text.length).toBeGreaterThan(3 * 64 * 1024);
    const p = expectSameBothWays(text);
    expect(p.error).toBeUndefined();
    expect(p.content!.tensors.count).toBe(6000);
  });

  it("take a duplicate to the general reader, which reports it and keeps the last", () => {
    const text = `{"a":${e("U8", [1], 0, 1)},"b":${e("U8", [1], 1, 2)},"a":${e("U8", [2], 2, 4)},"c":${e("U8", [1], 4, 5)}}`;
    const p = expectSameBothWays(text);
    expect(p.findings.map((f) => f.code)).toEqual(["DUPLICATE_TENSOR"]);
    expect(p.content!.tensors.names).toEqual(["a", "b", "c"]);
  });

  it("find a duplicate after thousands of names, and after an entry the general reader took", () => {
    // The canonical path tells duplicates by hashes (a header of 1 MiB or more, or one whose
    // names are digested) until the general reader first takes an entry, and by the exact map
    // otherwise and from then on: a duplicate is reported either way.
    const pad = "x".repeat(400);
    const names = Array.from({ length: 3000 }, (_, i) => `model.layers.${i >> 4}.${pad}.w${i}`);
    const header = (first: string) =>
      "{" +
      [first, ...names, names[1234]!]
        .map((n, i) => `${JSON.stringify(n)}:${e("U8", [1], i, i + 1)}`)
        .join(",") +
      "}";
    const byHash = header("x");
    expect(byHash.length).toBeGreaterThan(HASHED_NAMES_MIN_BYTES);
    const byMap = header("a\\u0062").replace('"a\\\\u0062"', '"a\\u0062"');
    expect(byMap.startsWith('{"a\\u0062":')).toBe(true);
    const small = header("x").replaceAll(pad, "p");
    expect(small.length).toBeLessThan(HASHED_NAMES_MIN_BYTES);
    const cases: Array<[string, string]> = [
      [byHash, names[1234]!],
      [byMap, names[1234]!],
      [small, names[1234]!.replace(pad, "p")],
    ];
    for (const [text, duplicate] of cases) {
      const p = expectSameBothWays(text);
      expect(p.findings.map((f) => [f.code, f.tensor])).toEqual([["DUPLICATE_TENSOR", duplicate]]);
      expect(p.content!.tensors.count).toBe(3001);
    }
  });

  it.each([
    ["__metadata__ shaped like an entry", `{"__metadata__":${e("F16", [1], 0, 2)}}`],
    [
      "__metadata__ twice",
      `{"__metadata__":{"a":"b"},"w":${e("U8", [1], 0, 1)},"__metadata__":null}`,
    ],
    ["an unknown dtype", `{"w":${e("F17", [1], 0, 1)}}`],
    ["a lower-case dtype", `{"w":${e("f32", [1], 0, 4)}}`],
    ["an empty name", `{"":${e("U8", [1], 0, 1)}}`],
    ["a name with DEL", `{"a\u007fb":${e("U8", [1], 0, 1)}}`],
    ["a name with an escape", `{"a\\u0062":${e("U8", [1], 0, 1)},"c":${e("U8", [1], 1, 2)}}`],
    ["a name with a bidi override", `{"a\u202eb":${e("U8", [1], 0, 1)}}`],
    ["non-ASCII names", `{"é":${e("U8", [1], 0, 1)},"中":${e("U8", [1], 1, 2)}}`],
    ["a 16-digit offset", `{"w":${e("U8", [1], "1000000000000000", "1000000000000001")}}`],
    ["a u64 above 2^53", `{"w":${e("U8", ["9007199254740993"], 0, "9007199254740993")}}`],
    ["a u64 above 2^64 − 1", `{"w":${e("U8", ["18446744073709551616"], 0, 1)}}`],
    ["a fraction", `{"w":${e("U8", ["2.0"], 0, 2)}}`],
    ["negative zero", `{"w":${e("U8", ["-0"], 0, 0)}}`],
    ["an exponent", `{"w":${e("U8", ["1e3"], 0, 1000)}}`],
    ["a leading zero", `{"w":${e("U8", ["01"], 0, 1)}}`],
    ["three offsets", `{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}}`],
    ["an extra field", `{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":1}}`],
    ["fields in another order", `{"w":{"dtype":"U8","data_offsets":[0,1],"shape":[1]}}`],
    ["a trailing comma", `{"w":${e("U8", [1], 0, 1)},}`],
    ["an unclosed entry", `{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]`],
    ["NUL padding", `{"w":${e("U8", [1], 0, 1)}}\u0000\u0000`],
    ["a gap", `{"a":${e("U8", [1], 0, 1)},"b":${e("U8", [1], 2, 3)}}`],
  ])("leave %s to the general reader, with the same result", (_what, text) => {
    expectSameBothWays(text);
  });

  it("stop being tried after a run of entries they cannot take, with the same result", () => {
    const odd = Array.from({ length: 40 }, (_, i) => `"o${i}": ${e("U8", [1], i, i + 1)}`);
    const usual = Array.from({ length: 40 }, (_, i) => `"u${i}":${e("U8", [1], 40 + i, 41 + i)}`);
    expectSameBothWays(`{${[...odd, ...usual].join(",")}}`);
  });

  it("read a header of only canonical entries with nothing to report", () => {
    const p = parse(manyTensors(50));
    expect(p.findings).toEqual([]);
    expect(p.content!.complete).toBe(true);
    expect(p.content!.metadata.get("format")).toBe("pt");
  });
});
