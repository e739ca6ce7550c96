// The model description (ModelConfig) from a GGUF file's own metadata, where a safetensors
// checkpoint has config.json: the keys llama.cpp reads (formats/gguf/model-keys.ts) mapped onto
// the same fields, so that analysis and hardware read one description whatever the format.

import type { FileType } from "../formats/gguf/file-types.js";
import { describeGguf, type GgufTokenizer, type PerLayer } from "../formats/gguf/model-keys.js";
import type { WeightsFile } from "../formats/weights.js";
import type { ModelConfig } from "./model-config.js";

const first = (v: PerLayer | undefined) => (Array.isArray(v) ? v[0] : v);

/** The description a weights file carries in itself (GGUF), or undefined (safetensors). */
export function modelConfigOf(f: WeightsFile | undefined): ModelConfig | undefined {
  if (f?.format !== "gguf" || !f.complete) return undefined;
  const m = describeGguf(f.metadata).model;
  if (m.architecture === undefined) return undefined;
  // GGUF files run in llama.cpp: its allocation rules apply (docs/memory-model.md §8).
  const c: ModelConfig = {
    source: "gguf",
    from: new Map(),
    modelType: m.architecture,
    allocation: "llama.cpp",
  };
  const set = <K extends keyof ModelConfig>(
    key: K,
    value: ModelConfig[K] | undefined,
    from: string,
  ) => {
    if (value === undefined) return;
    c[key] = value;
    c.from.set(key, `${m.architecture}.${from}`);
  };
  set("numHiddenLayers", m.blockCount, "block_count");
  set("hiddenSize", m.embeddingLength, "embedding_length");
  set("intermediateSize", first(m.feedForwardLength), "feed_forward_length");
  set("numAttentionHeads", first(m.headCount), "attention.head_count");
  set("numKeyValueHeads", first(m.headCountKv), "attention.head_count_kv");
  if (Array.isArray(m.headCountKv))
    set("kvHeadsPerLayer", m.headCountKv, "attention.head_count_kv");
  set("headDim", m.keyLength, "attention.key_length");
  set("maxPositionEmbeddings", m.contextLength, "context_length");
  set("vocabSize", m.tokenizer.vocabSize, "tokenizer.ggml.tokens");
  set("experts", m.expertCount, "expert_count");
  set("expertsPerToken", m.expertUsedCount, "expert_used_count");
  set("sharedExperts", m.expertSharedCount, "expert_shared_count");
  set("moeIntermediateSize", m.expertFeedForwardLength, "expert_feed_forward_length");
  set("firstKDenseReplace", m.leadingDenseBlockCount, "leading_dense_block_count");
  if (m.valueLength !== undefined) set("valueHeadDim", m.valueLength, "attention.value_length");
  // Each defaults to the other layers' size in llama.cpp: only a key that is present is set.
  set("swaHeadDim", m.keyLengthSwa, "attention.key_length_swa");
  set("swaValueHeadDim", m.valueLengthSwa, "attention.value_length_swa");
  if (m.kvLoraRank !== undefined && m.kvLoraRank > 0) {
    set("kvLoraRank", m.kvLoraRank, "attention.kv_lora_rank");
    set("qkRopeHeadDim", m.ropeDimensionCount, "rope.dimension_count");
    if (m.keyLengthMla !== undefined && m.valueLengthMla !== undefined) {
      // Converted for llama.cpp's MLA cache: key_length is the latent (kv_lora_rank + rope
      // dims) under one KV head; the per-head sizes after decompression are the _mla keys.
      set("headDim", m.keyLengthMla, "attention.key_length_mla");
      set("vHeadDim", m.valueLengthMla, "attention.value_length_mla");
      if (m.ropeDimensionCount !== undefined)
        set("qkNopeHeadDim", m.keyLengthMla - m.ropeDimensionCount, "attention.key_length_mla");
    } else {
      // An older conversion: llama.cpp decompresses K and V and caches both, per head.
      set("vHeadDim", m.valueLength, "attention.value_length");
      if (m.keyLength !== undefined && m.ropeDimensionCount !== undefined)
        set("qkNopeHeadDim", m.keyLength - m.ropeDimensionCount, "attention.key_length");
      set("latentCache", false, "attention.key_length_mla");
    }
  }
  if (m.qLoraRank !== undefined && m.qLoraRank > 0)
    set("qLoraRank", m.qLoraRank, "attention.q_lora_rank");
  if (m.slidingWindow !== undefined && m.slidingWindow > 0 && m.slidingLayers) {
    set("slidingWindow", m.slidingWindow, "attention.sliding_window");
    // The pattern key when the file has one; else llama.cpp's period for the architecture.
    const patternKey = `${m.architecture}.attention.sliding_window_pattern`;
    set(
      "layerTypes",
      m.slidingLayers.layers.map((w) => (w ? "sliding_attention" : "full_attention")),
      m.slidingLayers.source.startsWith(patternKey)
        ? "attention.sliding_window_pattern"
        : "attention.sliding_window",
    );
  }
  if (m.kvLayers) {
    // Gemma 3n / Gemma 4: the last layers read an earlier layer's cache and hold none.
    const count = m.kvLayers.count;
    const types = c.layerTypes ?? Array.from({ length: m.blockCount ?? 0 }, () => "full_attention");
    c.layerTypes = types.map((t, i) => (i < count ? t : "shared_kv"));
    if (!c.from.has("layerTypes")) c.from.set("layerTypes", m.kvLayers.source);
  }
  if (m.chunkedLayers) {
    // Llama 4: chunked layers take the chunk's cells as llama.cpp's window layers do.
    c.attentionChunkSize = m.chunkedLayers.chunk;
    c.from.set("attentionChunkSize", "general.architecture");
    c.layerTypes = m.chunkedLayers.layers.map((x) => (x ? "chunked_attention" : "full_attention"));
    c.from.set(
      "layerTypes",
      m.chunkedLayers.source.startsWith(`${m.architecture}.`)
        ? `${m.architecture}.attention.sliding_window_pattern`
        : "general.architecture",
    );
  }
  return c;
}

/** What a GGUF file says of itself beside the model's shape: its quantization mix, its tokenizer. */
export interface GgufFacts {
  /** general.file_type, with llama.cpp's name for it when it has one ("Q4_K_M"). */
  fileType?: { id: number } & Partial<Pick<FileType, "name" | "description">>;
  tokenizer?: GgufTokenizer;
}

export function ggufFactsOf(f: WeightsFile | undefined): GgufFacts | undefined {
  if (f?.format !== "gguf" || !f.complete) return undefined;
  const m = describeGguf(f.metadata).model;
  const out: GgufFacts = {};
  const ft = m.fileType;
  if (ft)
    out.fileType = ft.known
      ? { id: ft.id, name: ft.name, description: ft.description }
      : { id: ft.id };
  const t = m.tokenizer;
  if (t.model !== undefined || t.vocabSize !== undefined) out.tokenizer = t;
  return out;
}
