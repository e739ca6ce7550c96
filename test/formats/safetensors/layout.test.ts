// Reference step 8: tensors sorted by (begin, end) must tile the data section from 0, and each
// byte span must be elements × bits / 8, in checked u64 arithmetic. One file per rule.

import { describe, expect, it } from "vitest";
import { FindingSink } from "../../../src/core/finding-sink.js";
import { readHeaderJson } from "../../../src/formats/safetensors/header-json.js";
import { offsetOrder, shapeText, validateLayout } from "../../../src/formats/safetensors/layout.js";
import {
  codes,
  entry,
  expectValid,
  inspectHeader,
  member,
  object,
  onlyErrors,
  the,
} from "../../helpers/inspect.js";

const U64_MAX = "18446744073709551615";

/** A header of tensors given as [name, dtype, shape, [begin, end]]. */
function header(
  ...tensors: Array<[string, string, Array<number | string>, [number | string, number | string]]>
): string {
  return object(...tensors.map(([n, d, s, o]) => member(n, entry(d, s, o))));
}

describe("offsets (8a: INVALID_OFFSET)", () => {
  it("rejects a first tensor that does not start at 0", async () => {
    const file = await inspectHeader(header(["w", "U8", [1], [1, 2]]), 2);
    const f = onlyErrors(file, "INVALID_OFFSET");
    expect(f.severity).toBe("error");
    expect(f.tensor).toBe("w");
    expect(f.message).toBe("tensor `w` is the first tensor but starts at 1, not 0");
  });

  it("rejects a gap between tensors, naming both and the data offset", async () => {
    const file = await inspectHeader(header(["a", "U8", [1], [0, 1]], ["b", "U8", [1], [3, 4]]), 4);
    const f = onlyErrors(file, "INVALID_OFFSET");
    expect(f.tensor).toBe("b");
    expect(f.message).toBe("tensor `b` starts 2 bytes after `a` ends (gap at data offset 1)");
  });

  it("gives the absolute file offset of the tensor", async () => {
    const text = header(["a", "U8", [1], [0, 1]], ["b", "U8", [1], [3, 4]]);
    const file = await inspectHeader(text, 4);
    expect(the(file, "INVALID_OFFSET").offset).toBe(BigInt(8 + text.length + 3));
  });

  it("rejects an overlap", async () => {
    const file = await inspectHeader(header(["a", "U8", [2], [0, 2]], ["b", "U8", [2], [1, 3]]), 3);
    const f = onlyErrors(file, "INVALID_OFFSET");
    expect(f.tensor).toBe("b");
    expect(f.message).toBe("tensor `b` overlaps `a` by 1 byte");
  });

  it("names the tensor actually overlapped, not merely the previous one", async () => {
    // b sits inside a; c starts at b's end, still inside a; d starts 2 bytes after a ends.
    const file = await inspectHeader(
      header(
        ["a", "U8", [10], [0, 10]],
        ["b", "U8", [2], [2, 4]],
        ["c", "U8", [2], [4, 6]],
        ["d", "U8", [1], [12, 13]],
      ),
      13,
    );
    onlyErrors(file, "INVALID_OFFSET", "INVALID_OFFSET", "INVALID_OFFSET");
    expect(file.findings.filter((f) => f.code === "INVALID_OFFSET").map((f) => f.message)).toEqual([
      "tensor `b` overlaps `a` by 8 bytes",
      "tensor `c` overlaps `a` by 6 bytes",
      "tensor `d` starts 2 bytes after `a` ends (gap at data offset 10)",
    ]);
  });

  it("rejects two tensors on the same bytes", async () => {
    const file = await inspectHeader(
      header(["a", "F32", [1], [0, 4]], ["b", "I32", [1], [0, 4]]),
      4,
    );
    const f = onlyErrors(file, "INVALID_OFFSET");
    expect(f.message).toBe("tensor `b` overlaps `a` by 4 bytes");
  });

  it("rejects reversed offsets, without a size mismatch on top", async () => {
    const file = await inspectHeader(header(["a", "U8", [1], [0, 1]], ["b", "U8", [1], [2, 1]]), 1);
    const f = onlyErrors(file, "INVALID_OFFSET");
    expect(f.tensor).toBe("b");
    expect(f.message).toBe("tensor `b` ends (1) before it begins (2)");
  });

  it("rejects a zero-size tensor past the end of the data", async () => {
    const file = await inspectHeader(header(["a", "U8", [4], [0, 4]], ["z", "U8", [0], [8, 8]]), 4);
    const f = onlyErrors(file, "INVALID_OFFSET", "FILE_TRUNCATED");
    expect(f.tensor).toBe("z");
  });

  it("reports every broken tensor, not just the first", async () => {
    const file = await inspectHeader(
      header(["a", "U8", [1], [1, 2]], ["b", "U8", [1], [3, 4]], ["c", "U8", [1], [5, 6]]),
      6,
    );
    onlyErrors(file, "INVALID_OFFSET", "INVALID_OFFSET", "INVALID_OFFSET");
  });

  it("validates header keys that are not in offset order, reporting them in offset order", async () => {
    const file = await inspectHeader(
      header(["c", "F32", [1], [6, 10]], ["a", "U8", [2], [0, 2]], ["b", "F32", [1], [2, 6]]),
      10,
    );
    expectValid(file);
    expect(file.header?.tensors.names).toEqual(["c", "a", "b"]);
    expect([...file.order]).toEqual([1, 2, 0]);
    expect(file.dataBytes).toBe(10n);
  });

  it("lets a zero-size tensor share its offset with the next tensor", async () => {
    const file = await inspectHeader(
      header(
        ["b", "U8", [2], [0, 2]],
        ["z", "U8", [0], [0, 0]],
        ["y", "F32", [0, 5], [2, 2]],
        ["c", "U8", [1], [2, 3]],
      ),
      3,
    );
    expectValid(file);
    expect([...file.order]).toEqual([1, 0, 2, 3]);
    const f = the(file, "ZERO_SIZE_TENSORS");
    expect(f.severity).toBe("info");
    expect(f.message).toBe("2 tensors have zero elements");
  });
});

