import { group } from "../core/text.js";

const UNITS_IEC = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

function scaled(n: bigint, base: number, units: string[]): string {
  let v = Number(n);
  let u = 0;
  while (v >= base && u < units.length - 1) {
    v /= base;
    u++;
  }
  return u === 0 ? `${group(n)} B` : `${v.toFixed(2)} ${units[u]}`;
}

/** "14.96 GiB": binary units, as runtimes and nvidia-smi report memory (--binary). */
export function binaryBytes(n: bigint): string {
  return scaled(n, 1024, UNITS_IEC);
}

/** Share of a total as "12.34 %", rounded half up. */
export function percent(part: bigint, total: bigint): string {
  if (total === 0n) return "0.00 %";
  const hundredths = (part * 20000n + total) / (2n * total);
  return `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, "0")} %`;
}

/** 8030261248 → "8.03 B" (short scale, as model cards say). */
export function countShort(n: bigint): string {
  const v = Number(n);
  if (v >= 1e12) return `${(v / 1e12).toFixed(2)} T`;
  if (v >= 1e9) return `${(v / 1e9).toFixed(2)} B`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(2)} K`;
  return String(v);
}
