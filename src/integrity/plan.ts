// Which files to hash, and what each should hash to. Sources, first found wins: --sha256, a
// checksums file, a Git LFS pointer (a mirror folder given explicitly, then "<name>.pointer"),
// the Hugging Face cache's blob name, huggingface_hub's local-dir metadata. Explicit input
// comes first; the rest is found without being asked for, so that a cached model verifies with
// no input. A file with no source is still hashed, and its digest reported for pinning.

import { stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Checkpoint, KnownDigest } from "../checkpoint/checkpoint.js";
import { InspectError } from "../core/errors.js";
import { finding, type Finding } from "../core/findings.js";
import { LFS_POINTER_MAX_BYTES, PROBE_CONCURRENCY } from "../core/limits.js";
import { mapBounded } from "../core/pool.js";
import { excerpt, group, plural } from "../core/text.js";
import type { SafetensorsFile } from "../formats/safetensors/read.js";
import { readChecksums } from "./checksums.js";
import { parseSha256, type Expected } from "../core/digest.js";
import {
  hfBlobLink,
  hfIncompleteBlobs,
  hfLocalDirExpectation,
  hfSnapshotFiles,
  type LocalDirMemo,
} from "./hf-downloads.js";
import { snapshotOf } from "../hub/cache.js";
import { isPointer, readLfsPointer, type LfsPointer } from "./lfs-pointer.js";
import { absentSync, refusal, TargetScope, type Admission } from "../store/scope.js";

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
  /** A checksums file (or pointer folder) was given but says nothing of this weights file. */
  unlistedIn?: string;
  /** The real path to open, once the scope admitted it (default `path`). */
  open?: string;
  /** What the checkpoint's store records (Ollama's manifest): used when nothing else is given. */
  known?: Expected;
  /**
   * A blob of the store that is not one of the checkpoint's files (an Ollama manifest's layer):
   * its media type. Found, not read: admitted by the scope like any file found.
   */
  layer?: string;
  /**
   * Hashed only when it has this size (the manifest's): a blob of another size is a mismatch
   * settled by its size, and a small layer replaced by a huge file is not read.
   */
  sizeBound?: bigint;
  /** Its size when that is not `sizeBound` (the plan looked): not hashed. */
  wrongSize?: bigint;
  /**
   * Nothing was there when the plan looked (it is reported missing without another probe): a
   * checksums file may list a million files that are not there.
   */
  absent?: boolean;
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
  /** What the target may read; default: the tree under `root` (or the weights' folders). */
  scope?: TargetScope;
  /** Read what links lead to wherever it is (--follow-symlinks). */
  followSymlinks?: boolean;
}

export interface Plan {
  files: VerifyFile[];
  findings: Finding[];
}

/** The checkpoint's weight files; standard input cannot be read twice, so it has none. */
export function checkpointFiles(cp: Checkpoint): VerifyFile[] {
  if (cp.kind === "stream") return [];
  const known = new Map((cp.known ?? []).map((k) => [k.path, k]));
  const expected = (k: KnownDigest): Expected => ({
    algorithm: "sha256",
    hex: k.sha256,
    source: "ollama-manifest",
    origin: k.origin,
    ...(k.size !== undefined ? { size: k.size } : {}),
  });
  const out: VerifyFile[] = cp.files
    .filter((f) => f.fileBytes !== undefined)
    .map((f) => {
      const k = known.get(f.name);
      return {
        path: f.name,
        name: f.name,
        ...(f.format === "safetensors" ? { safetensors: f } : {}),
        ...(k ? { known: expected(k) } : {}),
      };
    });
  // The store's other blobs the checkpoint names (an Ollama manifest's layers), after its files.
  const read = new Set(out.map((f) => f.path));
  for (const k of cp.known ?? []) {
    if (k.layer === undefined || read.has(k.path)) continue;
    read.add(k.path);
    out.push({
      path: k.path,
      name: k.path,
      known: expected(k),
      layer: k.layer,
      ...(k.size !== undefined ? { sizeBound: k.size } : {}),
    });
  }
  return out;
}

