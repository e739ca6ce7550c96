// Reference step 8: tensors in (begin, end) order must tile the data section from 0 with no gap
// or overlap, and each byte span must equal elements × bits / 8. Unlike the reference we go on
// after a problem, so one report shows every broken tensor (capped per code by the sink).
// The accepted oddities (high rank, absurd empty dims, misalignment…) are noted in the same pass.

import type { FindingSink } from "../../core/finding-sink.js";
import { ABSURD_EMPTY_DIM, HIGH_RANK, U64_MAX, ZERO_SIZE_PILEUP } from "../../core/limits.js";
import { group, nameOf, plural } from "../../core/text.js";
import { DTYPES } from "./dtypes.js";
import { LITTLE_ENDIAN, TWO_32, type TensorTable } from "../tensor-table.js";

export interface Layout {
  /** Tensor indices in (begin, end) order: the order tensors are reported in. */
  order: Uint32Array;
  /** Where the data section ends according to the header: the last tensor's end. */
  dataEnd: bigint;
}

/** Indices sorted by (begin, end); most writers emit header keys in data order, so check first. */
export function offsetOrder(t: TensorTable): Uint32Array {
  const n = t.count;
  const o = t.offsets;
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

/** Offsets and spans below this are exact in a double, and sums of two of them too. */
const EXACT = 2 ** 52;

/**
 * The usual layout, checked in Numbers from the tables' 32-bit words: every tensor in place, of
 * the size its shape says, nothing that needs a finding of its own, every value below 2^52.
 * Undefined when it cannot vouch for that, and validateLayout then checks with BigInts, which
 * reports each problem; a table it accepts gives the same result either way.
 */
function usualLayout(
  t: TensorTable,
  order: Uint32Array,
  dataStart: bigint,
): (Tallies & Layout) | undefined {
  if (!LITTLE_ENDIAN || dataStart >= EXACT) return undefined;
  const start = Number(dataStart);
  const off = new Uint32Array(t.offsets.buffer, t.offsets.byteOffset, 2 * t.offsets.length);
  const dim = new Uint32Array(t.dims.buffer, t.dims.byteOffset, 2 * t.dims.length);
  const { shapeStart, ranks, dtypes } = t;
  const out: Tallies & Layout = {
    zeroSize: 0,
    scalars: 0,
    unaligned: 0,
    firstUnaligned: -1,
    order,
    dataEnd: 0n,
  };
  let cursor = 0;
  let pileOffset = -1;
  let pile = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const bh = off[4 * i + 1]!;
    const eh = off[4 * i + 3]!;
    if (bh >= 1 << 20 || eh >= 1 << 20) return undefined;
    const begin = bh * TWO_32 + off[4 * i]!;
    const end = eh * TWO_32 + off[4 * i + 2]!;
    if (begin !== cursor || end < begin) return undefined;
    const rank = ranks[i]!;
    if (rank > HIGH_RANK) return undefined;
    let elements = 1;
    const s = shapeStart[i]!;
    for (let d = s; d < s + rank; d++) {
      // A dim at or above 2^32 is either absurd in an empty tensor or overflows: BigInts say which.
      if (dim[2 * d + 1] !== 0) return undefined;
      elements *= dim[2 * d]!;
      if (elements >= EXACT) return undefined;
    }
    const dtype = DTYPES[dtypes[i]!]!;
    const bits = elements * dtype.bits;
    if (bits >= EXACT || bits % 8 !== 0 || end - begin !== bits / 8) return undefined;
    cursor = end;
    if (rank === 0) out.scalars++;
    if (elements === 0) {
      out.zeroSize++;
      if (begin === pileOffset) pile++;
      else {
        pileOffset = begin;
        pile = 1;
      }
      if (pile === ZERO_SIZE_PILEUP) return undefined;
    } else if (dtype.bits > 8 && (start + begin) % (dtype.bits / 8) !== 0) {
      out.unaligned++;
      if (out.firstUnaligned < 0) out.firstUnaligned = i;
    }
  }
  out.dataEnd = BigInt(cursor);
  return out;
}

