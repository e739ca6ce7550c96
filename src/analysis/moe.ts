// Mixture of experts: total vs active (docs/counting.md §3). Every expert is resident, so
// memory follows the total; a token passes through top-k of the E routed experts of each MoE
// layer plus the shared ones, so speed follows
//   active = non-expert + shared + Σ over MoE layers of routed(layer) × top_k / E.

import type { Finding } from "../core/findings.js";
import { finding } from "../core/findings.js";
import { MAX_LISTED_ITEMS } from "../core/limits.js";
import { group } from "../core/text.js";
import type { ModelConfig } from "../model/model-config.js";

/** What one layer of the main stack holds, accumulated tensor by tensor. */
export interface LayerTally {
  parameters: bigint;
  bytes: bigint;
  tensors: number;
  /** Routed expert id → its parameters in this layer. */
  experts: Map<number, bigint> | undefined;
  /** Parameters of fused expert tensors (all E experts in one tensor). */
  fused: bigint;
  /** First dimension of each fused tensor: E when laid out as gpt-oss and Llama 4 do. */
  fusedFirstDims: Set<bigint> | undefined;
  shared: bigint;
  /** Holds an `eh_proj` (the projection only multi-token-prediction layers have). */
  mtp: boolean;
  /** Bytes of the routed experts (per-expert and fused tensors). */
  routedBytes: bigint;
}

export function newLayer(): LayerTally {
  return {
    parameters: 0n,
    bytes: 0n,
    tensors: 0,
    experts: undefined,
    fused: 0n,
    fusedFirstDims: undefined,
    shared: 0n,
    mtp: false,
    routedBytes: 0n,
  };
}

export interface MoeFacts {
  /** Routed experts per MoE layer (E). */
  experts: number;
  /** Routed experts used per token; absent when no config.json says. */
  topK?: number;
  /** Shared experts per MoE layer, as config.json counts them. */
  sharedExperts?: number;
  /** Layers holding routed experts (optional modules excluded). */
  layers: number;
  /** All routed experts of those layers. */
  routedParameters: bigint;
  /** One routed expert of every MoE layer together (routed / E), when exact. */
  expertParameters?: bigint;
  /** Shared experts of those layers (always active). */
  sharedParameters: bigint;
  /** Experts stored fused, E as a dimension (gpt-oss, Llama 4), rather than one tensor each. */
  fused: boolean;
  /** Where E and top-k came from. */
  source: "config" | "tensor names";
}

export interface MoeResult {
  facts: MoeFacts | undefined;
  /** Parameters used per token; undefined unless E and top-k are both known. */
  active: bigint | undefined;
  findings: Finding[];
  /** Phrases for what was inferred rather than read. */
  inferred: string[];
}

const listed = (xs: readonly number[]) =>
  xs.slice(0, MAX_LISTED_ITEMS).join(", ") + (xs.length > MAX_LISTED_ITEMS ? ", …" : "");

/**
 * `layers`: the main stack's non-optional layers; `mainParameters`: every parameter outside
 * optional modules. E comes from config.json, else from the highest expert id (or the fused
 * tensors' shared first dimension); top-k only from config.json.
 */
