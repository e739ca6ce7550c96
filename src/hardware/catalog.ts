// Hardware as data. Tier thresholds and fit answers derive from these entries; no code path holds
// a device size. Memory is what the device reports where that is known (nvidia-smi), because that
// is what a runtime can allocate; otherwise the nominal binary size (VRAM is built in GiB).
// Sources: ../shared/docs/memory-and-tiers.md §7 (huggingface.js hardware.ts, nvidia-smi output).

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
}

/** A share as an exact fraction, so thresholds stay integers. */
export interface Share {
  numerator: bigint;
  denominator: bigint;
  why: string;
}

/** vLLM's long-standing gpu_memory_utilization default: the runtime claims 90 % of each GPU. */
export const GPU_SHARE: Share = {
  numerator: 9n,
  denominator: 10n,
  why: "0.9 of each GPU (vLLM's gpu_memory_utilization)",
};

/**
 * Metal's recommendedMaxWorkingSetSize is about ⅔ of unified memory up to 36 GiB and ¾ above
 * (16 GB M1: 10.67 GB; 64 GB Max: about 48 GB). Users can raise it with iogpu.wired_limit_mb.
 */
export const UNIFIED_SMALL: Share = {
  numerator: 2n,
  denominator: 3n,
  why: "⅔ of unified memory (Metal's GPU working-set limit)",
};
export const UNIFIED_LARGE: Share = {
  numerator: 3n,
  denominator: 4n,
  why: "¾ of unified memory (Metal's GPU working-set limit)",
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

const gpu = (
  id: string,
  label: string,
  kind: DeviceKind,
  memoryBytes: bigint,
  aliases: string[] = [],
): Device => ({
  id,
  label,
  kind,
  memoryBytes,
  aliases,
});
const mac = (gb: number, label: string, kind: DeviceKind = "laptop"): Device => ({
  id: `${kind === "laptop" ? "mac" : "mac-studio"}-${gb}gb`,
  label,
  kind,
  memoryBytes: BigInt(gb) * GiB,
});

export const DEVICES: readonly Device[] = [
  mac(16, "16 GB MacBook (M-series)"),
  mac(24, "24 GB MacBook (M-series)"),
  mac(32, "32 GB MacBook (M-series)"),
  mac(36, "36 GB MacBook Pro (M3 Pro/Max)"),
  mac(48, "48 GB MacBook Pro (M4 Pro/Max)"),
  mac(64, "64 GB MacBook Pro (M-series Max)"),
  mac(96, "96 GB MacBook Pro (M2 Max)"),
  mac(128, "128 GB MacBook Pro (M3/M4 Max)"),
  mac(192, "192 GB Mac Studio (M2 Ultra)", "desktop"),
  mac(512, "512 GB Mac Studio (M3 Ultra)", "desktop"),
  gpu("rtx-4060", "RTX 4060 8GB", "consumer-gpu", 8n * GiB, ["4060"]),
  gpu("rtx-4070", "RTX 4070 12GB", "consumer-gpu", 12n * GiB, ["4070", "rtx-5070", "5070"]),
  gpu("rtx-4060-ti", "RTX 4060 Ti 16GB", "consumer-gpu", 16n * GiB, ["4060-ti", "4060ti"]),
  gpu("rtx-5080", "RTX 5080 16GB", "consumer-gpu", 16n * GiB, ["5080"]),
  gpu("rtx-3090", "RTX 3090 24GB", "consumer-gpu", 24n * GiB, ["3090"]),
  gpu("rtx-4090", "RTX 4090 24GB", "consumer-gpu", 24_564n * MiB, ["4090"]),
  gpu("rtx-5090", "RTX 5090 32GB", "consumer-gpu", 32n * GiB, ["5090"]),
  gpu("l4", "L4 24GB", "workstation-gpu", 24n * GiB),
  gpu("l40s", "L40S 48GB", "workstation-gpu", 48n * GiB),
  gpu("rtx-pro-6000", "RTX PRO 6000 96GB", "workstation-gpu", 96n * GiB, ["pro-6000"]),
  gpu("dgx-spark", "DGX Spark (GB10) 128GB unified", "workstation-gpu", 128n * GiB, [
    "gb10",
    "spark",
  ]),
  gpu("a100-40gb", "A100 40GB", "datacenter-gpu", 40n * GiB, ["a100-40"]),
  gpu("a100", "A100 80GB", "datacenter-gpu", 81_920n * MiB, ["a100-80gb", "a100-80"]),
  gpu("h100", "H100 80GB", "datacenter-gpu", 81_559n * MiB, ["h100-80gb", "h100-sxm", "h100-pcie"]),
  gpu("h200", "H200 141GB", "datacenter-gpu", 143_771n * MiB, ["h200-141gb"]),
  gpu("b200", "B200 180GB", "datacenter-gpu", 180n * GiB, ["b200-180gb"]),
  gpu("b300", "B300 288GB", "datacenter-gpu", 288n * GiB),
  gpu("mi300x", "MI300X 192GB", "datacenter-gpu", 192n * GiB, ["mi300"]),
  gpu("mi325x", "MI325X 256GB", "datacenter-gpu", 256n * GiB, ["mi325"]),
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
