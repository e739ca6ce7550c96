// The model's shape as config.json (or a GGUF file's metadata) states it, completed from what
// tensor names and shapes prove when the config is absent or silent, and checked against them
// when it speaks. Every value not read from the config is listed in `inferred`, so a reader knows
// what to trust.

import { finding, type Finding } from "../core/findings.js";
import { group } from "../core/text.js";
import type { ModelConfig } from "../model/model-config.js";

export interface Architecture {
  modelType?: string;
  architectures?: string[];
  /** Main layers (multi-token-prediction layers excluded). */
  layers?: number;
  hiddenSize?: number;
  intermediateSize?: number;
  attentionHeads?: number;
  kvHeads?: number;
  headDim?: number;
  /** "mla": latent KV (DeepSeek); "gqa": fewer KV heads than heads; "mqa": one; "mha": all. */
  attention?: "mla" | "gqa" | "mqa" | "mha";
  /** MLA: rank of the cached KV latent, and the rotary part cached beside it. */
  kvLoraRank?: number;
  qkRopeHeadDim?: number;
  vocabSize?: number;
  /** max_position_embeddings: what the model supports, not a default context. */
  contextLength?: number;
  tiedEmbeddings?: boolean;
  /** Attention window in tokens, when some layers use one. */
  slidingWindow?: number;
  /** Multi-token-prediction layers stored after the main ones. */
  mtpLayers?: number;
  /** What was not read from config.json: inferred from tensors, or derived by HF's defaults. */
  inferred: string[];
}

/** What the tensors show, gathered by the tally. */
export interface ObservedShape {
  /** Distinct layer numbers of the main stack, optional layers excluded, ascending. */
  layers: number[];
  /** The main stack's prefix, e.g. "model.layers.". */
  stack: string | undefined;
  mtpLayers: number;
  /** The input embedding: [rows, cols]; `plain` when stored unpacked (cols = hidden size). */
  embedding?: { name: string; rows: bigint; cols: bigint; plain: boolean };
  /** The output head's name, when one is stored. */
  head?: string;
}