export function analyzeMoe(
  layers: ReadonlyMap<number, LayerTally>,
  mainParameters: bigint,
  config: ModelConfig | undefined,
  file: string | undefined,
  /** Part of the model: experts and MoE layers held elsewhere are not counted as missing. */
  partial = false,
): MoeResult {
  const findings: Finding[] = [];
  const inferred: string[] = [];
  const moeLayers = [...layers.entries()]
    .filter(([, l]) => l.experts !== undefined || l.fusedFirstDims !== undefined)
    .sort(([a], [b]) => a - b);
  const configured = config?.experts;
  if (moeLayers.length === 0) {
    if (configured !== undefined && configured > 1 && !partial)
      findings.push(
        finding(
          "CONFIG_MISMATCH",
          `config.json declares ${configured} experts per layer, but no expert tensors are stored`,
          { file, severity: "info" },
        ),
      );
    return { facts: undefined, active: undefined, findings, inferred };
  }

  let e = configured;
  let maxId = -1;
  const firstDims = new Set<bigint>();
  // The per-expert loops use forEach: they run once per expert (15,616 in DeepSeek-V3), mostly
  // before V8 optimises them, where each step of a `for … of` allocates.
  for (const [, l] of moeLayers) {
    l.experts?.forEach((_, id) => (maxId = Math.max(maxId, id)));
    if (l.fusedFirstDims) for (const d of l.fusedFirstDims) firstDims.add(d);
  }
  if (e === undefined) {
    if (maxId >= 0) {
      e = maxId + 1;
      inferred.push(`${e} experts per layer, from the highest expert number`);
    } else if (firstDims.size === 1) {
      const only = [...firstDims][0]!;
      if (only <= BigInt(Number.MAX_SAFE_INTEGER)) {
        e = Number(only);
        inferred.push(`${e} experts per layer, from the fused expert tensors' first dimension`);
      }
    }
  }
  if (e === undefined || e === 0) {
    inferred.push("experts are stored fused; their number is unknown without config.json");
    return { facts: undefined, active: undefined, findings, inferred };
  }
  const E = BigInt(e);
  const experts: number = e;
  const k = config?.expertsPerToken;

  let routed = 0n;
  let shared = 0n;
  let activeRouted = 0n;
  let exact = true;
  const incomplete: string[] = [];
  const unequal: string[] = [];
  for (const [index, l] of moeLayers) {
    let layerRouted = l.fused;
    if (l.experts) {
      const missing: number[] = [];
      const extra: number[] = [];
      let size: bigint | undefined;
      let sizesDiffer = false;
      l.experts.forEach((p, id) => {
        layerRouted += p;
        if (id >= experts) extra.push(id);
        if (size === undefined) size = p;
        else if (p !== size) sizesDiffer = true;
      });
      const inRange = l.experts.size - extra.length;
      if (inRange < e && !partial) {
        // Gaps below the highest id seen, found without walking 0…E−1 (E is untrusted).
        const ids = [...l.experts.keys()].filter((id) => id < e).sort((a, b) => a - b);
        let next = 0;
        for (const id of ids) {
          for (; next < id && missing.length <= MAX_LISTED_ITEMS; next++) missing.push(next);
          next = id + 1;
        }
        for (; next < e && missing.length <= MAX_LISTED_ITEMS; next++) missing.push(next);
        incomplete.push(
          `layer ${index} lacks ${group(e - inRange)} (${listed(missing.sort((a, b) => a - b))})`,
        );
      }
      if (extra.length > 0)
        incomplete.push(
          `layer ${index} has expert${extra.length > 1 ? "s" : ""} ${listed(extra.sort((a, b) => a - b))} beyond ${e - 1}`,
        );
      if (sizesDiffer) {
        const sizes = [...new Set(l.experts.values())].sort((a, b) => (a < b ? -1 : 1));
        unequal.push(`layer ${index}: ${sizes.slice(0, 3).map(group).join(" vs ")} parameters`);
      }
    }
    if (l.fused > 0n && l.fused % E !== 0n)
      unequal.push(
        `layer ${index}: fused experts hold ${group(l.fused)} parameters, not a multiple of ${e}`,
      );
    routed += layerRouted;
    shared += l.shared;
    if (k !== undefined) {
      const num = layerRouted * BigInt(k);
      if (num % E !== 0n) exact = false;
      activeRouted += num / E;
    }
  }
  if (incomplete.length > 0)
    findings.push(
      finding(
        "EXPERTS_INCOMPLETE",
        `expert numbers do not cover 0–${e - 1}: ${incomplete.slice(0, MAX_LISTED_ITEMS).join("; ")}${incomplete.length > MAX_LISTED_ITEMS ? `; ${incomplete.length - MAX_LISTED_ITEMS} more layers` : ""}`,
        {
          file,
          hint: "a shard or an index entry may be missing; the active count assumes every expert is present",
        },
      ),
    );
  if (unequal.length > 0)
    findings.push(
      finding(
        "EXPERTS_UNEQUAL",
        `experts of one layer differ in size: ${unequal.slice(0, MAX_LISTED_ITEMS).join("; ")}${unequal.length > MAX_LISTED_ITEMS ? `; ${unequal.length - MAX_LISTED_ITEMS} more layers` : ""}`,
        {
          file,
          hint: exact
            ? undefined
            : "the active count is rounded down: top-k/E of the routed parameters is not a whole number",
        },
      ),
    );

  checkMoeLayout(
    moeLayers.map(([i]) => i),
    config,
    file,
    findings,
    partial,
  );
  if (configured !== undefined && maxId >= configured)
    findings.push(
      finding(
        "CONFIG_MISMATCH",
        `config.json declares ${configured} experts per layer (${config!.from.get("experts")}), but expert ${maxId} is stored`,
        { file },
      ),
    );

  const facts: MoeFacts = {
    experts: e,
    layers: moeLayers.length,
    routedParameters: routed,
    sharedParameters: shared,
    fused: moeLayers.some(([, l]) => l.fusedFirstDims !== undefined),
    source: configured !== undefined ? "config" : "tensor names",
  };
  if (k !== undefined) facts.topK = k;
  else inferred.push("top-k unknown without config.json: no active count");
  if (config?.sharedExperts !== undefined) facts.sharedExperts = config.sharedExperts;
  if (routed % E === 0n) facts.expertParameters = routed / E;
  const active = k === undefined ? undefined : mainParameters - routed + activeRouted;
  return { facts, active, findings, inferred };
}

/** DeepSeek's rule: layer i is MoE when i ≥ first_k_dense_replace and i % moe_layer_freq = 0. */
function checkMoeLayout(
  observed: number[],
  config: ModelConfig | undefined,
  file: string | undefined,
  findings: Finding[],
  partial: boolean,
): void {
  const n = config?.numHiddenLayers;
  const firstK = config?.firstKDenseReplace;
  if (n === undefined || firstK === undefined) return;
  const freq = config?.moeLayerFreq ?? 1;
  if (freq === 0) return;
  const expected = moeLayerCount(firstK, n, freq);
  const mismatched = observed.filter((i) => i < firstK || i >= n || i % freq !== 0);
  if (mismatched.length > 0 || (!partial && observed.length !== expected))
    findings.push(
      finding(
        "CONFIG_MISMATCH",
        `config.json makes ${expected} of ${n} layers MoE (first_k_dense_replace ${firstK}, moe_layer_freq ${freq}); experts are stored in ${observed.length}${mismatched.length > 0 ? `, including layer ${listed(mismatched)}` : ""}`,
        { file },
      ),
    );
}

/** Multiples of freq in [firstK, n). */
function moeLayerCount(firstK: number, n: number, freq: number): number {
  if (firstK >= n) return 0;
  return Math.floor((n - 1) / freq) - Math.floor((firstK - 1) / freq);
}
