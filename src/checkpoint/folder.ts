// What a model folder holds: a sharded set (an index), loose .safetensors files, GGUF files (one
// per quantization, split sets), or several sub-models in subfolders (diffusers, an LM Studio
// library), as the store lists it.

import path from "node:path";
import { InspectError } from "../core/errors.js";
import { finding, type Finding } from "../core/findings.js";
import {
  COMPONENT_SEARCH_DEPTH,
  GGUF_PICK_MAX_FOLDERS,
  GGUF_PICK_SEARCH_DEPTH,
} from "../core/limits.js";
import { excerpt, group } from "../core/text.js";
import type { CheckpointStore } from "../store/store.js";
import { ggufSplitName, unsafeShardName } from "./shard-names.js";

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
  /**
   * The file name, or for a shard set its common name with the counter elided; in a GGUF tree
   * (ggufTree) both are paths below the folder searched (`Q4_K_M/m-Q4_K_M-*-of-00003.gguf`).
   */
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

/**
 * A multimodal projector: llama.cpp loads it with --mmproj beside the model, and the Hub's
 * manifest endpoint that `-hf org/name:TAG` asks returns it apart (`mmprojFile`, not
 * `ggufFile`: llama.cpp's `common_get_hf_file`); the Hub and llama.cpp tell it by "mmproj" in
 * the file name, any case.
 */
export const isProjector = (name: string) => /mmproj/i.test(path.posix.basename(name));

/**
 * Every GGUF file in `dir` and its subfolders down to GGUF_PICK_SEARCH_DEPTH (or, for `only`,
 * that one subfolder), as units whose names and files are `/`-separated paths below `dir`: each
 * file, or split set within one folder, one unit. Folders first by depth, then by name. Names
 * the store lists are untrusted (a Hub repo's): one that could lead outside `dir` is left out
 * with SHARD_NAME_UNSAFE (`refused`). Entries the store refuses to follow (links leading
 * outside) are `unsearched`: a selection that finds nothing says them after its error. Throws
 * InspectError when `dir` (or `only`) cannot be listed, or USAGE when the tree holds more than
 * GGUF_PICK_MAX_FOLDERS folders to search.
 */
export async function ggufTree(
  store: CheckpointStore,
  dir: string,
  only?: string,
): Promise<{ units: Unit[]; refused: Finding[]; unsearched: Finding[] }> {
  const out: Unit[] = [];
  const refused: Finding[] = [];
  const unsearched: Finding[] = [];
  const queue: Array<{ rel: string; depth: number }> = [
    { rel: only ?? "", depth: only !== undefined ? GGUF_PICK_SEARCH_DEPTH : 0 },
  ];
  for (let i = 0; i < queue.length; i++) {
    const { rel, depth } = queue[i]!;
    if (i >= GGUF_PICK_MAX_FOLDERS)
      throw new InspectError(
        "USAGE",
        `${dir} holds more than ${group(GGUF_PICK_MAX_FOLDERS)} folders to search for GGUF files`,
        { hint: "name the file with --file PATH (its path below the folder)" },
      );
    const at = rel === "" ? dir : path.join(dir, rel);
    let listing;
    try {
      listing = await store.list(at);
    } catch (e) {
      // The folder named must be listed; a subfolder that cannot be is searched no further.
      if (rel === (only ?? "") || !(e instanceof InspectError)) throw e;
      continue;
    }
    // Refused entries matter only when nothing is found: they may be why.
    for (const r of listing.refused ?? [])
      if (r.kind === "dir" || isGguf(r.name)) unsearched.push(r.finding);
    const safe = (name: string): string | undefined => {
      const p = rel === "" ? name : `${rel}/${name}`;
      const why = unsafeShardName(p);
      if (why === undefined) return p;
      refused.push(
        finding("SHARD_NAME_UNSAFE", `${excerpt(p, 200)} is listed in ${dir}, refused: ${why}`, {
          file: dir,
          severity: "warning",
          hint: "it is not read; name another file",
        }),
      );
      return undefined;
    };
    const ggufs = listing.files.filter(isGguf).filter((f) => safe(f) !== undefined);
    for (const u of units(ggufs)) {
      const prefix = (n: string) => (rel === "" ? n : `${rel}/${n}`);
      out.push({ name: prefix(u.name), files: u.files.map(prefix) });
    }
    if (depth < GGUF_PICK_SEARCH_DEPTH)
      for (const d of listing.dirs) {
        if (queue.length > GGUF_PICK_MAX_FOLDERS) break;
        const p = safe(d);
        if (p !== undefined) queue.push({ rel: p, depth: depth + 1 });
      }
  }
  return { units: out, refused, unsearched };
}
