// Real .safetensors files with chosen tensor bytes, and the digests tests compare against.

import { le } from "../helpers/bytes.js";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readSafetensors, type SafetensorsFile } from "../../src/formats/safetensors/read.js";
import { FileSource } from "../../src/sources/file-source.js";
import { canonicalHeader, rawFile } from "../helpers/safetensors.js";

export interface DataTensor {
  name: string;
  dtype: string;
  shape: number[];
  data: Uint8Array;
}

export function writeWeights(
  dir: string,
  name: string,
  tensors: DataTensor[],
  options: { pad?: boolean } = {},
): { path: string; bytes: Buffer } {
  const { header } = canonicalHeader(tensors, { metadata: { format: "pt" }, pad: options.pad });
  const bytes = rawFile(header, Buffer.concat(tensors.map((t) => t.data)));
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

export async function parse(path: string): Promise<SafetensorsFile> {
  const src = await FileSource.open(path);
  try {
    return await readSafetensors(src);
  } finally {
    await src.close();
  }
}

export const sha256 = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

/** Git's blob id, as the Hugging Face cache names small files. */
export const gitBlobId = (b: Uint8Array) =>
  createHash("sha1").update(`blob ${b.length}\0`).update(b).digest("hex");

export function lfsPointerText(oid: string, size: number | bigint): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`;
}

export { le };
