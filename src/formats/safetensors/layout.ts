// Reference step 8: tensors in (begin, end) order must tile the data section from 0 with no gap
// or overlap, and each byte span must equal elements × bits / 8. Unlike the reference we go on
// after a problem, so one report shows every broken tensor (capped per code by the sink).
// The accepted oddities (high rank, absurd empty dims, misalignment…) are noted in the same pass.

import type { FindingSink } from "../../core/finding-sink.js";
import { ABSURD_EMPTY_DIM, HIGH_RANK, ZERO_SIZE_PILEUP } from "../../core/limits.js";
import { group, nameOf, plural } from "../../core/text.js";
import { DTYPES } from "./dtypes.js";
import {
  BIGINTS,
  dimAt,
  largeView,
  NUMBERS,
  SMALL_VALUE,
  type Arithmetic,
  type TensorTable,
} from "../tensor-table.js";

export interface Layout {
  /** Tensor indices in (begin, end) order: the order tensors are reported in. */
  order: Uint32Array;
  /** Where the data section ends according to the header: the last tensor's end. */
  dataEnd: bigint;
}

/** Indices sorted by (begin, end); most writers emit header keys in data order, so check first. */
export function offsetOrder(t: TensorTable): Uint32Array {
  return t.small ? sortedBy(t.offsets) : sortedBy(t.offsets);
}

function sortedBy<V extends number | bigint>(o: ArrayLike<V>): Uint32Array {
  const n = o.length / 2;
  const order = new Uint32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (i > 0 && sorted) {
      const pb = o[2 * i - 2]!;
      const b = o[2 * i]!;
      if (b < pb || (b === pb && o[2 * i + 1]! < o[2 * i - 1]!)) sorted = false;
    }
  }
  if (!sorted) {
    order.sort((x, y) => {
      const bx = o[2 * x]!;
      const by = o[2 * y]!;
      if (bx !== by) return bx < by ? -1 : 1;
      const ex = o[2 * x + 1]!;
      const ey = o[2 * y + 1]!;
      return ex === ey ? x - y : ex < ey ? -1 : 1;
    });
  }
  return order;
}

/** What the layout pass counts for the findings about the file as a whole. */
interface Tallies {
  zeroSize: number;
  scalars: number;
  unaligned: number;
  firstUnaligned: number;
}

/**
 * Checks the table in its own kind of values: Numbers for the usual file, BigInts where a value
 * (or the data section's start) is past what Numbers hold exactly. One pass either way.
 */
export function validateLayout(t: TensorTable, dataStart: bigint, sink: FindingSink): Layout {
  if (t.small && dataStart < SMALL_VALUE)
    return checkLayout(t, t.offsets, t.dims, NUMBERS, Number(dataStart), sink);
  const big = largeView(t);
  return checkLayout(big, big.offsets, big.dims, BIGINTS, dataStart, sink);
}

