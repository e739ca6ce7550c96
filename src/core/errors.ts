import type { FindingCode } from "./codes.js";
import { finding, type Finding, type FindingDetail } from "./findings.js";

/**
 * The one error class. Anything thrown with a code is a finding about the input; anything else
 * that escapes is a bug (and prints a stack trace only under --debug).
 */
export class InspectError extends Error {
  /**
   * Whether InspectErrors record where they were made (--debug). A finding about the input needs
   * no stack, and recording one costs more than the rest of the error: an index naming 160,000
   * missing shards makes as many.
   */
  static stacks = false;

  override readonly name = "InspectError";
  readonly code: FindingCode;
  readonly detail: FindingDetail;

  constructor(code: FindingCode, message: string, detail: FindingDetail = {}) {
    const limit = Error.stackTraceLimit;
    if (!InspectError.stacks) Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.code = code;
    this.detail = detail;
  }

  toFinding(file?: string): Finding {
    return finding(this.code, this.message, { ...this.detail, file: this.detail.file ?? file });
  }
}
