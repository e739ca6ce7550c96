// Which quantization a checkpoint uses, from config.json when it says, else from the few tensor
// name patterns that admit one reading only. The counting itself is parameters.ts's job; this
// module decides which of its rule sets applies, and with which bits.

import { MAX_CONFIG_PATTERN_CHARS } from "../core/limits.js";
import { DTYPES, INTEGER_BITS, wholeBits } from "../formats/dtypes.js";
import { shapeOf, type TensorTable } from "../formats/tensor-table.js";
import type { QuantizationConfig } from "../model/model-config.js";

/** The rule sets of parameters.ts, one per storage layout. */
export type CountingMethod =
  | "fp8"
  | "mxfp4"
  | "gptq"
  | "bitsandbytes-4bit"
  | "bitsandbytes-8bit"
  | "compressed-tensors"
  | "nvfp4"
  | "mlx";

/** Module names a config entry targets: exact names, `re:` patterns (anchored at the start, as
 * Python's re.match), and class names, which match every module (only names are known here). */
export interface ModuleMatcher {
  exact: Set<string>;
  patterns: RegExp[];
  anyClass: boolean;
}

export interface GroupRule {
  name: string;
  bits: number | undefined;
  matcher: ModuleMatcher;
}

export interface QuantizationScheme {
  /** As reported: "fp8", "gptq", "awq", "bitsandbytes", "compressed-tensors", "mlx", … */
  method: string;
  /** How tensors are counted; undefined when the method is unknown (stored elements count). */
  counting: CountingMethod | undefined;
  source: "config" | "tensor names";
  /** Bits per packed weight (GPTQ/AWQ/MLX, bitsandbytes 4 or 8). */
  bits?: number;
  groupSize?: number;
  /** FP8 element format, compressed-tensors format, bitsandbytes 4-bit type, MLX mode. */
  format?: string;
  /** FP8 block scaling, e.g. [128, 128]. */
  blockSize?: number[];
  /** compressed-tensors config groups, resolved per module. */
  groups?: GroupRule[];
  ignore?: ModuleMatcher;
  /** MLX per-module bits; null = left unquantized. */
  moduleBits?: Map<string, number | null>;
  notes: string[];
}

const GPTQ_LIKE = new Map([
  ["gptq", "gptq"],
  ["awq", "awq"],
  ["auto-round", "auto-round"],
  ["autoround", "auto-round"],
  ["intel/auto-round", "auto-round"],
]);
const FP8_METHODS = new Set(["fp8", "fbgemm_fp8", "finegrained_fp8"]);

/** The scheme a quantization_config (or MLX `quantization`) describes. */
export function schemeFromConfig(q: QuantizationConfig): QuantizationScheme {
  const method = q.method ?? "unknown";
  const s: QuantizationScheme = { method, counting: undefined, source: "config", notes: [] };
  if (q.groupSize !== undefined) s.groupSize = q.groupSize;
  if (FP8_METHODS.has(method)) {
    s.method = "fp8";
    s.counting = "fp8";
    if (q.fmt !== undefined) s.format = q.fmt;
    if (q.weightBlockSize !== undefined) s.blockSize = q.weightBlockSize;
  } else if (method === "mxfp4") {
    s.counting = "mxfp4";
    s.bits = 4;
  } else if (GPTQ_LIKE.has(method)) {
    s.method = GPTQ_LIKE.get(method)!;
    s.counting = "gptq";
    s.bits = q.bits ?? 4;
    if (q.bits === undefined) s.notes.push("bits not given: 4 assumed");
  } else if (method === "bitsandbytes") {
    if (q.loadIn4bit) {
      s.counting = "bitsandbytes-4bit";
      s.bits = 4;
      if (q.bnb4bitQuantType !== undefined) s.format = q.bnb4bitQuantType;
    } else if (q.loadIn8bit) {
      s.counting = "bitsandbytes-8bit";
      s.bits = 8;
    } else s.notes.push("neither load_in_4bit nor load_in_8bit is set");
  } else if (method === "compressed-tensors" || method === "compressed_tensors") {
    s.method = "compressed-tensors";
    s.counting = "compressed-tensors";
    if (q.format !== undefined) s.format = q.format;
    s.groups = (q.configGroups ?? []).map((g) => ({
      name: g.name,
      bits: g.numBits,
      matcher: moduleMatcher(g.targets, s.notes, `config group ${g.name}`),
    }));
    s.ignore = moduleMatcher(q.ignore ?? [], s.notes, "ignore");
    const bits = new Set(s.groups.map((g) => g.bits));
    if (bits.size === 1) {
      const only = [...bits][0];
      if (only !== undefined) s.bits = only;
    }
  } else if (method === "modelopt") {
    const algo = q.quantAlgo?.toUpperCase();
    if (algo === "NVFP4") {
      s.method = "nvfp4";
      s.counting = "nvfp4";
      s.bits = 4;
    } else if (algo !== undefined && algo.startsWith("FP8")) {
      s.method = "fp8";
      s.counting = "fp8";
    }
    if (algo !== undefined) s.format = q.quantAlgo;
  } else if (method === "mlx") {
    s.counting = "mlx";
    if (q.mode !== undefined) s.format = q.mode;
    s.bits = q.bits ?? (q.mode === "mxfp4" || q.mode === "nvfp4" ? 4 : undefined);
    if (s.bits === undefined) {
      s.counting = undefined;
      s.notes.push("MLX quantization without bits");
    }
    if (q.moduleBits) s.moduleBits = q.moduleBits;
  }
  return s;
}