describe("shape arithmetic (8b-8c: SHAPE_OVERFLOW)", () => {
  it("rejects a shape product above 2^64 − 1", async () => {
    const file = await inspectHeader(header(["w", "U8", [4294967296, 4294967296], [0, 0]]));
    const f = onlyErrors(file, "SHAPE_OVERFLOW");
    expect(f.severity).toBe("error");
    expect(f.tensor).toBe("w");
    expect(f.message).toBe("tensor `w`: U8 [4294967296, 4294967296] overflows 64 bits");
  });

  it("does not let a later 0 rescue an earlier overflow (left-to-right fold)", async () => {
    const file = await inspectHeader(header(["w", "U8", [4294967296, 4294967296, 0], [0, 0]]));
    onlyErrors(file, "SHAPE_OVERFLOW");
    expect(codes(file)).not.toContain("ZERO_SIZE_TENSORS");
  });

  it("accepts the same dims when the 0 comes first", async () => {
    const file = await inspectHeader(header(["w", "U8", [0, 4294967296, 4294967296], [0, 0]]));
    expectValid(file);
    expect(the(file, "EMPTY_TENSOR_HUGE_DIMS").severity).toBe("warning");
  });

  it("rejects elements × bits above 2^64 − 1 though the element count fits", async () => {
    // 2^61 U8 elements are 2^64 bits; 2^59 F32 elements too.
    let file = await inspectHeader(header(["w", "U8", ["2305843009213693952"], [0, 0]]));
    expect(onlyErrors(file, "SHAPE_OVERFLOW").message).toBe(
      "tensor `w`: U8 [2305843009213693952] overflows 64 bits",
    );
    file = await inspectHeader(header(["w", "F32", ["576460752303423488"], [0, 0]]));
    onlyErrors(file, "SHAPE_OVERFLOW");
    file = await inspectHeader(header(["w", "U8", [U64_MAX], [0, 0]]));
    onlyErrors(file, "SHAPE_OVERFLOW");
  });

  it("accepts the largest size that fits: 2^61 − 1 U8 elements, reported as a size mismatch only", async () => {
    const file = await inspectHeader(header(["w", "U8", ["2305843009213693951"], [0, 1]]), 1);
    const f = onlyErrors(file, "TENSOR_SIZE_MISMATCH");
    expect(f.message).toContain("needs 2,305,843,009,213,693,951 bytes");
  });

  it("checks the offsets before the arithmetic, and reports both", async () => {
    const file = await inspectHeader(header(["w", "U8", [4294967296, 4294967296], [1, 1]]), 1);
    onlyErrors(file, "INVALID_OFFSET", "SHAPE_OVERFLOW");
  });
});

