// How the table is written: colours as plain functions (identity when colour is off, so the
// renderers never ask), the unit sizes are written in, and the width lines must fit.

import { decimalBytes } from "../core/text.js";
import { binaryBytes } from "./units.js";

export interface Layout {
  /** Columns a line may take (the terminal's width; Infinity: no limit). */
  width: number;
  /** Sizes in GiB (2^30) rather than GB (10^9): --binary. */
  binary: boolean;
}

export interface Style {
  /** A size in the run's one unit: "688.59 GB", or "641.30 GiB" with --binary. */
  bytes(n: bigint): string;
  /** Columns a line may take. */
  width: number;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
}

const id = (s: string) => s;

/**
 * Sizes are written in decimal units by default ("16.06 GB"), so that sizes and parameter counts
 * compare at a glance (8.03 B parameters in BF16 are 16.06 GB) and agree with `--memory 24GB` and
 * the Hub's file sizes; --binary writes GiB, as runtimes and nvidia-smi report memory.
 */
const layoutOf = (l: Layout) => ({
  width: l.width,
  bytes: l.binary ? binaryBytes : decimalBytes,
});

/** No colour, GB, no width limit (in-process tests of the content). */
export const PLAIN: Style = {
  ...layoutOf({ width: Infinity, binary: false }),
  bold: id,
  dim: id,
  red: id,
  yellow: id,
  green: id,
  cyan: id,
};

/** Loads chalk only when colour is on: it costs start-up time otherwise. */
export async function colourStyle(
  level: 0 | 1 | 2 | 3,
  layout: Layout = { width: Infinity, binary: false },
): Promise<Style> {
  if (level === 0) return { ...PLAIN, ...layoutOf(layout) };
  const { Chalk } = await import("chalk");
  const c = new Chalk({ level });
  return {
    ...layoutOf(layout),
    bold: (s) => c.bold(s),
    dim: (s) => c.dim(s),
    red: (s) => c.red(s),
    yellow: (s) => c.yellow(s),
    green: (s) => c.green(s),
    cyan: (s) => c.cyan(s),
  };
}
