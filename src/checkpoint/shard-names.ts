// Shard names come from an untrusted index. A name must stay inside the checkpoint folder: no
// absolute paths, no `.`/`..`, no backslashes, drive letters, URL schemes or control characters,
// also after percent-decoding (huggingface.js decodes up to 5 times before checking).

import path from "node:path";
import { SHARD_NAME_DECODE_ROUNDS } from "../core/limits.js";

/** Why a shard name is refused, or undefined when it is safe. */
export function unsafeShardName(name: string): string | undefined {
  let current = name;
  for (let round = 0; round <= SHARD_NAME_DECODE_ROUNDS; round++) {
    const why = unsafeLiteral(current);
    if (why) return round === 0 ? why : `${why} once percent-decoded`;
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return "it has a malformed percent escape";
    }
    if (next === current) return undefined;
    current = next;
  }
  return "it is percent-encoded more than 5 times";
}

function unsafeLiteral(name: string): string | undefined {
  if (name.length === 0) return "it is empty";
  if (/[\u0000-\u001f\u007f]/.test(name)) return "it contains control characters";
  if (name.includes("\\")) return "it contains a backslash";
  if (name.includes("://")) return "it is a URL";
  if (name.startsWith("/")) return "it is an absolute path";
  const segments = name.split("/");
  if (segments[0]!.includes(":")) return "its first segment has a colon (a drive letter or scheme)";
  if (segments.some((s) => s === "." || s === "..")) return "it has a '.' or '..' segment";
  if (segments.some((s) => s === "")) return "it has an empty path segment";
  return undefined;
}

/** Joins a safe shard name to its folder, and checks the result did not leave it. */
export function shardPath(dir: string, name: string): string | undefined {
  const resolved = path.resolve(dir, name);
  const root = path.resolve(dir);
  return resolved.startsWith(root + path.sep) ? path.join(dir, name) : undefined;
}

const SHARD_NUMBER = /[-_](\d{5,6})[-_]of[-_](\d{5,6})\.safetensors$/;

/** `model-00002-of-00004.safetensors` → {index: 2, count: 4}; `-`/`_`, 5 or 6 digits. */
export function shardNumber(name: string): { index: number; count: number } | undefined {
  const m = SHARD_NUMBER.exec(name);
  return m ? { index: Number(m[1]), count: Number(m[2]) } : undefined;
}

/**
 * The files of the set `name` belongs to: 1..N as Hugging Face numbers them, or 0..N when `name`
 * is shard 0 (OpenAI's gpt-oss). Undefined for a name without `-of-N`.
 */
export function shardSet(name: string): { first: number; last: number; files: number } | undefined {
  const s = shardNumber(name);
  if (!s) return undefined;
  const first = s.index === 0 ? 0 : 1;
  return { first, last: s.count, files: s.count - first + 1 };
}

/** The name of shard `index` of the set `name` belongs to, numbered with the same padding. */
export function siblingShard(name: string, index: number): string {
  const m = SHARD_NUMBER.exec(name);
  if (!m) return name;
  const start = m.index + 1;
  const digits = m[1]!.length;
  return name.slice(0, start) + String(index).padStart(digits, "0") + name.slice(start + digits);
}

/**
 * A GGUF split part as llama.cpp names one (`llama_split_path` in `src/llama.cpp`: the format
 * `%s-%05d-of-%05d.gguf`, the number counted from 1): exactly five digits each, since
 * `llama_split_prefix` compares the name with that format printed back.
 */
const GGUF_SPLIT = /^(.+)-(\d{5})-of-(\d{5})\.gguf$/;

/** `name-00002-of-00003.gguf` → {prefix: "name", number: 2, count: 3}; undefined otherwise. */
export function ggufSplitName(
  name: string,
): { prefix: string; number: number; count: number } | undefined {
  const m = GGUF_SPLIT.exec(name);
  if (!m) return undefined;
  const number = Number(m[2]);
  const count = Number(m[3]);
  // Part 0 or past the count is not a name llama.cpp writes or derives.
  if (number < 1 || count < 1 || number > count) return undefined;
  return { prefix: m[1]!, number, count };
}

/** Part `number` (from 1) of the split set `prefix` of `count` parts. */
export function ggufSplitPart(prefix: string, number: number, count: number): string {
  return `${prefix}-${String(number).padStart(5, "0")}-of-${String(count).padStart(5, "0")}.gguf`;
}
