// What a model folder holds: a sharded set (an index), loose .safetensors files, GGUF files (one
// per quantization, split sets), or several sub-models in subfolders (diffusers, an LM Studio
// library), as the store lists it.

import path from "node:path";
import type { Finding } from "../core/findings.js";
import { COMPONENT_SEARCH_DEPTH } from "../core/limits.js";
import type { CheckpointStore } from "../store/store.js";
import { ggufSplitName } from "./shard-names.js";

/** Index names in order of preference; diffusers names its weights diffusion_pytorch_model. */
const PREFERRED_INDEXES = [
  "model.safetensors.index.json",
  "diffusion_pytorch_model.safetensors.index.json",
];

/** Weights in formats inspect does not read, named when a folder has none it reads. */
const OTHER_WEIGHTS = /\.(bin|pt|pth|ckpt|h5|onnx|msgpack|npz)$/i;

export type FolderPlan =
  | {
      kind: "sharded";
      index: string;
      otherIndexes: string[];
      files: string[];
      /** GGUF files beside the safetensors weights: not counted, named. */
      ggufs: string[];
    }
  /** Units: each a shard set (by its -of-N name) or a single file; several units are separate models. */
  | { kind: "files"; units: Unit[]; variants: string[]; subfolders: string[]; ggufs: string[] }
  | { kind: "components"; subfolders: string[] }
  /** GGUF files without safetensors: each file, or split set, a model of its own. */
  | { kind: "gguf"; units: Unit[]; subfolders: string[] }
  | { kind: "empty"; otherWeights: string[] };

export interface Unit {
  /** The file name, or for a shard set its common name with the counter elided. */
  name: string;
  files: string[];
}

const isWeights = (f: string) => f.endsWith(".safetensors");
const isGguf = (f: string) => f.endsWith(".gguf");

/**
 * `model-00001-of-00003.safetensors` → `model-*-of-00003.safetensors`, grouping a set; GGUF
 * split parts likewise (`name-*-of-00003.gguf`).
 */
function shardSetName(file: string): string | undefined {
  const split = ggufSplitName(file);
  if (split)
    return split.count > 1
      ? `${split.prefix}-*-of-${String(split.count).padStart(5, "0")}.gguf`
      : undefined;
  const m = /^(.*[-_])\d{5,6}([-_]of[-_]\d{5,6}\.safetensors)$/.exec(file);
  return m ? `${m[1]}*${m[2]}` : undefined;
}

function units(files: readonly string[]): Unit[] {
  const sets = new Map<string, string[]>();
  const out: Unit[] = [];
  for (const f of files) {
    const set = shardSetName(f);
    if (set === undefined) out.push({ name: f, files: [f] });
    else {
      const members = sets.get(set);
      if (members) members.push(f);
      else {
        const list = [f];
        sets.set(set, list);
        out.push({ name: set, files: list });
      }
    }
  }
  return out;
}
const isIndex = (f: string) => f.endsWith(".safetensors.index.json");

/** `x.fp16.safetensors` beside `x.safetensors`: an alternative copy, not a part. */
function variantOf(file: string, all: Set<string>): boolean {
  const m = /^(.+)\.[A-Za-z0-9_-]+\.safetensors$/.exec(file);
  return m !== null && all.has(`${m[1]}.safetensors`);
}

/**
 * Whether `dir` holds weights inspect reads, itself or in its subfolders down to `depth` more
 * levels (an LM Studio library keeps `publisher/model/file.gguf`).
 */
async function holdsWeights(store: CheckpointStore, dir: string, depth: number): Promise<boolean> {
  const { files, dirs } = await store
    .list(dir)
    .catch(() => ({ files: [] as string[], dirs: [] as string[] }));
  if (files.some((f) => isWeights(f) || isIndex(f) || isGguf(f))) return true;
  if (depth <= 0) return false;
  for (const d of dirs) if (await holdsWeights(store, path.join(dir, d), depth - 1)) return true;
  return false;
}

/**
 * What `dir` holds, with the findings for entries the store refused to follow (links leading
 * outside the target). Throws InspectError when the folder cannot be listed.
 */
export async function planFolder(
  store: CheckpointStore,
  dir: string,
): Promise<{ plan: FolderPlan; refused: Finding[] }> {
  const { files, dirs, refused = [] } = await store.list(dir);
  // Only what would have been read: weights, indexes and folders.
  const relevant = refused.filter(
    (r) => r.kind === "dir" || isWeights(r.name) || isIndex(r.name) || isGguf(r.name),
  );
  return {
    plan: await planListing(store, dir, files, dirs),
    refused: relevant.map((r) => r.finding),
  };
}

async function planListing(
  store: CheckpointStore,
  dir: string,
  files: string[],
  dirs: string[],
): Promise<FolderPlan> {
  const indexes = files.filter(isIndex);
  const weights = files.filter(isWeights);
  const ggufs = files.filter(isGguf);
  if (indexes.length > 0) {
    const index = PREFERRED_INDEXES.find((p) => indexes.includes(p)) ?? indexes[0]!;
    return {
      kind: "sharded",
      index,
      otherIndexes: indexes.filter((i) => i !== index),
      files: weights,
      ggufs,
    };
  }
  const subfolders = (
    await Promise.all(
      dirs.map(async (d) =>
        (await holdsWeights(store, path.join(dir, d), COMPONENT_SEARCH_DEPTH - 1)) ? d : undefined,
      ),
    )
  ).filter((d): d is string => d !== undefined);
  if (weights.length > 0) {
    const all = new Set(weights);
    const variants = weights.filter((f) => variantOf(f, all));
    return {
      kind: "files",
      units: units(weights.filter((f) => !variants.includes(f))),
      variants,
      subfolders,
      ggufs,
    };
  }
  if (ggufs.length > 0) return { kind: "gguf", units: units(ggufs), subfolders };
  if (subfolders.length > 0) return { kind: "components", subfolders };
  return { kind: "empty", otherWeights: files.filter((f) => OTHER_WEIGHTS.test(f)) };
}
