// The format-neutral tensor table every format reader fills and everything above the formats
// reads: tensors stored column-wise in typed arrays, so that a million-tensor header costs a few
// tens of bytes per tensor beyond its name, not a JS object with BigInt fields each. Offsets are
// relative to the file's data section, whatever the format calls it.

export interface TensorTable {
  readonly count: number;
  /** In header order (a duplicate name keeps its first position and its last value, like serde). */
  readonly names: readonly string[];
  /** Index into DTYPES, the registry of every format's dtypes (formats/dtypes.ts). */
  readonly dtypes: Uint8Array;
  /** begin, end pairs: the header's data_offsets, relative to the data section. */
  readonly offsets: BigUint64Array;
  /** Tensor i's dims are dims[shapeStart[i] … shapeStart[i] + ranks[i]). */
  readonly shapeStart: Uint32Array;
  readonly ranks: Uint32Array;
  readonly dims: BigUint64Array;
}

export function shapeOf(t: TensorTable, i: number): bigint[] {
  const s = t.shapeStart[i]!;
  return Array.from(t.dims.subarray(s, s + t.ranks[i]!));
}

/** Product of the dims, exact; 1 for a scalar. Callers validate against u64 overflow first. */
export function elementsOf(t: TensorTable, i: number): bigint {
  const s = t.shapeStart[i]!;
  const e = s + t.ranks[i]!;
  let n = 1n;
  for (let d = s; d < e; d++) n *= t.dims[d]!;
  return n;
}

export function bytesOf(t: TensorTable, i: number): bigint {
  return t.offsets[2 * i + 1]! - t.offsets[2 * i]!;
}

/** True where a u64's low 32-bit word comes first in memory (all but big-endian hosts, s390x and the like). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** 2^32: a u64 read as two 32-bit words is hi × TWO_32 + lo. */
export const TWO_32 = 4294967296;

/**
 * Element i of a BigUint64Array, `words` being a Uint32Array over the same memory, set to `v`
 * (an integer below 2^53) without making a BigInt: a million tensors would make millions.
 */
function setU64(big: BigUint64Array, words: Uint32Array, i: number, v: number): void {
  if (LITTLE_ENDIAN) {
    const lo = v >>> 0;
    words[2 * i] = lo;
    words[2 * i + 1] = (v - lo) / TWO_32;
  } else big[i] = BigInt(v);
}

/** Grows by doubling; `finish` trims to the exact size. */
export class TensorTableBuilder {
  private n = 0;
  private names: string[] = [];
  private dtypes: Uint8Array;
  private offsets: BigUint64Array;
  private offsetWords: Uint32Array;
  private shapeStart: Uint32Array;
  private ranks: Uint32Array;
  private dims: BigUint64Array;
  private dimWords: Uint32Array;
  private dimCount = 0;

  constructor(expected = 16) {
    const n = Math.max(16, expected);
    this.dtypes = new Uint8Array(n);
    this.offsets = new BigUint64Array(2 * n);
    this.offsetWords = new Uint32Array(this.offsets.buffer);
    this.shapeStart = new Uint32Array(n);
    this.ranks = new Uint32Array(n);
    this.dims = new BigUint64Array(2 * n);
    this.dimWords = new Uint32Array(this.dims.buffer);
  }

  /**
   * `add` for the usual tensor, every value below 2^53 (`dims[0 … rank)`, `begin`, `end`):
   * written without a BigInt each.
   */
  addSmall(
    name: string,
    dtype: number,
    dims: Float64Array,
    rank: number,
    begin: number,
    end: number,
  ): number {
    const i = this.n;
    if (i === this.dtypes.length) this.growTensors();
    this.names.push(name);
    this.n = i + 1;
    if (this.dimCount + rank > this.dims.length) this.growDims(this.dimCount + rank);
    const at = this.dimCount;
    for (let k = 0; k < rank; k++) setU64(this.dims, this.dimWords, at + k, dims[k]!);
    this.shapeStart[i] = at;
    this.ranks[i] = rank;
    this.dimCount = at + rank;
    this.dtypes[i] = dtype;
    setU64(this.offsets, this.offsetWords, 2 * i, begin);
    setU64(this.offsets, this.offsetWords, 2 * i + 1, end);
    return i;
  }

  get count(): number {
    return this.n;
  }

  /** The names added so far, in order. */
  namesSoFar(): readonly string[] {
    return this.names;
  }

  add(
    name: string,
    dtype: number,
    shape: BigUint64Array,
    rank: number,
    begin: bigint,
    end: bigint,
  ): number {
    const i = this.n;
    if (i === this.dtypes.length) this.growTensors();
    this.names.push(name);
    this.n = i + 1;
    this.set(i, dtype, shape, rank, begin, end);
    return i;
  }

  /** Overwrites tensor i: a later duplicate wins, as in the reference loader. */
  set(
    i: number,
    dtype: number,
    shape: BigUint64Array,
    rank: number,
    begin: bigint,
    end: bigint,
  ): void {
    if (this.dimCount + rank > this.dims.length) this.growDims(this.dimCount + rank);
    for (let k = 0; k < rank; k++) this.dims[this.dimCount + k] = shape[k]!;
    this.shapeStart[i] = this.dimCount;
    this.ranks[i] = rank;
    this.dimCount += rank;
    this.dtypes[i] = dtype;
    this.offsets[2 * i] = begin;
    this.offsets[2 * i + 1] = end;
  }

  finish(): TensorTable {
    const n = this.n;
    return {
      count: n,
      names: this.names,
      dtypes: this.dtypes.slice(0, n),
      offsets: this.offsets.slice(0, 2 * n),
      shapeStart: this.shapeStart.slice(0, n),
      ranks: this.ranks.slice(0, n),
      dims: this.dims.slice(0, this.dimCount),
    };
  }

  private growTensors(): void {
    const n = this.dtypes.length * 2;
    const grow = <T extends Uint8Array | Uint32Array | BigUint64Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a as never);
      return b;
    };
    this.dtypes = grow(this.dtypes, n);
    this.offsets = grow(this.offsets, 2 * n);
    this.offsetWords = new Uint32Array(this.offsets.buffer);
    this.shapeStart = grow(this.shapeStart, n);
    this.ranks = grow(this.ranks, n);
  }

  private growDims(needed: number): void {
    let size = this.dims.length * 2;
    while (size < needed) size *= 2;
    const next = new BigUint64Array(size);
    next.set(this.dims);
    this.dims = next;
    this.dimWords = new Uint32Array(next.buffer);
  }
}
