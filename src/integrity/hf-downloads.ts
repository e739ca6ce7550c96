// Expected digests that Hugging Face downloads leave behind, so that a cached model verifies with
// no input at all.
//
// The cache (huggingface_hub): <repo>/snapshots/<rev>/<path> is a symlink to ../../blobs/<id>
// (one more ../ per subfolder), and <id> is the file's ETag on the Hub: the SHA-256 for files
// stored with Git LFS (the weights), the git blob id (SHA-1 of "blob <size>\0" + content) for
// the others (config.json). A download in progress is blobs/<id>.incomplete. Where symlinks are
// unavailable the snapshot holds copies and the names tell nothing.
//
// A local folder (`hf download --local-dir D`): D/.cache/huggingface/download/<path>.metadata
// holds three lines: commit hash, ETag, timestamp. huggingface_hub ignores it once the file's
// mtime passes the timestamp; we still compare, and say the file changed after the download.

import { lstat, readdir, readlink, realpath, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { finding, type Finding } from "../core/findings.js";
import { MAX_HF_METADATA_BYTES, MAX_SNAPSHOT_FILES } from "../core/limits.js";
import { algorithmOfId, shortHex, type Expected } from "../core/digest.js";
import { refusal, type TargetScope } from "../store/scope.js";
import { readSmallFile, SmallFileError } from "../sources/small-file.js";
import { snapshotOf } from "../hub/cache.js";

export interface HfBlobLink {
  /** The blob the link points to, absolute. */
  blob: string;
  /** Undefined when the blob's name is not a digest. */
  expected?: Expected;
  /** The link dangles: the blob is not there. */
  missing: boolean;
}

/** When `path` is a snapshot file linking into a cache's blobs folder: the blob and its digest. */
export async function hfBlobLink(path: string): Promise<HfBlobLink | undefined> {
  if (snapshotOf(path) === undefined) return undefined;
  let target: string;
  try {
    if (!(await lstat(path)).isSymbolicLink()) return undefined;
    target = await readlink(path);
  } catch {
    return undefined;
  }
  const blob = resolve(dirname(path), target);
  if (basename(dirname(blob)) !== "blobs") return undefined;
  const id = basename(blob);
  const missing = await stat(blob).then(
    () => false,
    () => true,
  );
  const algorithm = algorithmOfId(id);
  const link: HfBlobLink = { blob, missing };
  if (algorithm !== undefined) {
    link.expected = {
      algorithm,
      hex: id.toLowerCase(),
      source: "hf-cache-blob",
      origin: `the Hugging Face cache (blobs/${shortHex(id)})`,
    };
  }
  return link;
}

/**
 * Every file of a snapshot, sorted, at most MAX_SNAPSHOT_FILES: links followed (or dangling)
 * when `scope` admits where they lead, refused with a finding when not (a link to / would
 * otherwise have every file of the machine hashed). A folder reached twice (links in a circle)
 * is walked once and reported.
 */
export async function hfSnapshotFiles(
  snapshot: string,
  scope: TargetScope,
): Promise<{ files: string[]; refused: Finding[] }> {
  const out: string[] = [];
  const refused: Finding[] = [];
  const walked = new Set<string>();
  const walk = async (dir: string, real: string): Promise<void> => {
    if (walked.has(real)) {
      refused.push(
        finding("LINK_LOOP", `${dir} leads back to a folder already walked; not walked again`, {
          file: dir,
          hint: "links that lead back to where they are: remove the loop",
        }),
      );
      return;
    }
    walked.add(real);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (out.length >= MAX_SNAPSHOT_FILES) return;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p, join(real, e.name));
      else if (e.isFile()) out.push(p);
      else if (e.isSymbolicLink()) {
        const admitted = await scope.admit(p);
        if (!admitted.ok) {
          refused.push(refusal(p, admitted));
          continue;
        }
        const s = await stat(admitted.real).catch(() => undefined);
        if (s === undefined || s.isFile()) out.push(p);
        else if (s.isDirectory()) await walk(p, admitted.real);
      }
    }
  };
  await walk(snapshot, await realpath(snapshot).catch(() => resolve(snapshot)));
  return { files: out, refused };
}

/** Downloads into the cache that stopped midway. */
export async function hfIncompleteBlobs(
  repo: string,
): Promise<Array<{ path: string; bytes: bigint }>> {
  const blobs = join(repo, "blobs");
  let names: string[];
  try {
    names = await readdir(blobs);
  } catch {
    return [];
  }
  const out: Array<{ path: string; bytes: bigint }> = [];
  for (const n of names.filter((x) => x.endsWith(".incomplete")).sort()) {
    const p = join(blobs, n);
    const s = await stat(p, { bigint: true }).catch(() => undefined);
    if (s?.isFile()) out.push({ path: p, bytes: s.size });
  }
  return out;
}

export interface HfLocalDirExpectation {
  expected: Expected;
  /** Modified after the download: huggingface_hub itself would no longer trust the metadata. */
  stale: boolean;
}

/** Folders known to hold (or not) .cache/huggingface/download, shared across one plan's files. */
export type LocalDirMemo = Map<string, boolean>;

/**
 * The ETag that `hf download --local-dir` recorded for `path`, if it did: looked for in the
 * folders from the file's up to `top` (the target's root), never above it.
 */
export async function hfLocalDirExpectation(
  path: string,
  top: string,
  memo: LocalDirMemo = new Map(),
): Promise<HfLocalDirExpectation | undefined> {
  const abs = resolve(path);
  const root = resolve(top);
  if (abs !== root && !abs.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  for (let dir = dirname(abs); ; dir = dirname(dir)) {
    const downloads = join(dir, ".cache", "huggingface", "download");
    let known = memo.get(dir);
    if (known === undefined) {
      known = await stat(downloads).then(
        (s) => s.isDirectory(),
        () => false,
      );
      memo.set(dir, known);
    }
    if (known) return readLocalDirMetadata(abs, join(downloads, relative(dir, abs) + ".metadata"));
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

async function readLocalDirMetadata(
  file: string,
  metadata: string,
): Promise<HfLocalDirExpectation | undefined> {
  let text: string;
  try {
    text = (await readSmallFile(metadata, MAX_HF_METADATA_BYTES, "download metadata")).toString(
      "utf8",
    );
  } catch (e) {
    if (e instanceof SmallFileError) return undefined;
    throw e;
  }
  const [, etag, timestamp] = text.split("\n").map((l) => l.trim());
  const algorithm = etag === undefined ? undefined : algorithmOfId(etag);
  if (algorithm === undefined) return undefined;
  const mtime = await stat(file).then(
    (s) => s.mtimeMs / 1000,
    () => undefined,
  );
  const saved = Number(timestamp);
  return {
    expected: {
      algorithm,
      hex: etag!.toLowerCase(),
      source: "hf-local-dir",
      origin: `the download metadata (${relative(process.cwd(), metadata) || metadata})`,
    },
    // huggingface_hub allows one second for imprecise mtimes.
    stale: mtime !== undefined && Number.isFinite(saved) && mtime - 1 > saved,
  };
}
