// Hardware as data. Thresholds derive from these entries; code paths hold no magic numbers.
// Memory figures are what the device reports, since that is what a runtime can allocate.

const GiB = 1n << 30n;
const MiB = 1n << 20n;

export interface Device {
  id: string;
  label: string;
  /** Memory a program can allocate on it, in bytes. */
  memoryBytes: bigint;
}

export interface Server {
  id: string;
  label: string;
  device: Device;
  count: number;
  /** Share of each device's memory a serving runtime claims (vLLM's gpu_memory_utilization). */
  utilisation: { numerator: bigint; denominator: bigint };
}

/** nvidia-smi reports 81,559 MiB (79.6 GiB) for an H100 80 GB. */
export const H100_80GB: Device = { id: "h100", label: "H100 80GB", memoryBytes: 81_559n * MiB };

/**
 * A laptop with 32 GiB of unified memory: Metal lets the GPU use about two thirds of it
 * (recommendedMaxWorkingSetSize), 21.33 GiB.
 */
export const REFERENCE_LAPTOP = {
  id: "laptop-32gb",
  label: "⅔ of a 32 GiB unified-memory laptop",
  usableBytes: (32n * GiB * 2n) / 3n,
};

/** The most common serving node, and the one DeepSeek-V3's README splits over two nodes. */
export const REFERENCE_SERVER: Server = {
  id: "8xh100",
  label: "8 × H100 80GB at 0.9",
  device: H100_80GB,
  count: 8,
  utilisation: { numerator: 9n, denominator: 10n },
};

export function usableBytes(s: Server): bigint {
  return (
    (s.device.memoryBytes * BigInt(s.count) * s.utilisation.numerator) / s.utilisation.denominator
  );
}
