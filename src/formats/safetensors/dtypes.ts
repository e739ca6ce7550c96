// The dtypes of the format, in the reference enum's order, with their size in bits and the first
// reference release that reads them (older readers refuse the file).

export interface DtypeInfo {
  readonly name: string;
  readonly bits: number;
  /** First huggingface/safetensors release that accepts it; undefined for the original set. */
  readonly since?: string;
  /** Floating-point formats whose values can be NaN or infinite. */
  readonly float?: boolean;
}

export const DTYPES: readonly DtypeInfo[] = [
  { name: "BOOL", bits: 8 },
  { name: "F4", bits: 4, since: "0.6.0" },
  { name: "F6_E2M3", bits: 6, since: "0.6.0" },
  { name: "F6_E3M2", bits: 6, since: "0.6.0" },
  { name: "U8", bits: 8 },
  { name: "I8", bits: 8 },
  { name: "F8_E5M2", bits: 8, since: "0.4.1", float: true },
  { name: "F8_E4M3", bits: 8, since: "0.4.1", float: true },
  { name: "F8_E8M0", bits: 8, since: "0.6.0" },
  { name: "F8_E4M3FNUZ", bits: 8, since: "0.8.0-rc.0", float: true },
  { name: "F8_E5M2FNUZ", bits: 8, since: "0.8.0-rc.0", float: true },
  { name: "I16", bits: 16 },
  { name: "U16", bits: 16 },
  { name: "F16", bits: 16, float: true },
  { name: "BF16", bits: 16, float: true },
  { name: "I32", bits: 32 },
  { name: "U32", bits: 32 },
  { name: "F32", bits: 32, float: true },
  { name: "C64", bits: 64, since: "0.7.0", float: true },
  { name: "F64", bits: 64, float: true },
  { name: "I64", bits: 64 },
  { name: "U64", bits: 64 },
];

const BY_NAME = new Map(DTYPES.map((d, i) => [d.name, i]));

/** Index into DTYPES, or -1 for a string the format does not define. */
export function dtypeId(name: string): number {
  return BY_NAME.get(name) ?? -1;
}

export function dtypeInfo(id: number): DtypeInfo {
  const d = DTYPES[id];
  if (d === undefined) throw new RangeError(`no dtype ${id}`);
  return d;
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

/** Parameter-free storage: MX block-scale exponents carry no weights of their own. */
export const SCALE_ONLY_DTYPE = "F8_E8M0";