function checkLayout<V extends number | bigint>(
  t: TensorTable,
  offsets: ArrayLike<V>,
  dims: ArrayLike<V>,
  A: Arithmetic<V>,
  dataStart: V,
  sink: FindingSink,
): Layout {
  const order = offsetOrder(t);
  const { shapeStart, ranks, dtypes, names } = t;
  const zero = A.zero;
  const eight = A.of(8);
  const absurdDim = A.of(Number(ABSURD_EMPTY_DIM));
  let cursor = zero;
  // The tensor whose end is the cursor: after an overlap the cursor stays at the furthest end
  // seen, so the tensor just before in offset order is not necessarily the one overlapped.
  let previous = -1;
  let zeroSize = 0;
  let scalars = 0;
  let unaligned = 0;
  let firstUnaligned = -1;
  let pileOffset = zero;
  let pile = 0;

  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const begin = offsets[2 * i]!;
    const end = offsets[2 * i + 1]!;
    const dtype = DTYPES[dtypes[i]!]!;
    const rank = ranks[i]!;

    // 8a: the offsets, before any arithmetic on the shape
    if (begin !== cursor || end < begin) {
      const name = names[i]!;
      let why: string;
      if (end < begin) why = `ends (${group(end)}) before it begins (${group(begin)})`;
      else if (previous < 0) why = `is the first tensor but starts at ${group(begin)}, not 0`;
      else if (begin > cursor) {
        why = `starts ${plural(A.sub(begin, cursor), "byte")} after ${nameOf(names[previous]!)} ends (gap at data offset ${group(cursor)})`;
      } else {
        why = `overlaps ${nameOf(names[previous]!)} by ${plural(A.sub(cursor, begin), "byte")}`;
      }
      sink.add("INVALID_OFFSET", `tensor ${nameOf(name)} ${why}`, {
        tensor: name,
        offset: A.big(A.add(dataStart, begin)),
      });
    }

    // 8b-8c: element count and bit count in checked u64 arithmetic, left to right like the fold
    let elements = A.of(1);
    let overflow = false;
    let absurd = false;
    const s = shapeStart[i]!;
    for (let d = s; d < s + rank; d++) {
      const dim = dims[d]!;
      if (dim >= absurdDim) absurd = true;
      elements = A.mul(elements, dim);
      if (elements >= A.u64Limit) {
        overflow = true;
        break;
      }
    }
    const bits = A.mul(elements, A.of(dtype.bits));
    if (overflow || bits >= A.u64Limit) {
      const name = names[i]!;
      sink.add(
        "SHAPE_OVERFLOW",
        `tensor ${nameOf(name)}: ${dtype.name} ${shapeText(t, i)} overflows 64 bits`,
        { tensor: name },
      );
    } else if (A.rem(bits, eight) !== zero) {
      // 8d
      const name = names[i]!;
      sink.add(
        "MISALIGNED_SLICE",
        `tensor ${nameOf(name)}: ${group(elements)} ${dtype.name} elements are ${group(bits)} bits, not a whole number of bytes`,
        {
          tensor: name,
          hint:
            dtype.bits === 4
              ? "F4 needs an even element count"
              : "F6 needs a multiple of 4 elements",
        },
      );
    } else if (end >= begin && A.sub(end, begin) !== A.div(bits, eight)) {
      // 8e
      const name = names[i]!;
      sink.add(
        "TENSOR_SIZE_MISMATCH",
        `tensor ${nameOf(name)}: ${dtype.name} ${shapeText(t, i)} needs ${group(A.div(bits, eight))} bytes, data_offsets span ${group(A.sub(end, begin))}`,
        { tensor: name, offset: A.big(A.add(dataStart, begin)) },
      );
    }
    if (previous < 0 || end >= cursor) previous = i;
    if (end > cursor) cursor = end;

    // Oddities the reference accepts
    if (rank > HIGH_RANK) {
      const name = names[i]!;
      sink.add("HIGH_RANK", `tensor ${nameOf(name)} has ${rank} dimensions`, { tensor: name });
    }
    if (rank === 0) scalars++;
    if (!overflow && elements === zero) {
      zeroSize++;
      if (absurd) {
        const name = names[i]!;
        sink.add(
          "EMPTY_TENSOR_HUGE_DIMS",
          `empty tensor ${nameOf(name)} has shape ${shapeText(t, i)}`,
          {
            tensor: name,
            hint: "legal (a zero dimension makes it empty) but naive counters overflow on it",
          },
        );
      }
      if (begin === pileOffset) pile++;
      else {
        pileOffset = begin;
        pile = 1;
      }
      if (pile === ZERO_SIZE_PILEUP) {
        sink.add(
          "ZERO_SIZE_PILEUP",
          `${group(ZERO_SIZE_PILEUP)} or more zero-size tensors share data offset ${group(begin)}`,
        );
      }
    } else if (dtype.bits > 8 && A.rem(A.add(dataStart, begin), A.of(dtype.bits / 8)) !== zero) {
      unaligned++;
      if (firstUnaligned < 0) firstUnaligned = i;
    }
  }

  wholeFile(
    t,
    A.big(dataStart),
    order.length,
    { zeroSize, scalars, unaligned, firstUnaligned },
    sink,
  );
  return { order, dataEnd: A.big(cursor) };
}

/** The findings about the data section as a whole, from the pass's counts. */
function wholeFile(
  t: TensorTable,
  dataStart: bigint,
  n: number,
  { zeroSize, scalars, unaligned, firstUnaligned }: Tallies,
  sink: FindingSink,
): void {
  const names = t.names;
  if (dataStart % 8n !== 0n) {
    sink.add(
      "DATA_UNALIGNED",
      `data section starts at byte ${group(dataStart)}, not a multiple of 8${unaligned > 0 ? `; ${group(unaligned)} of ${plural(n, "tensor")} ${unaligned === 1 ? "is" : "are"} not aligned to their element size` : ""}`,
      { hint: "legal; memory-mapped loaders may copy such tensors instead of mapping them" },
    );
  } else if (unaligned > 0) {
    sink.add(
      "TENSORS_UNALIGNED",
      `${group(unaligned)} of ${plural(n, "tensor")} ${unaligned === 1 ? "is" : "are"} not aligned to their element size (first: ${nameOf(names[firstUnaligned]!)})`,
      { hint: "legal; memory-mapped loaders may copy such tensors instead of mapping them" },
    );
  }
  if (zeroSize > 0)
    sink.add(
      "ZERO_SIZE_TENSORS",
      zeroSize === 1
        ? "1 tensor has zero elements"
        : `${group(zeroSize)} tensors have zero elements`,
    );
  if (scalars > 0)
    sink.add(
      "SCALAR_TENSORS",
      scalars === 1
        ? "1 tensor is a scalar (shape [])"
        : `${group(scalars)} tensors are scalars (shape [])`,
    );
}

export function shapeText(t: TensorTable, i: number): string {
  const s = t.shapeStart[i]!;
  const dims: string[] = [];
  for (let d = s; d < s + t.ranks[i]!; d++) dims.push(String(dimAt(t, d)));
  return "[" + dims.join(", ") + "]";
}