describe("sub-byte dtypes (8d: MISALIGNED_SLICE)", () => {
  it("rejects F4 [3]: 12 bits", async () => {
    const file = await inspectHeader(header(["w", "F4", [3], [0, 2]]), 2);
    const f = onlyErrors(file, "MISALIGNED_SLICE");
    expect(f.severity).toBe("error");
    expect(f.tensor).toBe("w");
    expect(f.message).toBe("tensor `w`: 3 F4 elements are 12 bits, not a whole number of bytes");
    expect(f.hint).toBe("F4 needs an even element count");
  });

  it("rejects F6 [3]: 18 bits", async () => {
    for (const d of ["F6_E2M3", "F6_E3M2"]) {
      const file = await inspectHeader(header(["w", d, [3], [0, 3]]), 3);
      const f = onlyErrors(file, "MISALIGNED_SLICE");
      expect(f.message).toBe(
        `tensor \`w\`: 3 ${d} elements are 18 bits, not a whole number of bytes`,
      );
      expect(f.hint).toBe("F6 needs a multiple of 4 elements");
    }
  });

  it("applies the rule to the total count: F4 [2, 3] is 3 bytes, F6 [4] is 3 bytes", async () => {
    expectValid(await inspectHeader(header(["w", "F4", [3, 2], [0, 3]]), 3));
    expectValid(await inspectHeader(header(["w", "F4", [2, 3], [0, 3]]), 3));
    expectValid(await inspectHeader(header(["w", "F6_E2M3", [4], [0, 3]]), 3));
    expectValid(await inspectHeader(header(["w", "F6_E3M2", [2, 2], [0, 3]]), 3));
  });

  it("reports a wrong span for a sub-byte tensor as a size mismatch", async () => {
    const file = await inspectHeader(header(["w", "F4", [4], [0, 4]]), 4);
    expect(onlyErrors(file, "TENSOR_SIZE_MISMATCH").message).toBe(
      "tensor `w`: F4 [4] needs 2 bytes, data_offsets span 4",
    );
  });
});

describe("byte span (8e: TENSOR_SIZE_MISMATCH)", () => {
  it("rejects a span that differs from elements × bits / 8, naming tensor and offset", async () => {
    const text = header(["a", "U8", [4], [0, 4]], ["w", "F32", [2], [4, 8]]);
    const file = await inspectHeader(text, 8);
    const f = onlyErrors(file, "TENSOR_SIZE_MISMATCH");
    expect(f.severity).toBe("error");
    expect(f.tensor).toBe("w");
    expect(f.message).toBe("tensor `w`: F32 [2] needs 8 bytes, data_offsets span 4");
    expect(f.offset).toBe(BigInt(8 + text.length + 4));
  });

  it("rejects a zero-size tensor that spans bytes", async () => {
    const file = await inspectHeader(header(["w", "F32", [0, 3], [0, 4]]), 4);
    expect(onlyErrors(file, "TENSOR_SIZE_MISMATCH").message).toBe(
      "tensor `w`: F32 [0, 3] needs 0 bytes, data_offsets span 4",
    );
  });

  it("sizes C64 at 8 bytes and BOOL at 1 byte per element", async () => {
    expectValid(
      await inspectHeader(header(["c", "C64", [2], [0, 16]], ["b", "BOOL", [3], [16, 19]]), 19),
    );
    onlyErrors(await inspectHeader(header(["c", "C64", [2], [0, 8]]), 8), "TENSOR_SIZE_MISMATCH");
  });
});

