// Checksums files as sha256sum writes them: "<hex>  <name>" (text mode) or "<hex> *<name>"
// (binary mode), a leading backslash when the name holds "\\" or "\n" escapes, and the BSD form
// "SHA256 (<name>) = <hex>" of `sha256sum --tag`. Blank lines and "#" comments are skipped.
// Names are relative to the checksums file's folder (sha256sum -c resolves them against the
// current directory; a SHA256SUMS shipped beside the files means its own folder).

import { readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { InspectError } from "../core/errors.js";
import { finding, type Finding } from "../core/findings.js";
import { moreLine } from "../core/finding-sink.js";
import { MAX_CHECKSUMS_BYTES, MAX_FINDINGS_PER_CODE } from "../core/limits.js";
import { excerpt, group } from "../core/text.js";
import type { Expected } from "./digest.js";

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
      problems.push({
        line,
        message: `"${excerpt(raw, 40)}" is not "<sha256>  <name>"`,
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

/** Reads and parses a checksums file; throws CHECKSUMS_UNREADABLE when it cannot be read at all. */
export async function readChecksums(path: string): Promise<ChecksumsFile> {
  let text: string;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new InspectError("CHECKSUMS_UNREADABLE", `${path}: not a file`);
    if (st.size > MAX_CHECKSUMS_BYTES) {
      throw new InspectError(
        "CHECKSUMS_UNREADABLE",
        `${path}: ${group(st.size)} bytes is too large for a checksums file (at most ${group(MAX_CHECKSUMS_BYTES)})`,
      );
    }
    text = await readFile(path, "utf8");
  } catch (e) {
    if (e instanceof InspectError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InspectError(
      "CHECKSUMS_UNREADABLE",
      `${path}: ${code === "ENOENT" ? "no such file" : `cannot read it (${code ?? String(e)})`}`,
    );
  }
  const parsed = parseChecksums(text);
  const folder = dirname(resolve(path));
  const expected = new Map<string, Expected>();
  for (const e of parsed.entries) {
    const abs = resolve(folder, e.name);
    if (expected.has(abs)) continue;
    expected.set(abs, {
      algorithm: "sha256",
      hex: e.hex,
      source: "checksums",
      origin: `${path} line ${e.line}`,
    });
  }
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
  return { expected, findings };
}
