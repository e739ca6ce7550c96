// Tensors stored column-wise in typed arrays: a million-tensor header must cost a few tens of
// bytes per tensor beyond its name, not a JS object with BigInt fields each.

export interface TensorTable {
  readonly count: number;
  /** In header order (a duplicate name keeps its first position and its last value, like serde). */
  readonly names: readonly string[];
  /** Index into DTYPES. */
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

/** Grows by doubling; `finish` trims to the exact size. */
export class TensorTableBuilder {
  private n = 0;
  private names: string[] = [];
  private dtypes: Uint8Array;
  private offsets: BigUint64Array;
  private shapeStart: Uint32Array;
  private ranks: Uint32Array;
  private dims: BigUint64Array;
  private dimCount = 0;

  constructor(expected = 16) {
    const n = Math.max(16, expected);
    this.dtypes = new Uint8Array(n);
    this.offsets = new BigUint64Array(2 * n);
    this.shapeStart = new Uint32Array(n);
    this.ranks = new Uint32Array(n);
    this.dims = new BigUint64Array(2 * n);
  }

  get count(): number {
    return this.n;
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
    while (this.dimCount + rank > this.dims.length) {
      const next = new BigUint64Array(this.dims.length * 2);
      next.set(this.dims);
      this.dims = next;
    }
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
    this.shapeStart = grow(this.shapeStart, n);
    this.ranks = grow(this.ranks, n);
  }
}