// Name patterns with a single reading, looked for only when config.json does not say.
const BLOCKS = "_blocks";
const SCALES = "_scales";
const QWEIGHT = ".qweight";
const QZEROS = ".qzeros";
const GPTQ_SCALES = ".scales";
const BNB_STATE = ".quant_state.bitsandbytes__";
const FP8_SCALE_SUFFIXES = [".weight_scale_inv", ".weight_scale"];

/** Integer containers packed weights are stored in, by dtype id. */
export const INT_DTYPE: readonly boolean[] = INTEGER_BITS.map((b) => b !== undefined);
/** FP8 value formats (not F8_E8M0, which holds scale exponents only). */
export const FP8_DTYPE: readonly boolean[] = DTYPES.map(
  (d) => d.kind === "float" && wholeBits(d) === 8,
);
const U8_DTYPE: readonly boolean[] = INTEGER_BITS.map(
  (b, id) => b === 8n && DTYPES[id]!.kind === "uint",
);

/**
 * The scheme the tensor names alone prove: U8 `X_blocks` beside U8 `X_scales` (MXFP4); an
 * integer `X.qweight` beside `X.qzeros` and `X.scales` (GPTQ/AWQ); an FP8 `X.weight` beside
 * `X.weight_scale_inv` or `X.weight_scale` (block-scaled FP8); `….quant_state.bitsandbytes__nf4`
 * (bitsandbytes 4-bit). Anything else stays unquantized: stored elements are counted.
 */
export function schemeFromNames(tables: readonly TensorTable[]): QuantizationScheme | undefined {
  const blocks = new Set<string>();
  const scales = new Set<string>();
  const qweight = new Map<string, [TensorTable, number]>();
  const qzeros = new Map<string, [TensorTable, number]>();
  const gptqScales = new Map<string, [TensorTable, number]>();
  const fp8Weights = new Set<string>();
  const fp8Scales = new Set<string>();
  let bnb: string | undefined;
  for (const t of tables) {
    for (let i = 0; i < t.count; i++) {
      const name = t.names[i]!;
      const id = t.dtypes[i]!;
      // Dispatch on the last character: most names end in "weight" or "bias" and cost one compare.
      switch (name.charCodeAt(name.length - 1)) {
        case 0x73 /* s */:
          if (U8_DTYPE[id] && name.endsWith(BLOCKS)) blocks.add(name.slice(0, -BLOCKS.length));
          else if (U8_DTYPE[id] && name.endsWith(SCALES)) scales.add(name.slice(0, -SCALES.length));
          else if (name.endsWith(QZEROS)) qzeros.set(name.slice(0, -QZEROS.length), [t, i]);
          else if (name.endsWith(GPTQ_SCALES))
            gptqScales.set(name.slice(0, -GPTQ_SCALES.length), [t, i]);
          break;
        case 0x74 /* t */:
          if (INT_DTYPE[id] && name.endsWith(QWEIGHT))
            qweight.set(name.slice(0, -QWEIGHT.length), [t, i]);
          else if (FP8_DTYPE[id] && name.endsWith(".weight")) fp8Weights.add(name.slice(0, -7));
          break;
        case 0x76 /* v */:
        case 0x65 /* e */:
          for (const s of FP8_SCALE_SUFFIXES)
            if (name.endsWith(s)) fp8Scales.add(name.slice(0, -s.length));
          break;
        case 0x34 /* 4 */: {
          const at = name.indexOf(BNB_STATE);
          if (at >= 0) bnb = name.slice(at + BNB_STATE.length);
          break;
        }
      }
    }
  }
  const fromNames = (method: string, counting: CountingMethod, notes: string[]) =>
    ({ method, counting, source: "tensor names", notes }) satisfies QuantizationScheme;

  for (const b of blocks) if (scales.has(b)) return { ...fromNames("mxfp4", "mxfp4", []), bits: 4 };
  for (const [module, w] of qweight) {
    const z = qzeros.get(module);
    const sc = gptqScales.get(module);
    if (!z || !sc) continue;
    return gptqFromShapes(w, z, sc);
  }
  if (bnb !== undefined)
    return { ...fromNames("bitsandbytes", "bitsandbytes-4bit", []), bits: 4, format: bnb };
  for (const w of fp8Weights) if (fp8Scales.has(w)) return fromNames("fp8", "fp8", []);
  return undefined;
}

