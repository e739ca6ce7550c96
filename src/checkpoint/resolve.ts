// From a command-line target to a plan of what to read: standard input, one file, an index
// file, or a folder (a model folder, a Hugging Face cache folder's snapshot, or a repo id found
// in the local cache). Only names and kinds are looked at here; readCheckpoint (load.ts) reads.

import path from "node:path";
import { InspectError } from "../core/errors.js";
import { finding, type Finding } from "../core/findings.js";
import { hubCacheDir, isCacheRepoFolder, resolveSnapshot } from "../hub/cache.js";
import { parseRepoId, revisionProblem } from "../hub/repo-id.js";
import { openError } from "../sources/file-source.js";
import { stat } from "node:fs/promises";
import type { CheckpointKind } from "./checkpoint.js";

export const STDIN_TARGET = "-";

export type TargetPlan =
  /** Standard input. */
  | { kind: "stream" }
  /** One weights file. */
  | { kind: "file"; path: string }
  /** A sharded set's index file, named directly. */
  | { kind: "index"; dir: string; index: string }
  /** A folder: what it holds is planned when it is read (folder.ts). */
  | { kind: "folder"; dir: string; notes: Finding[]; cache?: CachedRevision }
  /** Nothing to read: why, and what the target would have been. */
  | { kind: "failed"; error: InspectError; as: CheckpointKind };

/** A folder that is a snapshot of the local Hugging Face cache: which repo, revision, commit. */
export interface CachedRevision {
  repo: string;
  revision: string;
  commit: string;
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
}

/** A cache folder `models--org--name`: the snapshot refs/main (or `revision`) points to. */
async function cacheSnapshot(repoDir: string, revision?: string): Promise<TargetPlan> {
  try {
    const snap = await resolveSnapshot(repoDir, revision);
    // "refs/main → <commit>" says the commit already; the other ways name it in `how`.
    const how = snap.how.startsWith("refs/") ? snap.how.split(" ")[0] : snap.how;
    const note = finding(
      "CACHE_SNAPSHOT",
      `from the local cache, snapshot ${snap.commit}${how && !how.startsWith("commit") ? ` (${how})` : ""}`,
      { file: snap.dir },
    );
    const name = path.basename(path.resolve(repoDir));
    const repo = name.startsWith("models--") ? name.slice(8).replace("--", "/") : name;
    return {
      kind: "folder",
      dir: snap.dir,
      notes: [note],
      cache: { repo, revision: revision ?? "main", commit: snap.commit },
    };
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    return { kind: "failed", error: e, as: "file" };
  }
}

export async function resolveTarget(
  target: string,
  options: ResolveOptions = {},
): Promise<TargetPlan> {
  if (target === STDIN_TARGET) return { kind: "stream" };
  const st = await stat(target).catch((e: unknown) => e as NodeJS.ErrnoException);
  if (st instanceof Error) {
    const repo = st.code === "ENOENT" ? parseRepoId(target) : undefined;
    if (repo) {
      // A revision becomes a path under refs/: only a branch, a tag or a commit hash is one.
      const bad = repo.revision === undefined ? undefined : revisionProblem(repo.revision);
      if (bad !== undefined) {
        return {
          kind: "failed",
          as: "file",
          error: new InspectError(
            "USAGE",
            `${repo.repo}: the revision after @ is not a branch, tag or commit hash: ${bad}`,
            { hint: "name a branch (main), a tag (v1.0) or a 40-digit commit hash" },
          ),
        };
      }
      const cache = hubCacheDir(options.env ?? process.env);
      const repoDir = path.join(cache, repo.folder);
      if (
        await stat(repoDir).then(
          (s) => s.isDirectory(),
          () => false,
        )
      )
        return cacheSnapshot(repoDir, repo.revision);
      return {
        kind: "failed",
        as: "file",
        error: new InspectError(
          "TARGET_NOT_CACHED",
          `no such file, and ${repo.repo} is not in the Hugging Face cache (${cache})`,
          {
            hint: `download it with \`hf download ${repo.repo}\`, or read it from the Hub without --offline`,
          },
        ),
      };
    }
    return { kind: "failed", error: openError(st), as: "file" };
  }
  if (st.isDirectory()) {
    return isCacheRepoFolder(target)
      ? cacheSnapshot(target)
      : { kind: "folder", dir: target, notes: [] };
  }
  if (target.endsWith(".safetensors.index.json")) {
    return { kind: "index", dir: path.dirname(target), index: path.basename(target) };
  }
  return { kind: "file", path: target };
}
