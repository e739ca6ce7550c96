// Writes checkpoint folders as Hugging Face does: shards named model-0000i-of-0000n.safetensors
// (sparse: header only, data as a hole), model.safetensors.index.json with indent 2, config.json.

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { indexJson, shardLayout, type Layout } from "./layouts.js";
import { byteSize, canonicalHeader, writeSparse, type TensorSpec } from "./safetensors.js";

export interface CheckpointSpec {
  shards: TensorSpec[][];
  /** Override shard file names (default model-0000i-of-0000n.safetensors). */
  names?: string[];
  config?: object;
  /** false: no index; a function: edit the index before it is written. */
  index?: false | ((index: IndexJson) => void);
  metadata?: Record<string, string> | null;
}

export interface IndexJson {
  metadata: Record<string, unknown>;
  weight_map: Record<string, string>;
}

export const shardName = (i: number, n: number) =>
  `model-${String(i + 1).padStart(5, "0")}-of-${String(n).padStart(5, "0")}.safetensors`;

export function writeCheckpoint(
  dir: string,
  spec: CheckpointSpec,
): { files: string[]; totalSize: bigint } {
  mkdirSync(dir, { recursive: true });
  const names = spec.names ?? spec.shards.map((_, i) => shardName(i, spec.shards.length));
  const weightMap: Record<string, string> = {};
  let totalSize = 0n;
  spec.shards.forEach((tensors, i) => {
    const { header, dataBytes } = canonicalHeader(tensors, {
      metadata: spec.metadata === undefined ? { format: "pt" } : spec.metadata,
    });
    writeSparse(path.join(dir, names[i]!), header, dataBytes);
    for (const t of tensors) {
      weightMap[t.name] = names[i]!;
      totalSize += byteSize(t);
    }
  });
  if (spec.index !== false) {
    const index: IndexJson = { metadata: { total_size: Number(totalSize) }, weight_map: weightMap };
    if (typeof spec.index === "function") spec.index(index);
    writeFileSync(path.join(dir, "model.safetensors.index.json"), JSON.stringify(index, null, 2));
  }
  if (spec.config)
    writeFileSync(path.join(dir, "config.json"), JSON.stringify(spec.config, null, 2));
  return { files: names.map((n) => path.join(dir, n)), totalSize };
}

/** Splits tensors in order into `n` consecutive shards of similar byte size. */
export function splitEvenly(tensors: readonly TensorSpec[], n: number): TensorSpec[][] {
  const total = tensors.reduce((a, t) => a + byteSize(t), 0n);
  const out: TensorSpec[][] = Array.from({ length: n }, () => []);
  let acc = 0n;
  for (const t of tensors) {
    const k = Math.min(n - 1, Number((acc * BigInt(n)) / (total === 0n ? 1n : total)));
    out[k]!.push(t);
    acc += byteSize(t);
  }
  return out;
}

/**
 * Writes a published layout as Hugging Face ships it: its real shard count (sparse files: headers
 * only, data as holes, so a 688 GB checkpoint costs a few MB), the index and config.json.
 */
export function writeLayout(
  dir: string,
  layout: Layout,
  shards = layout.shards,
): { files: string[]; totalSize: bigint } {
  mkdirSync(dir, { recursive: true });
  const split = shardLayout(layout.tensors, shards);
  // One shard is saved as plain model.safetensors, without an index.
  if (split.length === 1) split[0]!.file = "model.safetensors";
  for (const s of split) {
    const { header, dataBytes } = canonicalHeader(s.tensors, { metadata: { format: "pt" } });
    writeSparse(path.join(dir, s.file), header, dataBytes);
  }
  if (split.length > 1)
    writeFileSync(
      path.join(dir, "model.safetensors.index.json"),
      JSON.stringify(indexJson(split), null, 2),
    );
  writeFileSync(path.join(dir, "config.json"), JSON.stringify(layout.config, null, 2));
  return {
    files: split.map((s) => path.join(dir, s.file)),
    totalSize: split.reduce((a, s) => a + s.bytes, 0n),
  };
}

/** A small three-layer model in three shards, for cross-check cases. */
const smallLayer = (i: number): TensorSpec[] => [
  { name: `model.layers.${i}.self_attn.q_proj.weight`, dtype: "BF16", shape: [64, 64] },
  { name: `model.layers.${i}.mlp.up_proj.weight`, dtype: "BF16", shape: [128, 64] },
];
export const SMALL_MODEL: TensorSpec[] = [
  { name: "model.embed_tokens.weight", dtype: "BF16", shape: [256, 64] },
  ...smallLayer(0),
  ...smallLayer(1),
  ...smallLayer(2),
  { name: "model.norm.weight", dtype: "BF16", shape: [64] },
];
export const SMALL_SHARDS = splitEvenly(SMALL_MODEL, 3);
