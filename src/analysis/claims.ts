// Parameter totals a checkpoint states about itself (`__metadata__.total_parameters`, an index's
// `metadata.total_parameters`) are untrusted: 333,312 has been declared for a 7.6 B model
// (huggingface_hub#4221). They are compared with the count from the shapes, never used.

import { finding, type Finding } from "../core/findings.js";
import { group } from "../core/text.js";

export interface ParameterClaim {
  /** As found: a string from __metadata__, or a number the checkpoint stage parsed. */
  value: string | bigint;
  /** Where it was found, for the message: "__metadata__ of model-00001-of-00004.safetensors". */
  source: string;
  file?: string;
}

const DECIMAL = /^[0-9]{1,20}$/;

/**
 * Agreement means the claim equals the total, or the total without optional modules (a
 * model card's "671B" for DeepSeek-V3 leaves the MTP layer out).
 */
export function checkClaims(
  claims: readonly ParameterClaim[],
  total: bigint,
  withoutOptional: bigint,
  stored: bigint,
): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const c of claims) {
    const text = typeof c.value === "bigint" ? c.value.toString() : c.value.trim();
    if (seen.has(text)) continue;
    seen.add(text);
    if (!DECIMAL.test(text)) {
      findings.push(
        finding(
          "PARAMETERS_CLAIM_MISMATCH",
          `${c.source} gives total_parameters ${JSON.stringify(text.slice(0, 40))}, not a whole number; the tensors hold ${group(total)}`,
          { file: c.file },
        ),
      );
      continue;
    }
    const claimed = BigInt(text);
    if (claimed === total || claimed === withoutOptional) continue;
    const asStored =
      claimed === stored ? " (the stored elements, packed and bookkeeping included)" : "";
    findings.push(
      finding(
        "PARAMETERS_CLAIM_MISMATCH",
        `${c.source} claims ${group(claimed)} parameters${asStored}; the tensor shapes give ${group(total)}`,
        {
          file: c.file,
          hint: "self-reported totals are not used: every count comes from the shapes",
        },
      ),
    );
  }
  return findings;
}
