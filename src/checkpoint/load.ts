// readCheckpoint: from a plan (resolve.ts) to a Checkpoint, every file read through a
// CheckpointStore: one file, standard input, a model folder (one file, shards with an index,
// loose files, or diffusers-style components) or an index file. Never throws for bad input:
// problems become findings.

import path from "node:path";
import { InspectError } from "../core/errors.js";
import { FindingSink } from "../core/finding-sink.js";
import { finding, type Finding } from "../core/findings.js";
import { MAX_ENUMERATED_SHARDS, MAX_INDEX_BYTES, MAX_LISTED_MISSING } from "../core/limits.js";
import { group } from "../core/text.js";
import { randomNameKey, type NameKey } from "../formats/name-digest.js";
import { readIndexDigests, readIndexJson } from "../formats/safetensors/index-json.js";
import { predictFromIndex } from "../formats/safetensors/predict.js";
import { readWeights, tensorsOf, type ReadOptions, type WeightsFile } from "../formats/weights.js";
import type { ByteSource } from "../sources/source.js";
import { StdinSource } from "../sources/stdin-source.js";
import { LocalStore } from "../store/local.js";
import { TargetScope } from "../store/scope.js";
import type { CheckpointStore, ReadManyOptions } from "../store/store.js";
import type { Checkpoint, PartialFacts } from "./checkpoint.js";
import { readConfig } from "./config-file.js";
import { checkFiles, checkShards, type ShardIndexContent, type ShardRead } from "./cross-check.js";
import { ggufTree, planFolder, type Unit } from "./folder.js";
import { STDIN_TARGET, type TargetPlan } from "./resolve.js";
import { pickUnit, type GgufSelect } from "./gguf-pick.js";
import { checkSplit, type SplitPart } from "./gguf-split.js";
import {
  ggufSplitName,
  ggufSplitPart,
  shardNumber,
  shardPath,
  shardSet,
  siblingShard,
  unsafeShardName,
} from "./shard-names.js";

export { STDIN_TARGET };

function byShardNumber(a: string, b: string): number {
  const x = shardNumber(a)?.index;
  const y = shardNumber(b)?.index;
  if (x !== undefined && y !== undefined && x !== y) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** false: check an index against its shards with the tensor map only, never digests (tests). */
  indexDigests?: boolean;
  /** Read what symbolic links lead to wherever it is (--follow-symlinks); default: only inside. */
  followSymlinks?: boolean;
  /** One of a folder's GGUF files, by quantization (`org/name:Q4_K_M`) or name (--file). */
  select?: GgufSelect;
}

async function readSource(src: ByteSource, options: ReadOptions = {}): Promise<WeightsFile> {
  try {
    return await readWeights(src, options);
  } finally {
    await src.close();
  }
}

/**
 * The files of a checkpoint, through the store, in the order of `paths` (undefined where one
 * could not be read); a missing or unreadable part is an error of the checkpoint
 * (SHARD_MISSING), capped per code as it is found: an index naming 160,000 absent shards
 * builds 20 findings and a count, not 160,000 findings to drop.
 */
async function readParts(
  store: CheckpointStore,
  paths: readonly string[],
  nameKey?: NameKey,
  byIndex: ReadManyOptions = {},
): Promise<{ parts: Array<WeightsFile | undefined>; findings: Finding[] }> {
  const options = nameKey ? { nameKey } : {};
  const read = await store.readMany(paths, (src) => readWeights(src, options), byIndex);
  const sink = new FindingSink();
  const parts = read.map((r, i) => {
    if (!(r instanceof InspectError)) return r;
    partError(sink, paths[i]!, r);
    return undefined;
  });
  return { parts, findings: sink.finish() };
}

/**
 * Each shard's predicted header size by its path, from the index's bytes: computed on the first
 * question only (a remote store asks; a local one never does, and the pass over a large index
 * costs milliseconds).
 */
function predictions(
  index: Buffer,
  shards: ReadonlyArray<{ name: string; path: string }>,
): (path: string) => number | undefined {
  let byPath: Map<string, number> | undefined;
  return (p) => {
    if (byPath === undefined) {
      const byName = predictFromIndex(index);
      byPath = new Map();
      for (const s of shards) {
        const n = byName.get(s.name);
        if (n !== undefined) byPath.set(s.path, n);
      }
    }
    return byPath.get(p);
  };
}

