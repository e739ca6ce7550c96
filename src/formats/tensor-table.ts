// The format-neutral tensor table every format reader fills and everything above the formats
// reads: tensors stored column-wise in typed arrays, so that a million-tensor header costs a few
// tens of bytes per tensor beyond its name, not a JS object with BigInt fields each. Offsets are
// relative to the file's data section, whatever the format calls it.
//
// Header values are u64, and every one is kept exactly. Which way is decided once per file, while
// the table is filled: Numbers (Float64Array columns) when every value is small (SmallTable),
// which every real file is; BigInts (BigUint64Array columns) only past that, for hostile or
// astronomically large files (LargeTable). Code above reads either through one generic pass over
// `Arithmetic` (below), or through the exact BigInt accessors (offsetAt, shapeOf, elementsOf…).

/** Offsets and dims below this are exact in a double, and so is a sum or difference of two. */
export const SMALL_VALUE = 2 ** 52;
/**
 * Element counts below this stay exact in a double when multiplied by any element's bits (at
 * most 64) or packing ratio (at most 32): below 2^50.
 */
export const SMALL_ELEMENTS = 2 ** 44;

interface TableColumns {
  readonly count: number;
  /** In header order (a duplicate name keeps its first position and its last value, like serde). */
  readonly names: readonly string[];
  /** Index into DTYPES, the registry of every format's dtypes (formats/dtypes.ts). */
  readonly dtypes: Uint8Array;
  /** Tensor i's dims are dims[shapeStart[i] … shapeStart[i] + ranks[i]). */
  readonly shapeStart: Uint32Array;
  readonly ranks: Uint32Array;
}

/**
 * Every tensor's offsets and dims below SMALL_VALUE, its end at or after its begin, and its dims
 * multiplied left to right below SMALL_ELEMENTS at every step: exact in Numbers, and no product
 * the checks form can overflow 64 bits.
 */
export interface SmallTable extends TableColumns {
  readonly small: true;
  /** begin, end pairs: the header's data_offsets, relative to the data section. */
  readonly offsets: Float64Array;
  readonly dims: Float64Array;
  /** Each tensor's element count (1 for a scalar). */
  readonly elements: Float64Array;
}

/** A table with some value past what SmallTable holds: every value a BigInt. */
export interface LargeTable extends TableColumns {
  readonly small: false;
  /** begin, end pairs: the header's data_offsets, relative to the data section. */
  readonly offsets: BigUint64Array;
  readonly dims: BigUint64Array;
}

export type TensorTable = SmallTable | LargeTable;

/**
 * Exact integer arithmetic on a table's values, in the table's kind: one pass written once over
 * `V` runs on Numbers for a SmallTable and on BigInts for a LargeTable.
 */
export interface Arithmetic<V extends number | bigint> {
  readonly zero: V;
  /** 2^64: no u64 reaches it. Never reached by a SmallTable's products. */
  readonly u64Limit: V;
  /** `n`, an integer below 2^53. */
  of(n: number): V;
  big(v: V): bigint;
  add(a: V, b: V): V;
  sub(a: V, b: V): V;
  mul(a: V, b: V): V;
  /** ⌊a / b⌋ for a ≥ 0, b > 0. */
  div(a: V, b: V): V;
  rem(a: V, b: V): V;
}

/** Exact for the values of a SmallTable: operands and results below 2^53. */
export const NUMBERS: Arithmetic<number> = {
  zero: 0,
  u64Limit: 2 ** 64,
  of: (n) => n,
  big: (v) => BigInt(v),
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => (a - (a % b)) / b,
  rem: (a, b) => a % b,
};

export const BIGINTS: Arithmetic<bigint> = {
  zero: 0n,
  u64Limit: 1n << 64n,
  of: (n) => BigInt(n),
  big: (v) => v,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  rem: (a, b) => a % b,
};

/** Offset k (2i: tensor i's begin, 2i + 1: its end), exactly. */
export function offsetAt(t: TensorTable, k: number): bigint {
  return t.small ? BigInt(t.offsets[k]!) : t.offsets[k]!;
}

/** Entry d of the dims column, exactly. */
export function dimAt(t: TensorTable, d: number): bigint {
  return t.small ? BigInt(t.dims[d]!) : t.dims[d]!;
}

