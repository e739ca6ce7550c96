// The local Hugging Face cache: `<cache>/models--org--name/{refs,snapshots,blobs}`. A snapshot
// folder holds symlinks into blobs/, so once resolved it reads like any model folder.

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

/** `org/name` or `org/name@revision`: the shape of a Hub repo id. */
const REPO_ID = /^([A-Za-z0-9][\w.-]*)\/([\w.-]+)(?:@([\w./-]+))?$/;

export function parseRepoId(
  s: string,
): { repo: string; folder: string; revision?: string } | undefined {
  const m = REPO_ID.exec(s);
  if (!m || m[2] === "." || m[2] === "..") return undefined;
  const repo = `${m[1]}/${m[2]}`;
  return { repo, folder: `models--${m[1]}--${m[2]}`, ...(m[3] ? { revision: m[3] } : {}) };
}

export function isCacheRepoFolder(dir: string): boolean {
  return path.basename(path.resolve(dir)).startsWith("models--");
}

export interface Snapshot {
  dir: string;
  /** The commit hash of the snapshot. */
  commit: string;
  /** How it was chosen, for the CACHE_SNAPSHOT finding. */
  how: string;
}

const COMMIT = /^[0-9a-f]{40}$/;

/** Picks the snapshot for `revision` (default: refs/main), as huggingface_hub would. */
export async function resolveSnapshot(repoDir: string, revision = "main"): Promise<Snapshot> {
  const snapshots = path.join(repoDir, "snapshots");
  if (COMMIT.test(revision)) {
    const dir = path.join(snapshots, revision);
    if (await isDir(dir)) return { dir, commit: revision, how: `commit ${revision}` };
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
      return { dir, commit, how: `refs/${revision} → ${commit}` };
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
