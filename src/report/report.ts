// The report on one target, as the table and the JSON document render it: the model's facts
// (analysis/summary.ts) with what the composition (inspection.ts) adds around them.

import type { ModelSummary } from "../analysis/summary.js";
import type { HardwareEstimate } from "../hardware/estimate.js";
import type { Verification } from "../integrity/verification.js";

export type { TensorRow } from "../analysis/summary.js";

export interface Report extends Omit<ModelSummary, "components"> {
  /** No error among the findings (warnings count as errors under --strict), and a file read. */
  ok: boolean;
  /** Null when nothing could be read to base an estimate on. */
  hardware: HardwareEstimate | null;
  /** --verify / --scan results, when asked for. */
  verification?: Verification;
  /** A folder of several models: each reported on its own; the totals above are their sums. */
  components?: Array<{ name: string; summary: Report }>;
}