export async function planVerification(
  weights: readonly VerifyFile[],
  options: PlanOptions = {},
): Promise<Plan> {
  const findings: Finding[] = [];
  const files: VerifyFile[] = [];
  const byPath = new Map<string, VerifyFile>();
  /** `key`: the file's absolute path, when known (default: resolved from `f.path`). */
  const add = (f: VerifyFile, key = resolve(f.path)): VerifyFile => {
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
    // The target's own files: an Ollama model is one file, however many layers its manifest has.
    const own = files.filter((f) => f.layer === undefined);
    if (own.length !== 1) {
      throw new InspectError(
        "USAGE",
        `--sha256 gives the digest of one file, but the target has ${plural(own.length, "file")}`,
        { hint: "list each file's digest in a checksums file and pass it with --checksums" },
      );
    }
    own[0]!.expected = { algorithm: "sha256", hex, source: "argument", origin: "--sha256" };
  }

  // A checkpoint that is one file named on its own has no root folder; its mirror pointer is
  // then <pointers>/<its name>, as for the same file in a folder target. Without this,
  // `--lfs-pointers` on a single file was silently ignored and the file reported as unpinned.
  const mirrorRoot = options.root ?? (weights.length === 1 ? dirname(weights[0]!.path) : undefined);
  const follow = options.followSymlinks === true;
  const scope =
    options.scope ??
    (await TargetScope.of(
      mirrorRoot !== undefined ? [mirrorRoot] : [...new Set(weights.map((w) => dirname(w.path)))],
      follow,
    ));
  /** Files found rather than named by the checkpoint: read only when the scope admits them. */
  const refused = new Set<VerifyFile>();
  const admit = async (
    f: VerifyFile,
    within: readonly TargetScope[],
  ): Promise<Finding | undefined> => {
    // Nothing there: nothing to read, so nothing to refuse (as realpath failing would say).
    if (absentSync(f.path)) {
      f.absent = true;
      return undefined;
    }
    let last: Admission | undefined;
    for (const sc of within) {
      last = await sc.admit(f.path);
      if (last.ok) {
        f.open = last.real;
        if (last.absent) f.absent = true;
        return undefined;
      }
    }
    if (last !== undefined && !last.ok) {
      refused.add(f);
      return refusal(f.path, last);
    }
    return undefined;
  };
  /** admit for many files, PROBE_CONCURRENCY at a time; refusals reported in the files' order. */
  const admitAll = async (list: readonly VerifyFile[]): Promise<void> => {
    const said = await mapBounded(list, PROBE_CONCURRENCY, (f) => admit(f, [scope]));
    for (const r of said) if (r !== undefined) findings.push(r);
  };
  // The store's blobs the checkpoint names but never read (a manifest's layers): found files.
  await admitAll(files.filter((f) => f.layer !== undefined));

  if (options.checksums !== undefined) {
    const listed = await readChecksums(options.checksums);
    for (const f of listed.findings) findings.push(f);
    // The target's files only, as `sha256sum -c --ignore-missing` users expect: one file named
    // on its own is checked alone; a folder's listed files are checked when they lie inside it
    // (a listed file missing from the folder is then an error); entries elsewhere are ignored.
    // Absolute paths (resolve made them) compared as strings: no path arithmetic per entry.
    const root = options.root !== undefined ? resolve(options.root) : undefined;
    const under = root === undefined ? undefined : root.endsWith(sep) ? root : root + sep;
    const inScope = (abs: string) => under !== undefined && abs.startsWith(under);
    const cwd = process.cwd();
    const found: VerifyFile[] = [];
    for (const [abs, expected] of listed.expected) {
      const had = byPath.get(abs);
      const f = had ?? (inScope(abs) ? add({ path: shownResolved(abs, cwd) }, abs) : undefined);
      if (f === undefined) continue;
      f.expected ??= expected;
      if (had === undefined) found.push(f);
    }
    // Inside the target by its name (readChecksums refused `..` and absolute names); a link
    // there may still lead out of it.
    await admitAll(found);
  }

  const discover = options.discover !== false;
  const repos = new Set<string>();
  if (discover && options.root !== undefined) {
    const snapshot = await snapshotOfRoot(options.root, files);
    if (snapshot !== undefined) {
      repos.add(snapshot.repo);
      const root = resolve(options.root);
      const walked = await hfSnapshotFiles(snapshot.list, scope);
      for (const r of walked.refused) findings.push(r);
      const found: VerifyFile[] = [];
      for (const p of walked.files) {
        const had = byPath.get(resolve(p));
        if (had === undefined) found.push(add({ path: join(options.root, relative(root, p)) }));
      }
      await admitAll(found);
    }
  }

  if (options.checksums !== undefined) {
    for (const f of files) {
      if (f.expected === undefined && f.safetensors !== undefined) f.unlistedIn = options.checksums;
    }
  }

  const mirror =
    options.lfsPointers === undefined
      ? undefined
      : await TargetScope.of([options.lfsPointers], follow);
  const memo: LocalDirMemo = new Map();
  await mapBounded(files, PROBE_CONCURRENCY, async (f) => {
    if (refused.has(f)) return;
    const at = f.open ?? f.path;
    const size = f.absent
      ? undefined
      : await stat(at).then(
          (s) => (s.isFile() ? s.size : undefined),
          () => undefined,
        );
    if (f.sizeBound !== undefined && size !== undefined && BigInt(size) !== f.sizeBound) {
      f.wrongSize = BigInt(size);
      return;
    }
    if (size !== undefined && size < LFS_POINTER_MAX_BYTES) {
      const own = await readLfsPointer(at);
      if (isPointer(own)) f.pointer = own;
    }
    if (!discover) return;
    // After --sha256 and --checksums, before what is found beside the file.
    f.expected ??= f.known;
    if (mirror !== undefined && mirrorRoot !== undefined) {
      const rel = relative(resolve(mirrorRoot), resolve(f.path));
      if (!rel.startsWith("..") && !isAbsolute(rel)) {
        const p = join(options.lfsPointers!, rel);
        const fromMirror = await pointerExpectation(p, mirror, findings, true);
        if (f.expected === undefined) {
          if (fromMirror !== undefined) f.expected = fromMirror;
          else if (f.safetensors !== undefined) f.unlistedIn ??= options.lfsPointers;
        }
      }
    }
    f.expected ??= await pointerExpectation(`${f.path}.pointer`, scope, findings, false);
    const link = await hfBlobLink(f.path);
    if (link !== undefined) {
      repos.add(snapshotOf(f.path)!.repo);
      f.expected ??= link.expected;
    }
    if (f.expected === undefined && mirrorRoot !== undefined) {
      const local = await hfLocalDirExpectation(f.path, mirrorRoot, memo);
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
  return { files: files.filter((f) => !refused.has(f)), findings };
}

/**
 * The digest a pointer file at `path` names, when `scope` admits it. `explicit`: the pointer
 * folder was named (--lfs-pointers): a malformed pointer there is an error, since the check it
 * was asked for cannot be made; one found beside a file is a warning.
 */
async function pointerExpectation(
  path: string,
  scope: TargetScope,
  findings: Finding[],
  explicit: boolean,
): Promise<Expected | undefined> {
  const admitted = await scope.admit(path);
  if (!admitted.ok) {
    findings.push(refusal(path, admitted));
    return undefined;
  }
  const p = await readLfsPointer(admitted.real);
  if (p !== undefined && "problem" in p) {
    findings.push(
      finding("LFS_POINTER_INVALID", `${shown(path)}: not a usable Git LFS pointer: ${p.problem}`, {
        file: shown(path),
        severity: explicit ? "error" : "warning",
        hint: 'a pointer is "version https://git-lfs.github.com/spec/v1", "oid sha256:<64 hex>", "size <n>"',
      }),
    );
    return undefined;
  }
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

/** `shown` for a path `resolve` made (absolute, normalised), by comparing strings. */
function shownResolved(abs: string, cwd: string): string {
  const under = cwd.endsWith(sep) ? cwd : cwd + sep;
  return abs.startsWith(under) ? abs.slice(under.length) : abs;
}
