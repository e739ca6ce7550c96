// Parameters and bytes of a GGUF file by ggml type, as llama.cpp counts them: n_params is the sum
// of every tensor's elements, the model size the sum of their unpadded bytes
// (`src/llama-model-loader.cpp`: n_elements, n_bytes).

import { DTYPES, UNKNOWN_DTYPE } from "../dtypes.js";
import { bytesOf, elementsOf, type TensorTable } from "../tensor-table.js";

export interface TypeTally {
  /** The ggml type name: "Q4_K", "F32". */
  type: string;
  tensors: number;
  elements: bigint;
  bytes: bigint;
}

export interface GgufTally {
  /** By type, largest byte count first. */
  byType: TypeTally[];
  elements: bigint;
  bytes: bigint;
  /** bytes × 8 / elements over all tensors (the "bpw" llama.cpp prints); undefined without weights. */
  bitsPerWeight: number | undefined;
}

export function tallyGguf(t: TensorTable): GgufTally {
  const by = new Map<number, TypeTally>();
  let elements = 0n;
  let bytes = 0n;
  for (let i = 0; i < t.count; i++) {
    const id = t.dtypes[i]!;
    if (id === UNKNOWN_DTYPE) continue;
    const type = DTYPES[id]!;
    const n = elementsOf(t, i);
    const b = bytesOf(t, i);
    let row = by.get(id);
    if (row === undefined) {
      row = { type: type.name, tensors: 0, elements: 0n, bytes: 0n };
      by.set(id, row);
    }
    row.tensors++;
    row.elements += n;
    row.bytes += b;
    elements += n;
    bytes += b;
  }
  const byType = [...by.values()].sort((a, b) =>
    a.bytes > b.bytes ? -1 : a.bytes < b.bytes ? 1 : 0,
  );
  const bitsPerWeight =
    elements > 0n ? Number((bytes * 8_000_000n) / elements) / 1_000_000 : undefined;
  return { byType, elements, bytes, bitsPerWeight };
}