export function shapeOf(t: TensorTable, i: number): bigint[] {
  const s = t.shapeStart[i]!;
  const out: bigint[] = [];
  for (let d = s; d < s + t.ranks[i]!; d++) out.push(dimAt(t, d));
  return out;
}

/** Product of the dims, exact; 1 for a scalar. Callers validate against u64 overflow first. */
export function elementsOf(t: TensorTable, i: number): bigint {
  if (t.small) return BigInt(t.elements[i]!);
  const s = t.shapeStart[i]!;
  const e = s + t.ranks[i]!;
  let n = 1n;
  for (let d = s; d < e; d++) n *= t.dims[d]!;
  return n;
}

/** end − begin, exactly (negative for a tensor that ends before it begins). */
export function bytesOf(t: TensorTable, i: number): bigint {
  return offsetAt(t, 2 * i + 1) - offsetAt(t, 2 * i);
}

/** The same table with every value a BigInt: for a pass whose other operands are past 2^52. */
export function largeView(t: TensorTable): LargeTable {
  if (!t.small) return t;
  return {
    count: t.count,
    names: t.names,
    dtypes: t.dtypes,
    shapeStart: t.shapeStart,
    ranks: t.ranks,
    small: false,
    offsets: BigUint64Array.from(t.offsets, BigInt),
    dims: BigUint64Array.from(t.dims, BigInt),
  };
}

/** 2^53: integers below are exact as Numbers. */
const EXACT_BIG = 2n ** 53n;

/**
 * Grows by doubling; `finish` trims to the exact size. Numbers are written while every value is
 * small; the first tensor that is not turns the columns into BigInts for the rest of the file.
 */
export class TensorTableBuilder {
  private n = 0;
  private names: string[] = [];
  private dtypes: Uint8Array;
  private shapeStart: Uint32Array;
  private ranks: Uint32Array;
  private dimCount = 0;
  private small = true;
  private offsets: Float64Array;
  private dims: Float64Array;
  private elements: Float64Array;
  /** Set from the first value a SmallTable cannot hold on. */
  private bigOffsets: BigUint64Array | undefined;
  private bigDims: BigUint64Array | undefined;
  /** One tensor's dims as Numbers, on their way from `set`. */
  private scratch = new Float64Array(8);

  constructor(expected = 16) {
    const n = Math.max(16, expected);
    this.dtypes = new Uint8Array(n);
    this.offsets = new Float64Array(2 * n);
    this.shapeStart = new Uint32Array(n);
    this.ranks = new Uint32Array(n);
    this.dims = new Float64Array(2 * n);
    this.elements = new Float64Array(n);
  }

  get count(): number {
    return this.n;
  }

  /** The names added so far, in order. */
  namesSoFar(): readonly string[] {
    return this.names;
  }

  /** `add` with Numbers, each an integer below 2^53 (`dims[0 … rank)`, `begin`, `end`). */
  addSmall(
    name: string,
    dtype: number,
    dims: Float64Array,
    rank: number,
    begin: number,
    end: number,
  ): number {
    const i = this.push(name);
    this.write(i, dtype, dims, rank, begin, end);
    return i;
  }

  add(
    name: string,
    dtype: number,
    shape: BigUint64Array,
    rank: number,
    begin: bigint,
    end: bigint,
  ): number {
    const i = this.push(name);
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
    // Values below 2^53 are exact as Numbers, and write() decides on them; larger ones cannot
    // be small.
    let exact = this.small && begin < EXACT_BIG && end < EXACT_BIG;
    if (exact) {
      if (rank > this.scratch.length) this.scratch = new Float64Array(rank);
      for (let k = 0; k < rank && exact; k++) {
        exact = shape[k]! < EXACT_BIG;
        this.scratch[k] = Number(shape[k]!);
      }
    }
    if (exact) this.write(i, dtype, this.scratch, rank, Number(begin), Number(end));
    else this.writeLarge(i, dtype, shape, rank, begin, end);
  }

  private push(name: string): number {
    const i = this.n;
    if (i === this.dtypes.length) this.growTensors();
    this.names.push(name);
    this.n = i + 1;
    return i;
  }

