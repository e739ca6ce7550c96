// The dtypes of the format, in the reference enum's order, with their size in bits and the first
// reference release that reads them (older readers refuse the file).

import type { Dtype, DtypeKind } from "../dtypes.js";

export interface DtypeInfo extends Dtype {
  readonly format: "safetensors";
  readonly bits: number;
  /** First huggingface/safetensors release that accepts it; undefined for the original set. */
  readonly since?: string;
}

function dtype(name: string, bits: number, kind: DtypeKind, since?: string): DtypeInfo {
  // Whole bytes per element, or the fewest elements that fill whole bytes (F4: 2, F6: 4).
  const blockElements = bits % 8 === 0 ? 1 : bits === 4 ? 2 : 4;
  const d: DtypeInfo = {
    format: "safetensors",
    name,
    bits,
    kind,
    blockElements,
    blockBytes: (bits * blockElements) / 8,
  };
  return since === undefined ? d : { ...d, since };
}

export const DTYPES: readonly DtypeInfo[] = [
  dtype("BOOL", 8, "bool"),
  dtype("F4", 4, "float", "0.6.0"),
  dtype("F6_E2M3", 6, "float", "0.6.0"),
  dtype("F6_E3M2", 6, "float", "0.6.0"),
  dtype("U8", 8, "uint"),
  dtype("I8", 8, "int"),
  dtype("F8_E5M2", 8, "float", "0.4.1"),
  dtype("F8_E4M3", 8, "float", "0.4.1"),
  // MX block-scale exponents: parameter-free storage, no weights of their own.
  dtype("F8_E8M0", 8, "scale", "0.6.0"),
  dtype("F8_E4M3FNUZ", 8, "float", "0.8.0-rc.0"),
  dtype("F8_E5M2FNUZ", 8, "float", "0.8.0-rc.0"),
  dtype("I16", 16, "int"),
  dtype("U16", 16, "uint"),
  dtype("F16", 16, "float"),
  dtype("BF16", 16, "float"),
  dtype("I32", 32, "int"),
  dtype("U32", 32, "uint"),
  dtype("F32", 32, "float"),
  dtype("C64", 64, "float", "0.7.0"),
  dtype("F64", 64, "float"),
  dtype("I64", 64, "int"),
  dtype("U64", 64, "uint"),
];

const BY_NAME = new Map(DTYPES.map((d, i) => [d.name, i]));

/** Index into DTYPES, or -1 for a string the format does not define. */
export function dtypeId(name: string): number {
  return BY_NAME.get(name) ?? -1;
}

/** Spellings seen in the wild that the format does not accept, and what was probably meant. */
const ALIASES: ReadonlyMap<string, string> = new Map([
  ["E8M0", "F8_E8M0"],
  ["UE8", "F8_E8M0"],
  ["FP4", "F4"],
  ["F8_E4M3FN", "F8_E4M3"],
  ["FLOAT32", "F32"],
  ["FLOAT16", "F16"],
  ["BFLOAT16", "BF16"],
]);

export function dtypeSuggestion(name: string): string | undefined {
  const upper = name.toUpperCase();
  if (BY_NAME.has(upper)) return `dtype names are case-sensitive: write ${upper}`;
  const alias = ALIASES.get(upper);
  if (alias !== undefined) return `not a safetensors dtype; the format spells it ${alias}`;
  return undefined;
}
