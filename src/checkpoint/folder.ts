// What a model folder holds: a sharded set (an index), loose .safetensors files, or several
// sub-models in subfolders (diffusers). Symbolic links count as what they lead to (a Hugging Face
// cache snapshot is a folder of links into blobs/) when the target's scope admits them; a link
// leading outside the target, or in a circle, is refused and reported instead.

import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Finding } from "../core/findings.js";
import { refusal, type TargetScope } from "../sources/scope.js";

/** Index names in order of preference; diffusers names its weights diffusion_pytorch_model. */
const PREFERRED_INDEXES = [
  "model.safetensors.index.json",
  "diffusion_pytorch_model.safetensors.index.json",
];

/** Weights in formats inspect does not read, named when a folder has no safetensors. */
const OTHER_WEIGHTS = /\.(bin|pt|pth|ckpt|gguf|h5|onnx|msgpack|npz)$/i;

export type FolderPlan =
  | { kind: "sharded"; index: string; otherIndexes: string[]; files: string[] }
  /** Units: each a shard set (by its -of-N name) or a single file; several units are separate models. */
  | { kind: "files"; units: Unit[]; variants: string[]; subfolders: string[] }
  | { kind: "components"; subfolders: string[] }
  | { kind: "empty"; otherWeights: string[] };

interface Listing {
  files: string[];
  dirs: string[];
  /** Links the scope refused, as findings. */
  refused: Finding[];
}

async function list(dir: string, scope: TargetScope): Promise<Listing> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  const dirs: string[] = [];
  const refused: Array<[string, Finding]> = [];
  await Promise.all(
    entries.map(async (e) => {
      if (e.name.startsWith(".")) return;
      let kind: "file" | "dir" | undefined;
      if (e.isDirectory()) kind = "dir";
      else if (!e.isSymbolicLink()) {
        // FIFOs, sockets and devices too: the readers refuse them by name, where skipping them
        // here would say nothing (a FIFO in place of the index would vanish without a word).
        kind = "file";
      } else if (e.isSymbolicLink()) {
        const p = path.join(dir, e.name);
        const admitted = await scope.admit(p);
        if (!admitted.ok) {
          // Only what would have been read: weights, indexes, folders.
          const st = await stat(p).catch(() => undefined);
          if (st?.isDirectory() || isWeights(e.name) || isIndex(e.name))
            refused.push([e.name, refusal(p, admitted)]);
          return;
        }
        const st = await stat(admitted.real).catch(() => undefined);
        // A dangling link (a cache blob never fetched) still names a file that should be there.
        kind = st?.isDirectory() ? "dir" : "file";
      }
      if (kind === "file") files.push(e.name);
      else if (kind === "dir") dirs.push(e.name);
    }),
  );
  files.sort();
  dirs.sort();
  refused.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { files, dirs, refused: refused.map((r) => r[1]) };
}

export interface Unit {
  /** The file name, or for a shard set its common name with the counter elided. */
  name: string;
  files: string[];
}

const isWeights = (f: string) => f.endsWith(".safetensors");

/** `model-00001-of-00003.safetensors` → `model-*-of-00003.safetensors`, grouping a set. */
function shardSetName(file: string): string | undefined {
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

async function holdsWeights(dir: string, scope: TargetScope): Promise<boolean> {
  const { files } = await list(dir, scope).catch(() => ({ files: [] as string[] }));
  return files.some((f) => isWeights(f) || isIndex(f));
}

/** What `dir` holds, and the findings for links in it that the scope refused. */
export async function planFolder(
  dir: string,
  scope: TargetScope,
): Promise<{ plan: FolderPlan; refused: Finding[] }> {
  const { files, dirs, refused } = await list(dir, scope);
  return { plan: await planListing(dir, scope, files, dirs), refused };
}

async function planListing(
  dir: string,
  scope: TargetScope,
  files: string[],
  dirs: string[],
): Promise<FolderPlan> {
  const indexes = files.filter(isIndex);
  const weights = files.filter(isWeights);
  if (indexes.length > 0) {
    const index = PREFERRED_INDEXES.find((p) => indexes.includes(p)) ?? indexes[0]!;
    return {
      kind: "sharded",
      index,
      otherIndexes: indexes.filter((i) => i !== index),
      files: weights,
    };
  }
  const subfolders = (
    await Promise.all(
      dirs.map(async (d) => ((await holdsWeights(path.join(dir, d), scope)) ? d : undefined)),
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
    };
  }
  if (subfolders.length > 0) return { kind: "components", subfolders };
  return { kind: "empty", otherWeights: files.filter((f) => OTHER_WEIGHTS.test(f)) };
}
