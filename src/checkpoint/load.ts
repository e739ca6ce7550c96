// From a command-line target to a Checkpoint: a file, standard input, a model folder (one file,
// shards with an index, loose files, or diffusers-style components), an index file, a Hugging Face
// cache folder, or a repo id found in the local cache. Never throws for bad input: problems
// become findings.

import { readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { InspectError } from "../core/errors.js";
import { finding, type Finding } from "../core/findings.js";
import { MAX_INDEX_BYTES, SHARD_CONCURRENCY, SHARD_SYNC_MIN_INDEX_BYTES } from "../core/limits.js";
import { group } from "../core/text.js";
import { randomNameKey, type NameKey } from "../formats/name-digest.js";
import { readIndexDigests, readIndexJson } from "../formats/safetensors/index-json.js";
import {
  readSafetensors,
  type ReadOptions,
  type SafetensorsFile,
} from "../formats/safetensors/read.js";
import { FileSource, openError } from "../sources/file-source.js";
import type { ByteSource } from "../sources/source.js";
import { StdinSource } from "../sources/stdin-source.js";
import { SyncFileSource } from "../sources/sync-file-source.js";
import type { Checkpoint } from "./checkpoint.js";
import { readConfig } from "./config-file.js";
import { checkFiles, checkShards, type ShardIndexContent, type ShardRead } from "./cross-check.js";
import { planFolder } from "./folder.js";
import { hubCacheDir, isCacheRepoFolder, parseRepoId, resolveSnapshot } from "./hf-cache.js";
import { mapBounded } from "./pool.js";
import { shardNumber, shardPath, unsafeShardName } from "./shard-names.js";

export const STDIN_TARGET = "-";

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
}

async function readSource(src: ByteSource, options: ReadOptions = {}): Promise<SafetensorsFile> {
  try {
    return await readSafetensors(src, options);
  } finally {
    await src.close();
  }
}

interface PartOptions {
  /** Digest the tensor names under this key (header.nameDigest), to check an index against. */
  nameKey?: NameKey | undefined;
  /** Blocking reads (SyncFileSource): for a checkpoint whose parsing, not I/O, takes the time. */
  sync?: boolean;
}

