// Runs the whole per-file pipeline over in-memory bytes and picks findings out of the result, so
// that each test states the exact codes, severities and message fragments it expects.

import { expect } from "vitest";
import type { Finding, FindingCode } from "../../src/core/findings.js";
import { readSafetensors, type SafetensorsFile } from "../../src/formats/safetensors/read.js";
import { memorySource, type MemorySource } from "./memory-source.js";
import { rawFile } from "./safetensors.js";

export interface Inspected extends SafetensorsFile {
  source: MemorySource;
}

export async function inspectBytes(
  bytes: Buffer,
  options: { name?: string; stream?: boolean; size?: bigint } = {},
): Promise<Inspected> {
  const source = memorySource(bytes, options);
  const file = await readSafetensors(source);
  return { ...file, source };
}

/** A file made of this header text (or bytes) and `data` bytes of tensor data. */
export function inspectHeader(
  header: string | Buffer,
  data: number | bigint | Uint8Array = 0,
  options: { stream?: boolean } = {},
): Promise<Inspected> {
  return inspectBytes(rawFile(header, data), options);
}

export function codes(file: SafetensorsFile): FindingCode[] {
  return file.findings.map((f) => f.code);
}

export function errorCodes(file: SafetensorsFile): FindingCode[] {
  return file.findings.filter((f) => f.severity === "error").map((f) => f.code);
}

/** The one finding with this code; fails the test when there are none or several. */
export function the(file: SafetensorsFile, code: FindingCode): Finding {
  const list = file.findings.filter((f) => f.code === code);
  expect(
    list,
    `findings: ${JSON.stringify(file.findings.map((f) => [f.code, f.message]))}`,
  ).toHaveLength(1);
  return list[0]!;
}

/** Asserts the file has exactly these error codes, in this order, and returns the first. */
export function onlyErrors(file: SafetensorsFile, ...expected: FindingCode[]): Finding {
  expect(errorCodes(file), JSON.stringify(file.findings.map((f) => [f.code, f.message]))).toEqual(
    expected,
  );
  return file.findings.find((f) => f.severity === "error")!;
}

/** Asserts the file is valid (no errors at all). */
export function expectValid(file: SafetensorsFile): void {
  expect(errorCodes(file), JSON.stringify(file.findings.map((f) => [f.code, f.message]))).toEqual(
    [],
  );
}

/** One tensor entry's JSON text. */
export function entry(
  dtype: string,
  shape: ReadonlyArray<number | bigint | string>,
  offsets: ReadonlyArray<number | bigint | string>,
  extra = "",
): string {
  return `{"dtype":"${dtype}","shape":[${shape.join(",")}],"data_offsets":[${offsets.join(",")}]${extra}}`;
}

/** A header object from `"name": value` member texts, in order. */
export function object(...members: string[]): string {
  return "{" + members.join(",") + "}";
}

/** `"name":entry`, the name JSON-quoted unless it already is (to write escapes by hand). */
export function member(name: string, value: string): string {
  return `${name.startsWith('"') ? name : JSON.stringify(name)}:${value}`;
}
