// The local Hugging Face cache: `<cache>/models--org--name/{refs,snapshots,blobs}`. A snapshot
// folder holds symlinks into blobs/, so once resolved it reads like any model folder.

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

/** `org/name` or `org/name@revision`: the shape of a Hub repo id (the revision checked apart). */
const REPO_ID = /^([A-Za-z0-9][\w.-]*)\/([\w.-]+)(?:@(.*))?$/s;

export function parseRepoId(
  s: string,
): { repo: string; folder: string; revision?: string } | undefined {
  const m = REPO_ID.exec(s);
  if (!m || m[2] === "." || m[2] === "..") return undefined;
  const repo = `${m[1]}/${m[2]}`;
  return {
    repo,
    folder: `models--${m[1]}--${m[2]}`,
    ...(m[3] !== undefined ? { revision: m[3] } : {}),
  };
}

/** Longest revision accepted: git refs are file names, and no real branch or tag comes close. */
const MAX_REVISION_CHARS = 255;

/**
 * Why `revision` is neither a commit hash nor a branch or tag name, or undefined when it is one.
 * Branch and tag names follow git's rules (git check-ref-format): they become paths under refs/,
 * so these rules are also what keeps a revision from naming a file outside the cache entry.
 */
export function revisionProblem(revision: string): string | undefined {
  if (revision.length === 0) return "it is empty";
  if (revision.length > MAX_REVISION_CHARS)
    return `it is longer than ${MAX_REVISION_CHARS} characters`;
  if (COMMIT.test(revision)) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(revision))
    return "it holds a space, a control character or one of ~ ^ : ? * [ \\";
  if (revision === "@" || revision.includes("@{")) return "it is @ or holds @{";
  if (revision.startsWith("/") || revision.endsWith("/") || revision.includes("//"))
    return "it starts or ends with / or holds //";
  if (revision.endsWith(".")) return "it ends with a dot";
  for (const part of revision.split("/")) {
    if (part.startsWith(".")) return "a part of it starts with a dot (. and .. among them)";
    if (part.endsWith(".lock")) return "a part of it ends with .lock";
  }
  return undefined;
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

const damaged = { hint: "the cache entry is damaged; download the model again" };

/**
 * Picks the snapshot for `revision` (default: refs/main), as huggingface_hub would. `revision`
 * must have passed revisionProblem. Every path it follows is checked to stay inside the cache
 * entry: a ref or a snapshot that links elsewhere is refused, and a ref's contents are never
 * quoted (a ref read by mistake could be any file).
 */
export async function resolveSnapshot(repoDir: string, revision = "main"): Promise<Snapshot> {
  const snapshots = path.join(repoDir, "snapshots");
  const repoReal = await realpath(repoDir).catch(() => path.resolve(repoDir));
  /** False only when `p` resolves, and to somewhere outside the repo folder. */
  const within = async (p: string): Promise<boolean> => {
    const real = await realpath(p).catch(() => undefined);
    return real === undefined || real.startsWith(repoReal + path.sep);
  };
  const snapshot = async (commit: string, how: string): Promise<Snapshot | undefined> => {
    const dir = path.join(snapshots, commit);
    if (!(await isDir(dir))) return undefined;
    if (!(await within(dir))) {
      throw new InspectError(
        "TARGET_NOT_CACHED",
        `snapshots/${commit} links outside the cache entry ${repoDir}; not read`,
        damaged,
      );
    }
    return { dir, commit, how };
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
