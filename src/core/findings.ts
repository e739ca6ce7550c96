import { CODES, type FindingCode, type Severity } from "./codes.js";
import { group } from "./text.js";

export type { FindingCode, Severity };

export interface Finding {
  severity: Severity;
  code: FindingCode;
  /** One line: names the tensor or the byte offset, and what is wrong. */
  message: string;
  /** What to do about it, or what the odd bytes look like. */
  hint?: string;
  /** The file it is about, as given or as found inside a checkpoint. */
  file?: string;
  tensor?: string;
  /** Absolute byte offset in the file, when the problem has one. */
  offset?: bigint;
  /** Set on a "N more … not listed" line: the N findings of its code it stands for. */
  omitted?: number;
}

export interface FindingDetail {
  hint?: string;
  file?: string;
  tensor?: string;
  offset?: bigint;
  severity?: Severity;
}

export function finding(code: FindingCode, message: string, detail: FindingDetail = {}): Finding {
  const f: Finding = { severity: detail.severity ?? CODES[code].severity, code, message };
  if (detail.hint !== undefined) f.hint = detail.hint;
  if (detail.file !== undefined) f.file = detail.file;
  if (detail.tensor !== undefined) f.tensor = detail.tensor;
  if (detail.offset !== undefined) f.offset = detail.offset;
  return f;
}

/**
 * The same finding in many files of one checkpoint (every shard needs safetensors ≥ 0.4.1) is
 * one finding: kept at its first place, with the count of files instead of the file name.
 */
export function mergeAcrossFiles(findings: readonly Finding[], filesRead?: number): Finding[] {
  const groups = new Map<string, { first: Finding; files: Set<string> }>();
  const order: Array<Finding | { key: string }> = [];
  for (const f of findings) {
    if (
      f.file === undefined ||
      f.tensor !== undefined ||
      f.offset !== undefined ||
      f.omitted !== undefined
    ) {
      order.push(f);
      continue;
    }
    const key = `${f.severity}\u0000${f.code}\u0000${f.message}\u0000${f.hint ?? ""}`;
    const g = groups.get(key);
    if (g) g.files.add(f.file);
    else {
      groups.set(key, { first: f, files: new Set([f.file]) });
      order.push({ key });
    }
  }
  return order.map((x) => {
    if (!("key" in x)) return x;
    const g = groups.get(x.key)!;
    if (g.files.size === 1) return g.first;
    const { file: _file, ...rest } = g.first;
    // "in 162 of 163 files" tells the one file that differs; "in 163 files" that all do.
    const of =
      filesRead !== undefined && filesRead > g.files.size
        ? `${group(g.files.size)} of ${group(filesRead)}`
        : group(g.files.size);
    return { ...rest, message: `${g.first.message} (in ${of} files)` };
  });
}
