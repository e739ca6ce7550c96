import { CODES, type FindingCode, type Severity } from "./codes.js";

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

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === "error");
}
