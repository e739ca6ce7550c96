// One weights file of any format, and the one entry point that reads it: the format is chosen by
// the file's first bytes, never by its name. Everything above the formats holds a WeightsFile and
// reads its tensors through the neutral TensorTable; what only one format has stays behind its
// `format` tag.

import type { ByteSource } from "../sources/source.js";
import type { WeightsFormat } from "./dtypes.js";
import type { TensorTable } from "./tensor-table.js";
import { readSafetensors, type ReadOptions, type SafetensorsFile } from "./safetensors/read.js";

/** A union on `format`; a new format adds its file type here. */
export type WeightsFile = SafetensorsFile;

export type { ReadOptions, WeightsFormat };

/** The formats a file can be recognised as, read or not. */
export type SniffedFormat = WeightsFormat | "gguf";

/** Bytes formatOf looks at. */
export const SIGNATURE_BYTES = 4;

/**
 * The format the first bytes say. Safetensors has no magic (its first 8 bytes are the header
 * length), so it is what a file is unless another format's signature says otherwise; a file that
 * is neither is named by the safetensors reader's look-alike check (formats/sniff.ts).
 */
export function formatOf(first: Uint8Array): SniffedFormat {
  // "GGUF", little-endian magic 0x46554747 (llama.cpp gguf.cpp).
  if (first[0] === 0x47 && first[1] === 0x47 && first[2] === 0x55 && first[3] === 0x46)
    return "gguf";
  return "safetensors";
}

/** Reads one weights file of whichever format it is. Never throws for bad input: findings. */
export async function readWeights(
  src: ByteSource,
  options: ReadOptions = {},
): Promise<WeightsFile> {
  // A read that fails here fails again in the reader, which reports it.
  const first = await src.read(0n, SIGNATURE_BYTES).catch(() => Buffer.alloc(0));
  switch (formatOf(first)) {
    case "safetensors":
      return readSafetensors(src, options);
    case "gguf":
      // No GGUF reader yet: the safetensors reader's framing fails and names the file (GGUF_FILE).
      return readSafetensors(src, options);
  }
}

/** The file's tensors, when its header could be read. */
export function tensorsOf(f: WeightsFile): TensorTable | undefined {
  return f.header?.tensors;
}

/** The file's free-form string metadata (safetensors `__metadata__`), in file order. */
export function metadataOf(f: WeightsFile): ReadonlyMap<string, string> | undefined {
  return f.header?.metadata;
}
