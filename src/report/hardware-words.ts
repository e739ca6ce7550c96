// The hardware estimate's assumptions in words. The estimate holds numbers and enums only
// (hardware/remarks.ts, ReferenceDevice); the table prints these sentences, and the JSON keeps
// them in the fields schema version 1 already had (`assumptions.notes`, `gpuShare`, `laptop`,
// `referenceServer`, `precisions[].bitsPerWeight`, `optional[].loadedFor`,
// `cluster.singleNodeAlternatives`), now deprecated beside their structured twins.

import { group } from "../core/text.js";
import { findDevice } from "../hardware/catalog.js";
import type {
  FitResult,
  HardwareEstimate,
  PrecisionRow,
  ReferenceDevice,
} from "../hardware/estimate.js";
import type { LayerSplit } from "../hardware/llama-cpp.js";
import type { LayerKindsSource, Remark } from "../hardware/remarks.js";

const LOADED_FOR: Readonly<Record<string, string>> = {
  "multi-token-prediction": "speculative decoding",
  "draft-head": "speculative decoding",
  "vision-tower": "image input",
  "audio-tower": "audio input",
  "multimodal-projector": "image or audio input",
};

/** What makes a runtime load an optional module of this kind. */
export const loadedFor = (kind: string): string | undefined => LOADED_FOR[kind];

function sourceText(s: LayerKindsSource): string {
  switch (s.field) {
    case "hybrid_override_pattern":
      return "hybrid_override_pattern (M Mamba-2, * attention, - and E without a cache)";
    case "layer_types":
      return s.key ?? s.field;
    case "layers_block_type":
    case "attn_layer_indices":
      return s.field;
    case "full_attention_interval":
      return `full_attention_interval ${s.interval}`;
    case "attn_layer_period":
      return `attn_layer_period ${s.period}, attn_layer_offset ${s.offset}`;
    case "no_rope_layers":
      return "no_rope_layers (RoPE layers chunked, NoPE layers global)";
    case "attention_chunk_size":
      return `attention_chunk_size without no_rope_layers: every ${s.globalEvery}th layer global, Llama4TextConfig's default`;
    case "sliding_window":
      switch (s.rule) {
        case "absent":
          return "no sliding_window";
        case "disabled":
          return "use_sliding_window false";
        case "pattern":
          return `sliding_window_pattern ${s.pattern}: every ${s.pattern}th layer global`;
        case "model-type-default":
          return `no sliding_window_pattern: ${s.modelType}'s default, every ${s.pattern}th layer global (transformers' config class)`;
        case "max-window-layers":
          return `use_sliding_window: layers from ${s.from} on windowed`;
        case "every-layer":
          return `sliding_window ${s.window} on every layer`;
      }
  }
}

const RECURRENT_DIMS = {
  linear: "linear_* dimensions",
  mamba2: "mamba heads, head dim, groups, d_state",
  mamba: "expand × hidden, d_state",
} as const;

const headDims = (k: number, v: number) => (k === v ? `2 × head_dim ${k}` : `(K ${k} + V ${v})`);
const swaDims = (r: { swaHeadDim?: number; swaValueHeadDim?: number }) =>
  r.swaHeadDim !== undefined && r.swaValueHeadDim !== undefined
    ? `, window layers ${headDims(r.swaHeadDim, r.swaValueHeadDim)} (key_length_swa)`
    : "";

/** One remark as the sentence the table prints (and the deprecated JSON `notes` holds). */
/** Why the estimate is the weights alone. */
export function weightsOnlyText(cause: HardwareEstimate["weightsOnlyCause"]): string {
  return cause === "no-architecture"
    ? "no config.json, and no layer stack or token embedding among the tensor names: not a transformer language model, so no KV cache, activations, tiers or GPU setups"
    : "not a transformer language model";
}

