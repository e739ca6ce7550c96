import { le } from "../../helpers/bytes.js";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DTYPES, dtypeId } from "../../../src/formats/safetensors/dtypes.js";
import { ValueScan, type ValueCounts } from "../../../src/formats/safetensors/values.js";

type Case = { dtype: string; bytes: Uint8Array; nan: number; inf: number; nonZero: boolean };

/** F64 values as [high word, low word] pairs. */
function f64(pairs: Array<[number, number]>): Uint8Array {
  return le(
    4,
    pairs.flatMap(([hi, lo]) => [lo, hi]),
  );
}

function scan(dtype: string, chunks: Uint8Array[]): ValueCounts {
  const s = new ValueScan(dtypeId(dtype));
  for (const c of chunks) s.update(c);
  expect(s.pending).toBe(0);
  return s.counts();
}

/** The same bytes at a given misalignment inside a larger buffer. */
function at(offset: number, b: Uint8Array): Uint8Array {
  const big = new Uint8Array(b.length + offset + 8);
  big.set(b, offset);
  return big.subarray(offset, offset + b.length);
}

function splits(b: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

/** Repeats a pattern so that the word-at-a-time paths (≥ 16 bytes) see it too. */
function repeat(b: Uint8Array, times: number): Uint8Array {
  const out = new Uint8Array(b.length * times);
  for (let i = 0; i < times; i++) out.set(b, i * b.length);
  return out;
}

const CASES: Case[] = [
  // F32: quiet, negative and signalling NaN; ±inf; −0 and 0; finite extremes
  {
    dtype: "F32",
    bytes: le(4, [0x7fc00000, 0xffc00001, 0x7f800001, 0x7f800000, 0xff800000, 0x3f800000]),
    nan: 3,
    inf: 2,
    nonZero: true,
  },
  { dtype: "F32", bytes: le(4, [0, 0x80000000, 0, 0x80000000]), nan: 0, inf: 0, nonZero: false },
  { dtype: "F32", bytes: le(4, [0, 1, 0x7f7fffff]), nan: 0, inf: 0, nonZero: true },
  // F64: NaN whose mantissa is only in the low word; inf; a denormal only in the low word
  {
    dtype: "F64",
    bytes: f64([
      [0x7ff80000, 0],
      [0x7ff00000, 1],
      [0x7ff00000, 0],
      [0xfff00000, 0],
      [0x80000000, 0],
    ]),
    nan: 2,
    inf: 2,
    nonZero: true,
  },
  {
    dtype: "F64",
    bytes: f64([
      [0x80000000, 0],
      [0, 0],
    ]),
    nan: 0,
    inf: 0,
    nonZero: false,
  },
  {
    dtype: "F64",
    bytes: f64([
      [0, 1],
      [0, 0],
    ]),
    nan: 0,
    inf: 0,
    nonZero: true,
  },
  // F16 and BF16
  {
    dtype: "F16",
    bytes: le(2, [0x7e00, 0x7c01, 0xfe00, 0x7c00, 0xfc00, 0x7bff, 0x8000]),
    nan: 3,
    inf: 2,
    nonZero: true,
  },
  { dtype: "F16", bytes: le(2, [0x8000, 0, 0, 0x8000]), nan: 0, inf: 0, nonZero: false },
  {
    dtype: "BF16",
    bytes: le(2, [0x7fc0, 0x7f81, 0xffff, 0x7f80, 0xff80, 0x3f80, 0x7f7f]),
    nan: 3,
    inf: 2,
    nonZero: true,
  },
  { dtype: "BF16", bytes: le(2, [0, 0x8000, 0x8000, 0]), nan: 0, inf: 0, nonZero: false },
  // F8_E4M3 (fn): S.1111.111 is NaN; 0x78 (exponent all ones, mantissa 0) is 256, not inf
  {
    dtype: "F8_E4M3",
    bytes: le(1, [0x7f, 0xff, 0x7e, 0x78, 0xf8, 0x80]),
    nan: 2,
    inf: 0,
    nonZero: true,
  },
  { dtype: "F8_E4M3", bytes: le(1, [0x80, 0, 0x80, 0]), nan: 0, inf: 0, nonZero: false },
  // F8_E5M2: IEEE-like
  {
    dtype: "F8_E5M2",
    bytes: le(1, [0x7c, 0xfc, 0x7d, 0x7e, 0x7f, 0xfd, 0x7b, 0x80]),
    nan: 4,
    inf: 2,
    nonZero: true,
  },
  // FNUZ: 0x80 is the one NaN; 0x7f and 0xff are ordinary
  {
    dtype: "F8_E4M3FNUZ",
    bytes: le(1, [0x80, 0x7f, 0xff, 0]),
    nan: 1,
    inf: 0,
    nonZero: true,
  },
  { dtype: "F8_E5M2FNUZ", bytes: le(1, [0x80, 0x80, 0x7c, 0xfc]), nan: 2, inf: 0, nonZero: true },
  { dtype: "F8_E5M2FNUZ", bytes: le(1, [0, 0, 0, 0]), nan: 0, inf: 0, nonZero: false },
  // F8_E8M0: 0xff is NaN and 0x00 is 2^-127, not zero
  { dtype: "F8_E8M0", bytes: le(1, [0xff, 0, 0x7f]), nan: 1, inf: 0, nonZero: true },
  { dtype: "F8_E8M0", bytes: le(1, [0, 0, 0, 0]), nan: 0, inf: 0, nonZero: true },
  // C64: the real and imaginary parts count as F32 values
  {
    dtype: "C64",
    bytes: le(4, [0x7fc00000, 0x7f800000, 0, 0x80000000]),
    nan: 1,
    inf: 1,
    nonZero: true,
  },
  // F4: two E2M1 values per byte, each ±0 when its low three bits are
  { dtype: "F4", bytes: le(1, [0x88, 0x08, 0x80, 0]), nan: 0, inf: 0, nonZero: false },
  { dtype: "F4", bytes: le(1, [0x88, 0x10]), nan: 0, inf: 0, nonZero: true },
  // Integers: only zero or not
  { dtype: "I32", bytes: le(4, [0, 0, 0]), nan: 0, inf: 0, nonZero: false },
  { dtype: "I32", bytes: le(4, [0, 0x80000000]), nan: 0, inf: 0, nonZero: true },
  { dtype: "U8", bytes: le(1, [0, 0xff]), nan: 0, inf: 0, nonZero: true },
];

describe("ValueScan", () => {
  for (const c of CASES) {
    const bits = Array.from(c.bytes, (x) => x.toString(16).padStart(2, "0")).join("");
    it(`${c.dtype} ${bits}`, () => {
      const expected = { nan: c.nan, inf: c.inf, nonZero: c.nonZero, invalidBool: 0 };
      const pick = (v: ValueCounts) => ({
        nan: v.nan,
        inf: v.inf,
        nonZero: v.nonZero,
        invalidBool: v.invalidBool,
      });
      // whole, byte by byte, and every split point: an element split across chunks is carried
      expect(pick(scan(c.dtype, [c.bytes]))).toEqual(expected);
      expect(pick(scan(c.dtype, splits(c.bytes, 1)))).toEqual(expected);
      for (let cut = 1; cut < c.bytes.length; cut++) {
        const parts = [c.bytes.subarray(0, cut), c.bytes.subarray(cut)];
        expect(pick(scan(c.dtype, parts))).toEqual(expected);
      }
      // long enough for the word-at-a-time path, at every alignment
      const times = 16;
      const long = repeat(c.bytes, times);
      const many = {
        nan: c.nan * times,
        inf: c.inf * times,
        nonZero: c.nonZero,
        invalidBool: 0,
      };
      for (let offset = 0; offset < 8; offset++) {
        expect(pick(scan(c.dtype, [at(offset, long)]))).toEqual(many);
        expect(pick(scan(c.dtype, splits(at(offset, long), 7)))).toEqual(many);
      }
    });
  }

  it("counts BOOL bytes other than 0 and 1", () => {
    const b = repeat(le(1, [0, 1, 2, 0xff, 1, 0, 0x80, 1]), 9);
    for (const chunks of [[b], splits(b, 5), [at(3, b)]]) {
      const v = scan("BOOL", chunks);
      expect(v.invalidBool).toBe(27);
      expect(v.nan + v.inf).toBe(0);
      expect(v.nonZero).toBe(true);
    }
    expect(scan("BOOL", [new Uint8Array(40)]).nonZero).toBe(false);
    expect(scan("BOOL", [le(1, [1, 0, 0, 0, 1])]).invalidBool).toBe(0);
  });

  it("word-at-a-time and element-at-a-time agree on random data, for every dtype", () => {
    const data = randomBytes(4096 + 24);
    for (let id = 0; id < DTYPES.length; id++) {
      const name = DTYPES[id]!.name;
      const bytes = data.subarray(0, 4096);
      const fast = scan(name, [bytes]);
      const slow = scan(name, splits(bytes, 3));
      const shifted = scan(name, [at(2, bytes)]);
      expect(fast, name).toEqual(slow);
      expect(shifted, name).toEqual(slow);
      expect(fast.bytes).toBe(4096);
    }
  });

  it("reset starts a new tensor of another dtype", () => {
    const s = new ValueScan(dtypeId("F32"));
    s.update(le(4, [0x7fc00000]).subarray(0, 3));
    expect(s.pending).toBe(3);
    s.reset(dtypeId("BF16"));
    expect(s.pending).toBe(0);
    s.update(le(2, [0x7f80, 0]));
    expect(s.counts()).toEqual({ nan: 0, inf: 1, invalidBool: 0, nonZero: true, bytes: 4 });
  });
});
