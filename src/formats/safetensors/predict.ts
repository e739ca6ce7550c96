// How long a shard's header will be, from the tensor names the index assigns to it: each entry
// is its quoted name plus dtype, shape and offsets of a nearly fixed length. Remote reads ask
// for this many bytes first, so that one ranged request usually holds the whole header.

import { PREDICTED_ENTRY_BYTES, PREDICTED_HEADER_SLACK } from "../../core/limits.js";
import { PREFIX_BYTES } from "./framing.js";

/**
 * Predicted bytes from the start of the file to the end of the header (prefix included), from the
 * names' total length as quoted JSON (UTF-8 bytes) and their count.
 */
export function predictFromNames(quotedNameBytes: number, count: number): number {
  return PREFIX_BYTES + PREDICTED_HEADER_SLACK + quotedNameBytes + count * PREDICTED_ENTRY_BYTES;
}

/**
 * Per shard of an index, the predicted header size, from the index's bytes: one pass over its
 * `"tensor": "shard"` pairs after `"weight_map"`, without building the tensor map (a third of
 * the time of JSON.parse on DeepSeek-V3's 8.8 MB index). Only a guide for reads: the index is
 * validated where it is read as an index; a malformed one gives fewer or odd predictions.
 */
export function predictFromIndex(index: Buffer): Map<string, number> {
  // latin1: one character per byte, so lengths are UTF-8 byte counts.
  const text = index.toString("latin1");
  const at = text.indexOf('"weight_map"');
  const out = new Map<string, number>();
  if (at < 0) return out;
  const pair = /"((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;
  pair.lastIndex = at + '"weight_map"'.length;
  const sums = new Map<string, { quoted: number; count: number }>();
  for (let m = pair.exec(text); m !== null; m = pair.exec(text)) {
    const raw = m[2]!;
    const s = sums.get(raw) ?? { quoted: 0, count: 0 };
    s.quoted += m[1]!.length + 2;
    s.count++;
    sums.set(raw, s);
  }
  for (const [raw, s] of sums) {
    let name: string;
    try {
      name = JSON.parse(`"${Buffer.from(raw, "latin1").toString("utf8")}"`) as string;
    } catch {
      continue;
    }
    out.set(name, predictFromNames(s.quoted, s.count));
  }
  return out;
}