export function remarkText(r: Remark, hw?: Pick<HardwareEstimate, "weightsOnlyCause">): string {
  switch (r.kind) {
    case "layer-kinds": {
      const mix = r.groups
        .map((g) => `${g.count} ${g.kind}${g.window !== undefined ? ` (${g.window} tokens)` : ""}`)
        .join(", ");
      return `layers: ${mix}, from ${sourceText(r.from)}`;
    }
    case "layer-list-length":
      return r.field === "hybrid_override_pattern"
        ? `hybrid_override_pattern has ${r.listed} layers; num_hidden_layers says ${r.declared}: the pattern is used`
        : `${r.field} lists ${r.listed} layers; num_hidden_layers says ${r.declared}: the list is used`;
    case "unknown-layer-types":
      return `layer types ${r.types.map((u) => JSON.stringify(u)).join(", ")} not known: charged as full attention`;
    case "parallel-mamba":
      return "falcon_h1: every layer runs attention and a Mamba-2 mixer side by side";
    case "sliding-window-off":
      return `sliding_window ${r.window} not applied (use_sliding_window is false)`;
    case "recurrent-state":
      return `${r.layerKind} state per layer: conv ${r.convElements.toLocaleString("en-US")} + SSM ${r.ssmElements.toLocaleString("en-US")} elements (${RECURRENT_DIMS[r.dims]})${r.ssmElementBytes !== undefined ? `, SSM state at ${r.ssmElementBytes} bytes (mamba_ssm_cache_dtype)` : ""}`;
    case "state-unknown":
      return `${r.layerKind} layers: state size unknown (dimensions missing from config.json): not counted`;
    case "mla-latent":
      return `MLA: kv_lora_rank ${r.kvLoraRank} + qk_rope_head_dim ${r.ropeDims} per layer`;
    case "mla-decompressed":
      return "MLA decompressed: llama.cpp caches K and V per head for a file without attention.key_length_mla (converted before llama.cpp's MLA cache; re-converting caches the latent)";
    case "kv-heads":
      return `${r.kvHeads} KV heads × ${headDims(r.headDim, r.valueHeadDim)} per layer${swaDims(r)}${r.kvHeads < r.heads ? ` (${r.kvHeads === 1 ? "MQA" : "GQA"}, ${r.heads} query heads)` : ""}`;
    case "kv-heads-per-layer":
      return `KV heads of each layer (${r.field}) × ${headDims(r.headDim, r.valueHeadDim)}${swaDims(r)}`;
    case "value-rows-padded":
      return `without flash attention llama.cpp pads every layer's V to the widest, ${r.valueElements.toLocaleString("en-US")} values per cell`;
    case "windowless-layers":
      return `${r.layers} windowed layers without a window size: charged as full layers`;
    case "attention-sinks":
      return "attention sinks: a learned logit per head, no cached tokens";
    case "chunked-full-length":
      return `chunked layers capped at ${r.window} tokens; vLLM without its hybrid KV-cache manager (the default for chunked attention unless VLLM_ALLOW_CHUNKED_LOCAL_ATTN_WITH_HYBRID_KV_CACHE=1) allocates them for the whole context: ${r.extraBytes} bytes more`;
    case "weights-only":
      return `weights only: ${weightsOnlyText(hw?.weightsOnlyCause)}`;
    case "kv-unknown": {
      const why =
        r.cause === "no-config"
          ? "without config.json"
          : r.cause === "config-impossible"
            ? `(config.json's values cannot be used: ${(r.impossible ?? []).join("; ")})`
            : "(config.json does not give the layers, attention heads and head size)";
      return `KV cache unknown ${why}: ${r.percent} % of the weights added instead`;
    }
    case "kv-dtype-override":
      return `--kv-dtype ${r.option} overrides the config's ${r.config}`;
    case "kv-dtype-unused":
      return `--kv-dtype ${r.option} has no effect without a KV layout`;
    case "llama-cpp-option-unused":
      return `${r.option} is llama.cpp's option: no effect on weights that do not run in llama.cpp (GGUF files do)`;
    case "flash-attention-forced-off":
      return `--flash-attn on: llama.cpp turns flash attention off for ${r.architecture}; the compute buffer holds the KQ matrix`;
    case "quantized-cache-needs-flash-attention":
      return `llama.cpp refuses a ${r.cacheDtype} V cache without flash attention: give --flash-attn on or auto, or an f16 cache`;
    case "context-capped":
      return `context ${r.context} tokens: the model's ${r.field}, below the default ${r.default}`;
    case "context-over-max":
      return `context ${r.context} is longer than the model's ${r.field} ${r.max}`;
    case "heads-indivisible":
      return `${r.heads} attention heads do not divide over ${r.gpus} GPUs: tensor parallelism needs 1, 2, 4 or 8 of them (or pipeline parallelism)`;
    case "optional-not-resident":
      return `${r.module} not resident (loaded only for speculative decoding)`;
    case "optional-for-input":
      return `${r.module} (${r.moduleKind}) not counted for text generation; a runtime serving ${loadedFor(r.moduleKind) ?? "other input"} keeps it resident: add ${group(r.bytes)} bytes`;
    case "precision-unavailable":
      return `--precision ${r.precision}: no parameters to re-quantize; the weights as stored`;
  }
}

