// Counts NaN, infinities, non-zero values and out-of-range BOOL bytes in tensor data, fed in
// chunks of any size: an element split between two chunks is carried over. Tensor data is
// little-endian whatever the host; the word-at-a-time paths read 32-bit words through a typed
// array only on little-endian hosts and only at 4-byte-aligned addresses, and everything else
// goes through DataView with littleEndian = true.
//
// Per dtype:
// - F64, F32, F16, BF16, F8_E5M2: IEEE-like, all-ones exponent = inf (mantissa 0) or NaN.
// - F8_E4M3 (torch float8_e4m3fn): NaN is S.1111.111, there is no infinity.
// - F8_E4M3FNUZ, F8_E5M2FNUZ: 0x80 (the would-be −0) is the only NaN, no infinity, no −0.
// - F8_E8M0 (a power-of-two scale): 0xFF is NaN, and no value is zero.
// - C64: the real and imaginary parts are counted as two F32 values.
// - BOOL: bytes other than 0 and 1 are counted apart; no framework writes them.
// - integers, F4, F6: no NaN; only whether every value is zero (for F4, ±0).
// −0 counts as zero, NaN and ±inf as non-zero.

import { DTYPES } from "./dtypes.js";

export interface ValueCounts {
  nan: number;
  inf: number;
  /** BOOL bytes other than 0 and 1. */
  invalidBool: number;
  /** Some element is not (±)0. */
  nonZero: boolean;
  /** Bytes fed so far, including those of a split element still carried over. */
  bytes: number;
}

/** How one dtype is decoded. Elements are read as unsigned little-endian integers. */
interface Kind {
  readonly size: 1 | 2 | 4 | 8;
  /** v is NaN or infinite iff ((v ^ specialXor) & specialMask) === 0; no specials when mask 0. */
  readonly specialXor: number;
  readonly specialMask: number;
  /** A special v is infinite iff (v & magnitude) === infinity; −1 never matches. */
  readonly magnitude: number;
  readonly infinity: number;
  /** v is zero iff (v & zeroMask) === 0. */
  readonly zeroMask: number;
  readonly noZero?: boolean;
  readonly bool?: boolean;
}

/** All-ones exponent: infinity when the rest of the magnitude is zero, else NaN. */
const ieee = (size: 2 | 4, exponent: number, magnitude: number): Kind => ({
  size,
  specialXor: exponent,
  specialMask: exponent,
  magnitude,
  infinity: exponent,
  zeroMask: magnitude,
});

const f32 = ieee(4, 0x7f800000, 0x7fffffff);
const fixed = (zeroMask: number): Kind => ({
  size: 1,
  specialXor: 0,
  specialMask: 0,
  magnitude: 0,
  infinity: -1,
  zeroMask,
});

const KINDS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ["BOOL", { ...fixed(0xff), bool: true }],
  // OCP MX FP4 (E2M1): two values per byte, either nibble order; each ±0 when its low 3 bits are.
  ["F4", fixed(0x77)],
  // FP6 packing order is left to the framework: only all-zero bytes are certainly zero.
  ["F6_E2M3", fixed(0xff)],
  ["F6_E3M2", fixed(0xff)],
  ["U8", fixed(0xff)],
  ["I8", fixed(0xff)],
  [
    "F8_E5M2",
    {
      size: 1,
      specialXor: 0x7c,
      specialMask: 0x7c,
      magnitude: 0x7f,
      infinity: 0x7c,
      zeroMask: 0x7f,
    },
  ],
  [
    "F8_E4M3",
    { size: 1, specialXor: 0x7f, specialMask: 0x7f, magnitude: 0, infinity: -1, zeroMask: 0x7f },
  ],
  [
    "F8_E8M0",
    {
      size: 1,
      specialXor: 0xff,
      specialMask: 0xff,
      magnitude: 0,
      infinity: -1,
      zeroMask: 0xff,
      noZero: true,
    },
  ],
  [
    "F8_E4M3FNUZ",
    { size: 1, specialXor: 0x80, specialMask: 0xff, magnitude: 0, infinity: -1, zeroMask: 0xff },
  ],
  [
    "F8_E5M2FNUZ",
    { size: 1, specialXor: 0x80, specialMask: 0xff, magnitude: 0, infinity: -1, zeroMask: 0xff },
  ],
  ["I16", fixed(0xff)],
  ["U16", fixed(0xff)],
  ["F16", ieee(2, 0x7c00, 0x7fff)],
  ["BF16", ieee(2, 0x7f80, 0x7fff)],
  ["I32", fixed(0xff)],
  ["U32", fixed(0xff)],
  ["F32", f32],
  ["C64", f32],
  // Decoded apart (two words); the masks only mark it as having NaN and infinities.
  ["F64", { ...ieee(4, 0x7ff00000, 0x7fffffff), size: 8 }],
  ["I64", fixed(0xff)],
  ["U64", fixed(0xff)],
]);