describe("zero-size tensors and scalars", () => {
  it("notes zero-size tensors (ZERO_SIZE_TENSORS info)", async () => {
    const file = await inspectHeader(
      header(["z", "F16", [3, 0], [0, 0]], ["a", "U8", [1], [0, 1]]),
      1,
    );
    expectValid(file);
    const f = the(file, "ZERO_SIZE_TENSORS");
    expect(f.severity).toBe("info");
    expect(f.message).toBe("1 tensor has zero elements");
  });

  it("accepts [0, 2^64 − 1] with an EMPTY_TENSOR_HUGE_DIMS warning", async () => {
    const file = await inspectHeader(header(["z", "F32", [0, U64_MAX], [0, 0]]));
    expectValid(file);
    const f = the(file, "EMPTY_TENSOR_HUGE_DIMS");
    expect(f.severity).toBe("warning");
    expect(f.tensor).toBe("z");
    expect(f.message).toBe(`empty tensor \`z\` has shape [0, ${U64_MAX}]`);
    expect(codes(file)).toContain("ZERO_SIZE_TENSORS");
  });

  it("does not warn about ordinary dims in an empty tensor", async () => {
    const file = await inspectHeader(header(["z", "F32", [0, 4096], [0, 0]]));
    expect(codes(file)).not.toContain("EMPTY_TENSOR_HUGE_DIMS");
  });

  it("counts a scalar (shape []) as one element (SCALAR_TENSORS info)", async () => {
    const file = await inspectHeader(header(["s", "F64", [], [0, 8]]), 8);
    expectValid(file);
    const f = the(file, "SCALAR_TENSORS");
    expect(f.severity).toBe("info");
    expect(f.message).toBe("1 tensor is a scalar (shape [])");
  });

  it("rejects a scalar whose span is not one element", async () => {
    const file = await inspectHeader(header(["s", "F32", [], [0, 0]]));
    expect(onlyErrors(file, "TENSOR_SIZE_MISMATCH").message).toBe(
      "tensor `s`: F32 [] needs 4 bytes, data_offsets span 0",
    );
  });

  it("warns when many zero-size tensors pile up on one offset (ZERO_SIZE_PILEUP)", async () => {
    const members = Array.from({ length: 1024 }, (_, i) =>
      member(`z${i}`, entry("U8", [0], [0, 0])),
    );
    const file = await inspectHeader(object(...members));
    expectValid(file);
    const f = the(file, "ZERO_SIZE_PILEUP");
    expect(f.severity).toBe("warning");
    expect(f.message).toBe("1,024 or more zero-size tensors share data offset 0");
    const fewer = await inspectHeader(object(...members.slice(1)));
    expect(codes(fewer)).not.toContain("ZERO_SIZE_PILEUP");
  });
});

describe("rank", () => {
  it("warns about 65 dimensions (HIGH_RANK), not 64", async () => {
    const ones = (n: number) => Array.from({ length: n }, () => 1);
    const file = await inspectHeader(header(["w", "U8", ones(65), [0, 1]]), 1);
    expectValid(file);
    const f = the(file, "HIGH_RANK");
    expect(f.severity).toBe("warning");
    expect(f.message).toBe("tensor `w` has 65 dimensions");
    expect(codes(await inspectHeader(header(["w", "U8", ones(64), [0, 1]]), 1))).not.toContain(
      "HIGH_RANK",
    );
  });

  it("keeps thousands of dims exact", async () => {
    const dims = Array.from({ length: 5000 }, (_, i) => (i === 4999 ? 3 : 1));
    const file = await inspectHeader(header(["w", "U8", dims, [0, 3]]), 3);
    expectValid(file);
    expect(file.header?.tensors.ranks[0]).toBe(5000);
  });
});

