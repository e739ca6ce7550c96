// Builds .safetensors files for tests, fixtures and the benchmark: canonical ones from tensor
// specs, and raw ones from any header text, so every malformed case is written out explicitly.

import { mkdtempSync, openSync, closeSync, writeSync, ftruncateSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DTYPES } from "../../src/formats/safetensors/dtypes.js";

export interface TensorSpec {
  name: string;
  dtype: string;
  shape: Array<number | bigint>;
}

export interface HeaderOptions {
  metadata?: Record<string, string> | null;
  /** Pad with spaces to a multiple of 8, as the reference writer does (default true). */
  pad?: boolean;
}

export function bitsOf(dtype: string): bigint {
  const d = DTYPES.find((x) => x.name === dtype);
  if (!d) throw new Error(`unknown dtype ${dtype}`);
  return BigInt(d.bits);
}

export function byteSize(t: TensorSpec): bigint {
  const elements = t.shape.reduce<bigint>((a, b) => a * BigInt(b), 1n);
  return (elements * bitsOf(t.dtype)) / 8n;
}

/** Header text with tensors stored back to back in the given order; returns the data size too. */
export function canonicalHeader(
  tensors: readonly TensorSpec[],
  options: HeaderOptions = {},
): { header: string; dataBytes: bigint } {
  const parts: string[] = [];
  if (options.metadata !== undefined) {
    parts.push(`"__metadata__":${JSON.stringify(options.metadata)}`);
  }
  let at = 0n;
  for (const t of tensors) {
    const size = byteSize(t);
    parts.push(
      `${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(",")}],"data_offsets":[${at},${at + size}]}`,
    );
    at += size;
  }
  let header = "{" + parts.join(",") + "}";
  if (options.pad !== false)
    header = header.padEnd(Math.ceil(Buffer.byteLength(header) / 8) * 8, " ");
  return { header, dataBytes: at };
}

/** 8-byte prefix + header bytes + data. `data` is a length (filled by `fill`) or the bytes. */
export function rawFile(
  header: string | Buffer,
  data: number | bigint | Uint8Array = 0,
  fill: (i: number) => number = (i) => (i * 31 + 7) & 0xff,
): Buffer {
  const h = typeof header === "string" ? Buffer.from(header, "utf8") : header;
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(h.length));
  let body: Uint8Array;
  if (typeof data === "number" || typeof data === "bigint") {
    body = Buffer.alloc(Number(data));
    for (let i = 0; i < body.length; i++) body[i] = fill(i);
  } else body = data;
  return Buffer.concat([prefix, h, body]);
}

export function safetensorsFile(
  tensors: readonly TensorSpec[],
  options: HeaderOptions = {},
): Buffer {
  const { header, dataBytes } = canonicalHeader(tensors, options);
  return rawFile(header, dataBytes);
}

/**
 * Writes prefix and header, then extends the file to its full size without writing data: a
 * sparse file of any apparent size costs nothing on disk.
 */
export function writeSparse(
  path: string,
  header: string | Buffer,
  dataBytes: bigint,
  extra = 0n,
): void {
  const h = typeof header === "string" ? Buffer.from(header, "utf8") : header;
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(h.length));
  const fd = openSync(path, "w");
  try {
    writeSync(fd, prefix);
    writeSync(fd, h);
    ftruncateSync(fd, Number(8n + BigInt(h.length) + dataBytes + extra));
  } finally {
    closeSync(fd);
  }
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix = "inspect-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
