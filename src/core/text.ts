import { QUOTE_CHARS } from "./limits.js";

/** 1234567 → "1,234,567", exact for any bigint. */
export function group(n: bigint | number): string {
  const s = typeof n === "bigint" ? n.toString() : String(n);
  const neg = s.startsWith("-");
  const digits = neg ? s.slice(1) : s;
  let out = "";
  for (let i = digits.length; i > 0; i -= 3) {
    out = digits.slice(Math.max(0, i - 3), i) + (out ? "," + out : "");
  }
  return (neg ? "-" : "") + out;
}

/** 4938985248 → "4.94": decimal gigabytes with two decimals, for progress and messages. */
export function gigabytes(n: bigint | number): string {
  return (Number(n) / 1e9).toFixed(2);
}

/** "1 byte", "2 bytes", with grouping. */
export function plural(n: bigint | number, unit: string): string {
  return `${group(n)} ${unit}${n === 1 || n === 1n ? "" : "s"}`;
}

/** An untrusted name or token, shortened for a one-line message. Escaping is the renderer's job. */
export function excerpt(s: string, max = QUOTE_CHARS): string {
  return s.length <= max ? s : s.slice(0, max - 1) + "…";
}

/** A tensor name inside a message. */
export function nameOf(name: string): string {
  return "`" + excerpt(name, 120) + "`";
}

const DECIMAL_UNITS = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];

/** 1509296 → "1.51 MB": decimal units, scaled so that the figure says something. */
export function decimalBytes(n: bigint): string {
  if (n < 1000n) return `${group(n)} B`;
  let v = Number(n);
  let u = 0;
  while (v >= 1000 && u < DECIMAL_UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(2)} ${DECIMAL_UNITS[u]}`;
}