function partError(sink: FindingSink, p: string, e: InspectError): void {
  // A link the store refused is named as such, not as a missing shard (and said once, after
  // the folder's listing named it too: dedupeLinks).
  if (e.code === "LINK_OUTSIDE_TARGET" || e.code === "LINK_LOOP") {
    sink.push(e.toFinding(p));
    return;
  }
  const missing = e.code === "TARGET_NOT_FOUND";
  sink.add(
    "SHARD_MISSING",
    () =>
      missing
        ? `${path.basename(p)} is missing`
        : `${path.basename(p)} cannot be read: ${e.message}`,
    {
      file: p,
      hint: missing ? "the download is incomplete; fetch the missing file" : undefined,
    },
  );
}

const failed = (
  target: string,
  e: InspectError,
  kind: Checkpoint["kind"] = "file",
): Checkpoint => ({
  target,
  kind,
  files: [],
  findings: [e.toFinding(target)],
});

async function loadSharded(
  store: CheckpointStore,
  target: string,
  dir: string,
  indexName: string,
  extra: Finding[],
  options: LoadOptions,
  folderFiles?: readonly string[],
): Promise<Checkpoint> {
  const indexPath = path.join(dir, indexName);
  const config = await readConfig(store, dir);
  const findings: Finding[] = [...extra, ...config.findings];
  const base: Checkpoint = {
    target,
    kind: "sharded",
    root: dir,
    files: [],
    findings,
    ...(config.config !== undefined ? { config: config.config, configPath: config.path } : {}),
  };
  let bytes: Buffer;
  try {
    const read = await store.readSmall(indexPath, MAX_INDEX_BYTES);
    if ("tooLarge" in read) {
      throw new InspectError(
        "INDEX_INVALID",
        `${indexName} is ${group(read.tooLarge)} bytes, above the ${group(MAX_INDEX_BYTES)} an index may take`,
      );
    }
    bytes = read.bytes;
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    findings.push(
      e.code === "INDEX_INVALID" || e.code === "LINK_OUTSIDE_TARGET" || e.code === "LINK_LOOP"
        ? e.toFinding(indexPath)
        : finding("INDEX_INVALID", `${indexName} cannot be read: it ${e.message}`, {
            file: indexPath,
          }),
    );
    return dedupeLinks(base);
  }
  // The index is checked against the shards by per-shard digests of the names under a key of
  // this run (cross-check.ts); the tensor → shard map is built only when they disagree, or when
  // the index must be read in full to report what is wrong with it.
  const nameKey = options.indexDigests === false ? undefined : randomNameKey();
  const digests = nameKey ? readIndexDigests(bytes, nameKey) : undefined;
  let index: ShardIndexContent & { totalParameters?: bigint; tensorCount: number };
  let shardsListed: Iterable<string>;
  if (digests) {
    let map: ReadonlyMap<string, string> | undefined;
    index = {
      weightMap: () => (map ??= readIndexJson(bytes).weightMap),
      listed: digests.listed,
      tensorCount: digests.tensorCount,
      ...(digests.totalSize !== undefined ? { totalSize: digests.totalSize } : {}),
      ...(digests.totalParameters !== undefined
        ? { totalParameters: digests.totalParameters }
        : {}),
    };
    shardsListed = digests.listed.keys();
  } else {
    let full;
    try {
      full = readIndexJson(bytes);
    } catch (e) {
      if (!(e instanceof InspectError)) throw e;
      findings.push(e.toFinding(indexPath));
      return base;
    }
    for (const f of full.findings) findings.push({ ...f, file: indexPath });
    const map = full.weightMap;
    index = {
      weightMap: () => map,
      tensorCount: map.size,
      ...(full.totalSize !== undefined ? { totalSize: full.totalSize } : {}),
      ...(full.totalParameters !== undefined ? { totalParameters: full.totalParameters } : {}),
    };
    shardsListed = new Set(map.values());
  }
  // Shards in name order (model-00001… first), whatever order weight_map lists tensors in.
  const shards = [...shardsListed].sort(byShardNumber);
  const safe: Array<{ name: string; path: string }> = [];
  for (const name of shards) {
    const why = unsafeShardName(name);
    const p = why ? undefined : shardPath(dir, name);
    if (p === undefined) {
      findings.push(
        finding(
          "SHARD_NAME_UNSAFE",
          `the index names shard "${name}", refused: ${why ?? "it resolves outside the folder"}`,
          { file: indexPath },
        ),
      );
    } else safe.push({ name, path: p });
  }
  const read = await readParts(
    store,
    safe.map((s) => s.path),
    nameKey,
    { indexBytes: bytes.length, predictedHeaderBytes: predictions(bytes, safe) },
  );
  for (const f of read.findings) findings.push(f);
  const files: WeightsFile[] = [];
  const shardReads: ShardRead[] = safe.map((s, i) => {
    const r = read.parts[i];
    if (r === undefined) return { name: s.name };
    files.push(r);
    // A GGUF file named by a safetensors index is not one of its shards.
    return r.format === "safetensors" ? { name: s.name, file: r } : { name: s.name };
  });
  for (const f of checkShards(index, shardReads)) findings.push(f);
  // Refused names and shards not read (missing, not safetensors, unreadable) leave totals partial.
  const readNames = new Set(shardReads.filter((r) => r.file?.header).map((r) => r.name));
  const missing = shards.filter((n) => !readNames.has(n));
  if (folderFiles) {
    const named = new Set(safe.map((s) => path.normalize(s.name)));
    for (const f of folderFiles) {
      if (!named.has(f)) {
        const st = await store.stat(path.join(dir, f));
        findings.push(
          finding(
            "UNREFERENCED_WEIGHTS",
            `${f}${st ? ` (${group(st.size)} bytes)` : ""} is in the folder but not named by ${indexName}; not counted`,
            {
              file: path.join(dir, f),
              hint: "often a consolidated copy of the same weights; inspect it on its own",
            },
          ),
        );
      }
    }
  }
  return dedupeLinks({
    ...base,
    files,
    ...(missing.length > 0
      ? {
          partial: {
            shards: shards.length,
            missingCount: missing.length,
            missing: missing.slice(0, MAX_LISTED_MISSING),
          },
        }
      : {}),
    index: {
      path: indexPath,
      totalSize: index.totalSize,
      totalParameters: index.totalParameters,
      shards,
      tensorCount: index.tensorCount,
    },
  });
}

