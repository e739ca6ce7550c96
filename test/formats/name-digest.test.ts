// The keyed name digests that check an index against its shards without a map of every name:
// the hash itself (against the reference vectors), its check for JSON escapes and control
// characters, the hash set that finds a name listed twice, and the digest's order independence.

import { describe, expect, it } from "vitest";
import {
  addName,
  addNameBytes,
  emptyDigest,
  halfSipHash,
  hashOut,
  HashPairSet,
  randomNameKey,
  sameDigest,
  type NameKey,
} from "../../src/formats/name-digest.js";

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));

/** HalfSipHash-c-d with a 64-bit output, written from the reference C code, loops and all. */
function reference(key: NameKey, b: Uint8Array, c: number, d: number): [number, number] {
  let [v0, v1, v2, v3] = [key.k0, key.k1 ^ 0xee, 0x6c796765 ^ key.k0, 0x74656462 ^ key.k1];
  const round = () => {
    v0 = (v0 + v1) | 0;
    v1 = rotl(v1, 5) ^ v0;
    v0 = rotl(v0, 16);
    v2 = (v2 + v3) | 0;
    v3 = rotl(v3, 8) ^ v2;
    v0 = (v0 + v3) | 0;
    v3 = rotl(v3, 7) ^ v0;
    v2 = (v2 + v1) | 0;
    v1 = rotl(v1, 13) ^ v2;
    v2 = rotl(v2, 16);
  };
  const words = b.length >> 2;
  for (let w = 0; w < words; w++) {
    const m = b[4 * w]! | (b[4 * w + 1]! << 8) | (b[4 * w + 2]! << 16) | (b[4 * w + 3]! << 24);
    v3 ^= m;
    for (let r = 0; r < c; r++) round();
    v0 ^= m;
  }
  let last = b.length << 24;
  for (let k = 4 * words; k < b.length; k++) last |= b[k]! << (8 * (k - 4 * words));
  v3 ^= last;
  for (let r = 0; r < c; r++) round();
  v0 ^= last;
  v2 ^= 0xee;
  for (let r = 0; r < d; r++) round();
  const lo = v1 ^ v3;
  v1 ^= 0xdd;
  for (let r = 0; r < d; r++) round();
  return [lo, v1 ^ v3];
}

const hex = ([lo, hi]: [number, number]) => {
  const out = Buffer.alloc(8);
  out.writeInt32LE(lo, 0);
  out.writeInt32LE(hi, 4);
  return out.toString("hex");
};

// The reference implementation's vectors.h (veorq/SipHash), vectors_hsip64: key 00 01 … 07,
// input 00 01 … (len − 1).
const VECTORS_HSIP64 = [
  "218d1f59b9b83cc8",
  "be552412f8387315",
  "064f39ef7c50eb57",
  "ce0f1a45f7060679",
  "d5e78a175be52ea1",
  "cb9d7c3f2f3db580",
  "ce3e91358aa2bc25",
  "ff202728b07bc684",
  "edfee820bce4858c",
  "5b51cccc13888307",
];
const KEY_0_7: NameKey = { k0: 0x03020100, k1: 0x07060504 };
const counting = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);

