// What the estimate assumed or noticed, as data: one record per remark, numbers and enums only.
// The report writes the sentences (report/hardware-words.ts); the JSON keeps them in
// `assumptions.remarks` (and, for schema version 1, the sentences in the deprecated `notes`).

import type { LayerKind } from "./kv-cache.js";

/** Which config field decided the kind of each layer (docs/memory-model.md §3). */
export type LayerKindsSource =
  | { field: "hybrid_override_pattern" }
  /** `key`: where the list came from when not config.json (GGUF: the sliding-window pattern key). */
  | { field: "layer_types"; key?: string }
  | { field: "layers_block_type" }
  | { field: "full_attention_interval"; interval: number }
  | { field: "attn_layer_period"; period: number; offset: number }
  | { field: "attn_layer_indices" }
  | { field: "no_rope_layers" }
  | { field: "attention_chunk_size"; globalEvery: number }
  | { field: "sliding_window"; rule: "absent" }
  | { field: "sliding_window"; rule: "disabled" }
  | { field: "sliding_window"; rule: "pattern"; pattern: number }
  | { field: "sliding_window"; rule: "model-type-default"; modelType: string; pattern: number }
  | { field: "sliding_window"; rule: "max-window-layers"; from: number }
  | { field: "sliding_window"; rule: "every-layer"; window: number };

export type Remark =
  /** The layers by kind, and the field that decided them. */
  | {
      kind: "layer-kinds";
      groups: Array<{ kind: LayerKind; count: number; window?: number }>;
      from: LayerKindsSource;
    }
  | { kind: "layer-list-length"; field: string; listed: number; declared: number }
  | { kind: "unknown-layer-types"; types: string[] }
  | { kind: "parallel-mamba" }
  | { kind: "sliding-window-off"; window: number }
  | {
      kind: "recurrent-state";
      layerKind: LayerKind;
      convElements: bigint;
      ssmElements: bigint;
      dims: "linear" | "mamba2" | "mamba";
      /** Bytes per SSM element when mamba_ssm_cache_dtype differs from the conv state's. */
      ssmElementBytes?: number;
    }
  | { kind: "state-unknown"; layerKind: LayerKind }
  | { kind: "mla-latent"; kvLoraRank: number; ropeDims: number }
  | { kind: "mla-decompressed" }
  | {
      kind: "kv-heads";
      kvHeads: number;
      heads: number;
      headDim: number;
      valueHeadDim: number;
      /** Window layers' head sizes where they differ (GGUF key_length_swa / value_length_swa). */
      swaHeadDim?: number;
      swaValueHeadDim?: number;
    }
  | {
      kind: "kv-heads-per-layer";
      field: string;
      headDim: number;
      valueHeadDim: number;
      swaHeadDim?: number;
      swaValueHeadDim?: number;
    }
  /** llama.cpp without flash attention pads every layer's V row to the widest: its elements. */
  | { kind: "value-rows-padded"; valueElements: bigint }
  | { kind: "windowless-layers"; layers: number }
  | { kind: "attention-sinks" }
  /** vLLM without its hybrid manager allocates chunked layers for the whole context. */
  | { kind: "chunked-full-length"; window: number; extraBytes: bigint }
  | { kind: "weights-only" }
  | {
      kind: "kv-unknown";
      cause: "no-config" | "config-impossible" | "config-incomplete";
      impossible?: string[];
      percent: number;
    }
  | { kind: "kv-dtype-override"; option: string; config: string }
  | { kind: "kv-dtype-unused"; option: string }
  /** --flash-attn or --swa-full for weights that do not run in llama.cpp (not GGUF). */
  | { kind: "llama-cpp-option-unused"; option: "--flash-attn" | "--swa-full" }
  /** --flash-attn on for an architecture llama.cpp runs without it (Grok). */
  | { kind: "flash-attention-forced-off"; architecture: string }
  /** llama.cpp refuses to create a context with a quantized V cache and no flash attention. */
  | { kind: "quantized-cache-needs-flash-attention"; cacheDtype: string }
  | { kind: "context-capped"; context: number; default: number; field: string }
  | { kind: "context-over-max"; context: number; max: number; field: string }
  | { kind: "heads-indivisible"; heads: number; gpus: number }
  | { kind: "optional-not-resident"; module: string }
  | { kind: "optional-for-input"; module: string; moduleKind: string; bytes: bigint }
  | { kind: "precision-unavailable"; precision: string };
