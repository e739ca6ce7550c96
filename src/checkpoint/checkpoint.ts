import type { Finding } from "../core/findings.js";
import type { SafetensorsFile } from "../formats/safetensors/read.js";

/** Everything read for one target: its weight files and what was found about them as a set. */
export interface Checkpoint {
  /** As given on the command line. */
  target: string;
  files: SafetensorsFile[];
  /** Findings about the target as a whole (cannot open it, cross-checks); files carry their own. */
  findings: Finding[];
}