describe("HalfSipHash", () => {
  it("the reference implementation here gives the published HalfSipHash-2-4 vectors", () => {
    VECTORS_HSIP64.forEach((v, len) =>
      expect(hex(reference(KEY_0_7, counting(len), 2, 4))).toBe(v),
    );
  });

  it("halfSipHash is HalfSipHash-1-3, for every length and word alignment", () => {
    const key = randomNameKey();
    const bytes = Uint8Array.from({ length: 80 }, (_, i) => 0x20 + ((i * 37) % 90));
    for (let start = 0; start < 4; start++) {
      for (let len = 0; start + len <= bytes.length; len++) {
        halfSipHash(key, bytes, start, start + len);
        expect([hashOut[0], hashOut[1]]).toEqual(
          reference(key, bytes.subarray(start, start + len), 1, 3),
        );
      }
    }
  });

  it("says whether the bytes hold a backslash or a control character, in a word or the tail", () => {
    const key = randomNameKey();
    const clean = Buffer.from("model.layers.0.mlp.experts.7.up_proj.weight é");
    expect(halfSipHash(key, clean, 0, clean.length)).toBe(true);
    for (let at = 0; at < 11; at++) {
      for (const bad of [0x00, 0x0a, 0x1f, 0x5c]) {
        const b = Buffer.from("abcdefghijk");
        b[at] = bad;
        expect(halfSipHash(key, b, 0, b.length)).toBe(false);
        // The flag does not change the hash.
        const [lo, hi] = [hashOut[0], hashOut[1]];
        expect(reference(key, b, 1, 3)).toEqual([lo, hi]);
      }
    }
    // 0x20, DEL and bytes above 0x7f are not flagged.
    expect(halfSipHash(key, Buffer.from([0x20, 0x7f, 0x80, 0xff, 0x5b, 0x5d]), 0, 6)).toBe(true);
  });

  it("depends on the key", () => {
    const b = Buffer.from("lm_head.weight");
    halfSipHash({ k0: 1, k1: 2 }, b, 0, b.length);
    const one = [hashOut[0], hashOut[1]];
    halfSipHash({ k0: 1, k1: 3 }, b, 0, b.length);
    expect([hashOut[0], hashOut[1]]).not.toEqual(one);
  });
});

describe("name digests", () => {
  it("do not depend on the order of the names", () => {
    const key = randomNameKey();
    const names = ["a.weight", "b.weight", "c.bias", "é.weight", ""];
    const forward = emptyDigest();
    const backward = emptyDigest();
    for (const n of names) addName(forward, key, n);
    for (const n of [...names].reverse()) addName(backward, key, n);
    expect(sameDigest(forward, backward)).toBe(true);
    expect(forward.count).toBe(5);
  });

  it("tell different sets apart, including sets with the same letters", () => {
    const key = randomNameKey();
    const digest = (names: string[]) => {
      const d = emptyDigest();
      for (const n of names) addName(d, key, n);
      return d;
    };
    expect(sameDigest(digest(["ab", "cd"]), digest(["ad", "cb"]))).toBe(false);
    expect(sameDigest(digest(["x"]), digest(["x", "x"]))).toBe(false);
    expect(sameDigest(digest(["x", "y"]), digest(["x", "z"]))).toBe(false);
  });

  it("hash a name's raw bytes as its decoded UTF-8", () => {
    const key = randomNameKey();
    const raw = Buffer.from('"é😀.w"');
    const fromBytes = emptyDigest();
    addNameBytes(fromBytes, key, raw, 1, raw.length - 1);
    const fromString = emptyDigest();
    addName(fromString, key, "é😀.w");
    expect(fromBytes).toEqual(fromString);
  });

  it("use a fresh key each run", () => {
    const a = randomNameKey();
    const b = randomNameKey();
    expect([a.k0, a.k1]).not.toEqual([b.k0, b.k1]);
  });
});

describe("HashPairSet", () => {
  it("adds a pair once, (0, 0) included, and keeps every pair as it grows", () => {
    const set = new HashPairSet(4);
    expect(set.add(0, 0)).toBe(true);
    expect(set.add(0, 0)).toBe(false);
    const pairs: Array<[number, number]> = [];
    for (let i = 1; i <= 5000; i++) pairs.push([(i * 2654435761) | 0, i & 3]);
    for (const [a, b] of pairs) expect(set.add(a, b)).toBe(true);
    for (const [a, b] of pairs) expect(set.add(a, b)).toBe(false);
    // Same low half, other high half: a different pair.
    expect(set.add(pairs[0]![0], 99)).toBe(true);
  });
});
