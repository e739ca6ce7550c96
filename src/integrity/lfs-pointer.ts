// Git LFS pointers (spec v1: "version …", "oid sha256:<hex>", "size <n>", under 1024 bytes) as
// a source of expected digests.
//
// Where a pointer is found, by convention:
// - instead of the weights: a clone made without LFS smudging (GIT_LFS_SKIP_SMUDGE=1, or no
//   git-lfs installed) holds pointers in place of the files. The format layer reports such a
//   file as LFS_POINTER; verification reports it as not downloaded (never as a hash to compare).
// - in a folder that mirrors the checkpoint: such a clone beside a separate download of the
//   weights (`hf download --local-dir`), the pointer for <root>/<path> at <pointers>/<path>.
//   git lfs itself compares a file with a pointer only when both are named
//   (`git lfs pointer --file=… --pointer=…`); there is no standard name for a pointer kept beside
//   its file, so the mirror must be named explicitly.
// - next to the file as "<name>.pointer": the one spelling seen in the wild (repositories that
//   commit the pointer and ship the weights elsewhere). Found without being asked for.

import { LFS_POINTER_MAX_BYTES } from "../core/limits.js";
import { readSmallFile, SmallFileError } from "../sources/small-file.js";

export interface LfsPointer {
  oid: string;
  size: bigint;
}

// v1, and the pre-release spelling git-lfs still accepts.
const VERSIONS = new Set([
  "https://git-lfs.github.com/spec/v1",
  "https://hawser.github.com/spec/v1",
]);

/**
 * The pointer in `text`; undefined when it does not start like one; a problem when it does but
 * is malformed. Accepts CRLF and extension lines, as git-lfs does when reading.
 */
export function parseLfsPointer(text: string): LfsPointer | { problem: string } | undefined {
  if (!text.startsWith("version ")) return undefined;
  const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (lines[lines.length - 1] === "") lines.pop();
  const version = lines[0]!.slice("version ".length);
  if (!VERSIONS.has(version)) {
    return version.includes("git-lfs") || version.includes("hawser")
      ? { problem: `unknown Git LFS pointer version "${version}"` }
      : undefined;
  }
  let oid: string | undefined;
  let size: bigint | undefined;
  for (const line of lines.slice(1)) {
    const space = line.indexOf(" ");
    const key = space < 0 ? line : line.slice(0, space);
    const value = space < 0 ? "" : line.slice(space + 1);
    if (key === "oid") {
      const m = /^sha256:([0-9a-f]{64})$/.exec(value);
      if (!m) return { problem: `oid is not sha256:<64 lower-case hex digits>` };
      oid = m[1]!;
    } else if (key === "size") {
      if (!/^(0|[1-9][0-9]*)$/.test(value)) return { problem: `size "${value}" is not a number` };
      size = BigInt(value);
    } else if (!/^[a-z0-9.-]+$/.test(key)) {
      return { problem: `line "${line.slice(0, 40)}" is not "key value"` };
    }
  }
  if (oid === undefined) return { problem: "no oid line" };
  if (size === undefined) return { problem: "no size line" };
  return { oid, size };
}

/**
 * The pointer at `path`, if that file exists, is a regular file and is one; files of 1024 bytes
 * or more are never pointers and never read in full.
 */
export async function readLfsPointer(
  path: string,
): Promise<LfsPointer | { problem: string } | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readSmallFile(path, LFS_POINTER_MAX_BYTES - 1, "a Git LFS pointer");
  } catch (e) {
    if (e instanceof SmallFileError) return undefined;
    throw e;
  }
  return parseLfsPointer(bytes.toString("utf8"));
}

export function isPointer(p: LfsPointer | { problem: string } | undefined): p is LfsPointer {
  return p !== undefined && "oid" in p;
}
