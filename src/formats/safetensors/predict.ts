// How long a shard's header will be, from the tensor names the index assigns to it: each entry
// is its quoted name plus dtype, shape and offsets of a nearly fixed length. Remote reads ask
// for this many bytes first, so that one ranged request usually holds the whole header.

import { PREDICTED_ENTRY_BYTES, PREDICTED_HEADER_SLACK } from "../../core/limits.js";
import { PREFIX_BYTES } from "./framing.js";

/** Predicted bytes from the start of the file to the end of the header (prefix included). */
export function predictHeaderBytes(names: Iterable<string>): number {
  let bytes = PREFIX_BYTES + PREDICTED_HEADER_SLACK;
  for (const n of names) bytes += Buffer.byteLength(JSON.stringify(n)) + PREDICTED_ENTRY_BYTES;
  return bytes;
}