/** A shard linked outside is refused twice (listing the folder, reading the index): say it once. */
function dedupeLinks(cp: Checkpoint): Checkpoint {
  const said = new Set<string>();
  cp.findings = cp.findings.filter((f) => {
    if (f.code !== "LINK_OUTSIDE_TARGET" && f.code !== "LINK_LOOP") return true;
    const key = `${f.code}\u0000${f.file}`;
    if (said.has(key)) return false;
    said.add(key);
    return true;
  });
  return cp;
}

async function loadFiles(
  store: CheckpointStore,
  target: string,
  dir: string,
  names: readonly string[],
  extra: Finding[],
): Promise<Checkpoint> {
  const config = await readConfig(store, dir);
  const findings: Finding[] = [...extra, ...config.findings];
  const read = await readParts(
    store,
    names.map((n) => path.join(dir, n)),
  );
  for (const f of read.findings) findings.push(f);
  const files: WeightsFile[] = [];
  for (const r of read.parts) if (r !== undefined) files.push(r);
  const safetensors = files.flatMap((f) => (f.format === "safetensors" ? [f] : []));
  if (safetensors.length > 1) for (const f of checkFiles(safetensors, names)) findings.push(f);
  const partial = missingFromSets(
    names,
    new Set(files.filter((f) => tensorsOf(f)).map((f) => path.basename(f.name))),
  );
  return {
    target,
    kind: "files",
    root: dir,
    files,
    findings,
    ...(partial ? { partial } : {}),
    ...(config.config !== undefined ? { config: config.config, configPath: config.path } : {}),
  };
}

/**
 * Loose files named `-of-N`: the shards of their sets that are absent or were not read. A set is
 * numbered 1..N, or 0..N when shard 0 is present (OpenAI's gpt-oss).
 */