const KIND_BY_ID: readonly Kind[] = DTYPES.map((d) => {
  const k = KINDS.get(d.name);
  if (k === undefined) throw new Error(`no value decoder for ${d.name}`);
  return k;
});

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Streams one tensor's bytes at a time through `update`; `reset` starts the next tensor, so one
 * scanner serves a whole file without allocating per tensor.
 */
export class ValueScan {
  nan = 0;
  inf = 0;
  invalidBool = 0;
  nonZero = false;
  bytes = 0;
  private kind: Kind;
  private readonly carry = new Uint8Array(8);
  private carried = 0;

  constructor(dtype: number) {
    this.kind = kindOf(dtype);
  }

  reset(dtype: number): void {
    this.kind = kindOf(dtype);
    this.nan = 0;
    this.inf = 0;
    this.invalidBool = 0;
    this.nonZero = false;
    this.bytes = 0;
    this.carried = 0;
  }

  /** Bytes of a split element waiting for the rest of it. */
  get pending(): number {
    return this.carried;
  }

  counts(): ValueCounts {
    return {
      nan: this.nan,
      inf: this.inf,
      invalidBool: this.invalidBool,
      nonZero: this.nonZero,
      bytes: this.bytes,
    };
  }

  update(chunk: Uint8Array): void {
    const size = this.kind.size;
    const n = chunk.length;
    this.bytes += n;
    let i = 0;
    if (this.carried > 0) {
      const take = Math.min(size - this.carried, n);
      this.carry.set(chunk.subarray(0, take), this.carried);
      this.carried += take;
      i = take;
      if (this.carried < size) return;
      this.run(this.carry, 0, size);
      this.carried = 0;
    }
    const end = i + Math.floor((n - i) / size) * size;
    if (end > i) this.run(chunk, i, end);
    if (end < n) {
      this.carry.set(chunk.subarray(end), 0);
      this.carried = n - end;
    }
  }

  /** Whole elements in b[from, to): aligned words in bulk, the edges one element at a time. */
  private run(b: Uint8Array, from: number, to: number): void {
    const k = this.kind;
    // Whether 32-bit words hold whole elements: byte lanes (BOOL, zero-only kinds, FP8) do on any
    // host, since counting does not care about lane order; 2-byte elements need an even address,
    // 4- and 8-byte ones a multiple of 4, and both a little-endian host.
    const lanes = k.size === 1;
    const address = b.byteOffset + from;
    const wordsOk =
      to - from >= 16 && (lanes || (LITTLE_ENDIAN_HOST && address % Math.min(k.size, 4) === 0));
    if (!wordsOk) {
      this.elements(b, from, to);
      return;
    }
    const head = (4 - (address % 4)) % 4;
    this.elements(b, from, from + head);
    const start = from + head;
    const words = Math.floor((to - start) / 4);
    // F64 needs whole pairs of words.
    const usable = k.size === 8 ? words - (words % 2) : words;
    const w = new Uint32Array(b.buffer, b.byteOffset + start, usable);
    if (k.bool) this.boolWords(w);
    else if (k.size === 1) this.byteWords(w);
    else if (k.size === 2) this.halfWords(w);
    else if (k.size === 4) this.fullWords(w);
    else this.doubleWords(w);
    this.elements(b, start + usable * 4, to);
  }

