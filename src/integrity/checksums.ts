// Checksums files as sha256sum writes them: "<hex>  <name>" (text mode) or "<hex> *<name>"
// (binary mode), a leading backslash when the name holds "\\" or "\n" escapes, and the BSD form
// "SHA256 (<name>) = <hex>" of `sha256sum --tag`. Blank lines and "#" comments are skipped.
// Names are relative to the checksums file's folder (sha256sum -c resolves them against the
// current directory; a SHA256SUMS shipped beside the files means its own folder).

import { isUtf8 } from "node:buffer";
import { dirname, isAbsolute, resolve } from "node:path";
import { InspectError } from "../core/errors.js";
import { finding, type Finding } from "../core/findings.js";
import { moreLine } from "../core/finding-sink.js";
import { MAX_CHECKSUMS_BYTES, MAX_FINDINGS_PER_CODE } from "../core/limits.js";
import { excerpt, group, plural } from "../core/text.js";
import { readSmallFile, SmallFileError } from "../sources/small-file.js";
import type { Expected } from "../core/digest.js";

export interface ChecksumEntry {
  hex: string;
  /** As written, unescaped. */
  name: string;
  line: number;
}

export interface ChecksumProblem {
  line: number;
  message: string;
  /** A second, different digest for one name is an error; an unreadable line a warning. */
  conflict: boolean;
}

export interface ParsedChecksums {
  entries: ChecksumEntry[];
  /** The first MAX_FINDINGS_PER_CODE problems of each kind, in order. */
  problems: ChecksumProblem[];
  /** Problems beyond those, counted: a million bad lines keep 20 objects, not a million. */
  omitted: { unreadable: number; conflicts: number };
}

const GNU = /^(\\?)([0-9a-fA-F]+) ([ *])(.+)$/;
const BSD = /^(\\?)SHA256 \((.+)\) = ([0-9a-fA-F]+)$/;

export function parseChecksums(text: string): ParsedChecksums {
  const entries: ChecksumEntry[] = [];
  const kept: ChecksumProblem[] = [];
  const omitted = { unreadable: 0, conflicts: 0 };
  let unreadable = 0;
  let conflicts = 0;
  const problems = {
    push(p: ChecksumProblem): void {
      const n = p.conflict ? ++conflicts : ++unreadable;
      if (n <= MAX_FINDINGS_PER_CODE) kept.push(p);
      else if (p.conflict) omitted.conflicts++;
      else omitted.unreadable++;
    },
  };
  const seen = new Map<string, ChecksumEntry>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    let raw = lines[i]!;
    if (raw.endsWith("\r")) raw = raw.slice(0, -1);
    if (raw.trim() === "" || raw.trimStart().startsWith("#")) continue;
    let escaped: boolean;
    let hex: string;
    let name: string;
    const gnu = GNU.exec(raw);
    const bsd = gnu ? null : BSD.exec(raw);
    if (gnu) {
      escaped = gnu[1] === "\\";
      hex = gnu[2]!;
      name = gnu[4]!;
    } else if (bsd) {
      escaped = bsd[1] === "\\";
      name = bsd[2]!;
      hex = bsd[3]!;
    } else {
      // The line is not quoted: a file named by mistake could hold anything.
      problems.push({
        line,
        message: raw.startsWith("\uFEFF")
          ? "it starts with a byte-order mark, which sha256sum -c does not accept"
          : 'it is not "<sha256>  <name>"',
        conflict: false,
      });
      continue;
    }
    if (hex.length !== 64) {
      const what = hex.length === 32 ? " (MD5?)" : hex.length === 40 ? " (SHA-1?)" : "";
      problems.push({
        line,
        message: `the digest has ${group(hex.length)} hex digits${what}, not the 64 of a SHA-256`,
        conflict: false,
      });
      continue;
    }
    if (escaped) {
      const unescaped = unescapeName(name);
      if (unescaped === undefined) {
        problems.push({
          line,
          message: `bad escape in the name "${excerpt(name, 40)}"`,
          conflict: false,
        });
        continue;
      }
      name = unescaped;
    }
    hex = hex.toLowerCase();
    const before = seen.get(name);
    if (before !== undefined) {
      if (before.hex !== hex) {
        problems.push({
          line,
          message: `a second, different digest for "${excerpt(name, 40)}"; line ${before.line}'s is checked`,
          conflict: true,
        });
      }
      continue;
    }
    const entry = { hex, name, line };
    seen.set(name, entry);
    entries.push(entry);
  }
  return { entries, problems: kept, omitted };
}

/** GNU escapes: "\\\\" for a backslash, "\\n" for a newline, "\\r" for a carriage return. */
function unescapeName(s: string): string | undefined {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = s[++i];
    if (next === "\\") out += "\\";
    else if (next === "n") out += "\n";
    else if (next === "r") out += "\r";
    else return undefined;
  }
  return out;
}

export interface ChecksumsFile {
  /** Absolute path of each listed file → what it should hash to. */
  expected: Map<string, Expected>;
  findings: Finding[];
}

