// The width the table and --help fit: the terminal's when stdout is one, else COLUMNS (set it for
// a pipe: `COLUMNS=120 inspect … | less`), else DEFAULT_WIDTH; never below MIN_WIDTH.

import { DEFAULT_WIDTH, MIN_WIDTH } from "../core/limits.js";

export interface WidthInputs {
  isTTY: boolean;
  /** The terminal's columns (process.stdout.columns), when stdout is one. */
  columns: number | undefined;
  env: NodeJS.ProcessEnv;
}

export function outputWidth({ isTTY, columns, env }: WidthInputs): number {
  const fromEnv = /^\s*[1-9][0-9]{0,5}\s*$/.test(env.COLUMNS ?? "")
    ? Number(env.COLUMNS)
    : undefined;
  const w = (isTTY && columns !== undefined && columns > 0 ? columns : undefined) ?? fromEnv;
  return Math.max(MIN_WIDTH, w ?? DEFAULT_WIDTH);
}
