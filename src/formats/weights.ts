// One weights file of any format, and the one entry point that reads it: the format is chosen by
// the file's first bytes, never by its name. Everything above the formats holds a WeightsFile and
// reads its tensors through the neutral TensorTable; what only one format has stays behind its
// `format` tag. The formats are entries in FORMATS (format.ts says what an entry provides).

import type { ByteSource } from "../sources/source.js";
import type { WeightsFormat } from "./dtypes.js";
import { SIGNATURE_BYTES, type FormatEntry, type ReadOptions } from "./format.js";
import { GGUF } from "./gguf/entry.js";
import type { GgufFile } from "./gguf/read.js";
import { SAFETENSORS } from "./safetensors/entry.js";
import type { SafetensorsFile } from "./safetensors/read.js";
import type { TensorTable } from "./tensor-table.js";

/** A union on `format`; a new format adds its file type here and its entry to FORMATS. */
export type WeightsFile = SafetensorsFile | GgufFile;

export type { ReadOptions, WeightsFormat };

/** Every format's entry, by its tag. */
const FORMATS: { [K in WeightsFile["format"]]: FormatEntry<Extract<WeightsFile, { format: K }>> } =
  { safetensors: SAFETENSORS, gguf: GGUF };

/** The formats with a signature, tried in turn; safetensors, without one, is what remains. */
const SIGNED = Object.values(FORMATS).filter((e) => e.signature !== undefined);

const entryOf = <F extends WeightsFile>(f: F): FormatEntry<F> =>
  FORMATS[f.format] as unknown as FormatEntry<F>;

/**
 * The format the first bytes say: the one whose signature they hold, else safetensors (a file
 * that is neither is named by the safetensors reader's look-alike check, formats/sniff.ts).
 */
export function formatOf(first: Uint8Array): WeightsFormat {
  for (const e of SIGNED) if (e.signature!(first)) return e.format;
  return SAFETENSORS.format;
}

/** Reads one weights file of whichever format it is. Never throws for bad input: findings. */
export async function readWeights(
  src: ByteSource,
  options: ReadOptions = {},
): Promise<WeightsFile> {
  // A read that fails here fails again in the reader, which reports it.
  const first = await src.read(0n, SIGNATURE_BYTES).catch(() => Buffer.alloc(0));
  return FORMATS[formatOf(first)].read(src, options);
}

/** The file's tensors, when its header could be read. */
export const tensorsOf = (f: WeightsFile): TensorTable | undefined => entryOf(f).tensors(f);

/**
 * The file's free-form string metadata, in file order: safetensors `__metadata__`; GGUF's
 * `general.*` keys and the tokenizer, each value as one line.
 */
export const metadataOf = (f: WeightsFile): ReadonlyMap<string, string> | undefined =>
  entryOf(f).metadata(f);

/** The header's bytes: safetensors' N (without the 8-byte prefix), GGUF's up to its data. */
export const headerBytesOf = (f: WeightsFile): bigint => entryOf(f).headerBytes(f);

/** Padding inside the header: safetensors' whitespace, GGUF's alignment padding. */
export const headerPaddingOf = (f: WeightsFile): bigint => entryOf(f).headerPadding(f);

/** The file size the header declares (for a stream, whose size is unknown). */
export const declaredBytesOf = (f: WeightsFile): bigint => entryOf(f).declaredBytes(f);