  private byteWords(w: Uint32Array): void {
    const k = this.kind;
    const Z = k.zeroMask * 0x01010101;
    let nz = 0;
    if (k.specialMask === 0) {
      for (let j = 0; j < w.length; j++) nz |= w[j]!;
    } else {
      const X = k.specialXor * 0x01010101;
      const M = k.specialMask * 0x01010101;
      for (let j = 0; j < w.length; j++) {
        const v = w[j]!;
        nz |= v;
        // A lane of n is zero iff that byte is special; the expression is non-zero iff some is.
        const n = (v ^ X) & M;
        if (((n - 0x01010101) & ~n & 0x80808080) !== 0) {
          for (let s = 0; s < 32; s += 8) this.special((v >>> s) & 0xff);
        }
      }
    }
    if ((nz & Z) !== 0 || (k.noZero && w.length > 0)) this.nonZero = true;
  }

  private halfWords(w: Uint32Array): void {
    const k = this.kind;
    const X = k.specialXor | (k.specialXor << 16);
    const M = k.specialMask | (k.specialMask << 16);
    const Z = k.zeroMask | (k.zeroMask << 16);
    let nz = 0;
    for (let j = 0; j < w.length; j++) {
      const v = w[j]!;
      nz |= v & Z;
      const n = (v ^ X) & M;
      if (((n - 0x00010001) & ~n & 0x80008000) !== 0) {
        this.special(v & 0xffff);
        this.special(v >>> 16);
      }
    }
    if (nz !== 0) this.nonZero = true;
  }

  private fullWords(w: Uint32Array): void {
    const k = this.kind;
    const X = k.specialXor;
    const M = k.specialMask;
    const Z = k.zeroMask;
    let nz = 0;
    for (let j = 0; j < w.length; j++) {
      const v = w[j]!;
      nz |= v & Z;
      if (((v ^ X) & M) === 0) this.special(v >>> 0);
    }
    if (nz !== 0) this.nonZero = true;
  }

  private doubleWords(w: Uint32Array): void {
    let nz = 0;
    for (let j = 0; j < w.length; j += 2) {
      const lo = w[j]!;
      const hi = w[j + 1]!;
      nz |= (hi & 0x7fffffff) | lo;
      if ((hi & 0x7ff00000) === 0x7ff00000) this.special64(lo, hi);
    }
    if (nz !== 0) this.nonZero = true;
  }

  private boolWords(w: Uint32Array): void {
    let nz = 0;
    for (let j = 0; j < w.length; j++) {
      const v = w[j]!;
      nz |= v;
      if ((v & 0xfefefefe) !== 0) {
        for (let s = 0; s < 32; s += 8) if (((v >>> s) & 0xff) > 1) this.invalidBool++;
      }
    }
    if (nz !== 0) this.nonZero = true;
  }

  /** One element at a time, any alignment, any host. */
  private elements(b: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    const k = this.kind;
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let i = from; i < to; i += k.size) {
      if (k.size === 8) {
        const lo = view.getUint32(i, true);
        const hi = view.getUint32(i + 4, true);
        if (((hi & 0x7fffffff) | lo) !== 0) this.nonZero = true;
        if ((hi & 0x7ff00000) === 0x7ff00000) this.special64(lo, hi);
        continue;
      }
      const v =
        k.size === 1
          ? view.getUint8(i)
          : k.size === 2
            ? view.getUint16(i, true)
            : view.getUint32(i, true);
      if (k.noZero || (v & k.zeroMask) !== 0) this.nonZero = true;
      if (k.bool) {
        if (v > 1) this.invalidBool++;
      } else if (k.specialMask !== 0 && ((v ^ k.specialXor) & k.specialMask) === 0) {
        this.special(v);
      }
    }
  }

  /** v is a whole element (≤ 32 bits); counts it if it is NaN or infinite. */
  private special(v: number): void {
    const k = this.kind;
    if (((v ^ k.specialXor) & k.specialMask) !== 0) return;
    if ((v & k.magnitude) === k.infinity) this.inf++;
    else this.nan++;
  }

  private special64(lo: number, hi: number): void {
    if ((hi & 0x000fffff) === 0 && lo === 0) this.inf++;
    else this.nan++;
  }
}

function kindOf(dtype: number): Kind {
  const k = KIND_BY_ID[dtype];
  if (k === undefined) throw new RangeError(`no dtype ${dtype}`);
  return k;
}
