// The tensor table decides once per file whether its values are held in Numbers (every offset
// and dim below 2^52, ends after begins, element counts below 2^44 at every step of the product)
// or in BigInts; either way every value reads back exactly.

import { describe, expect, it } from "vitest";
import { FindingSink } from "../../src/core/finding-sink.js";
import { readHeaderJson } from "../../src/formats/safetensors/header-json.js";
import {
  bytesOf,
  elementsOf,
  largeView,
  offsetAt,
  shapeOf,
  TensorTableBuilder,
  type TensorTable,
} from "../../src/formats/tensor-table.js";
import { entry, member, object } from "../helpers/inspect.js";

const U8 = 5; // any dtype id: the table does not interpret it

/** The general reader (BigInt input) and the canonical one (Number input) on the same header. */
function bothReaders(tensors: Array<[string, Array<number | string>, [string, string]]>) {
  const compact = object(...tensors.map(([n, s, o]) => member(n, entry("U8", s, o))));
  // A space after the colon is not canonical: every entry goes to the general reader.
  const spaced = compact.replace(/":\{/g, '": {');
  return [compact, spaced].map((h) => readHeaderJson(Buffer.from(h), 8, new FindingSink()).tensors);
}

function values(t: TensorTable) {
  return Array.from({ length: t.count }, (_, i) => ({
    shape: shapeOf(t, i),
    offsets: [offsetAt(t, 2 * i), offsetAt(t, 2 * i + 1)],
    elements: elementsOf(t, i),
    bytes: bytesOf(t, i),
  }));
}

describe("the tensor table's kind of values", () => {
  it.each([
    ["offsets just below 2^52", [["a", [1], ["4503599627370494", "4503599627370495"]]], true],
    ["an end at 2^52", [["a", [1], ["4503599627370495", "4503599627370496"]]], false],
    ["an end past 2^53", [["a", [1], ["9007199254740992", "9007199254740993"]]], false],
    ["a dim at 2^52 in an empty tensor", [["a", [0, "4503599627370496"], ["0", "0"]]], false],
    ["elements just below 2^44", [["a", [4194304, 4194303], ["0", "17592181850112"]]], true],
    ["elements at 2^44", [["a", [4194304, 4194304], ["0", "17592186044416"]]], false],
    ["a product past 2^44 before a zero dim", [["a", [4194304, 4194304, 0], ["0", "0"]]], false],
    ["a zero dim before a huge one", [["a", [0, 4194304, 4194304], ["0", "0"]]], true],
    ["an end before its begin", [["a", [1], ["5", "4"]]], false],
  ] as Array<[string, Array<[string, Array<number | string>, [string, string]]>, boolean]>)(
    "%s: small is %s, the same from either reader",
    (_what, tensors, small) => {
      const [canonical, general] = bothReaders(tensors);
      expect(canonical!.small).toBe(small);
      expect(general!.small).toBe(small);
      expect(values(canonical!)).toEqual(values(general!));
      const [, shape, [b, e]] = tensors[0]!;
      expect(values(canonical!)[0]).toEqual({
        shape: shape.map(BigInt),
        offsets: [BigInt(b), BigInt(e)],
        elements: shape.map(BigInt).reduce((x, y) => x * y, 1n),
        bytes: BigInt(e) - BigInt(b),
      });
    },
  );

  it("turns to BigInts at the first large tensor, keeping every value before it", () => {
    const b = new TensorTableBuilder(1);
    const dims = new Float64Array([3, 4]);
    for (let i = 0; i < 40; i++) b.addSmall(`s${i}`, U8, dims, 2, 12 * i, 12 * i + 12);
    b.add("big", U8, BigUint64Array.from([2n ** 60n]), 1, 480n, 480n + 2n ** 60n);
    b.addSmall("after", U8, dims, 2, 0, 12);
    const t = b.finish();
    expect(t.small).toBe(false);
    expect(t.count).toBe(42);
    expect(shapeOf(t, 39)).toEqual([3n, 4n]);
    expect([offsetAt(t, 78), offsetAt(t, 79)]).toEqual([468n, 480n]);
    expect(elementsOf(t, 40)).toBe(2n ** 60n);
    expect(offsetAt(t, 81)).toBe(480n + 2n ** 60n);
    expect(shapeOf(t, 41)).toEqual([3n, 4n]);
  });

  it("a duplicate's values replace the first entry's in either kind", () => {
    for (const end of [12n, 2n ** 53n + 12n]) {
      const b = new TensorTableBuilder();
      b.add("w", U8, BigUint64Array.from([2n, 2n]), 2, 0n, 4n);
      b.set(0, U8, BigUint64Array.from([3n, 4n]), 2, 0n, end);
      const t = b.finish();
      expect(t.small).toBe(end < 2n ** 52n);
      expect(values(t)).toEqual([
        { shape: [3n, 4n], offsets: [0n, end], elements: 12n, bytes: end },
      ]);
    }
  });

  it("largeView holds the same values in BigInts", () => {
    const [t] = bothReaders([
      ["a", [2, 3], ["0", "6"]],
      ["b", [], ["6", "7"]],
    ]);
    expect(t!.small).toBe(true);
    const big = largeView(t!);
    expect(big.small).toBe(false);
    expect(values(big)).toEqual(values(t!));
  });
});