describe("alignment (info only)", () => {
  it("notes a data section that does not start on 8 bytes (DATA_UNALIGNED)", async () => {
    // N = 53: the data starts at 61.
    const text = header(["w", "U8", [1], [0, 1]]);
    expect(text.length % 8).not.toBe(0);
    const file = await inspectHeader(text, 1);
    expectValid(file);
    const f = the(file, "DATA_UNALIGNED");
    expect(f.severity).toBe("info");
    expect(f.message).toBe(`data section starts at byte ${8 + text.length}, not a multiple of 8`);
  });

  it("counts the tensors the unaligned start misaligns", async () => {
    const text = header(["a", "F32", [1], [0, 4]], ["b", "U8", [1], [4, 5]]) + " ".repeat(3);
    expect((8 + text.length) % 4).not.toBe(0);
    const f = the(await inspectHeader(text, 5), "DATA_UNALIGNED");
    expect(f.message).toContain("; 1 of 2 tensors is not aligned to their element size");
  });

  it("notes tensors off their element size when the data section is aligned (TENSORS_UNALIGNED)", async () => {
    let text = header(["a", "U8", [1], [0, 1]], ["b", "F32", [1], [1, 5]]);
    text = text.padEnd(Math.ceil(text.length / 8) * 8, " ");
    const file = await inspectHeader(text, 5);
    expectValid(file);
    const f = the(file, "TENSORS_UNALIGNED");
    expect(f.severity).toBe("info");
    expect(f.message).toBe("1 of 2 tensors is not aligned to their element size (first: `b`)");
    expect(codes(file)).not.toContain("DATA_UNALIGNED");
  });

  it("says nothing about a canonical, padded file", async () => {
    let text = header(["a", "F32", [1], [0, 4]], ["b", "U8", [1], [4, 5]]);
    text = text.padEnd(Math.ceil(text.length / 8) * 8, " ");
    const file = await inspectHeader(text, 5);
    expect(codes(file)).toEqual(["METADATA_ABSENT"]);
  });
});

describe("validateLayout and offsetOrder directly", () => {
  function table(text: string) {
    const content = readHeaderJson(Buffer.from(text), 8, new FindingSink());
    return content.tensors;
  }

  it("sorts by (begin, end), ties broken by header order", () => {
    const t = table(
      header(
        ["b", "U8", [1], [5, 6]],
        ["a", "U8", [0], [5, 5]],
        ["c", "U8", [0], [0, 0]],
        ["d", "U8", [0], [5, 5]],
      ),
    );
    expect([...offsetOrder(t)]).toEqual([2, 1, 3, 0]);
  });

  it("keeps the header order when it is already sorted", () => {
    const t = table(header(["x", "U8", [1], [0, 1]], ["y", "U8", [1], [1, 2]]));
    expect([...offsetOrder(t)]).toEqual([0, 1]);
  });

  it("returns the data end even when tensors are broken", () => {
    const t = table(header(["a", "U8", [1], [0, 1]], ["b", "U8", [4], [10, 14]]));
    const sink = new FindingSink();
    const layout = validateLayout(t, 64n, sink);
    expect(layout.dataEnd).toBe(14n);
    expect(sink.finish().map((f) => f.code)).toEqual(["INVALID_OFFSET"]);
  });

  it("formats shapes exactly", () => {
    const t = table(header(["a", "U8", [0, U64_MAX, 3], [0, 0]]));
    expect(shapeText(t, 0)).toBe(`[0, ${U64_MAX}, 3]`);
  });
});

