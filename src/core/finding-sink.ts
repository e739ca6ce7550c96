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

  add(code: FindingCode, message: string, detail: FindingDetail = {}): void {
    const n = (this.perCode.get(code) ?? 0) + 1;
    this.perCode.set(code, n);
    if (n <= MAX_FINDINGS_PER_CODE) {
      this.list.push(finding(code, message, { file: this.file, ...detail }));
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
        this.list.push(
          finding(code, `${group(n - MAX_FINDINGS_PER_CODE)} more ${code} findings not listed`, {
            file: this.file,
            severity: first?.severity,
          }),
        );
      }
    }
    return this.list;
  }
}