function missingFromSets(
  names: readonly string[],
  read: ReadonlySet<string>,
): PartialFacts | undefined {
  const sets = new Map<string, { count: number; zero: boolean; names: string[] }>();
  const missing: string[] = [];
  let missingCount = 0;
  let shards = 0;
  for (const full of names) {
    const n = path.basename(full);
    const s = shardNumber(n);
    if (!s) {
      shards++;
      if (!read.has(n)) {
        missingCount++;
        missing.push(n);
      }
      continue;
    }
    const key = siblingShard(n, 0);
    const set = sets.get(key) ?? { count: s.count, zero: false, names: [] };
    set.zero ||= s.index === 0;
    set.names.push(n);
    sets.set(key, set);
  }
  for (const set of sets.values()) {
    const first = set.zero ? 0 : 1;
    const files = set.count - first + 1;
    shards += Math.max(files, set.names.length);
    const have = new Set(set.names.filter((n) => read.has(n)));
    missingCount += Math.max(0, files - have.size);
    if (files > MAX_ENUMERATED_SHARDS) continue;
    for (let i = first; i <= set.count && missing.length < MAX_LISTED_MISSING; i++) {
      const sib = siblingShard(set.names[0]!, i);
      if (!have.has(sib)) missing.push(sib);
    }
  }
  if (missingCount === 0) return undefined;
  return { shards, missingCount, missing };
}

/**
 * A GGUF split set, from any of its parts: every part named `prefix-0000N-of-0000M.gguf` read in
 * order, the set checked as llama.cpp's loader checks it (gguf-split.ts), the parts absent or
 * unreadable named and the totals marked partial. `present` is the folder's listing when the
 * caller has it; otherwise the folder is listed here.
 */
async function loadGgufSplit(
  store: CheckpointStore,
  target: string,
  dir: string,
  member: string,
  present?: readonly string[],
  extra: Finding[] = [],
): Promise<Checkpoint> {
  const { prefix, count } = ggufSplitName(member)!;
  let names = present;
  if (names === undefined) {
    const listed = await store.list(dir).catch(() => ({ files: [member] }));
    names = listed.files;
  }
  const here = new Set(names.filter((n) => ggufSplitName(n)?.prefix === prefix));
  here.add(member);
  const parts: SplitPart[] = [];
  const absent: string[] = [];
  let absentCount = 0;
  // The count is at most 99,999 (five digits): enumerating it is bounded.
  for (let i = 1; i <= count; i++) {
    const name = ggufSplitPart(prefix, i, count);
    if (here.has(name)) parts.push({ name, path: path.join(dir, name), number: i });
    else {
      absentCount++;
      if (absent.length < MAX_LISTED_MISSING) absent.push(name);
    }
  }
  const findings: Finding[] = [...extra];
  const read = await readParts(
    store,
    parts.map((p) => p.path),
  );
  for (const f of read.findings) findings.push(f);
  const files: WeightsFile[] = [];
  const unread: string[] = [];
  parts.forEach((p, i) => {
    const r = read.parts[i];
    if (r === undefined) {
      unread.push(p.name);
      return;
    }
    files.push(r);
    if (r.format === "gguf") {
      p.file = r;
      // The model's keys are the first part's: a later part has no general.architecture.
      if (p.number > 1) r.findings = r.findings.filter((f) => f.code !== "GGUF_NO_ARCHITECTURE");
    } else {
      unread.push(p.name);
      findings.push(
        finding(
          "SHARD_MISSING",
          `${p.name} is named as a part of a GGUF split set but is not GGUF`,
          {
            file: p.path,
            hint: "its own findings say what it is; fetch the real part",
          },
        ),
      );
    }
  });
  for (const name of absent)
    findings.push(
      finding("SHARD_MISSING", `${name} is missing: part of the split set ${prefix}`, {
        file: path.join(dir, name),
        hint: "the download is incomplete; fetch the missing part",
      }),
    );
  findings.push(...checkSplit(parts, count));
  const missingCount = absentCount + unread.length;
  return {
    target,
    kind: "split",
    root: dir,
    files,
    findings,
    ...(missingCount > 0
      ? {
          partial: {
            shards: count,
            missingCount,
            missing: [...unread, ...absent].slice(0, MAX_LISTED_MISSING),
            gguf: true,
          },
        }
      : {}),
  };
}