/** Every remark of the estimate as a sentence. */
export function notesOf(hw: HardwareEstimate): string[] {
  return hw.assumptions.remarks.map((r) => remarkText(r, hw));
}

const FRACTIONS: Readonly<Record<string, string>> = { "2/3": "⅔", "3/4": "¾" };

/** "0.9 of each GPU (vLLM's gpu_memory_utilization)", "⅔ of unified memory (…)". */
export function shareText(s: ReferenceDevice["usableShare"]): string {
  if (s.rule === "vllm-gpu-memory-utilization")
    return `${s.numerator / s.denominator} of each GPU (vLLM's gpu_memory_utilization)`;
  const f = FRACTIONS[`${s.numerator}/${s.denominator}`] ?? `${s.numerator}/${s.denominator}`;
  return `${f} of unified memory (Metal's GPU working-set limit)`;
}

/** "MacBook Air M4 32GB, ⅔ of unified memory (Metal's GPU working-set limit)". */
export const laptopText = (r: ReferenceDevice) => `${r.label}, ${shareText(r.usableShare)}`;

/** "8 × H100 80GB". */
export const serverText = (r: HardwareEstimate["assumptions"]["serverReference"]) =>
  `${r.gpus} × ${r.label}`;

/** "16", "4.89 (Q4_K_M)", "4.89 (Q4_K_M); MXFP4 weights stay at 4.25"; undefined as stored. */
export function bitsText(p: PrecisionRow): string | undefined {
  if (p.weightBits === undefined) return undefined;
  const text = `${p.weightBits}${p.scheme ? ` (${p.scheme})` : ""}`;
  return p.mxfp4Kept ? `${text}; MXFP4 weights stay at 4.25` : text;
}

/** "8 × H200 141GB" for each GPU whose node would hold a cluster-tier model alone. */
export function alternativesText(hw: HardwareEstimate): string[] {
  const gpus = hw.assumptions.serverReference.gpus;
  return (hw.cluster?.singleNodeAlternativeDevices ?? []).map(
    (id) => `${gpus} × ${findDevice(id)?.label ?? id}`,
  );
}

/** " per device", " on the tightest device" (GPUs of different kinds), or "" for one device. */
export const perDeviceText = (f: FitResult, each = " per device"): string =>
  f.devices <= 1 ? "" : f.mixedDevices ? " on the tightest device" : each;

/** A model llama.cpp splits by layers that does not have every layer on the target's devices. */
export const partlyOffloaded = (f: FitResult): f is FitResult & { layerSplit: LayerSplit } =>
  f.layerSplit !== undefined && f.layerSplit.gpuLayers < f.layerSplit.layers;

/**
 * Which rule a fit that failed broke, for --require-fit's stderr line (docs/memory-model.md §8,
 * "The verdict"): the whole model per device, or llama.cpp's layer split and the system RAM.
 */
export function fitFailureText(f: FitResult, bytes: (b: bigint) => string): string {
  const per = perDeviceText(f);
  const needs = `needs ${bytes(f.perDeviceBytes)}${per}, ${bytes(f.usableBytes)} usable`;
  const s = f.layerSplit;
  if (!s) return needs;
  const rest = s.layers - s.gpuLayers;
  const ram = f.systemRamBytes;
  const on = f.devices > 1 ? "the GPUs" : "the GPU";
  if (rest === 0)
    return `every layer fits on ${on}, but the token embedding and the output buffer need ${bytes(s.ramBytes)} of system RAM, ${bytes(ram ?? 0n)} usable`;
  const all = `all ${s.layers} need ${bytes(f.perDeviceBytes)}${per}, ${bytes(f.usableBytes)} usable`;
  const layers =
    s.gpuLayers === 0
      ? `no layer fits on ${on} (llama.cpp -ngl 0; ${all})`
      : `only ${s.gpuLayers} of ${s.layers} layers fit on ${on} (llama.cpp -ngl ${s.gpuLayers}; ${all})`;
  return ram === undefined
    ? `${layers}; the other ${rest} would run from system RAM (${bytes(s.ramBytes)}), which counts only with --memory auto`
    : `${layers}; the other ${rest} need ${bytes(s.ramBytes)} of system RAM, ${bytes(ram)} usable`;
}
