// What a weights format provides to the rest of the program: how to recognise one of its files
// by the first bytes, read it, and tell the few facts every report needs. Each format's folder
// exports one such entry (formats/<format>/entry.ts); formats/weights.ts lists them. Adding a
// format is a folder under formats/, its dtypes in the registry (formats/dtypes.ts), and a line
// in that list.

import type { ByteSource } from "../sources/source.js";
import type { NameKey } from "./name-digest.js";
import type { TensorTable } from "./tensor-table.js";

/** Bytes a format's signature is recognised from. */
export const SIGNATURE_BYTES = 4;

export interface ReadOptions {
  /** Digest the tensor names under this key (a safetensors header's nameDigest). */
  nameKey?: NameKey;
}

export interface FormatEntry<F extends { format: string }> {
  readonly format: F["format"];
  /**
   * Whether the first SIGNATURE_BYTES bytes are this format's. A format without a signature
   * (safetensors: its first 8 bytes are a length) has none, and is what a file is unless another
   * format's signature says otherwise.
   */
  readonly signature?: (first: Uint8Array) => boolean;
  /** Reads one file; never throws for bad input, it records findings. */
  read(src: ByteSource, options: ReadOptions): Promise<F>;
  /** The file's tensors, when its header could be read. */
  tensors(f: F): TensorTable | undefined;
  /** Free-form string metadata, in file order, each value as one line. */
  metadata(f: F): ReadonlyMap<string, string> | undefined;
  /** The header's bytes: safetensors' N (its 8-byte length apart), GGUF's up to the data. */
  headerBytes(f: F): bigint;
  /** Padding inside those bytes (whitespace, alignment). */
  headerPadding(f: F): bigint;
  /** The file size the header declares (for a stream, whose size is unknown). */
  declaredBytes(f: F): bigint;
}
