// The dtype registry: every element type of every format inspect reads, in one id space, so that
// a tensor table from any format is read the same way above the formats. Each format lists its
// own types (formats/<format>/dtypes.ts) and is entered here once; ids are positions in
// DTYPES and fit the tables' Uint8Array.

import { GGUF_DTYPES } from "./gguf/dtypes.js";
import { GGML_TYPES } from "./gguf/ggml-types.js";
import { DTYPES as SAFETENSORS_DTYPES } from "./safetensors/dtypes.js";

/** The file formats inspect reads. */
export type WeightsFormat = "safetensors" | "gguf";

/**
 * What an element is, for counting: `float` values (F16, BF16, FP8…), plain integers (`int`,
 * `uint`, the containers packed weights are stored in), `bool`, `scale` (block-scale exponents
 * that carry no weights of their own, F8_E8M0) and `quantized` (block formats such as Q4_K).
 */
export type DtypeKind = "float" | "int" | "uint" | "bool" | "scale" | "quantized";

export interface Dtype {
  readonly format: WeightsFormat;
  /** As the format spells it: "BF16", "Q4_K". */
  readonly name: string;
  readonly kind: DtypeKind;
  /**
   * Storage: `blockBytes` bytes hold `blockElements` elements. F16: 1 in 2; F4: 2 in 1; F6: 4 in
   * 3; Q4_K: 256 in 144. A tensor holds a whole number of blocks.
   */
  readonly blockElements: number;
  readonly blockBytes: number;
}

/** The bytes `elements` take, exactly; undefined when they are not a whole number of blocks. */
export function bytesFor(d: Dtype, elements: bigint): bigint | undefined {
  const per = BigInt(d.blockElements);
  return elements % per === 0n ? (elements / per) * BigInt(d.blockBytes) : undefined;
}

/** Bits per element as a whole number (8 for U8, 4 for F4), or undefined (Q4_K: 4.5). */
export function wholeBits(d: Dtype): number | undefined {
  const bits = (8 * d.blockBytes) / d.blockElements;
  return Number.isInteger(bits) ? bits : undefined;
}

/**
 * Every format's dtypes: safetensors first, so a safetensors dtype's id is its index there; then
 * the ggml types of GGUF, in ggml id order.
 */
export const DTYPES: readonly Dtype[] = [...SAFETENSORS_DTYPES, ...GGUF_DTYPES];

/** Registry id of each ggml type id (undefined for ids llama.cpp does not define). */
export const DTYPE_OF_GGML: readonly (number | undefined)[] = (() => {
  const out: (number | undefined)[] = [];
  GGML_TYPES.forEach((t, i) => (out[t.id] = SAFETENSORS_DTYPES.length + i));
  return out;
})();

/** Marks a tensor whose type is unknown (a GGUF tensor of an undefined ggml type). */
export const UNKNOWN_DTYPE = 255;

/** Per id: the bits of a plain integer type (the containers packed weights are stored in). */
export const INTEGER_BITS: readonly (bigint | undefined)[] = DTYPES.map((d) => {
  const bits = wholeBits(d);
  return (d.kind === "int" || d.kind === "uint") && bits !== undefined ? BigInt(bits) : undefined;
});
