// Memory sizes on the command line: "24GB" (10^9) and "24GiB" (2^30) mean different things, so
// a unit is required; fractions are fine ("1.5TB"). Case does not matter; a bare "G" is a
// decimal gigabyte like "GB", and "Gi" a binary one like "GiB" (Kubernetes' convention).

import { InspectError } from "../core/errors.js";

const UNITS: Record<string, bigint> = {
  b: 1n,
  kb: 1000n,
  mb: 1000n ** 2n,
  gb: 1000n ** 3n,
  tb: 1000n ** 4n,
  kib: 1n << 10n,
  mib: 1n << 20n,
  gib: 1n << 30n,
  tib: 1n << 40n,
  k: 1000n,
  m: 1000n ** 2n,
  g: 1000n ** 3n,
  t: 1000n ** 4n,
  ki: 1n << 10n,
  mi: 1n << 20n,
  gi: 1n << 30n,
  ti: 1n << 40n,
};

/** "24GB", "24 GiB", "1.5TB" → bytes (exact; fractions rounded down to a byte). */
export function parseSize(text: string): bigint {
  const m = /^\s*(\d+)(?:\.(\d+))?\s*([a-z]+)\s*$/i.exec(text);
  const unit = m ? UNITS[m[3]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new InspectError(
      "USAGE",
      `cannot read the size "${text}": write it with a unit, like 24GB or 24GiB`,
    );
  }
  const fraction = m[2] ?? "";
  const scaled = BigInt(m[1]! + fraction) * unit;
  return scaled / 10n ** BigInt(fraction.length);
}

export function parsePositiveInt(text: string, what: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new InspectError("USAGE", `${what} must be a whole number ≥ 1, not "${text}"`);
  }
  return Number(text);
}
