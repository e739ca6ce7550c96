// The local Hugging Face cache: `<cache>/models--org--name/{refs,snapshots,blobs}`. A snapshot
// folder holds symlinks into blobs/, so once resolved it reads like any model folder. What a
// download leaves beside the files (blob names, local-dir metadata) is in downloads.ts.

import { lstat, readdir, realpath, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { InspectError } from "../core/errors.js";
import { MAX_REF_BYTES } from "../core/limits.js";
import { excerpt } from "../core/text.js";
import { readSmallFile, SmallFileError } from "../sources/small-file.js";

/** Where huggingface_hub keeps its cache: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache. */
export function hubCacheDir(env: NodeJS.ProcessEnv, home = os.homedir()): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HF_HOME) return path.join(env.HF_HOME, "hub");
  const xdg = env.XDG_CACHE_HOME || path.join(home, ".cache");
  return path.join(xdg, "huggingface", "hub");
}

export function isCacheRepoFolder(dir: string): boolean {
  return path.basename(path.resolve(dir)).startsWith("models--");
}

/** One snapshot of a cached repo: `<repo>/snapshots/<commit>`. */
export interface Snapshot {
  /** The repo folder (models--org--name). */
  repo: string;
  /** snapshots/<commit>. */
  dir: string;
  /** The snapshot's name: a commit hash in a sound cache. */
  commit: string;
}

/** A snapshot chosen for a revision, and how, for the CACHE_SNAPSHOT finding. */
export interface ResolvedSnapshot extends Snapshot {
  how: string;
}

/** The snapshot `path` lies in, judged from the path alone; its paths absolute. */
export function snapshotOf(p: string): Snapshot | undefined {
  const abs = path.resolve(p);
  // Most paths are nowhere near a cache: told without splitting them.
  if (!abs.includes(`${path.sep}snapshots${path.sep}`)) return undefined;
  const parts = abs.split(path.sep);
  for (let i = parts.length - 2; i >= 1; i--) {
    if (parts[i] === "snapshots") {
      const repo = parts.slice(0, i).join(path.sep) || path.sep;
      return { repo, dir: parts.slice(0, i + 2).join(path.sep), commit: parts[i + 1]! };
    }
  }
  return undefined;
}

const COMMIT = /^[0-9a-f]{40}$/;

const damaged = { hint: "the cache entry is damaged; download the model again" };

/**
 * Picks the snapshot for `revision` (default: refs/main), as huggingface_hub would. `revision`
 * must have passed revisionProblem (repo-id.ts). Every path it follows is checked to stay inside
 * the cache entry: a ref or a snapshot that links elsewhere is refused, refs are read as small
 * regular files, and a ref's contents are never quoted (a ref read by mistake could be any file).
 */
export async function resolveSnapshot(
  repoDir: string,
  revision = "main",
): Promise<ResolvedSnapshot> {
  const snapshots = path.join(repoDir, "snapshots");
  const repoReal = await realpath(repoDir).catch(() => path.resolve(repoDir));
  /** False only when `p` resolves, and to somewhere outside the repo folder. */
  const within = async (p: string): Promise<boolean> => {
    const real = await realpath(p).catch(() => undefined);
    return real === undefined || real.startsWith(repoReal + path.sep);
  };
  const snapshot = async (commit: string, how: string): Promise<ResolvedSnapshot | undefined> => {
    const dir = path.join(snapshots, commit);
    if (!(await isDir(dir))) return undefined;
    if (!(await within(dir))) {
      throw new InspectError(
        "TARGET_NOT_CACHED",
        `snapshots/${commit} links outside the cache entry ${repoDir}; not read`,
        damaged,
      );
    }
    return { repo: repoDir, dir, commit, how };
  };
  if (COMMIT.test(revision)) {
    const found = await snapshot(revision, `commit ${revision}`);
    if (found) return found;
    throw new InspectError(
      "TARGET_NOT_CACHED",
      `snapshot ${revision} is not in the cache (${snapshots})`,
    );
  }
  const refs = path.join(repoDir, "refs");
  const refPath = path.join(refs, revision);
  // revisionProblem keeps the path under refs/; this says so again, whatever the caller did.
  if (!path.resolve(refPath).startsWith(path.resolve(refs) + path.sep)) {
    throw new InspectError("USAGE", `revision "${excerpt(revision, 60)}" names no ref`);
  }
  let ref: Buffer | undefined;
  try {
    if (await isPresent(refPath)) {
      if (!(await within(refPath))) {
        throw new InspectError(
          "TARGET_NOT_CACHED",
          `refs/${revision} links outside the cache entry ${repoDir}; not read`,
          damaged,
        );
      }
      ref = await readSmallFile(refPath, MAX_REF_BYTES, "a ref");
    }
  } catch (e) {
    if (!(e instanceof SmallFileError)) throw e;
    if (e.problem !== "missing") {
      throw new InspectError("TARGET_NOT_CACHED", `refs/${revision} ${e.message}`, damaged);
    }
  }
  if (ref !== undefined) {
    const commit = ref.toString("latin1").trim();
    if (!COMMIT.test(commit)) {
      throw new InspectError(
        "TARGET_NOT_CACHED",
        `refs/${revision} does not hold a commit hash (40 hex digits)`,
        damaged,
      );
    }
    const found = await snapshot(commit, `refs/${revision} → ${commit}`);
    if (found) return found;
    throw new InspectError(
      "TARGET_NOT_CACHED",
      `refs/${revision} points to ${commit}, which is not in ${snapshots}`,
      damaged,
    );
  }
  if (revision !== "main") {
    throw new InspectError("TARGET_NOT_CACHED", `no refs/${revision} in ${repoDir}`);
  }
  const entries = await readdir(snapshots, { withFileTypes: true }).catch(() => []);
  const dirs: string[] = [];
  for (const e of entries) {
    if (COMMIT.test(e.name) && (await isDir(path.join(snapshots, e.name)))) dirs.push(e.name);
  }
  if (dirs.length === 0) {
    throw new InspectError("TARGET_NOT_CACHED", `no snapshot in ${snapshots}`, {
      hint: "the download may not have finished; run `hf download` again",
    });
  }
  // No ref: the newest snapshot is what a download most recently completed.
  const times = await Promise.all(
    dirs.map(async (d) => (await stat(path.join(snapshots, d))).mtimeMs),
  );
  let newest = 0;
  times.forEach((t, i) => {
    if (t > times[newest]!) newest = i;
  });
  const commit = dirs[newest]!;
  const how =
    dirs.length === 1
      ? `the only snapshot, ${commit} (no refs/main)`
      : `the newest of ${dirs.length} snapshots, ${commit} (no refs/main)`;
  return (await snapshot(commit, how))!;
}

async function isDir(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Whether anything (a dangling link included) is at `p`. */
async function isPresent(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
}