async function loadFolder(
  store: CheckpointStore,
  target: string,
  dir: string,
  options: LoadOptions,
  listed: Finding[] = [],
): Promise<Checkpoint> {
  const select = options.select;
  if (select) return pickFromFolder(store, target, dir, select, listed);
  let plan;
  let extra: Finding[];
  try {
    const planned = await planFolder(store, dir);
    plan = planned.plan;
    extra = [...listed, ...planned.refused];
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    return failed(target, e);
  }
  // What is inside is read without the selection: it applies to this folder's files only.
  const inner: LoadOptions = { ...options };
  delete inner.select;
  switch (plan.kind) {
    case "sharded": {
      const notes = plan.otherIndexes.map((i) =>
        finding(
          "UNREFERENCED_WEIGHTS",
          `${i} is another index in the folder; ${plan.index} was read`,
          { file: path.join(dir, i) },
        ),
      );
      return loadSharded(
        store,
        target,
        dir,
        plan.index,
        [...extra, ...notes, ...ggufBeside(dir, plan.ggufs)],
        options,
        plan.files,
      );
    }
    case "files": {
      const notes = plan.variants.map((v) =>
        finding(
          "UNREFERENCED_WEIGHTS",
          `${v} is a variant of another file in the folder; not counted`,
          {
            file: path.join(dir, v),
            hint: "inspect it on its own",
          },
        ),
      );
      if (plan.subfolders.length > 0) {
        notes.push(
          finding(
            "UNREFERENCED_WEIGHTS",
            `subfolders ${plan.subfolders.join(", ")} also hold weights; not counted`,
            {
              hint: "inspect them on their own",
            },
          ),
        );
      }
      notes.push(...ggufBeside(dir, plan.ggufs));
      const [only] = plan.units;
      if (plan.units.length === 1 && only)
        return loadFiles(store, target, dir, only.files, [...extra, ...notes]);
      // Several unrelated files (or shard sets): separate models, reported one by one.
      const components = await Promise.all(
        plan.units.map(async (u) => ({
          name: u.name,
          checkpoint: await loadFiles(store, path.join(target, u.name), dir, u.files, []),
        })),
      );
      return components_(target, dir, components, [...extra, ...notes]);
    }
    case "components": {
      const nested = await Promise.all(
        plan.subfolders.map(async (name) => ({
          name,
          checkpoint: await loadFolder(store, path.join(target, name), path.join(dir, name), inner),
        })),
      );
      // One level of components: a subfolder that is itself several models lists them as sub/name.
      const components = nested.flatMap((c) =>
        c.checkpoint.components
          ? c.checkpoint.components.map((d) => ({
              name: `${c.name}/${d.name}`,
              checkpoint: d.checkpoint,
            }))
          : [c],
      );
      return components_(target, dir, components, extra);
    }
    case "gguf": {
      const notes =
        plan.subfolders.length > 0
          ? [
              finding(
                "UNREFERENCED_WEIGHTS",
                `subfolders ${plan.subfolders.join(", ")} also hold weights; not counted`,
                { hint: "inspect them on their own" },
              ),
            ]
          : [];
      const names = plan.units.flatMap((u) => u.files);
      const one = (u: Unit, name: string, found: Finding[]) =>
        loadGgufUnit(store, name, dir, u, names, found);
      const [only] = plan.units;
      if (plan.units.length === 1 && only) return one(only, target, [...extra, ...notes]);
      // One file per quantization (or an unrelated model beside): alternatives, one row each.
      const components = await Promise.all(
        plan.units.map(async (u) => ({
          name: u.name,
          checkpoint: await one(u, path.join(target, u.name), []),
        })),
      );
      return components_(target, dir, components, [...extra, ...notes]);
    }
    case "empty":
      return emptyFolder(target, dir, plan.otherWeights, extra);
  }
}

/** A GGUF unit of `dir`: one file, or a split set read whole from any of its parts. */
function loadGgufUnit(
  store: CheckpointStore,
  target: string,
  dir: string,
  u: Unit,
  present: readonly string[],
  found: Finding[],
): Promise<Checkpoint> {
  return u.files.length > 1 || (ggufSplitName(u.files[0]!)?.count ?? 1) > 1
    ? loadGgufSplit(store, target, dir, u.files[0]!, present, found)
    : loadFiles(store, target, dir, u.files, found);
}