/** One file inside a checkpoint: a missing or unreadable part is an error of the checkpoint. */
async function readPart(p: string, options: PartOptions = {}): Promise<SafetensorsFile | Finding> {
  try {
    const src = options.sync ? SyncFileSource.open(p) : await FileSource.open(p);
    return await readSource(src, options.nameKey ? { nameKey: options.nameKey } : {});
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    const missing = e.code === "TARGET_NOT_FOUND";
    return finding(
      "SHARD_MISSING",
      missing
        ? `${path.basename(p)} is missing`
        : `${path.basename(p)} cannot be read: ${e.message}`,
      {
        file: p,
        hint: missing ? "the download is incomplete; fetch the missing file" : undefined,
      },
    );
  }
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
  target: string,
  dir: string,
  indexName: string,
  extra: Finding[],
  options: LoadOptions,
  folderFiles?: readonly string[],
): Promise<Checkpoint> {
  const indexPath = path.join(dir, indexName);
  const config = await readConfig(dir);
  const findings: Finding[] = [...extra];
  if (config.finding) findings.push(config.finding);
  const base: Checkpoint = {
    target,
    kind: "sharded",
    root: dir,
    files: [],
    findings,
    ...(config.config !== undefined ? { config: config.config, configPath: config.path } : {}),
  };
  let bytes: Buffer;
  let large = false;
  try {
    const st = await stat(indexPath);
    if (st.size > MAX_INDEX_BYTES) {
      throw new InspectError(
        "INDEX_INVALID",
        `${indexName} is ${group(st.size)} bytes, above the ${group(MAX_INDEX_BYTES)} an index may take`,
      );
    }
    large = st.size >= SHARD_SYNC_MIN_INDEX_BYTES;
    // A large index in one blocking read, not in promise-based chunks of 512 KiB.
    bytes = large ? readFileSync(indexPath) : await readFile(indexPath);
  } catch (e) {
    findings.push(
      e instanceof InspectError
        ? e.toFinding(indexPath)
        : finding(
            "INDEX_INVALID",
            `${indexName} cannot be read (${(e as NodeJS.ErrnoException).code})`,
            { file: indexPath },
          ),
    );
    return base;
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
  const read: Array<SafetensorsFile | Finding> = [];
  if (large) {
    // Parsing, not waiting, is what takes the time: one after another, with blocking reads.
    for (const s of safe) read.push(await readPart(s.path, { nameKey, sync: true }));
  } else {
    for (const r of await mapBounded(safe, SHARD_CONCURRENCY, (s) => readPart(s.path, { nameKey })))
      read.push(r);
  }
  const files: SafetensorsFile[] = [];
  const shardReads: ShardRead[] = safe.map((s, i) => {
    const r = read[i]!;
    if ("code" in r) {
      findings.push(r);
      return { name: s.name };
    }
    files.push(r);
    return { name: s.name, file: r };
  });
  for (const f of checkShards(index, shardReads)) findings.push(f);
  if (folderFiles) {
    const named = new Set(safe.map((s) => path.normalize(s.name)));
    for (const f of folderFiles) {
      if (!named.has(f)) {
        const st = await stat(path.join(dir, f)).catch(() => undefined);
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
  return {
    ...base,
    files,
    index: {
      path: indexPath,
      totalSize: index.totalSize,
      totalParameters: index.totalParameters,
      shards,
      tensorCount: index.tensorCount,
    },
  };
}

async function loadFiles(
  target: string,
  dir: string,
  names: readonly string[],
  extra: Finding[],
): Promise<Checkpoint> {
  const config = await readConfig(dir);
  const findings: Finding[] = [...extra];
  if (config.finding) findings.push(config.finding);
  const read = await mapBounded(names, SHARD_CONCURRENCY, (n) => readPart(path.join(dir, n)));
  const files: SafetensorsFile[] = [];
  for (const r of read) {
    if ("code" in r) findings.push(r);
    else files.push(r);
  }
  if (files.length > 1) for (const f of checkFiles(files, names)) findings.push(f);
  return {
    target,
    kind: "files",
    root: dir,
    files,
    findings,
    ...(config.config !== undefined ? { config: config.config, configPath: config.path } : {}),
  };
}

async function loadFolder(
  target: string,
  dir: string,
  options: LoadOptions,
  extra: Finding[] = [],
): Promise<Checkpoint> {
  let plan;
  try {
    plan = await planFolder(dir);
  } catch (e) {
    return failed(target, openError(e));
  }
  switch (plan.kind) {
    case "sharded": {
      const notes = plan.otherIndexes.map((i) =>
        finding(
          "UNREFERENCED_WEIGHTS",
          `${i} is another index in the folder; ${plan.index} was read`,
          { file: path.join(dir, i) },
        ),
      );
      return loadSharded(target, dir, plan.index, [...extra, ...notes], options, plan.files);
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
      const [only] = plan.units;
      if (plan.units.length === 1 && only)
        return loadFiles(target, dir, only.files, [...extra, ...notes]);
      // Several unrelated files (or shard sets): separate models, reported one by one.
      const components = await Promise.all(
        plan.units.map(async (u) => ({
          name: u.name,
          checkpoint: await loadFiles(path.join(target, u.name), dir, u.files, []),
        })),
      );
      return components_(target, dir, components, [...extra, ...notes]);
    }
    case "components": {
      const nested = await Promise.all(
        plan.subfolders.map(async (name) => ({
          name,
          checkpoint: await loadFolder(path.join(target, name), path.join(dir, name), options),
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
    case "empty":
      return emptyFolder(target, dir, plan.otherWeights);
  }
}

function components_(
  target: string,
  dir: string,
  components: NonNullable<Checkpoint["components"]>,
  findings: Finding[],
): Checkpoint {
  return {
    target,
    kind: "components",
    root: dir,
    files: components.flatMap((c) => c.checkpoint.files),
    components,
    findings,
  };
}

function emptyFolder(target: string, dir: string, others: string[]): Checkpoint {
  const hint =
    others.length > 0
      ? `it holds ${others.slice(0, 3).join(", ")}${others.length > 3 ? ", …" : ""}: only safetensors weights can be inspected`
      : "name a .safetensors file, a model folder, an index file or a cached repo id";
  return failed(
    target,
    new InspectError("TARGET_NO_WEIGHTS", "folder holds no .safetensors weights", { hint }),
    "files",
  );
}

/** A cache folder `models--org--name`: the snapshot refs/main (or `revision`) points to. */
async function loadCacheRepo(
  target: string,
  repoDir: string,
  options: LoadOptions,
  revision?: string,
): Promise<Checkpoint> {
  try {
    const snap = await resolveSnapshot(repoDir, revision);
    const note = finding("CACHE_SNAPSHOT", `reading cache snapshot ${snap.how}`, {
      file: snap.dir,
    });
    return await loadFolder(target, snap.dir, options, [note]);
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    return failed(target, e);
  }
}

/** Resolves a target and reads it. */
export async function loadCheckpoint(
  target: string,
  options: LoadOptions = {},
): Promise<Checkpoint> {
  return withConfigContext(await resolveAndRead(target, options));
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

async function resolveAndRead(target: string, options: LoadOptions): Promise<Checkpoint> {
  if (target === STDIN_TARGET) {
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
  }
  const st = await stat(target).catch((e: unknown) => e as NodeJS.ErrnoException);
  if (st instanceof Error) {
    const repo = st.code === "ENOENT" ? parseRepoId(target) : undefined;
    if (repo) {
      const cache = hubCacheDir(options.env ?? process.env);
      const repoDir = path.join(cache, repo.folder);
      if (
        await stat(repoDir).then(
          (s) => s.isDirectory(),
          () => false,
        )
      )
        return loadCacheRepo(target, repoDir, options, repo.revision);
      return failed(
        target,
        new InspectError(
          "TARGET_NOT_CACHED",
          `no such file, and ${repo.repo} is not in the Hugging Face cache (${cache})`,
          {
            hint: `download it with \`hf download ${repo.repo}\`; reading from the Hub directly is planned`,
          },
        ),
      );
    }
    return failed(target, openError(st));
  }
  if (st.isDirectory()) {
    return isCacheRepoFolder(target)
      ? loadCacheRepo(target, target, options)
      : loadFolder(target, target, options);
  }
  if (target.endsWith(".safetensors.index.json")) {
    return loadSharded(target, path.dirname(target), path.basename(target), [], options);
  }
  try {
    const file = await readSource(await FileSource.open(target));
    return { target, kind: "file", files: [file], findings: [], ...(await configBeside(target)) };
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    return failed(target, e);
  }
}

/** A single file's config.json, when it sits in a model folder. */
async function configBeside(file: string): Promise<Pick<Checkpoint, "config" | "configPath">> {
  const c = await readConfig(path.dirname(file));
  return c.config !== undefined ? { config: c.config, configPath: c.path } : {};
}
