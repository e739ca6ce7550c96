// Where a target is read from, decided without a request: a URL is read over HTTP; a path that
// exists is local; a repo id (`org/name[@rev]`) is read from the local Hugging Face cache when it
// is there, else from the Hub (`--remote`: the Hub even when cached). Offline (`--offline`,
// HF_HUB_OFFLINE=1) nothing touches the network. `ollama://model:tag` is read from Ollama's local
// store (checkpoint/ollama.ts). The remote code is loaded only when needed.

import { existsSync } from "node:fs";
import path from "node:path";
import { InspectError } from "../core/errors.js";
import { hubCacheDir, resolveSnapshot } from "../hub/cache.js";
import { parseRepoId, revisionProblem } from "../hub/repo-id.js";
import { hubOffline } from "../hub/settings.js";
import type { Checkpoint, SourceInfo } from "./checkpoint.js";
import { readLocal, type LoadOptions } from "./load.js";
import { loadOllama } from "./ollama.js";
import { OLLAMA_SCHEME } from "../ollama/models.js";
import { resolveTarget, type TargetPlan } from "./resolve.js";

export interface TargetOptions extends LoadOptions {
  env: NodeJS.ProcessEnv;
  /** --remote: a repo id is read from the Hub even when it is in the local cache. */
  remote?: boolean;
  /** --offline (or HF_HUB_OFFLINE=1 in env): never use the network. */
  offline?: boolean;
  /** --concurrency: requests in flight for a remote target. */
  concurrency?: number;
  /** `inspect/<version>`, sent as User-Agent. */
  userAgent: string;
}

export type Where =
  | { kind: "local" }
  | { kind: "url"; url: URL }
  | { kind: "hub"; repo: string; revision: string }
  | { kind: "ollama" };

const URL_TARGET = /^https?:\/\//i;

export const isOffline = (o: Pick<TargetOptions, "offline" | "env">) =>
  o.offline === true || hubOffline(o.env);

/**
 * Where `target` will be read from; looks only at the local disk. A repo id is local when its
 * cache entry has a snapshot for the revision asked for.
 */
export async function whereIs(target: string, o: TargetOptions): Promise<Where> {
  if (target.startsWith(OLLAMA_SCHEME)) return { kind: "ollama" };
  if (URL_TARGET.test(target)) {
    try {
      return { kind: "url", url: new URL(target) };
    } catch {
      return { kind: "local" }; // Not a URL after all: reported as a missing file.
    }
  }
  if (existsSync(target)) return { kind: "local" };
  const repo = parseRepoId(target);
  if (!repo) return { kind: "local" };
  const hub = { kind: "hub", repo: repo.repo, revision: repo.revision ?? "main" } as const;
  if (o.remote) return hub;
  if (isOffline(o)) return { kind: "local" };
  const cached = await resolveSnapshot(path.join(hubCacheDir(o.env), repo.folder), repo.revision)
    .then(() => true)
    .catch(() => false);
  return cached ? { kind: "local" } : hub;
}

const failed = (target: string, e: InspectError, source: SourceInfo): Checkpoint => ({
  target,
  kind: "file",
  files: [],
  findings: [e.toFinding(target)],
  source,
});

/** A quantization tag after a repo id, as llama.cpp's `-hf org/name:Q4_K_M` takes it. */
const QUANT_SUFFIX = /^(.+):([A-Za-z0-9_.+-]+)$/;

/**
 * `org/name[@rev]:TAG` → the repo id and the tag; undefined for anything else (a path that
 * exists, a URL, a name without a tag). A revision cannot hold `:` (git check-ref-format).
 */
export function quantTarget(target: string): { repo: string; quant: string } | undefined {
  if (URL_TARGET.test(target) || target.startsWith(OLLAMA_SCHEME) || existsSync(target))
    return undefined;
  const m = QUANT_SUFFIX.exec(target);
  if (!m || !parseRepoId(m[1]!)) return undefined;
  return { repo: m[1]!, quant: m[2]! };
}

/** Reads a target from wherever it is. Never throws for bad input. */
export async function loadTarget(target: string, o: TargetOptions): Promise<Checkpoint> {
  const q = quantTarget(target);
  if (!q) return loadWhere(target, o);
  // Picked among the repo's GGUF files; the report keeps the name as typed.
  const cp = await loadWhere(q.repo, { ...o, select: { ...o.select, quant: q.quant } });
  return { ...cp, target };
}

async function loadWhere(target: string, o: TargetOptions): Promise<Checkpoint> {
  const where = await whereIs(target, o);
  if (where.kind === "ollama") return loadOllama(target, o);
  // A revision is a branch, tag or commit hash wherever it is read from, checked before any
  // request (in the local cache it would become a path: resolve.ts says so there).
  const bad = where.kind === "hub" ? revisionProblem(where.revision) : undefined;
  if (bad !== undefined) {
    return failed(
      target,
      new InspectError(
        "USAGE",
        `${where.kind === "hub" ? where.repo : target}: the revision after @ is not a branch, tag or commit hash: ${bad}`,
        { hint: "name a branch (main), a tag (v1.0) or a 40-digit commit hash" },
      ),
      { kind: "hub" },
    );
  }
  if (where.kind !== "local") {
    if (isOffline(o)) {
      return failed(
        target,
        where.kind === "url"
          ? new InspectError("REMOTE_OFFLINE", "offline: a URL is not read", {
              hint: "unset HF_HUB_OFFLINE (or drop --offline), or download the file",
            })
          : new InspectError(
              "TARGET_NOT_CACHED",
              `offline, and ${where.repo} is not read from the local cache with --remote`,
            ),
        { kind: where.kind },
      );
    }
    const { readRemote } = await import("./remote.js");
    return readRemote(
      target,
      where.kind === "url"
        ? { kind: "url", url: where.url }
        : { kind: "hub", repo: where.repo, revision: where.revision },
      o,
    );
  }
  const plan = await resolveTarget(target, o);
  const repo = parseRepoId(target);
  // Offline, a repo id whose revision is not in the cache (otherwise it went to the Hub).
  if (plan.kind === "failed" && plan.error.code === "TARGET_NOT_CACHED" && repo) {
    const e = new InspectError(
      "TARGET_NOT_CACHED",
      `${plan.error.message}; offline (HF_HUB_OFFLINE=1 or --offline), so the Hub was not asked`,
      { hint: `download it first with \`hf download ${repo.repo}\`` },
    );
    return failed(target, e, { kind: "cache", repo: repo.repo });
  }
  const cp = await readLocal(target, plan, o);
  return { ...cp, source: localSource(plan) };
}

function localSource(plan: TargetPlan): SourceInfo {
  switch (plan.kind) {
    case "stream":
      return { kind: "stdin" };
    case "file":
    case "failed":
      return { kind: "file" };
    case "index":
      return { kind: "folder" };
    case "folder":
      return plan.cache
        ? {
            kind: "cache",
            repo: plan.cache.repo,
            revision: plan.cache.revision,
            commit: plan.cache.commit,
          }
        : { kind: "folder" };
  }
}
