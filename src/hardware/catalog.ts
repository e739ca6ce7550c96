// Hardware as data. Tier thresholds and fit answers derive from these entries; no code path holds
// a device size. Memory is what the device reports where that is known (nvidia-smi), because that
// is what a runtime can allocate; otherwise the nominal binary size (VRAM is built in GiB).
// Memory: huggingface.js hardware.ts and nvidia-smi output (docs/memory-model.md §6); bandwidth
// and dense FP16 TFLOPS: the vendors' datasheets, named on each entry.

import type { SpeedClassId } from "./speed.js";

const MiB = 1n << 20n;
const GiB = 1n << 30n;

export type DeviceKind =
  "laptop" | "desktop" | "consumer-gpu" | "workstation-gpu" | "datacenter-gpu";

export interface Device {
  id: string;
  label: string;
  kind: DeviceKind;
  /** Memory as the device reports it, in bytes. */
  memoryBytes: bigint;
  /** Other spellings accepted by --gpu and --reference-server. */
  aliases?: readonly string[];
  /** Bandwidth and compute, for the speed estimate; every catalogue entry has them (a machine
   * measured by the CLI does not). */
  speed?: DeviceSpeedSpec;
}

/** A share as an exact fraction, so thresholds stay integers. */
export interface Share {
  numerator: bigint;
  denominator: bigint;
  /** Where the share comes from: vLLM's gpu_memory_utilization, Metal's working-set limit. */
  rule: "vllm-gpu-memory-utilization" | "metal-working-set";
}

/** vLLM's long-standing gpu_memory_utilization default: the runtime claims 90 % of each GPU. */
export const GPU_SHARE: Share = {
  numerator: 9n,
  denominator: 10n,
  rule: "vllm-gpu-memory-utilization",
};

/**
 * Metal's recommendedMaxWorkingSetSize is about ⅔ of unified memory up to 36 GiB and ¾ above
 * (16 GB M1: 10.67 GB; 64 GB Max: about 48 GB). Users can raise it with iogpu.wired_limit_mb.
 */
export const UNIFIED_SMALL: Share = {
  numerator: 2n,
  denominator: 3n,
  rule: "metal-working-set",
};
export const UNIFIED_LARGE: Share = {
  numerator: 3n,
  denominator: 4n,
  rule: "metal-working-set",
};
const UNIFIED_LARGE_FROM = 36n * GiB;

export function shareOf(d: Device): Share {
  if (d.kind === "laptop" || d.kind === "desktop")
    return d.memoryBytes > UNIFIED_LARGE_FROM ? UNIFIED_LARGE : UNIFIED_SMALL;
  return GPU_SHARE;
}

/** Memory a model may use on one device. */
export function usableBytes(d: Device): bigint {
  const s = shareOf(d);
  return (d.memoryBytes * s.numerator) / s.denominator;
}

/** What speed depends on, with where each figure comes from. */
export interface DeviceSpeedSpec {
  /** Peak memory bandwidth of one device, GB/s (10^9 bytes per second). */
  bandwidthGBps: number;
  /** Dense (no sparsity) FP16/BF16 peak of one device, TFLOP/s. */
  denseTflops: number;
  speedClass: SpeedClassId;
  /** Where the two figures come from. */
  source: string;
}

// Sources of the speed figures (docs/memory-model.md §6). NVIDIA: the product datasheets, dense
// FP16 tensor TFLOPS (half the "with sparsity" figure; GeForce: the FP16-accumulate figure of the
// Ada and Blackwell architecture whitepapers). AMD: the product pages. Apple: memory bandwidth from
// Apple's tech specs; GPU TFLOPS as Apple stated them for M1/M2 (M1 Max 10.4, M2 Ultra 27.2),
// else derived as GPU cores × 128 FP32 lanes × 2 × clock.
const NV = (product: string) => `NVIDIA ${product} datasheet`;
const APPLE = (chip: string, derived = false) =>
  `Apple ${chip} tech specs (bandwidth)${derived ? "; TFLOPS derived from GPU cores × 128 × 2 × clock" : ""}`;