/** Why a listed name is refused: it leaves the checksums file's folder before any link. */
export function unsafeListedName(name: string): string | undefined {
  if (isAbsolute(name) || /^[A-Za-z]:/.test(name)) return "an absolute path";
  if (name.split(/[/\\]/).includes("..")) return "a '..' path";
  return undefined;
}

/** Why bytes are not a text file sha256sum could have written, or undefined when they may be. */
function notText(bytes: Buffer): string | undefined {
  if (
    (bytes[0] === 0xff && bytes[1] === 0xfe) ||
    (bytes[0] === 0xfe && bytes[1] === 0xff) ||
    utf16(bytes)
  )
    return "it is UTF-16 text; sha256sum writes UTF-8 (convert it with iconv -f UTF-16 -t UTF-8)";
  if (bytes.includes(0)) return "it holds NUL bytes: a binary file, not sha256sum output";
  if (!isUtf8(bytes)) return "it is not UTF-8 text: a binary file, not sha256sum output";
  return undefined;
}

/** UTF-16 without a byte-order mark: ASCII text with a NUL in every other byte. */
function utf16(bytes: Buffer): boolean {
  const n = Math.min(bytes.length, 64) & ~1;
  if (n < 4) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) even++;
    if (bytes[i + 1] === 0) odd++;
  }
  return (even === n / 2) !== (odd === n / 2);
}

/**
 * Reads and parses a checksums file: a regular file, at most MAX_CHECKSUMS_BYTES. Names are
 * resolved against its folder; absolute and `..` names are refused. Throws CHECKSUMS_UNREADABLE
 * when it cannot be read, is not text, or has no usable line (nothing would be checked).
 */
export async function readChecksums(path: string): Promise<ChecksumsFile> {
  let bytes: Buffer;
  try {
    bytes = await readSmallFile(path, MAX_CHECKSUMS_BYTES, "a checksums file");
  } catch (e) {
    if (!(e instanceof SmallFileError)) throw e;
    throw new InspectError(
      "CHECKSUMS_UNREADABLE",
      `${path}: ${e.problem === "missing" ? "no such file" : e.message}`,
    );
  }
  const binary = notText(bytes);
  if (binary !== undefined) {
    throw new InspectError("CHECKSUMS_UNREADABLE", `${path}: ${binary}`);
  }
  const parsed = parseChecksums(bytes.toString("utf8"));
  const folder = dirname(resolve(path));
  const expected = new Map<string, Expected>();
  const lineOf = new Map<string, ChecksumEntry>();
  const findings = parsed.problems.map((p) =>
    finding("CHECKSUMS_MALFORMED", `${path} line ${p.line}: ${p.message}`, {
      file: path,
      ...(p.conflict ? { severity: "error" as const } : {}),
      hint: p.conflict
        ? "fix the checksums file: one of the two digests is wrong"
        : 'sha256sum writes "<64 hex digits>  <name>" or "<64 hex digits> *<name>"; the line is skipped',
    }),
  );
  const first = (conflict: boolean) => findings.find((f) => (f.severity === "error") === conflict);
  if (parsed.omitted.conflicts > 0)
    findings.push(moreLine("CHECKSUMS_MALFORMED", parsed.omitted.conflicts, first(true), path));
  if (parsed.omitted.unreadable > 0)
    findings.push(moreLine("CHECKSUMS_MALFORMED", parsed.omitted.unreadable, first(false), path));
  // Absolute and `..` names lead out of the list's folder: never read. As for any entry that is
  // not the target's (plan.ts), they are passed over without a word, unless nothing else is left.
  let refused = 0;
  for (const e of parsed.entries) {
    if (unsafeListedName(e.name) !== undefined) {
      refused++;
      continue;
    }
    const abs = resolve(folder, e.name);
    const before = lineOf.get(abs);
    if (before !== undefined) {
      // `x` and `./x` are one file: two digests for it is the conflict sha256sum -c reports.
      if (before.hex !== e.hex) {
        findings.push(
          finding(
            "CHECKSUMS_MALFORMED",
            `${path} line ${e.line}: a second, different digest for "${excerpt(e.name, 40)}", the file line ${before.line} names as "${excerpt(before.name, 40)}"; line ${before.line}'s is checked`,
            {
              file: path,
              severity: "error",
              hint: "fix the checksums file: one of the two digests is wrong",
            },
          ),
        );
      }
      continue;
    }
    lineOf.set(abs, e);
    expected.set(abs, {
      algorithm: "sha256",
      hex: e.hex,
      source: "checksums",
      origin: `${path} line ${e.line}`,
    });
  }
  const problemCount =
    parsed.problems.length + parsed.omitted.unreadable + parsed.omitted.conflicts;
  if (expected.size === 0) {
    const why =
      refused > 0
        ? "every name it lists is outside its folder"
        : problemCount > 0
          ? `none of its ${plural(problemCount, "line")} can be used (${parsed.problems[0]!.message}${problemCount > 1 ? ", …" : ""})`
          : "it lists no file";
    throw new InspectError("CHECKSUMS_UNREADABLE", `${path}: nothing to check: ${why}`, {
      hint: 'sha256sum writes "<64 hex digits>  <name>" lines',
    });
  }
  return { expected, findings };
}