/**
 * `org/name:TAG` or --file: the one GGUF model of the folder's tree the selection names
 * (gguf-pick.ts), read from the folder it is in; a usage error, nothing read, when none or
 * several are.
 */
async function pickFromFolder(
  store: CheckpointStore,
  target: string,
  dir: string,
  select: GgufSelect,
  listed: Finding[],
): Promise<Checkpoint> {
  try {
    // --file FOLDER/NAME lists that folder alone (checked to stay inside first).
    const file = select.file;
    const folder = file?.includes("/") ? path.posix.dirname(file) : undefined;
    const why = folder !== undefined ? unsafeShardName(file!) : undefined;
    if (why !== undefined)
      throw new InspectError("USAGE", `--file ${file!}: refused: ${why}`, {
        hint: "name a file by its path below the folder, without '..'",
      });
    const tree = await ggufTree(store, dir, folder);
    if (tree.units.length === 0)
      throw new InspectError(
        "USAGE",
        `${target} holds no GGUF files to pick ${select.quant !== undefined ? `the quantization ${select.quant}` : `--file ${select.file}`} from`,
        { hint: "name the target alone to inspect what it holds" },
      );
    let u: Unit;
    try {
      u = pickUnit(target, tree.units, select);
    } catch (e) {
      // What was not searched may be why nothing was found: said after the usage error.
      if (!(e instanceof InspectError)) throw e;
      const cp = failed(target, e);
      cp.findings.push(...tree.unsearched);
      return cp;
    }
    // Read in its own folder, by its names there.
    const sub = path.posix.dirname(u.files[0]!);
    const base = (f: string) => path.posix.basename(f);
    const at = sub === "." ? dir : path.join(dir, sub);
    const here = tree.units.flatMap((x) =>
      path.posix.dirname(x.files[0]!) === sub ? x.files.map(base) : [],
    );
    return await loadGgufUnit(
      store,
      target,
      at,
      { name: base(u.name), files: u.files.map(base) },
      here,
      [...listed, ...tree.refused],
    );
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    return failed(target, e);
  }
}

/** GGUF files in a folder of safetensors weights: another copy of the model, not counted. */
function ggufBeside(dir: string, ggufs: readonly string[]): Finding[] {
  if (ggufs.length === 0) return [];
  const shown = ggufs.slice(0, 3).join(", ") + (ggufs.length > 3 ? `, … (${ggufs.length})` : "");
  return [
    finding(
      "UNREFERENCED_WEIGHTS",
      `GGUF files beside the safetensors weights: ${shown}; not counted`,
      {
        file: path.join(dir, ggufs[0]!),
        hint: "a GGUF conversion of the same model, usually; inspect each file on its own",
      },
    ),
  ];
}

function components_(
  target: string,
  dir: string,
  components: NonNullable<Checkpoint["components"]>,
  findings: Finding[],
): Checkpoint {
  // GGUF models in one folder are alternatives (quantizations, a library), never loaded together.
  const files = components.flatMap((c) => c.checkpoint.files);
  const alternatives = files.length > 0 && files.every((f) => f.format === "gguf");
  return {
    target,
    kind: "components",
    root: dir,
    files,
    components,
    findings,
    ...(alternatives ? { alternatives } : {}),
  };
}

function emptyFolder(target: string, dir: string, others: string[], found: Finding[]): Checkpoint {
  const hint =
    others.length > 0
      ? `it holds ${others.slice(0, 3).join(", ")}${others.length > 3 ? ", …" : ""}: only safetensors and GGUF weights can be inspected`
      : "name a .safetensors or .gguf file, a model folder, an index file or a cached repo id";
  const cp = failed(
    target,
    new InspectError("TARGET_NO_WEIGHTS", "folder holds no .safetensors or .gguf weights", {
      hint,
    }),
    "files",
  );
  // Weights refused in it (links that lead outside) say why there is nothing to read.
  cp.findings.push(...found);
  return cp;
}

/**
 * Reads a plan from the local disk, kept to the target: the folder named (for a cache entry, its
 * snapshot and the repo's blobs/), or for a file, the folder it is in (its config.json); the
 * file named itself is read wherever a link takes it. The checkpoint carries the scope, so that
 * verification reads no further.
 */