export function validateLayout(t: TensorTable, dataStart: bigint, sink: FindingSink): Layout {
  const order = offsetOrder(t);
  const usual = usualLayout(t, order, dataStart);
  if (usual) {
    wholeFile(t, dataStart, order.length, usual, sink);
    return { order, dataEnd: usual.dataEnd };
  }
  const { offsets, dims, shapeStart, ranks, dtypes, names } = t;
  let cursor = 0n;
  // The tensor whose end is the cursor: after an overlap the cursor stays at the furthest end
  // seen, so the tensor just before in offset order is not necessarily the one overlapped.
  let previous = -1;
  let zeroSize = 0;
  let scalars = 0;
  let unaligned = 0;
  let firstUnaligned = -1;
  let pileOffset = -1n;
  let pile = 0;

  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const name = names[i]!;
    const begin = offsets[2 * i]!;
    const end = offsets[2 * i + 1]!;
    const dtype = DTYPES[dtypes[i]!]!;
    const rank = ranks[i]!;

    // 8a: the offsets, before any arithmetic on the shape
    if (begin !== cursor || end < begin) {
      let why: string;
      if (end < begin) why = `ends (${group(end)}) before it begins (${group(begin)})`;
      else if (previous < 0) why = `is the first tensor but starts at ${group(begin)}, not 0`;
      else if (begin > cursor) {
        why = `starts ${plural(begin - cursor, "byte")} after ${nameOf(names[previous]!)} ends (gap at data offset ${group(cursor)})`;
      } else {
        why = `overlaps ${nameOf(names[previous]!)} by ${plural(cursor - begin, "byte")}`;
      }
      sink.add("INVALID_OFFSET", `tensor ${nameOf(name)} ${why}`, {
        tensor: name,
        offset: dataStart + begin,
      });
    }

    // 8b-8c: element count and bit count in checked u64 arithmetic, left to right like the fold
    let elements = 1n;
    let overflow = false;
    let absurd = false;
    const s = shapeStart[i]!;
    for (let d = s; d < s + rank; d++) {
      const dim = dims[d]!;
      if (dim >= ABSURD_EMPTY_DIM) absurd = true;
      elements *= dim;
      if (elements > U64_MAX) {
        overflow = true;
        break;
      }
    }
    const bits = elements * BigInt(dtype.bits);
    if (overflow || bits > U64_MAX) {
      sink.add(
        "SHAPE_OVERFLOW",
        `tensor ${nameOf(name)}: ${dtype.name} ${shapeText(t, i)} overflows 64 bits`,
        {
          tensor: name,
        },
      );
    } else if (bits % 8n !== 0n) {
      // 8d
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
    } else if (end >= begin && end - begin !== bits / 8n) {
      // 8e
      sink.add(
        "TENSOR_SIZE_MISMATCH",
        `tensor ${nameOf(name)}: ${dtype.name} ${shapeText(t, i)} needs ${group(bits / 8n)} bytes, data_offsets span ${group(end - begin)}`,
        { tensor: name, offset: dataStart + begin },
      );
    }
    if (previous < 0 || end >= cursor) previous = i;
    if (end > cursor) cursor = end;

    // Oddities the reference accepts
    if (rank > HIGH_RANK) {
      sink.add("HIGH_RANK", `tensor ${nameOf(name)} has ${rank} dimensions`, { tensor: name });
    }
    if (rank === 0) scalars++;
    if (!overflow && elements === 0n) {
      zeroSize++;
      if (absurd) {
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
    } else if (dtype.bits > 8 && (dataStart + begin) % BigInt(dtype.bits / 8) !== 0n) {
      unaligned++;
      if (firstUnaligned < 0) firstUnaligned = i;
    }
  }

  wholeFile(t, dataStart, order.length, { zeroSize, scalars, unaligned, firstUnaligned }, sink);
  return { order, dataEnd: cursor };
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
  return "[" + Array.from(t.dims.subarray(s, s + t.ranks[i]!), String).join(", ") + "]";
}
