// `--memory auto`: this machine's memory, measured here because hardware/ stays pure. NVIDIA
// GPUs come from nvidia-smi when it answers (bounded by a timeout); otherwise system RAM, or on
// a Mac the unified memory with Metal's GPU share.

import { execFile } from "node:child_process";
import os from "node:os";
import type { Device } from "../hardware/catalog.js";
import type { FitTarget } from "../hardware/estimate.js";

/** nvidia-smi answers in well under a second when a driver is loaded; never wait longer than this. */
const NVIDIA_SMI_TIMEOUT_MS = 3000;
const MiB = 1n << 20n;

export interface GpuReading {
  name: string;
  memoryMiB: number;
}

/** Parses `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits`. */
export function parseNvidiaSmi(text: string): GpuReading[] {
  const out: GpuReading[] = [];
  for (const line of text.split("\n")) {
    const m = /^(.+?),\s*(\d+)\s*$/.exec(line.trim());
    if (m) out.push({ name: m[1]!.trim(), memoryMiB: Number(m[2]) });
  }
  return out;
}

function queryGpus(): Promise<GpuReading[]> {
  return new Promise((resolve) => {
    execFile(
      "nvidia-smi",
      ["--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
      { timeout: NVIDIA_SMI_TIMEOUT_MS },
      (err, stdout) => resolve(err ? [] : parseNvidiaSmi(stdout)),
    );
  });
}

/** The fit target for this machine: its GPUs of the most common kind, else its memory. */
export function targetFrom(
  gpus: readonly GpuReading[],
  totalMem: bigint,
  platform: NodeJS.Platform,
): FitTarget {
  if (gpus.length > 0) {
    const first = gpus[0]!;
    const same = gpus.filter((g) => g.name === first.name && g.memoryMiB === first.memoryMiB);
    const device: Device = {
      id: "this-machine-gpu",
      label: `${first.name} (${first.memoryMiB.toLocaleString("en-US")} MiB)`,
      kind: "consumer-gpu",
      memoryBytes: BigInt(first.memoryMiB) * MiB,
    };
    // llama.cpp keeps the layers that do not fit on the GPUs in system RAM: count it, less a
    // tenth for the system as below.
    return {
      kind: "devices",
      device,
      count: same.length,
      systemRamBytes: (totalMem * 9n) / 10n,
      thisMachine: true,
    };
  }
  if (platform === "darwin") {
    const device: Device = {
      id: "this-mac",
      label: "this Mac",
      kind: "laptop",
      memoryBytes: totalMem,
    };
    return { kind: "devices", device, count: 1, thisMachine: true };
  }
  // Without a GPU the model runs from RAM; leave a tenth for the system.
  return {
    kind: "memory",
    label: "this machine's RAM (90 %)",
    memoryBytes: (totalMem * 9n) / 10n,
    systemRam: true,
    thisMachine: true,
  };
}

export async function thisMachine(): Promise<FitTarget> {
  return targetFrom(await queryGpus(), BigInt(os.totalmem()), process.platform);
}