describe("the usual layout, checked in Numbers", () => {
  function table(text: string) {
    return readHeaderJson(Buffer.from(text), 8, new FindingSink()).tensors;
  }

  // A data section starting at 2^52 + s is past what the Number pass takes, and has the same
  // alignment as one at s: both passes must then agree on everything but that start.
  const HIGH = 2n ** 52n;
  function bothWays(text: string, start: bigint) {
    const t = table(text);
    const results = [start, HIGH + start].map((s) => {
      const sink = new FindingSink();
      const layout = validateLayout(t, s, sink);
      return {
        order: [...layout.order],
        dataEnd: layout.dataEnd,
        findings: sink
          .finish()
          .map((f) => [f.code, f.tensor, f.code === "DATA_UNALIGNED" ? "" : f.message]),
      };
    });
    expect(results[0]).toEqual(results[1]);
    return results[0]!;
  }

  it.each([
    ["an aligned file", header(["a", "F32", [2, 3], [0, 24]], ["b", "U8", [5], [24, 29]]), 64n],
    [
      "an unaligned data section",
      header(["a", "F32", [2], [0, 8]], ["b", "F16", [1], [8, 10]]),
      61n,
    ],
    [
      "unaligned tensors",
      header(["a", "U8", [1], [0, 1]], ["b", "F32", [1], [1, 5]], ["c", "F64", [1], [5, 13]]),
      64n,
    ],
    [
      "zero-size tensors and scalars",
      header(["a", "F32", [], [0, 4]], ["z", "F16", [0, 5], [4, 4]], ["y", "U8", [3, 0], [4, 4]]),
      64n,
    ],
    ["4- and 6-bit dtypes", header(["a", "F4", [4], [0, 2]], ["b", "F6_E2M3", [4], [2, 5]]), 64n],
    ["keys out of data order", header(["b", "U8", [1], [1, 2]], ["a", "U8", [1], [0, 1]]), 64n],
    ["a gap", header(["a", "U8", [1], [0, 1]], ["b", "U8", [1], [2, 3]]), 64n],
    ["a size mismatch", header(["a", "F32", [2], [0, 4]]), 64n],
    ["an odd F4 count", header(["a", "F4", [3], [0, 2]]), 64n],
    ["a huge empty dim", header(["a", "U8", [0, "4294967296"], [0, 0]]), 64n],
    ["a high rank", header(["a", "U8", Array(65).fill(1), [0, 1]]), 64n],
  ])("agrees with the BigInt pass on %s", (_what, text, start) => {
    bothWays(text, start);
  });

  it("reports exactly past 2^53, where Numbers would round", () => {
    // 2^53 + 1 rounds to 2^53 in a double: the gap after `a` would read as 2 bytes, not 1.
    const big = 2n ** 53n + 1n;
    const at = (n: bigint) => String(big + n);
    const t = table(
      header(
        ["a", "U8", [at(0n)], ["0", at(0n)]],
        ["b", "U8", [1], [at(1n), at(2n)]],
        ["c", "F16", [1], [at(2n), at(5n)]],
      ),
    );
    expect(t.small).toBe(false);
    const sink = new FindingSink();
    const layout = validateLayout(t, 64n, sink);
    expect(layout.dataEnd).toBe(big + 5n);
    expect(sink.finish().map((f) => [f.code, f.message, f.offset])).toEqual([
      [
        "INVALID_OFFSET",
        "tensor `b` starts 1 byte after `a` ends (gap at data offset 9,007,199,254,740,993)",
        64n + big + 1n,
      ],
      [
        "TENSOR_SIZE_MISMATCH",
        "tensor `c`: F16 [1] needs 2 bytes, data_offsets span 3",
        64n + big + 2n,
      ],
      // 64 + 2^53 + 3 is odd: `c` is not at a multiple of 2.
      [
        "TENSORS_UNALIGNED",
        "1 of 3 tensors is not aligned to their element size (first: `c`)",
        undefined,
      ],
    ]);
  });

  it("agrees on a pile of zero-size tensors at one offset", () => {
    const zeros = Array.from(
      { length: 1100 },
      (_, i) => [`z${i}`, "U8", [0], [1, 1]] as [string, string, number[], [number, number]],
    );
    const { findings } = bothWays(header(["a", "U8", [1], [0, 1]], ...zeros), 64n);
    expect(findings.map((f) => f[0])).toContain("ZERO_SIZE_PILEUP");
  });
});
