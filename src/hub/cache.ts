// The local Hugging Face cache: `<cache>/models--org--name/{refs,snapshots,blobs}`. A snapshot
// folder holds symlinks into blobs/, so once resolved it reads like any model folder. What a
// download leaves beside the files (blob names, local-dir metadata) is in downloads.ts.

import { readdir, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { InspectError } from "../core/errors.js";

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
  const parts = path.resolve(p).split(path.sep);
  for (let i = parts.length - 2; i >= 1; i--) {
    if (parts[i] === "snapshots") {
      const repo = parts.slice(0, i).join(path.sep) || path.sep;
      return { repo, dir: parts.slice(0, i + 2).join(path.sep), commit: parts[i + 1]! };
    }
  }
  return undefined;
}

const COMMIT = /^[0-9a-f]{40}$/;

/** Picks the snapshot for `revision` (default: refs/main), as huggingface_hub would. */
export async function resolveSnapshot(
  repoDir: string,
  revision = "main",
): Promise<ResolvedSnapshot> {
  const snapshots = path.join(repoDir, "snapshots");
  if (COMMIT.test(revision)) {
    const dir = path.join(snapshots, revision);
    if (await isDir(dir))
      return { repo: repoDir, dir, commit: revision, how: `commit ${revision}` };
    throw new InspectError(
      "TARGET_NOT_CACHED",
      `snapshot ${revision} is not in the cache (${snapshots})`,
    );
  }
  const ref = await readFile(path.join(repoDir, "refs", revision), "utf8").catch(() => undefined);
  if (ref !== undefined) {
    const commit = ref.trim();
    const dir = path.join(snapshots, commit);
    if (COMMIT.test(commit) && (await isDir(dir))) {
      return { repo: repoDir, dir, commit, how: `refs/${revision} → ${commit}` };
    }
    throw new InspectError(
      "TARGET_NOT_CACHED",
      COMMIT.test(commit)
        ? `refs/${revision} points to ${commit}, which is not in ${snapshots}`
        : `refs/${revision} holds "${commit.slice(0, 60)}", not a commit hash`,
      { hint: "the cache entry is damaged; download the model again" },
    );
  }
  const entries = await readdir(snapshots, { withFileTypes: true }).catch(() => []);
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  if (dirs.length === 0) {
    throw new InspectError("TARGET_NOT_CACHED", `no snapshot in ${snapshots}`, {
      hint: "the download may not have finished; run `hf download` again",
    });
  }
  if (revision !== "main") {
    throw new InspectError("TARGET_NOT_CACHED", `no refs/${revision} in ${repoDir}`);
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
  return {
    repo: repoDir,
    dir: path.join(snapshots, commit),
    commit,
    how:
      dirs.length === 1
        ? `the only snapshot, ${commit} (no refs/main)`
        : `the newest of ${dirs.length} snapshots, ${commit} (no refs/main)`,
  };
}

async function isDir(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