export function describeArchitecture(
  config: ModelConfig | undefined,
  seen: ObservedShape,
  file: string | undefined,
  /** Part of the model: counts of the whole (layers, an output head) are not compared. */
  partial = false,
): { architecture: Architecture | undefined; findings: Finding[] } {
  const c: Partial<ModelConfig> = config ?? {};
  const a: Architecture = { inferred: [] };
  const findings: Finding[] = [];
  const mismatch = (message: string, severity?: "info") =>
    findings.push(finding("CONFIG_MISMATCH", message, { file, severity }));
  const from = (field: string) => config?.from.get(field) ?? field;
  const gguf = c.source === "gguf";
  const source = gguf ? "the GGUF metadata" : "config.json";

  if (c.modelType !== undefined) a.modelType = c.modelType;
  if (c.architectures !== undefined) a.architectures = c.architectures;

  const ids = seen.layers;
  const where = seen.stack ?? "layers.";
  const contiguous = ids.length > 0 && ids[0] === 0 && ids[ids.length - 1] === ids.length - 1;
  if (c.numHiddenLayers !== undefined) {
    a.layers = c.numHiddenLayers;
    if (!partial && ids.length > 0 && (!contiguous || ids.length !== c.numHiddenLayers))
      mismatch(
        `${source} says ${c.numHiddenLayers} layers (${from("numHiddenLayers")}); the tensors have ${ids.length} (${span(ids)})`,
      );
  } else if (contiguous) {
    a.layers = ids.length;
    a.inferred.push(`${ids.length} layers, from ${where}0–${ids.length - 1}`);
  } else if (ids.length > 0) {
    a.inferred.push(
      `layer numbers ${span(ids)} only (${ids.length}): a partial checkpoint or an adapter`,
    );
  }

  const emb = seen.embedding;
  if (c.hiddenSize !== undefined) {
    a.hiddenSize = c.hiddenSize;
    if (emb?.plain && emb.cols !== BigInt(c.hiddenSize))
      mismatch(
        `${source} says hidden size ${c.hiddenSize}; ${emb.name} is ${group(emb.rows)} × ${group(emb.cols)}`,
      );
  } else if (emb?.plain && emb.cols <= BigInt(Number.MAX_SAFE_INTEGER)) {
    a.hiddenSize = Number(emb.cols);
    a.inferred.push(`hidden size ${emb.cols}, from ${emb.name}`);
  }
  if (c.vocabSize !== undefined) {
    a.vocabSize = c.vocabSize;
    if (emb && emb.rows !== BigInt(c.vocabSize))
      mismatch(
        `${source} says a vocabulary of ${group(c.vocabSize)}; ${emb.name} has ${group(emb.rows)} rows`,
      );
  } else if (emb && emb.rows <= BigInt(Number.MAX_SAFE_INTEGER)) {
    a.vocabSize = Number(emb.rows);
    a.inferred.push(`vocabulary ${emb.rows}, from ${emb.name}`);
  }
  if (c.intermediateSize !== undefined) a.intermediateSize = c.intermediateSize;

  if (c.numAttentionHeads !== undefined) {
    a.attentionHeads = c.numAttentionHeads;
    if (c.numKeyValueHeads !== undefined) a.kvHeads = c.numKeyValueHeads;
    else {
      a.kvHeads = c.numAttentionHeads;
      a.inferred.push(
        `KV heads = attention heads (no ${gguf ? `${c.modelType}.attention.head_count_kv` : "num_key_value_heads"})`,
      );
    }
  } else if (c.numKeyValueHeads !== undefined) a.kvHeads = c.numKeyValueHeads;
  if (c.kvLoraRank !== undefined) {
    a.attention = "mla";
    a.kvLoraRank = c.kvLoraRank;
    if (c.qkRopeHeadDim !== undefined) a.qkRopeHeadDim = c.qkRopeHeadDim;
  } else if (a.kvHeads !== undefined && a.attentionHeads !== undefined) {
    a.attention = a.kvHeads === a.attentionHeads ? "mha" : a.kvHeads === 1 ? "mqa" : "gqa";
  }
  if (c.headDim !== undefined) a.headDim = c.headDim;
  else if (
    a.attention !== "mla" &&
    a.hiddenSize !== undefined &&
    a.attentionHeads !== undefined &&
    a.attentionHeads > 0 &&
    a.hiddenSize % a.attentionHeads === 0
  ) {
    a.headDim = a.hiddenSize / a.attentionHeads;
    const key = gguf ? `${c.modelType}.attention.key_length` : "head_dim";
    a.inferred.push(`head dim = hidden size / attention heads (no ${key})`);
  }
  if (c.maxPositionEmbeddings !== undefined) a.contextLength = c.maxPositionEmbeddings;

  if (c.tieWordEmbeddings !== undefined) {
    a.tiedEmbeddings = c.tieWordEmbeddings;
    if (c.tieWordEmbeddings && seen.head !== undefined)
      mismatch(
        `${source} ties the embeddings, yet ${seen.head} is stored: counted as stored`,
        "info",
      );
    else if (!partial && !c.tieWordEmbeddings && seen.head === undefined && emb)
      mismatch(
        `${source} says the embeddings are untied, yet no output head (lm_head) is stored`,
        "info",
      );
  } else if (seen.head !== undefined) {
    a.tiedEmbeddings = false;
    a.inferred.push(`untied embeddings: ${seen.head} is stored`);
  }

  const window = slidingWindowInEffect(c);
  if (window !== undefined) a.slidingWindow = window;
  if (seen.mtpLayers > 0) a.mtpLayers = seen.mtpLayers;

  const known = Object.keys(a).length > 1 || a.inferred.length > 0;
  return { architecture: known ? a : undefined, findings };
}

/** Qwen2 configs carry sliding_window with use_sliding_window false: no window then. */
function slidingWindowInEffect(c: Partial<ModelConfig>): number | undefined {
  const w = c.slidingWindow;
  if (w === undefined || w === null || w === 0) return undefined;
  if (c.useSlidingWindow === false) return undefined;
  if (c.layerTypes !== undefined && !c.layerTypes.some((t) => t.startsWith("sliding")))
    return undefined;
  return w;
}

function span(ids: readonly number[]): string {
  if (ids.length === 0) return "none";
  return ids.length === 1 ? String(ids[0]) : `${ids[0]}–${ids[ids.length - 1]}`;
}
