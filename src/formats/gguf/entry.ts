// GGUF in the format registry (formats/weights.ts).

import type { FormatEntry } from "../format.js";
import { fileType } from "./file-types.js";
import { readGguf, type GgufFile } from "./read.js";
import { isArray, isLongString, jsonValue } from "./values.js";

export const GGUF: FormatEntry<GgufFile> = {
  format: "gguf",
  // "GGUF", the little-endian magic 0x46554747 (llama.cpp gguf.cpp).
  signature: (b) => b[0] === 0x47 && b[1] === 0x47 && b[2] === 0x55 && b[3] === 0x46,
  read: (src) => readGguf(src),
  tensors: (f) => (f.complete ? f.tensors : undefined),
  metadata,
  // The header and tensor infos up to the data section, its alignment padding included.
  headerBytes: (f) => BigInt(f.dataStart ?? f.headerBytes ?? 0),
  headerPadding: (f) =>
    f.dataStart !== undefined && f.headerBytes !== undefined
      ? BigInt(f.dataStart - f.headerBytes)
      : 0n,
  declaredBytes: (f) => (f.dataStart === undefined ? 0n : BigInt(f.dataStart) + f.dataEnd),
};

/**
 * `general.*` keys (the file type with its name) and the tokenizer, in file order, each value as
 * one line (arrays summarised, a chat template by its length).
 */
function metadata(f: GgufFile): ReadonlyMap<string, string> | undefined {
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

function lineOf(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "object" && v !== null && "length" in v && "type" in v) {
    const a = v as { type: string; length: number; first: unknown[] };
    return `[${a.type} × ${a.length}${a.length > 0 ? ": " + a.first.map((x) => JSON.stringify(x)).join(", ") : ""}${a.length > a.first.length ? ", …" : ""}]`;
  }
  return JSON.stringify(v);
}
