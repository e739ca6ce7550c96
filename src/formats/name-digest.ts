// Order-independent digests of sets of tensor names, so that an index can be checked against its
// shards' headers without building a map of every name: per shard, the count of names and the sum
// of a keyed 64-bit hash of each name's UTF-8 bytes. Equal counts and sums mean, with
// overwhelming probability, equal sets; any difference is certain, and callers then take the
// exact, map-based path for the findings.
//
// The hash is HalfSipHash-1-3 (64-bit output), a pseudo-random function of its key: the key is
// drawn at random for each run, so an index cannot be crafted to collide with a shard's names
// (fast unkeyed hashes such as MurmurHash3 have collisions that hold for every seed). As a random
// function's outputs, the sums of two different sets differ except with probability 2^-64.

/** A 64-bit HalfSipHash key as two little-endian 32-bit words. */
export interface NameKey {
  readonly k0: number;
  readonly k1: number;
}

/**
 * A fresh key from the system's random source. Web Crypto's global, loaded on first use, rather
 * than an import of node:crypto, which would cost every run ~3 ms of start-up.
 */
export function randomNameKey(): NameKey {
  const k = globalThis.crypto.getRandomValues(new Uint32Array(2));
  return { k0: k[0]! | 0, k1: k[1]! | 0 };
}

/** Count of names and the sums of their hashes' two 32-bit halves, modulo 2^32. */
export interface NameDigest {
  count: number;
  lo: number;
  hi: number;
}

export const emptyDigest = (): NameDigest => ({ count: 0, lo: 0, hi: 0 });

export const sameDigest = (a: NameDigest, b: NameDigest): boolean =>
  a.count === b.count && a.lo === b.lo && a.hi === b.hi;

/** The two halves of the last hash computed (a pair without allocating one per name). */
export const hashOut = new Int32Array(2);

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));

/**
 * HalfSipHash-1-3 with a 64-bit output of b[start, end), into hashOut: one compression round per
 * 4-byte word and three finalisation rounds, as Linux's hsiphash uses for hash tables. Written
 * out rather than looped, for speed (the tests check it against a generic c-d version, itself
 * checked against the reference vectors).
 *
 * In the same pass it says whether the bytes are free of control characters (below 0x20) and
 * backslashes, so that a JSON string found by its closing quote is hashed and checked at once:
 * false means it must be read as a string (escapes) or refused (control characters).
 */
export function halfSipHash(key: NameKey, b: Uint8Array, start: number, end: number): boolean {
  let v0 = key.k0;
  let v1 = key.k1 ^ 0xee; // the 64-bit-output variant
  let v2 = 0x6c796765 ^ key.k0;
  let v3 = 0x74656462 ^ key.k1;
  const len = end - start;
  const whole = start + (len & ~3);
  let p = start;
  // Bit 7 of a byte lane ends up set when that byte is below 0x20 or is 0x5c (the classic
  // "has a byte less than n" and "has a zero byte" word tests; exact as to whether any is).
  let special = 0;
  for (; p < whole; p += 4) {
    const m = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
    const x = m ^ 0x5c5c5c5c;
    special |= ((m - 0x20202020) & ~m) | ((x - 0x01010101) & ~x);
    v3 ^= m;
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
    v0 ^= m;
  }
  let last = len << 24;
  const left = end - p;
  for (let k = 0; k < left; k++) {
    const c = b[p + k]!;
    if (c < 0x20 || c === 0x5c) special |= 0x80;
    last |= c << (8 * k);
  }
  v3 ^= last;
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
  v0 ^= last;
  v2 ^= 0xee;
  for (let r = 0; r < 3; r++) {
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
  }
  hashOut[0] = v1 ^ v3;
  v1 ^= 0xdd;
  for (let r = 0; r < 3; r++) {
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
  }
  hashOut[1] = v1 ^ v3;
  return (special & 0x80808080) === 0;
}

/** Adds the name whose UTF-8 bytes are b[start, end) (an unescaped JSON string's raw bytes). */
export function addNameBytes(
  d: NameDigest,
  key: NameKey,
  b: Uint8Array,
  start: number,
  end: number,
): void {
  halfSipHash(key, b, start, end);
  d.count++;
  d.lo = (d.lo + hashOut[0]!) | 0;
  d.hi = (d.hi + hashOut[1]!) | 0;
}

/** Adds a decoded name (one that was spelled with escapes): the hash is of its UTF-8 bytes. */
export function addName(d: NameDigest, key: NameKey, name: string): void {
  const bytes = Buffer.from(name, "utf8");
  addNameBytes(d, key, bytes, 0, bytes.length);
}

/**
 * A set of 64-bit hashes (pairs of 32-bit halves) in flat typed arrays, open addressing: tells
 * whether a name was already seen without keeping a string per name. The hashes are already
 * uniform, so the low half picks the slot. Probes read only the low halves, one small array;
 * the high half is looked at when the low ones match.
 */
export class HashPairSet {
  private lo: Int32Array;
  private hi: Int32Array;
  private size = 0;
  /** High halves of pairs whose low half is 0, the value that marks an empty slot. */
  private readonly zeroLo = new Set<number>();

  constructor(expected: number) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.lo = new Int32Array(capacity);
    this.hi = new Int32Array(capacity);
  }

  /** Adds the pair; false when it was already present. */
  add(a: number, b: number): boolean {
    if (a === 0) {
      if (this.zeroLo.has(b)) return false;
      this.zeroLo.add(b);
      return true;
    }
    const lo = this.lo;
    const mask = lo.length - 1;
    let i = a & mask;
    for (let x = lo[i]!; x !== 0; x = lo[i]!) {
      if (x === a && this.hi[i] === b) return false;
      i = (i + 1) & mask;
    }
    lo[i] = a;
    this.hi[i] = b;
    if (++this.size * 2 > mask) this.grow();
    return true;
  }

  private grow(): void {
    const { lo, hi } = this;
    this.lo = new Int32Array(2 * lo.length);
    this.hi = new Int32Array(2 * lo.length);
    this.size = 0;
    for (let i = 0; i < lo.length; i++) if (lo[i] !== 0) this.add(lo[i]!, hi[i]!);
  }
}
