// How fast one sequence runs on a setup (docs/memory-model.md §6):
//   decode  tok/s = 1 / (bytes read per token / (bandwidth × n × e_bw) + fixed per-token cost)
//           bytes read per token = active weight bytes + KV bytes at the context
//   prefill tok/s = dense peak FLOP/s × n × e_c / (2 × active parameters)
// Decode is memory-bound: every active weight and the cache so far are read once per generated
// token. Prefill is compute-bound: two FLOPs per active parameter per prompt token. The
// efficiencies and the fixed cost are calibrated per device class against published llama.cpp
// llama-bench results (docs/memory-model.md §7); test/hardware/speed.test.ts recomputes every row.

/** A device class: what its runtime achieves of the peak figures. */
export interface SpeedClass {
  id: SpeedClassId;
  label: string;
  /** Share of the peak memory bandwidth a decode step achieves. */
  bandwidthEfficiency: number;
  /** Share of the dense peak FLOP/s a prompt batch achieves. */
  computeEfficiency: number;
  /** Per generated token, whatever the model: kernel launches, synchronisation, sampling. */
  perTokenMs: number;
}

export type SpeedClassId = "apple" | "nvidia-consumer" | "nvidia-datacenter" | "amd";

/**
 * Calibrated against llama-bench (docs/memory-model.md §7): the decode efficiency minimises the
 * squared log error over the class's rows, the compute efficiency is the geometric mean of the
 * rows' achieved/peak. The per-token costs are the brief's priors (about 1 ms on CUDA, several on
 * Metal), not fitted.
 */
export const SPEED_CLASSES: Readonly<Record<SpeedClassId, SpeedClass>> = {
  apple: {
    id: "apple",
    label: "Apple silicon (llama.cpp Metal)",
    bandwidthEfficiency: 0.66,
    computeEfficiency: 0.62,
    perTokenMs: 3,
  },
  "nvidia-consumer": {
    id: "nvidia-consumer",
    label: "NVIDIA consumer and workstation (llama.cpp CUDA)",
    bandwidthEfficiency: 0.7,
    computeEfficiency: 0.33,
    perTokenMs: 1,
  },
  "nvidia-datacenter": {
    id: "nvidia-datacenter",
    label: "NVIDIA data centre (llama.cpp CUDA)",
    bandwidthEfficiency: 0.46,
    computeEfficiency: 0.16,
    perTokenMs: 1,
  },
  amd: {
    id: "amd",
    label: "AMD (llama.cpp ROCm)",
    bandwidthEfficiency: 0.61,
    computeEfficiency: 0.39,
    perTokenMs: 1.5,
  },
};

/**
 * Tensor parallelism over n devices is charged this share of linear scaling per doubling (all-
 * reduce per layer). An assumption, not calibrated: no published single-sequence rows were found.
 */
export const TP_SCALING_PER_DOUBLING = 0.85;

/** Below this decode rate a setup is marked not usable (interactive reading speed). */
export const USABLE_DECODE_TOKENS_PER_SECOND = 5;

export interface SpeedInput {
  /** Weight bytes read per generated token: active weights, the input embedding left out. */
  weightBytesPerToken: bigint;
  /** Cache bytes read per generated token at the context assumed. */
  kvBytesAtContext: bigint;
  /** Parameters each prompt token passes through (2 FLOPs each). */
  activeParameters: bigint;
}

export interface DeviceSpeed {
  /** GB/s (10^9 bytes per second) of one device. */
  bandwidthGBps: number;
  /** Dense FP16/BF16 peak of one device, TFLOP/s (10^12). */
  denseTflops: number;
  speedClass: SpeedClassId;
}

export interface SpeedEstimate {
  decodeTokensPerSecond: number;
  prefillTokensPerSecond: number;
  usable: boolean;
}

const scaling = (n: number) => (n <= 1 ? 1 : n * TP_SCALING_PER_DOUBLING ** Math.log2(n));

/** Rounded to 3 significant figures: an estimate, not a measurement. */
export function roundEstimate(x: number): number {
  if (!Number.isFinite(x) || x <= 0) return 0;
  return Number(x.toPrecision(3));
}

/** Single-sequence decode and prefill on `count` devices of one kind. */
export function estimateSpeed(input: SpeedInput, device: DeviceSpeed, count = 1): SpeedEstimate {
  const cls = SPEED_CLASSES[device.speedClass];
  const s = scaling(count);
  const bytes = Number(input.weightBytesPerToken + input.kvBytesAtContext);
  const bandwidth = device.bandwidthGBps * 1e9 * cls.bandwidthEfficiency * s;
  const seconds = bytes / bandwidth + cls.perTokenMs / 1000;
  const decode = 1 / seconds;
  const flops = device.denseTflops * 1e12 * cls.computeEfficiency * s;
  const params = Number(input.activeParameters);
  const prefill = params > 0 ? flops / (2 * params) : 0;
  return {
    decodeTokensPerSecond: roundEstimate(decode),
    prefillTokensPerSecond: roundEstimate(prefill),
    usable: decode >= USABLE_DECODE_TOKENS_PER_SECOND,
  };
}
