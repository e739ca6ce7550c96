// Which files to hash, and what each should hash to. Sources, first found wins: --sha256, a
// checksums file, a Git LFS pointer (a mirror folder given explicitly, then "<name>.pointer"),
// the Hugging Face cache's blob name, huggingface_hub's local-dir metadata. Explicit input
// comes first; the rest is found without being asked for, so that a cached model verifies with
// no input. A file with no source is still hashed, and its digest reported for pinning.

import { stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { Checkpoint } from "../checkpoint/checkpoint.js";
import { InspectError } from "../core/errors.js";
import { finding, type Finding } from "../core/findings.js";
import { LFS_POINTER_MAX_BYTES, PROBE_CONCURRENCY } from "../core/limits.js";
import { excerpt, group, plural } from "../core/text.js";
import type { SafetensorsFile } from "../formats/safetensors/read.js";
import { readChecksums } from "./checksums.js";
import { parseSha256, type Expected } from "./digest.js";
import {
  hfBlobLink,
  hfIncompleteBlobs,
  hfLocalDirExpectation,
  hfSnapshotFiles,
  type LocalDirMemo,
} from "../hub/downloads.js";
import { snapshotOf } from "../hub/cache.js";
import { isPointer, readLfsPointer, type LfsPointer } from "./lfs-pointer.js";

export interface VerifyFile {
  /** Path to open. */
  path: string;
  /** For messages and JSON; default `path`. */
  name?: string;
  /** The parsed weights, when the file is one of the checkpoint's: its values can be scanned. */
  safetensors?: SafetensorsFile;
  expected?: Expected;
  /** The file is itself a Git LFS pointer: the content it names was never downloaded. */
  pointer?: LfsPointer;
  /** Added to a mismatch's hint (e.g. the file changed after huggingface_hub downloaded it). */
  note?: string;
  /** A checksums file was given but does not list this weights file. */
  unlistedIn?: string;
}

export interface PlanOptions {
  /** --sha256: the expected SHA-256 of a target that is a single file. */
  sha256?: string;
  /**
   * --checksums: a sha256sum-format file. Its entries for the target's files are checked, and,
   * when the target is a folder (`root`), every file it lists inside that folder.
   */
  checksums?: string;
  /** A folder of Git LFS pointers mirroring `root` (a clone made without LFS smudging). */
  lfsPointers?: string;
  /** The checkpoint's folder: when it is a Hugging Face cache snapshot (or its repo folder), the
   * snapshot's other files (config.json, tokenizer…) are verified too. */
  root?: string;
  /** Look for pointers, cache links and download metadata (default true). */
  discover?: boolean;
}

export interface Plan {
  files: VerifyFile[];
  findings: Finding[];
}

/** The checkpoint's weight files; standard input cannot be read twice, so it has none. */
export function checkpointFiles(cp: Checkpoint): VerifyFile[] {
  if (cp.kind === "stream") return [];
  return cp.files
    .filter((f) => f.fileBytes !== undefined)
    .map((f) => ({ path: f.name, name: f.name, safetensors: f }));
}

export async function planVerification(
  weights: readonly VerifyFile[],
  options: PlanOptions = {},
): Promise<Plan> {
  const findings: Finding[] = [];
  const files: VerifyFile[] = [];
  const byPath = new Map<string, VerifyFile>();
  const add = (f: VerifyFile): VerifyFile => {
    const key = resolve(f.path);
    const had = byPath.get(key);
    if (had !== undefined) return had;
    byPath.set(key, f);
    files.push(f);
    return f;
  };
  for (const w of weights) add({ ...w });

  if (options.sha256 !== undefined) {
    const hex = parseSha256(options.sha256);
    if (hex === undefined) {
      throw new InspectError(
        "USAGE",
        `--sha256 takes 64 hex digits, not "${excerpt(options.sha256, 80)}"`,
      );
    }
    if (files.length !== 1) {
      throw new InspectError(
        "USAGE",
        `--sha256 gives the digest of one file, but the target has ${plural(files.length, "file")}`,
        { hint: "list each file's digest in a checksums file and pass it with --checksums" },
      );
    }
    files[0]!.expected = { algorithm: "sha256", hex, source: "argument", origin: "--sha256" };
  }

  if (options.checksums !== undefined) {
    const listed = await readChecksums(options.checksums);
    for (const f of listed.findings) findings.push(f);
    // The target's files only, as `sha256sum -c --ignore-missing` users expect: one file named
    // on its own is checked alone; a folder's listed files are checked when they lie inside it
    // (a listed file missing from the folder is then an error); entries elsewhere are ignored.
    const root = options.root !== undefined ? resolve(options.root) : undefined;
    const inScope = (abs: string) => {
      if (root === undefined) return false;
      const rel = relative(root, abs);
      return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
    };
    for (const [abs, expected] of listed.expected) {
      const f = byPath.get(abs) ?? (inScope(abs) ? add({ path: shown(abs) }) : undefined);
      if (f) f.expected ??= expected;
    }
  }

  const discover = options.discover !== false;
  const repos = new Set<string>();
  if (discover && options.root !== undefined) {
    const snapshot = await snapshotOfRoot(options.root, files);
    if (snapshot !== undefined) {
      repos.add(snapshot.repo);
      const root = resolve(options.root);
      for (const p of await hfSnapshotFiles(snapshot.list)) {
        add({ path: join(options.root, relative(root, p)) });
      }
    }
  }

  if (options.checksums !== undefined) {
    for (const f of files) {
      if (f.expected === undefined && f.safetensors !== undefined) f.unlistedIn = options.checksums;
    }
  }

  // A checkpoint that is one file named on its own has no root folder; its mirror pointer is
  // then <pointers>/<its name>, as for the same file in a folder target. Without this,
  // `--lfs-pointers` on a single file was silently ignored and the file reported as unpinned.
  const mirrorRoot = options.root ?? (weights.length === 1 ? dirname(weights[0]!.path) : undefined);
  const memo: LocalDirMemo = new Map();
  await eachLimited(files, PROBE_CONCURRENCY, async (f) => {
    const size = await stat(f.path).then(
      (s) => (s.isFile() ? s.size : undefined),
      () => undefined,
    );
    if (size !== undefined && size < LFS_POINTER_MAX_BYTES) {
      const own = await readLfsPointer(f.path);
      if (isPointer(own)) f.pointer = own;
    }
    if (!discover) return;
    if (f.expected === undefined && options.lfsPointers !== undefined && mirrorRoot !== undefined) {
      const rel = relative(resolve(mirrorRoot), resolve(f.path));
      if (!rel.startsWith("..") && !isAbsolute(rel)) {
        f.expected = await pointerExpectation(join(options.lfsPointers, rel));
      }
    }
    f.expected ??= await pointerExpectation(`${f.path}.pointer`);
    const link = await hfBlobLink(f.path);
    if (link !== undefined) {
      repos.add(snapshotOf(f.path)!.repo);
      f.expected ??= link.expected;
    }
    if (f.expected === undefined) {
      const local = await hfLocalDirExpectation(f.path, memo);
      if (local !== undefined) {
        f.expected = local.expected;
        if (local.stale) {
          f.note = "the file was modified after huggingface_hub downloaded it";
        }
      }
    }
  });

  for (const repo of [...repos].sort()) {
    for (const partial of await hfIncompleteBlobs(repo)) {
      findings.push(
        finding(
          "DOWNLOAD_INCOMPLETE",
          `${shown(partial.path)}: a download into the Hugging Face cache stopped after ${plural(partial.bytes, "byte")}`,
          {
            file: shown(partial.path),
            hint: "download the model again to finish it (hf download <repo>); a file that links to a missing blob is reported as missing",
          },
        ),
      );
    }
  }
  return { files, findings };
}

async function pointerExpectation(path: string): Promise<Expected | undefined> {
  const p = await readLfsPointer(path);
  if (!isPointer(p)) return undefined;
  return {
    algorithm: "sha256",
    hex: p.oid,
    size: p.size,
    source: "lfs-pointer",
    origin: `the Git LFS pointer ${shown(path)} (${group(p.size)} bytes)`,
  };
}

/** The cache repo of a root folder that is a snapshot, lies inside one, or is the repo folder
 * holding the weights' snapshot; and the folder whose files to list. */
async function snapshotOfRoot(
  root: string,
  files: readonly VerifyFile[],
): Promise<{ repo: string; list: string } | undefined> {
  const abs = resolve(root);
  const inside = snapshotOf(join(abs, "."));
  if (inside !== undefined && !relative(inside.dir, abs).startsWith("..")) {
    return { repo: inside.repo, list: abs };
  }
  const hasSnapshots = await stat(join(abs, "snapshots")).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!hasSnapshots) return undefined;
  for (const f of files) {
    const s = snapshotOf(f.path);
    if (s !== undefined && s.repo === abs) return { repo: abs, list: s.dir };
  }
  return undefined;
}

/** A path as the user would type it: relative to the working directory when inside it. */
function shown(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : abs;
}

async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
