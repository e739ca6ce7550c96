import type { FindingCode } from "./codes.js";
import { finding, type Finding, type FindingDetail } from "./findings.js";
import { MAX_FINDINGS_PER_CODE } from "./limits.js";
import { group } from "./text.js";

/**
 * Collects findings in the order found, keeping at most MAX_FINDINGS_PER_CODE per code per file
 * so that a header broken in a million places still gives a readable report.
 */
export class FindingSink {
  readonly list: Finding[] = [];
  private readonly perCode = new Map<FindingCode, number>();

  constructor(private readonly file?: string) {}

  /** `message` may be a function: it is then called only for a finding that is kept. */
  add(code: FindingCode, message: string | (() => string), detail: FindingDetail = {}): void {
    const n = (this.perCode.get(code) ?? 0) + 1;
    this.perCode.set(code, n);
    if (n <= MAX_FINDINGS_PER_CODE) {
      const text = typeof message === "string" ? message : message();
      this.list.push(finding(code, text, { file: this.file, ...detail }));
    }
  }

  push(f: Finding): void {
    this.list.push(this.file !== undefined && f.file === undefined ? { ...f, file: this.file } : f);
  }

  count(code: FindingCode): number {
    return this.perCode.get(code) ?? 0;
  }

  /** The findings, with one line per code that went over the cap. */
  finish(): Finding[] {
    for (const [code, n] of this.perCode) {
      if (n > MAX_FINDINGS_PER_CODE) {
        const first = this.list.find((f) => f.code === code);
        this.list.push(moreLine(code, n - MAX_FINDINGS_PER_CODE, first, this.file));
      }
    }
    return this.list;
  }
}

/** "N more CODE findings not listed", standing for those N (capPerCode counts them). */
export function moreLine(
  code: FindingCode,
  n: number,
  first: Finding | undefined,
  file?: string,
): Finding {
  return {
    ...finding(code, `${group(n)} more ${code} findings not listed`, {
      file,
      severity: first?.severity,
    }),
    omitted: n,
  };
}

/**
 * At most MAX_FINDINGS_PER_CODE findings of each code in a whole report, in order, then one line
 * per code saying how many more there were (counting those already summarised per file): an index
 * naming 160,000 missing shards or a checksums file of a million bad lines stays readable.
 */
export function capPerCode(findings: readonly Finding[]): Finding[] {
  const kept: Finding[] = [];
  const shown = new Map<FindingCode, number>();
  const hidden = new Map<
    FindingCode,
    { n: number; first: Finding; files: Set<string | undefined> }
  >();
  for (const f of findings) {
    const k = shown.get(f.code) ?? 0;
    if (f.omitted === undefined && k < MAX_FINDINGS_PER_CODE) {
      shown.set(f.code, k + 1);
      kept.push(f);
      continue;
    }
    const h = hidden.get(f.code);
    if (h) {
      h.n += f.omitted ?? 1;
      h.files.add(f.file);
    } else hidden.set(f.code, { n: f.omitted ?? 1, first: f, files: new Set([f.file]) });
  }
  for (const [code, h] of hidden) {
    const [file] = h.files;
    kept.push(moreLine(code, h.n, h.first, h.files.size === 1 ? file : undefined));
  }
  return kept;
}
