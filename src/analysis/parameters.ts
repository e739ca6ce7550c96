// The one place that decides how many parameters a stored tensor holds. Checkpoint-aware rules
// (packed quantized weights, bookkeeping tensors) extend this function, not its callers.

import { SCALE_ONLY_DTYPE } from "../formats/safetensors/dtypes.js";

/**
 * Parameters held by a tensor of `elements` stored elements. Every stored element counts,
 * buffers included (BatchNorm statistics occupy memory and peer tools count them), except MX
 * block-scale exponents, which scale other weights and are not weights themselves.
 */
export function parametersOf(dtype: string, elements: bigint): bigint {
  return dtype === SCALE_ONLY_DTYPE ? 0n : elements;
}
