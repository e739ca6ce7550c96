// One weights file of any format, and the one entry point that reads it: the format is chosen by
// the file's first bytes, never by its name. Everything above the formats holds a WeightsFile and
// reads its tensors through the neutral TensorTable; what only one format has stays behind its
// `format` tag.

import type { ByteSource } from "../sources/source.js";
import type { WeightsFormat } from "./dtypes.js";
import { fileType } from "./gguf/file-types.js";
import { isArray, isLongString, jsonValue } from "./gguf/values.js";
import type { TensorTable } from "./tensor-table.js";
import { readGguf, type GgufFile } from "./gguf/read.js";
import { readSafetensors, type ReadOptions, type SafetensorsFile } from "./safetensors/read.js";

/** A union on `format`; a new format adds its file type here. */
export type WeightsFile = SafetensorsFile | GgufFile;

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
      return readGguf(src);
  }
}

/** The file's tensors, when its header could be read. */
export function tensorsOf(f: WeightsFile): TensorTable | undefined {
  if (f.format === "gguf") return f.complete ? f.tensors : undefined;
  return f.header?.tensors;
}

/**
 * The file's free-form string metadata, in file order: safetensors `__metadata__`; GGUF's
 * `general.*` keys (the file type with its name) and the tokenizer, each value as one line
 * (arrays summarised, a chat template by its length).
 */
export function metadataOf(f: WeightsFile): ReadonlyMap<string, string> | undefined {
  if (f.format === "gguf") {
    if (!f.complete) return undefined;
    const out = new Map<string, string>();
    const tokens = f.metadata.get("tokenizer.ggml.tokens")?.value;
    for (const [key, e] of f.metadata) {
      const v = e.value;
      if (key === "general.file_type" && typeof v === "number") {
        out.set(key, `${v} (${fileType(v)?.name ?? "unknown"})`);
      } else if (key === "tokenizer.chat_template") {
        const n = typeof v === "string" ? v.length : isLongString(v) ? v.bytes : 0;
        out.set(key, `present (${n.toLocaleString("en-US")} characters)`);
      } else if (/^tokenizer\.ggml\.\w+_token_id$/.test(key) && typeof v === "number") {
        const text =
          tokens !== undefined && isArray(tokens)
            ? (tokens.items as ArrayLike<unknown>)[v]
            : undefined;
        out.set(key, typeof text === "string" ? `${v} (${JSON.stringify(text)})` : String(v));
      } else if (
        key.startsWith("general.") ||
        /^tokenizer\.ggml\.(model|pre|tokens|merges)$/.test(key)
      ) {
        out.set(key, lineOf(jsonValue(v)));
      }
    }
    return out;
  }
  return f.header?.metadata;
}

function lineOf(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "object" && v !== null && "length" in v && "type" in v) {
    const a = v as { type: string; length: number; first: unknown[] };
    return `[${a.type} × ${a.length}${a.length > 0 ? ": " + a.first.map((x) => JSON.stringify(x)).join(", ") : ""}${a.length > a.first.length ? ", …" : ""}]`;
  }
  return JSON.stringify(v);
}

/** Bytes before the tensor data: safetensors' 8 + N, GGUF's header and its padding. */
export function headerBytesOf(f: WeightsFile): bigint {
  if (f.format === "gguf") return BigInt(f.dataStart ?? f.headerBytes ?? 0);
  return f.headerLength ?? 0n;
}

/** Padding inside the header: safetensors' whitespace, GGUF's alignment padding. */
export function headerPaddingOf(f: WeightsFile): bigint {
  if (f.format === "gguf")
    return f.dataStart !== undefined && f.headerBytes !== undefined
      ? BigInt(f.dataStart - f.headerBytes)
      : 0n;
  return BigInt((f.header?.leadingWhitespace ?? 0) + (f.header?.trailingWhitespace ?? 0));
}

/** The file size the header declares (for a stream, whose size is unknown). */
export function declaredBytesOf(f: WeightsFile): bigint {
  if (f.format === "gguf") return f.dataStart === undefined ? 0n : BigInt(f.dataStart) + f.dataEnd;
  return f.headerLength === undefined ? 0n : 8n + f.headerLength + f.dataBytes;
}
