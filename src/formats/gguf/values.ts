// GGUF metadata values: the 13 value types of the format (llama.cpp `ggml/include/gguf.h`,
// enum gguf_type), how they are held once read, and how to show them without dumping them.

import { GGUF_ARRAY_PREVIEW } from "../../core/limits.js";

export const VALUE_TYPES = [
  "u8",
  "i8",
  "u16",
  "i16",
  "u32",
  "i32",
  "f32",
  "bool",
  "str",
  "arr",
  "u64",
  "i64",
  "f64",
] as const;

export type ValueTypeName = (typeof VALUE_TYPES)[number];

export const ARRAY_TYPE = 9;
export const STRING_TYPE = 8;
export const BOOL_TYPE = 7;

/** Bytes per element of the fixed-size types; 0 for str and arr. */
export const VALUE_SIZE: readonly number[] = [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8];

/** A string above GGUF_MAX_DECODED_STRING_BYTES: its length and the start, decoded. */
export interface LongString {
  readonly kind: "long-string";
  readonly bytes: number;
  readonly start: string;
}

export type Scalar = number | bigint | boolean | string | LongString;

export type ArrayItems =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigUint64Array
  | BigInt64Array
  | boolean[]
  | Array<string | LongString>;

export interface GgufArray {
  readonly kind: "array";
  readonly itemType: ValueTypeName;
  /** Elements in the file. */
  readonly count: number;
  /** All of them, or only the first when the array is above the limits in core/limits.ts. */
  readonly items: ArrayItems;
}

export type Value = Scalar | GgufArray;

export interface Entry {
  readonly key: string;
  readonly type: ValueTypeName;
  readonly value: Value;
  /** Absolute offset of the key's length prefix. */
  readonly offset: number;
}

export function isArray(v: Value): v is GgufArray {
  return typeof v === "object" && (v as GgufArray).kind === "array";
}

export function isLongString(v: unknown): v is LongString {
  return typeof v === "object" && v !== null && (v as LongString).kind === "long-string";
}

/** Integer value of an entry of any integer type (number when exact, else bigint). */
export function integerOf(v: Value | undefined): number | undefined {
  if (typeof v === "number") return Number.isInteger(v) ? v : undefined;
  if (typeof v === "bigint")
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= 0n ? Number(v) : undefined;
  return undefined;
}

/** Integer array items as numbers; undefined for non-integer arrays or values past 2^53. */
export function integerArrayOf(v: Value | undefined): number[] | undefined {
  if (v === undefined || !isArray(v)) return undefined;
  const it = v.items;
  if (Array.isArray(it)) return undefined;
  if (it instanceof Float32Array || it instanceof Float64Array) return undefined;
  const out: number[] = [];
  for (const x of it as Iterable<number | bigint>) {
    const n = integerOf(x);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

/** A JSON-safe summary: scalars as themselves (u64 as strings past 2^53), arrays summarised. */
export function jsonValue(v: Value): unknown {
  if (isArray(v)) {
    const n = v.count;
    const first: unknown[] = [];
    for (let i = 0; i < Math.min(v.items.length, GGUF_ARRAY_PREVIEW); i++)
      first.push(jsonValue((v.items as ArrayLike<Scalar>)[i]!));
    return { type: v.itemType, length: n, first };
  }
  if (typeof v === "bigint")
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  if (isLongString(v)) return { bytes: v.bytes, start: v.start };
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  return v;
}
