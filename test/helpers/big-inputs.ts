// Large hostile-but-plausible inputs for the bounds tests (issue 13): written once per run into a
// temporary folder, as fast as string joins allow, data sparse or one byte per tensor.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeSparse } from "./safetensors.js";

/** `t0000000`…: names without numeric path segments, so no two collapse into one table row. */
export const uniqueName = (i: number): string => "t" + String(i).padStart(7, "0");

/** A valid file of `n` one-byte U8 tensors with unique names (1,000,000 → a 66 MB header). */
export function manyTensors(path: string, n: number): void {
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    parts[i] = `"${uniqueName(i)}":{"dtype":"U8","shape":[1],"data_offsets":[${i},${i + 1}]}`;
  }
  const header = `{"__metadata__":{"format":"pt"},${parts.join(",")}}`;
  writeSparse(path, header.padEnd(Math.ceil(header.length / 8) * 8, " "), BigInt(n));
}

/** A valid file of one tensor whose name is `nameBytes` long (ASCII). */
export function longName(path: string, nameBytes: number, fill = "a"): void {
  const name = fill.repeat(Math.ceil(nameBytes / fill.length)).slice(0, nameBytes);
  const header = `{"__metadata__":{"format":"pt"},"${name}":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`;
  writeSparse(path, header.padEnd(Math.ceil(header.length / 8) * 8, " "), 1n);
}

/** A folder whose index names `shards` shards (none present): one tensor each. */
export function manyShards(dir: string, shards: number): string {
  mkdirSync(dir, { recursive: true });
  const width = String(shards).length;
  const parts = new Array<string>(shards);
  for (let i = 0; i < shards; i++) {
    const n = String(i + 1).padStart(width, "0");
    parts[i] = `"w${i}":"model-${n}-of-${shards}.safetensors"`;
  }
  const index = `{"metadata":{"total_size":${shards}},"weight_map":{${parts.join(",")}}}`;
  const p = join(dir, "model.safetensors.index.json");
  writeFileSync(p, index);
  return p;
}

/** A checksums file of `n` lines: `bad` lines are not checksum lines; otherwise valid lines
 * naming files that do not exist. */
export function checksumsFile(path: string, n: number, kind: "bad" | "missing"): void {
  const lines = new Array<string>(n);
  const hex = "0".repeat(64);
  for (let i = 0; i < n; i++) {
    lines[i] = kind === "bad" ? `not a checksum line ${i}` : `${hex}  missing-${uniqueName(i)}`;
  }
  writeFileSync(path, lines.join("\n") + "\n");
}
