// The one place that decides how many parameters a stored tensor holds (docs/counting.md §1).
// A tensor is a plain weight (×1), a packed container (× an exact ratio: two FP4 values per byte,
// 32/b GPTQ values per 32-bit word), or quantization bookkeeping (scales, zero points, group
// indices: 0 parameters, though their bytes occupy memory like any other).

import { DTYPES, INTEGER_BITS } from "../formats/dtypes.js";
import { BIGINTS, type Arithmetic } from "../formats/tensor-table.js";
import {
  INT_DTYPE,
  matchStrength,
  type CountingMethod,
  type QuantizationScheme,
} from "./quantization.js";

export type TensorRoleKind = "weight" | "packed" | "bookkeeping";

/** Parameters per stored element as an exact ratio: a 3-bit GPTQ word holds 32/3 weights. */
export interface TensorRole {
  readonly kind: TensorRoleKind;
  readonly num: bigint;
  readonly den: bigint;
}

export const WEIGHT: TensorRole = Object.freeze({ kind: "weight", num: 1n, den: 1n });
export const BOOKKEEPING: TensorRole = Object.freeze({ kind: "bookkeeping", num: 0n, den: 1n });

// Shared role objects: a million tensors must not mean a million allocations.
const packedRoles = new Map<string, TensorRole>();
function packed(containerBits: bigint, bits: bigint): TensorRole {
  let [a, b] = [containerBits, bits];
  while (b !== 0n) [a, b] = [b, a % b];
  const num = containerBits / a;
  const den = bits / a;
  if (num === den) return WEIGHT;
  const key = `${num}/${den}`;
  let r = packedRoles.get(key);
  if (!r) packedRoles.set(key, (r = Object.freeze({ kind: "packed", num, den })));
  return r;
}

/**
 * Parameters of `elements` stored elements in this role, rounded down when inexact; in the kind
 * of values `A` works in (exact for a SmallTable's counts too: below 2^44, no ratio above 64).
 */
export function parametersIn<V extends number | bigint>(
  role: TensorRole,
  elements: V,
  A: Arithmetic<V>,
): V {
  if (role === WEIGHT) return elements;
  if (role === BOOKKEEPING) return A.zero;
  const times = A.mul(elements, A.of(Number(role.num)));
  return role.den === 1n ? times : A.div(times, A.of(Number(role.den)));
}

/** False when the ratio does not give a whole number of weights (a shape the bits cannot fill). */
export function exactIn<V extends number | bigint>(
  role: TensorRole,
  elements: V,
  A: Arithmetic<V>,
): boolean {
  return (
    role.den === 1n ||
    A.rem(A.mul(elements, A.of(Number(role.num))), A.of(Number(role.den))) === A.zero
  );
}

export const parametersOf = (role: TensorRole, elements: bigint): bigint =>
  parametersIn(role, elements, BIGINTS);

export interface CountingRules {
  readonly scheme: QuantizationScheme | undefined;
  /** The role of tensor `name` stored as DTYPES[dtypeId] (formats/dtypes.ts). */
  roleOf(name: string, dtypeId: number): TensorRole;
}

/** Names that hold quantization state, never weights, under every known method. */
const BOOKKEEPING_SUFFIXES = [
  ".weight_scale",
  ".weight_scale_inv",
  ".weight_scale_2",
  ".weight_global_scale",
  ".input_scale",
  ".input_scale_ub",
  ".input_global_scale",
  ".weight_zero_point",
  ".input_zero_point",
  ".zero_point",
  ".weight_shape",
  ".weight_g_idx",
  ".k_scale",
  ".v_scale",
  ".kv_scale",
  ".qzeros",
  ".g_idx",
  // bitsandbytes 4-bit and 8-bit
  ".absmax",
  ".quant_map",
  ".nested_absmax",
  ".nested_quant_map",
  ".SCB",
  ".weight_format",
];

/** Extra bookkeeping per method: `scales` is a weight name elsewhere, `biases` too. */
const METHOD_BOOKKEEPING: Partial<Record<CountingMethod, string[]>> = {
  gptq: [".scales"],
  mlx: [".scales", ".biases"],
};

