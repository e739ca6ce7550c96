// --verify --against org/name[@revision]: is this folder exactly the published revision? Every
// local file is hashed (the worker pool) and compared with the Hub's listing: the SHA-256 of LFS
// files, the git blob id (SHA-1 of "blob <size>\0" + content) of small ones. Files missing
// here, files the revision does not have, and files whose content differs are each reported;
// any of them is an error (exit 1). Names starting with "." (.git, .gitattributes, the
// .cache/huggingface metadata of `hf download --local-dir`) are left out on both sides.

import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Checkpoint } from "../checkpoint/checkpoint.js";
import { InspectError } from "../core/errors.js";
import { finding, type Finding } from "../core/findings.js";
import { MAX_LISTED_ITEMS, MAX_SNAPSHOT_FILES } from "../core/limits.js";
import { group } from "../core/text.js";
import type { HubRevision } from "../hub/api.js";
import type { Expected } from "../core/digest.js";
import type { VerifyFile } from "./plan.js";
import type { Against } from "./verification.js";
import { verifyFiles, type VerifyOptions, type VerifyOutcome } from "./verify.js";

const hidden = (rel: string) => rel.split("/").some((s) => s.startsWith("."));

/** Regular files under `root` (links followed), as `/`-separated relative paths, sorted. */
export async function localFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const dir = path.join(root, rel);
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      let kind = e.isFile() ? "file" : e.isDirectory() ? "dir" : undefined;
      if (e.isSymbolicLink()) {
        const st = await stat(path.join(root, r)).catch(() => undefined);
        kind = st?.isDirectory() ? "dir" : st?.isFile() ? "file" : undefined;
      }
      if (kind === "dir") await walk(r);
      else if (kind === "file") {
        if (out.length >= MAX_SNAPSHOT_FILES)
          throw new InspectError(
            "TARGET_UNSUPPORTED",
            `more than ${group(MAX_SNAPSHOT_FILES)} files under ${root}: not a model folder`,
          );
        out.push(r);
      }
    }
  };
  await walk("");
  return out.sort();
}

export interface AgainstOutcome extends VerifyOutcome {
  against: Against;
}

/** Hashes the folder `cp` was read from and compares it with `listing`. */
export async function verifyAgainst(
  cp: Checkpoint,
  listing: HubRevision,
  options: VerifyOptions = {},
): Promise<AgainstOutcome> {
  const root = cp.root;
  if (root === undefined || cp.kind === "stream")
    throw new InspectError("USAGE", "--against compares a folder with a Hub revision", {
      hint: "name the model folder, not a single file",
    });
  const local = await localFiles(root);
  const localSet = new Set(local);
  const origin = `${listing.repo}@${listing.commit.slice(0, 12)}`;
  const parsed = new Map(cp.files.map((f) => [path.resolve(f.name), f]));
  const files: VerifyFile[] = [];
  const listed = new Set<string>();
  const missing: string[] = [];
  for (const f of listing.files) {
    if (hidden(f.path)) continue;
    listed.add(f.path);
    if (!localSet.has(f.path)) missing.push(f.path);
    const p = path.join(root, f.path);
    const v: VerifyFile = { path: p, name: p };
    const expected: Expected | undefined = f.lfsSha256
      ? { algorithm: "sha256", hex: f.lfsSha256, source: "hub", origin, size: f.size }
      : f.blobId
        ? { algorithm: "git-sha1", hex: f.blobId, source: "hub", origin, size: f.size }
        : undefined;
    if (expected) v.expected = expected;
    const weights = parsed.get(path.resolve(p));
    if (weights?.format === "safetensors") v.safetensors = weights;
    files.push(v);
  }
  const extra = local.filter((r) => !listed.has(r));
  for (const r of extra) {
    const p = path.join(root, r);
    const v: VerifyFile = { path: p, name: p };
    const weights = parsed.get(path.resolve(p));
    if (weights?.format === "safetensors") v.safetensors = weights;
    files.push(v);
  }
  const outcome = await verifyFiles(files, options);
  const differing = outcome.verification.files
    .filter((f) => f.status === "mismatch" || f.status === "pointer")
    .map((f) => path.relative(root, f.path).split(path.sep).join("/"))
    .sort();
  const findings: Finding[] = [...outcome.findings];
  extra.slice(0, MAX_LISTED_ITEMS).forEach((r) =>
    findings.push(
      finding("VERIFY_FILE_EXTRA", `not in ${listing.repo} at ${listing.commit.slice(0, 12)}`, {
        file: path.join(root, r),
        hint: "a file the published revision does not have: remove it, or check the revision",
      }),
    ),
  );
  if (extra.length > MAX_LISTED_ITEMS)
    findings.push(
      finding(
        "VERIFY_FILE_EXTRA",
        `${extra.length - MAX_LISTED_ITEMS} more files are not in ${listing.repo}`,
        { file: root },
      ),
    );
  return {
    ...outcome,
    findings,
    against: {
      repo: listing.repo,
      revision: listing.revision,
      commit: listing.commit,
      missing: missing.sort(),
      extra,
      differing,
    },
  };
}