const gpu = (
  id: string,
  label: string,
  kind: DeviceKind,
  memoryBytes: bigint,
  speed: DeviceSpeedSpec,
  aliases: string[] = [],
): Device => ({ id, label, kind, memoryBytes, aliases, speed });

const apple = (
  chip: string,
  gb: number,
  label: string,
  bandwidthGBps: number,
  denseTflops: number,
  source: string,
  aliases: string[] = [],
  kind: DeviceKind = "laptop",
): Device => ({
  id: `${chip}-${gb}`,
  label,
  kind,
  memoryBytes: BigInt(gb) * GiB,
  aliases,
  speed: { bandwidthGBps, denseTflops, speedClass: "apple", source },
});

const nvc = (bandwidthGBps: number, denseTflops: number, source: string): DeviceSpeedSpec => ({
  bandwidthGBps,
  denseTflops,
  speedClass: "nvidia-consumer",
  source,
});
const nvd = (bandwidthGBps: number, denseTflops: number, source: string): DeviceSpeedSpec => ({
  bandwidthGBps,
  denseTflops,
  speedClass: "nvidia-datacenter",
  source,
});
const amd = (bandwidthGBps: number, denseTflops: number, source: string): DeviceSpeedSpec => ({
  bandwidthGBps,
  denseTflops,
  speedClass: "amd",
  source,
});