/** Suffix lookup by last character, so that the common ".weight" costs a compare or two. */
class SuffixSet {
  private readonly byLast = new Map<number, string[]>();
  constructor(suffixes: readonly string[]) {
    for (const s of suffixes) {
      const c = s.charCodeAt(s.length - 1);
      const list = this.byLast.get(c);
      if (list) list.push(s);
      else this.byLast.set(c, [s]);
    }
  }
  has(name: string): boolean {
    const list = this.byLast.get(name.charCodeAt(name.length - 1));
    if (!list) return false;
    for (let k = 0; k < list.length; k++) if (name.endsWith(list[k]!)) return true;
    return false;
  }
}

/** Per dtype id: an unsigned byte (U8), a 32-bit unsigned word (U32), block-scale exponents. */
const U8 = DTYPES.map((d, id) => d.kind === "uint" && INTEGER_BITS[id] === 8n);
const U32 = DTYPES.map((d, id) => d.kind === "uint" && INTEGER_BITS[id] === 32n);
const SCALE_ONLY = DTYPES.map((d) => d.kind === "scale");

/** Plain counting: every stored element is a parameter, except MX block-scale exponents. */
const PLAIN: CountingRules = {
  scheme: undefined,
  roleOf: (_name, dtypeId) => (SCALE_ONLY[dtypeId] ? BOOKKEEPING : WEIGHT),
};

export function countingRules(scheme: QuantizationScheme | undefined): CountingRules {
  const method = scheme?.counting;
  if (!scheme || !method) return scheme ? { ...PLAIN, scheme } : PLAIN;
  const bookkeeping = new SuffixSet([
    ...BOOKKEEPING_SUFFIXES,
    ...(METHOD_BOOKKEEPING[method] ?? []),
  ]);
  const packedAs = packedRule(scheme, method);
  return {
    scheme,
    roleOf(name, dtypeId) {
      if (SCALE_ONLY[dtypeId]) return BOOKKEEPING;
      if (bookkeeping.has(name)) return BOOKKEEPING;
      return packedAs(name, dtypeId);
    },
  };
}

type Rule = (name: string, dtypeId: number) => TensorRole;

/** The packed containers of each method and their ratios; everything else is a plain weight. */
function packedRule(s: QuantizationScheme, method: CountingMethod): Rule {
  const bits = BigInt(s.bits ?? 4);
  switch (method) {
    case "fp8":
      return () => WEIGHT;
    case "mxfp4":
      // U8 [… , n/32, 16] blocks: two FP4 values a byte; U8 `_scales` are E8M0 exponents.
      return (name, id) =>
        U8[id] && name.endsWith("_blocks")
          ? packed(8n, 4n)
          : U8[id] && name.endsWith("_scales")
            ? BOOKKEEPING
            : WEIGHT;
    case "gptq":
      return (name, id) =>
        INT_DTYPE[id] && name.endsWith(".qweight") ? packed(INTEGER_BITS[id]!, bits) : WEIGHT;
    case "bitsandbytes-4bit":
      return (name, id) =>
        name.includes(".quant_state.")
          ? BOOKKEEPING
          : U8[id] && name.endsWith(".weight")
            ? packed(8n, 4n)
            : WEIGHT;
    case "bitsandbytes-8bit":
      return () => WEIGHT;
    case "nvfp4":
      return (name, id) => (U8[id] && name.endsWith(".weight") ? packed(8n, 4n) : WEIGHT);
    case "mlx": {
      const perModule = s.moduleBits;
      return (name, id) => {
        if (!U32[id] || !name.endsWith(".weight")) return WEIGHT;
        const own = perModule?.get(name.slice(0, -".weight".length));
        return packed(32n, own ? BigInt(own) : bits);
      };
    }
    case "compressed-tensors":
      return (name, id) => {
        if (!INT_DTYPE[id] || !name.endsWith(".weight_packed")) return WEIGHT;
        const b = groupBits(s, name.slice(0, -".weight_packed".length));
        return b === undefined ? WEIGHT : packed(INTEGER_BITS[id]!, BigInt(b));
      };
  }
}

/**
 * The bits of the config group that names this module most specifically (exact name, then
 * pattern, then class, as compressed-tensors resolves them), unless `ignore` names it. One
 * group's bits are never applied to another's modules (huggingface.js#2215).
 */
export function groupBits(s: QuantizationScheme, module: string): number | undefined {
  if (s.ignore && matchStrength(s.ignore, module) > 0) return undefined;
  let best = 0;
  let bits: number | undefined;
  for (const g of s.groups ?? []) {
    const m = matchStrength(g.matcher, module);
    if (m > best && g.bits !== undefined) {
      best = m;
      bits = g.bits;
    }
  }
  return bits;
}