const dimsOf = ([t, i]: [TensorTable, number]): bigint[] => shapeOf(t, i);

/**
 * GPTQ stores qweight [in·b/32, out], AWQ [in, out·b/32]; both store scales [in/g, out] and
 * qzeros [in/g, out·b/32]. So the shapes say which it is, and b = 32 · qzeros cols / scales cols.
 */
function gptqFromShapes(
  w: [TensorTable, number],
  z: [TensorTable, number],
  sc: [TensorTable, number],
): QuantizationScheme {
  const [wd, zd, sd] = [dimsOf(w), dimsOf(z), dimsOf(sc)];
  const notes: string[] = [];
  const method = wd.length === 2 && sd.length === 2 && wd[1] === sd[1] ? "gptq" : "awq";
  let bits = 4;
  const containerBits = BigInt(wholeBits(DTYPES[z[0].dtypes[z[1]]!]!) ?? 32);
  const zc = zd[1];
  const sc1 = sd[1];
  if (zd.length === 2 && sd.length === 2 && zc !== undefined && sc1 !== undefined && sc1 > 0n) {
    const num = containerBits * zc;
    if (num % sc1 === 0n && [2n, 3n, 4n, 8n].includes(num / sc1)) {
      bits = Number(num / sc1);
      notes.push(`${bits}-bit, from the shapes of qzeros and scales`);
    } else notes.push("bits not derivable from the shapes: 4 assumed");
  } else notes.push("bits not derivable from the shapes: 4 assumed");
  return { method, counting: "gptq", source: "tensor names", bits, notes };
}

/** Refuses what JavaScript cannot run safely: over-long patterns, and a quantified group that
 * itself holds a quantifier (the shape of catastrophic backtracking, e.g. `(a+)+`). */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[*+}](?:[^()\\]|\\.)*\)\s*[*+{]/;

export function moduleMatcher(
  targets: readonly string[],
  notes: string[],
  what: string,
): ModuleMatcher {
  const m: ModuleMatcher = { exact: new Set(), patterns: [], anyClass: false };
  for (const target of targets) {
    if (target.startsWith("re:")) {
      const source = target.slice(3).replace(/\(\?P</g, "(?<");
      if (source.length > MAX_CONFIG_PATTERN_CHARS || NESTED_QUANTIFIER.test(source)) {
        notes.push(
          `${what}: pattern ${JSON.stringify(target.slice(0, 60))} not evaluated (too long or nested quantifiers)`,
        );
        continue;
      }
      try {
        m.patterns.push(new RegExp(`^(?:${source})`));
      } catch {
        notes.push(
          `${what}: pattern ${JSON.stringify(target.slice(0, 60))} is not a valid regular expression`,
        );
      }
    } else if (/^[A-Z][A-Za-z0-9_]*$/.test(target)) m.anyClass = true;
    else m.exact.add(target);
  }
  return m;
}

/** How specifically a matcher names a module: 3 by name, 2 by pattern, 1 by class, 0 not. */
export function matchStrength(m: ModuleMatcher, module: string): number {
  if (m.exact.has(module)) return 3;
  for (const p of m.patterns) if (p.test(module)) return 2;
  return m.anyClass ? 1 : 0;
}
