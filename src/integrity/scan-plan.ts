// Turns a parsed file's tensor table into the compact layout a hashing worker scans in one pass:
// absolute offsets in data order. A single forward pass needs tensors that do not overlap, so a
// file whose layout the format layer rejected is not scanned (its errors are reported already).

import { PREFIX_BYTES } from "../formats/safetensors/framing.js";
import type { SafetensorsFile } from "../formats/safetensors/read.js";
import type { ScanLayout } from "./protocol.js";
import { offsetAt } from "../formats/tensor-table.js";

export type ScanPlan =
  | {
      layout: ScanLayout;
      /** Tensor index (into the file's table) of each layout entry. */
      tensors: Uint32Array;
    }
  | { skipped: string };

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

export function scanPlanOf(file: SafetensorsFile): ScanPlan {
  const header = file.header;
  if (header === undefined || file.headerLength === undefined) {
    return { skipped: "the header could not be read" };
  }
  if (!header.complete) return { skipped: "some tensor entries in the header are malformed" };
  const t = header.tensors;
  const order = file.order;
  const n = order.length;
  const dataStart = BigInt(PREFIX_BYTES) + file.headerLength;
  const begins = new Float64Array(n);
  const ends = new Float64Array(n);
  const dtypes = new Uint8Array(n);
  let cursor = 0n;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const b = offsetAt(t, 2 * i);
    const e = offsetAt(t, 2 * i + 1);
    if (b < cursor || e < b) {
      return { skipped: "tensors overlap or run backwards, so they cannot be read in one pass" };
    }
    if (dataStart + e > MAX_EXACT) return { skipped: "offsets beyond 8 PiB" };
    cursor = e;
    begins[k] = Number(dataStart + b);
    ends[k] = Number(dataStart + e);
    dtypes[k] = t.dtypes[i]!;
  }
  return { layout: { begins, ends, dtypes }, tensors: Uint32Array.from(order) };
}
