// First estimate of what can run the weights. The full memory model (KV cache, precisions,
// devices) replaces estimateHardware's body; its callers only see HardwareEstimate.

import { DEFAULT_REFERENCE_GPU, GPUS_PER_NODE, REFERENCE_LAPTOP, usableBytes } from "./catalog.js";

export type Tier = "laptop" | "single-server" | "cluster";

export interface HardwareEstimate {
  tier: Tier;
  /** Memory needed to load and run the weights, in bytes. */
  requiredBytes: bigint;
  breakdown: { weights: bigint; activations: bigint; reserve: bigint };
  thresholds: { laptopBytes: bigint; singleServerBytes: bigint };
  reference: { laptop: string; server: string };
  assumptions: string[];
}

const GiB = 1n << 30n;
/** Activation workspace as a share of the weights (huggingface.js gguf-view uses 5 %). */
const ACTIVATION_PERCENT = 5n;
/** Runtime reserve per device: llama.cpp's --fit margin, about a CUDA context. */
const RESERVE_BYTES = GiB;

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

export function estimateHardware(weightBytes: bigint): HardwareEstimate {
  const activations = ceilDiv(weightBytes * ACTIVATION_PERCENT, 100n);
  const requiredBytes = weightBytes + activations + RESERVE_BYTES;
  const laptopBytes = usableBytes(REFERENCE_LAPTOP);
  const singleServerBytes = BigInt(GPUS_PER_NODE) * usableBytes(DEFAULT_REFERENCE_GPU);
  const tier: Tier =
    requiredBytes <= laptopBytes
      ? "laptop"
      : requiredBytes <= singleServerBytes
        ? "single-server"
        : "cluster";
  return {
    tier,
    requiredBytes,
    breakdown: { weights: weightBytes, activations, reserve: RESERVE_BYTES },
    thresholds: { laptopBytes, singleServerBytes },
    reference: {
      laptop: REFERENCE_LAPTOP.label,
      server: `${GPUS_PER_NODE} × ${DEFAULT_REFERENCE_GPU.label}`,
    },
    assumptions: [
      "weights as stored, every tensor resident",
      "KV cache not included yet",
      "activations: 5 % of the weights",
      "runtime reserve: 1 GiB",
    ],
  };
}