export const DEVICES: readonly Device[] = [
  // Macs by chip: an M4 Pro and an M4 Max with the same memory differ 2× in bandwidth.
  apple("m4", 16, "MacBook Air M4 16GB", 120, 4.3, APPLE("M4", true), ["mac-16gb"]),
  apple("m4", 24, "MacBook Air M4 24GB", 120, 4.3, APPLE("M4", true), ["mac-24gb"]),
  apple("m4", 32, "MacBook Air M4 32GB", 120, 4.3, APPLE("M4", true), ["mac-32gb"]),
  apple("m4-pro", 24, "MacBook Pro M4 Pro 24GB", 273, 9.2, APPLE("M4 Pro", true)),
  apple("m4-max", 36, "MacBook Pro M4 Max 36GB (32-core GPU)", 410, 14.7, APPLE("M4 Max", true), [
    "mac-36gb",
  ]),
  apple("m4-pro", 48, "MacBook Pro M4 Pro 48GB", 273, 9.2, APPLE("M4 Pro", true), ["mac-48gb"]),
  apple("m4-max", 48, "MacBook Pro M4 Max 48GB", 546, 18.4, APPLE("M4 Max", true)),
  apple("m1-max", 64, "MacBook Pro M1 Max 64GB", 400, 10.4, APPLE("M1 Max")),
  apple("m3-max", 64, "MacBook Pro M3 Max 64GB", 400, 16.4, APPLE("M3 Max", true)),
  apple("m4-pro", 64, "Mac mini M4 Pro 64GB", 273, 9.2, APPLE("M4 Pro", true), [], "desktop"),
  apple("m4-max", 64, "MacBook Pro M4 Max 64GB", 546, 18.4, APPLE("M4 Max", true), ["mac-64gb"]),
  apple("m2-max", 96, "MacBook Pro M2 Max 96GB", 400, 13.6, APPLE("M2 Max"), ["mac-96gb"]),
  apple("m4-max", 128, "MacBook Pro M4 Max 128GB", 546, 18.4, APPLE("M4 Max", true), ["mac-128gb"]),
  apple(
    "m2-ultra",
    192,
    "Mac Studio M2 Ultra 192GB",
    800,
    27.2,
    APPLE("M2 Ultra"),
    ["mac-studio-192gb"],
    "desktop",
  ),
  apple(
    "m3-ultra",
    256,
    "Mac Studio M3 Ultra 256GB",
    819,
    32.8,
    APPLE("M3 Ultra", true),
    [],
    "desktop",
  ),
  apple(
    "m3-ultra",
    512,
    "Mac Studio M3 Ultra 512GB",
    819,
    32.8,
    APPLE("M3 Ultra", true),
    ["mac-studio-512gb"],
    "desktop",
  ),
  gpu(
    "rtx-4060",
    "RTX 4060 8GB",
    "consumer-gpu",
    8n * GiB,
    nvc(272, 60.6, NV("GeForce RTX 4060 / Ada whitepaper")),
    ["4060"],
  ),
  gpu(
    "rtx-4070",
    "RTX 4070 12GB",
    "consumer-gpu",
    12n * GiB,
    nvc(504, 116.6, NV("GeForce RTX 4070 / Ada whitepaper")),
    ["4070"],
  ),
  gpu(
    "rtx-5070",
    "RTX 5070 12GB",
    "consumer-gpu",
    12n * GiB,
    nvc(672, 123.5, NV("GeForce RTX 5070 / Blackwell whitepaper")),
    ["5070"],
  ),
  gpu(
    "rtx-4060-ti",
    "RTX 4060 Ti 16GB",
    "consumer-gpu",
    16n * GiB,
    nvc(288, 88.4, NV("GeForce RTX 4060 Ti / Ada whitepaper")),
    ["4060-ti", "4060ti"],
  ),
  gpu(
    "rtx-5080",
    "RTX 5080 16GB",
    "consumer-gpu",
    16n * GiB,
    nvc(960, 225.1, NV("GeForce RTX 5080 / Blackwell whitepaper")),
    ["5080"],
  ),
  gpu(
    "rtx-3090",
    "RTX 3090 24GB",
    "consumer-gpu",
    24n * GiB,
    nvc(936, 71, NV("GeForce RTX 3090 / Ampere GA102 whitepaper")),
    ["3090"],
  ),
  gpu(
    "rtx-4090",
    "RTX 4090 24GB",
    "consumer-gpu",
    24_564n * MiB,
    nvc(1008, 330.3, NV("GeForce RTX 4090 / Ada whitepaper")),
    ["4090"],
  ),
  gpu(
    "rx-7900-xtx",
    "RX 7900 XTX 24GB",
    "consumer-gpu",
    24n * GiB,
    amd(960, 122.8, "AMD Radeon RX 7900 XTX product page"),
    ["7900-xtx", "7900xtx"],
  ),
  gpu(
    "rtx-5090",
    "RTX 5090 32GB",
    "consumer-gpu",
    32n * GiB,
    nvc(1792, 419, NV("GeForce RTX 5090 / Blackwell whitepaper")),
    ["5090"],
  ),
  gpu("l4", "L4 24GB", "workstation-gpu", 24n * GiB, nvc(300, 121, NV("L4"))),
  gpu("l40s", "L40S 48GB", "workstation-gpu", 48n * GiB, nvc(864, 362, NV("L40S"))),
  gpu(
    "rtx-a6000",
    "RTX A6000 48GB",
    "workstation-gpu",
    48n * GiB,
    nvc(768, 154.8, NV("RTX A6000")),
    ["a6000"],
  ),
  gpu(
    "rtx-6000-ada",
    "RTX 6000 Ada 48GB",
    "workstation-gpu",
    48n * GiB,
    nvc(960, 364.2, NV("RTX 6000 Ada Generation")),
    ["6000-ada"],
  ),
  gpu(
    "rtx-pro-6000",
    "RTX PRO 6000 96GB",
    "workstation-gpu",
    96n * GiB,
    nvc(1792, 503.8, NV("RTX PRO 6000 Blackwell")),
    ["pro-6000"],
  ),
  gpu(
    "dgx-spark",
    "DGX Spark (GB10) 128GB unified",
    "workstation-gpu",
    128n * GiB,
    nvc(273, 125, NV("DGX Spark (1 PFLOP FP4 sparse, FP16 dense derived ÷ 8)")),
    ["gb10", "spark"],
  ),
  gpu("a100-40gb", "A100 40GB", "datacenter-gpu", 40n * GiB, nvd(1555, 312, NV("A100")), [
    "a100-40",
  ]),
  gpu(
    "a100",
    "A100 80GB",
    "datacenter-gpu",
    81_920n * MiB,
    nvd(1935, 312, NV("A100 (80GB PCIe; SXM 2,039 GB/s)")),
    ["a100-80gb", "a100-80"],
  ),
  gpu(
    "h100-pcie",
    "H100 PCIe 80GB",
    "datacenter-gpu",
    81_559n * MiB,
    nvd(2000, 756, NV("H100 (PCIe)")),
    ["h100-pcie-80gb"],
  ),
  gpu("h100", "H100 80GB", "datacenter-gpu", 81_559n * MiB, nvd(3350, 989.4, NV("H100 (SXM)")), [
    "h100-80gb",
    "h100-sxm",
  ]),
  gpu("h200", "H200 141GB", "datacenter-gpu", 143_771n * MiB, nvd(4800, 989.4, NV("H200")), [
    "h200-141gb",
  ]),
  gpu(
    "b200",
    "B200 180GB",
    "datacenter-gpu",
    180n * GiB,
    nvd(8000, 2250, NV("DGX B200 (per GPU)")),
    ["b200-180gb"],
  ),
  gpu(
    "b300",
    "B300 288GB",
    "datacenter-gpu",
    288n * GiB,
    nvd(8000, 2250, NV("HGX B300 (per GPU)")),
  ),
  gpu(
    "mi300x",
    "MI300X 192GB",
    "datacenter-gpu",
    192n * GiB,
    amd(5300, 1307.4, "AMD Instinct MI300X datasheet"),
    ["mi300"],
  ),
  gpu(
    "mi325x",
    "MI325X 256GB",
    "datacenter-gpu",
    256n * GiB,
    amd(6000, 1307.4, "AMD Instinct MI325X datasheet"),
    ["mi325"],
  ),
];

