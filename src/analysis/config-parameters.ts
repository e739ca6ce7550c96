// Parameters from config.json alone, for a checkpoint whose index is present but none of its
// shards (people download the JSON files first). Only where the architecture fixes every tensor's
// shape from the config: dense decoders of the Llama family (Llama, Mistral, Qwen2 with its q/k/v
// biases, Qwen3 with its q/k norms), unquantized. Anything else gives undefined, never a guess.

import type { ModelConfig } from "../model/model-config.js";

/** model_type values whose tensors the formula below lists exactly. */
const DENSE_FAMILIES = new Set(["llama", "mistral", "qwen2", "qwen3"]);

export interface ConfigParameters {
  total: bigint;
  /** How it was computed, for the report: "llama-family dense decoder". */
  how: string;
}

export function parametersFromConfig(c: ModelConfig | undefined): ConfigParameters | undefined {
  if (!c || c.modelType === undefined || !DENSE_FAMILIES.has(c.modelType)) return undefined;
  if (c.quantization !== undefined || (c.experts !== undefined && c.experts > 1)) return undefined;
  if (c.kvLoraRank !== undefined || c.modalities?.length) return undefined;
  const { numHiddenLayers: layers, hiddenSize: hidden, intermediateSize: inter } = c;
  const { numAttentionHeads: heads, vocabSize: vocab } = c;
  if (
    layers === undefined ||
    hidden === undefined ||
    inter === undefined ||
    heads === undefined ||
    heads === 0 ||
    vocab === undefined
  )
    return undefined;
  const kvHeads = c.numKeyValueHeads ?? heads;
  const hd = c.headDim ?? (hidden % heads === 0 ? hidden / heads : undefined);
  if (hd === undefined) return undefined;
  const H = BigInt(hidden);
  const q = BigInt(heads) * BigInt(hd);
  const kv = BigInt(kvHeads) * BigInt(hd);
  let attention = H * q + 2n * H * kv + q * H;
  if (c.modelType === "qwen2") attention += q + 2n * kv; // q/k/v biases
  if (c.modelType === "qwen3") attention += 2n * BigInt(hd); // q_norm, k_norm
  const mlp = 3n * H * BigInt(inter);
  const norms = 2n * H;
  const embedding = BigInt(vocab) * H;
  const head = c.tieWordEmbeddings === true ? 0n : embedding;
  return {
    total: BigInt(layers) * (attention + mlp + norms) + embedding + H + head,
    how: `${c.modelType} dense decoder: ${layers} layers, hidden ${hidden}, ${heads} heads / ${kvHeads} KV, MLP ${inter}, vocab ${vocab}${head === 0n ? ", tied" : ""}`,
  };
}