  /** Tensor i from Numbers below 2^53: into the Number columns while the table is small. */
  private write(
    i: number,
    dtype: number,
    dims: Float64Array,
    rank: number,
    begin: number,
    end: number,
  ): void {
    if (!this.small) return this.writeLarge(i, dtype, dims, rank, begin, end);
    const at = this.shape(i, dtype, rank);
    // Rounding cannot take a product at or above SMALL_ELEMENTS below it: the test is exact.
    let elements = 1;
    let small = begin < SMALL_VALUE && end < SMALL_VALUE && end >= begin;
    for (let k = 0; k < rank; k++) {
      const d = dims[k]!;
      this.dims[at + k] = d;
      elements *= d;
      if (d >= SMALL_VALUE || elements >= SMALL_ELEMENTS) small = false;
    }
    if (!small) {
      this.toLarge();
      this.dimCount = at;
      return this.writeLarge(i, dtype, dims, rank, begin, end);
    }
    this.elements[i] = elements;
    this.offsets[2 * i] = begin;
    this.offsets[2 * i + 1] = end;
  }

  private writeLarge(
    i: number,
    dtype: number,
    dims: ArrayLike<number | bigint>,
    rank: number,
    begin: number | bigint,
    end: number | bigint,
  ): void {
    if (this.small) this.toLarge();
    const at = this.shape(i, dtype, rank);
    for (let k = 0; k < rank; k++) this.bigDims![at + k] = BigInt(dims[k]!);
    this.bigOffsets![2 * i] = BigInt(begin);
    this.bigOffsets![2 * i + 1] = BigInt(end);
  }

  /** Records tensor i's dtype and rank, and where its `rank` dims go (returned). */
  private shape(i: number, dtype: number, rank: number): number {
    if (this.dimCount + rank > this.dimCapacity()) this.growDims(this.dimCount + rank);
    const at = this.dimCount;
    this.shapeStart[i] = at;
    this.ranks[i] = rank;
    this.dimCount = at + rank;
    this.dtypes[i] = dtype;
    return at;
  }

  finish(): TensorTable {
    const n = this.n;
    const { names, dimCount } = this;
    const dtypes = this.dtypes.slice(0, n);
    const shapeStart = this.shapeStart.slice(0, n);
    const ranks = this.ranks.slice(0, n);
    // Object literals with every field, in one order: every table of a kind gets one hidden
    // class, and code reading tables stays monomorphic (a spread would not).
    if (this.small)
      return {
        count: n,
        names,
        dtypes,
        shapeStart,
        ranks,
        small: true,
        offsets: this.offsets.slice(0, 2 * n),
        dims: this.dims.slice(0, dimCount),
        elements: this.elements.slice(0, n),
      };
    return {
      count: n,
      names,
      dtypes,
      shapeStart,
      ranks,
      small: false,
      offsets: this.bigOffsets!.slice(0, 2 * n),
      dims: this.bigDims!.slice(0, dimCount),
    };
  }

  /** From Number columns to BigInt ones, the values so far carried over. */
  private toLarge(): void {
    this.small = false;
    this.bigOffsets = BigUint64Array.from(this.offsets, BigInt);
    this.bigDims = BigUint64Array.from(this.dims, BigInt);
    this.offsets = this.dims = this.elements = new Float64Array(0);
  }

  private dimCapacity(): number {
    return this.small ? this.dims.length : this.bigDims!.length;
  }

  private growTensors(): void {
    const n = this.dtypes.length * 2;
    const grow = <T extends Uint8Array | Uint32Array | Float64Array | BigUint64Array>(
      a: T,
      size: number,
    ): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a as never);
      return b;
    };
    this.dtypes = grow(this.dtypes, n);
    this.shapeStart = grow(this.shapeStart, n);
    this.ranks = grow(this.ranks, n);
    if (this.small) {
      this.offsets = grow(this.offsets, 2 * n);
      this.elements = grow(this.elements, n);
    } else this.bigOffsets = grow(this.bigOffsets!, 2 * n);
  }

  private growDims(needed: number): void {
    let size = this.dimCapacity() * 2;
    while (size < needed) size *= 2;
    if (this.small) {
      const next = new Float64Array(size);
      next.set(this.dims);
      this.dims = next;
    } else {
      const next = new BigUint64Array(size);
      next.set(this.bigDims!);
      this.bigDims = next;
    }
  }
}