export async function readLocal(
  target: string,
  plan: TargetPlan,
  options: LoadOptions = {},
): Promise<Checkpoint> {
  const root =
    plan.kind === "folder" || plan.kind === "index"
      ? plan.dir
      : plan.kind === "file"
        ? path.dirname(plan.path)
        : undefined;
  const scope =
    root === undefined
      ? undefined
      : await TargetScope.of(
          [root],
          options.followSymlinks,
          plan.kind === "file" ? [plan.path] : [],
        );
  const cp = await readCheckpoint(new LocalStore(scope), target, plan, options);
  if (scope !== undefined) cp.scope = scope;
  return cp;
}

/** Reads what `plan` names from `store`; `target` is the name the report goes by. */
export async function readCheckpoint(
  store: CheckpointStore,
  target: string,
  plan: TargetPlan,
  options: LoadOptions = {},
): Promise<Checkpoint> {
  return withConfigContext(await readPlan(store, target, plan, options));
}

/**
 * Beside a transformers config, a `__metadata__` without `format` is a real problem: recent
 * from_pretrained refuses the file ("Incompatible safetensors file"). Without one it is a fact.
 */
function withConfigContext(cp: Checkpoint): Checkpoint {
  for (const c of cp.components ?? []) withConfigContext(c.checkpoint);
  const c = cp.config;
  const transformers =
    typeof c === "object" &&
    c !== null &&
    ("transformers_version" in c || "architectures" in c || "model_type" in c);
  if (!transformers) return cp;
  for (const f of cp.files) {
    f.findings = f.findings.map((x) =>
      x.code === "METADATA_FORMAT"
        ? {
            ...x,
            severity: "warning",
            hint: "config.json marks a transformers model, and from_pretrained refuses such a file; add format=pt",
          }
        : x,
    );
  }
  return cp;
}

async function readPlan(
  store: CheckpointStore,
  target: string,
  plan: TargetPlan,
  options: LoadOptions,
): Promise<Checkpoint> {
  switch (plan.kind) {
    case "stream":
      try {
        return {
          target,
          kind: "stream",
          files: [await readSource(StdinSource.open())],
          findings: [],
        };
      } catch (e) {
        if (!(e instanceof InspectError)) throw e;
        return failed("<stdin>", e, "stream");
      }
    case "failed":
      return failed(target, plan.error, plan.as);
    case "folder":
      return loadFolder(store, target, plan.dir, options, plan.notes);
    case "index":
      return loadSharded(store, target, plan.dir, plan.index, [], options);
    case "file": {
      // Any part of a GGUF split set stands for the set, as its folder would.
      const split = ggufSplitName(path.basename(plan.path));
      if (split && split.count > 1)
        return loadGgufSplit(store, target, path.dirname(plan.path), path.basename(plan.path));
      try {
        const file = await readSource(await store.open(plan.path));
        return {
          target,
          kind: "file",
          files: [file],
          findings: [],
          ...oneShardOfSet(plan.path),
          ...(await configBeside(store, plan.path)),
        };
      } catch (e) {
        if (!(e instanceof InspectError)) throw e;
        return failed(target, e);
      }
    }
  }
}

/**
 * A file named `…-00002-of-00004.safetensors` is one shard of a set: not the model. Its totals
 * are the shard's, and config.json is compared with it only where one shard can show it.
 */
function oneShardOfSet(file: string): Pick<Checkpoint, "partial" | "findings"> | undefined {
  const name = path.basename(file);
  const set = shardSet(name);
  const s = shardNumber(name);
  if (!set || !s || set.files < 2) return undefined;
  return {
    partial: {
      shards: set.files,
      missingCount: set.files - 1,
      missing: [],
      alone: { shard: s.index, name },
    },
    findings: [
      finding(
        "SHARD_ALONE",
        `${name} is one shard of ${set.files}, inspected on its own: totals are this shard's, and config.json is compared only where one shard can show it`,
        {
          file,
          hint: "name the folder or the index file to inspect the whole model",
        },
      ),
    ],
  };
}

/** A single file's config.json, when it sits in a model folder. */
async function configBeside(
  store: CheckpointStore,
  file: string,
): Promise<Pick<Checkpoint, "config" | "configPath">> {
  const c = await readConfig(store, path.dirname(file));
  return c.config !== undefined ? { config: c.config, configPath: c.path } : {};
}
