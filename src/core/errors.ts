import type { FindingCode } from "./codes.js";
import { finding, type Finding, type FindingDetail } from "./findings.js";

/**
 * The one error class. Anything thrown with a code is a finding about the input; anything else
 * that escapes is a bug (and prints a stack trace only under --debug).
 */
export class InspectError extends Error {
  override readonly name = "InspectError";

  constructor(
    readonly code: FindingCode,
    message: string,
    readonly detail: FindingDetail = {},
  ) {
    super(message);
  }

  toFinding(file?: string): Finding {
    return finding(this.code, this.message, { ...this.detail, file: this.detail.file ?? file });
  }
}