/** GPUs a server node holds; the catalogue's servers are 8-GPU nodes of each data-centre GPU. */
export const GPUS_PER_NODE = 8;

/** Tensor-parallel sizes tried for a single node, smallest first. */
export const TP_SIZES = [1, 2, 4, 8] as const;

/** A device name without case, spaces or punctuation: "RTX 4090", "rtx4090", "rtx_4090" agree. */
const squash = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, "");

const namesOf = (d: Device) => [d.id, ...(d.aliases ?? [])];

export function findDevice(name: string): Device | undefined {
  const key = squash(name);
  if (key === "") return undefined;
  return DEVICES.find((d) => namesOf(d).some((n) => squash(n) === key));
}

/** The devices whose id or alias is closest to `name`, within two edits: for "did you mean". */
export function similarDevices(name: string): string[] {
  const key = squash(name);
  const scored: Array<[number, string]> = [];
  for (const d of DEVICES) {
    const best = namesOf(d).reduce((m, n) => Math.min(m, editDistance(squash(n), key)), Infinity);
    if (best <= 2) scored.push([best, d.id]);
  }
  const best = scored.reduce((m, [d]) => Math.min(m, d), Infinity);
  return scored.filter(([d]) => d === best).map(([, id]) => id);
}

/** Levenshtein distance of two short strings. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        prev[j]! + 1,
        row[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = row;
  }
  return prev[b.length]!;
}

export function deviceIds(): string[] {
  return DEVICES.map((d) => d.id);
}

/** The tier policy's reference laptop: 32 GB of unified memory, ⅔ usable by the GPU. */
export const REFERENCE_LAPTOP: Device = findDevice("mac-32gb")!;

/** The default reference node: 8 × H100 80GB, the most common serving node. */
export const DEFAULT_REFERENCE_GPU: Device = findDevice("h100")!;

/** GPUs worth naming when a model needs more than one reference node. */
export const BIG_NODE_GPUS: readonly Device[] = [findDevice("h200")!, findDevice("mi300x")!];
