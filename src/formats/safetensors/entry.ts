// Safetensors in the format registry (formats/weights.ts).

import type { FormatEntry } from "../format.js";
import { readSafetensors, type SafetensorsFile } from "./read.js";

export const SAFETENSORS: FormatEntry<SafetensorsFile> = {
  format: "safetensors",
  // No signature: the first 8 bytes are the header's length.
  read: readSafetensors,
  tensors: (f) => f.header?.tensors,
  metadata: (f) => f.header?.metadata,
  // N, the header's length (its 8-byte prefix not counted).
  headerBytes: (f) => f.headerLength ?? 0n,
  // The header's whitespace.
  headerPadding: (f) =>
    BigInt((f.header?.leadingWhitespace ?? 0) + (f.header?.trailingWhitespace ?? 0)),
  declaredBytes: (f) => (f.headerLength === undefined ? 0n : 8n + f.headerLength + f.dataBytes),
};
