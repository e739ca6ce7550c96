// Colours as plain functions: identity when colour is off, so the renderers never ask.

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
}

const id = (s: string) => s;

export const PLAIN: Style = { bold: id, dim: id, red: id, yellow: id, green: id, cyan: id };

/** Loads chalk only when colour is on: it costs start-up time otherwise. */
export async function colourStyle(level: 0 | 1 | 2 | 3): Promise<Style> {
  if (level === 0) return PLAIN;
  const { Chalk } = await import("chalk");
  const c = new Chalk({ level });
  return {
    bold: (s) => c.bold(s),
    dim: (s) => c.dim(s),
    red: (s) => c.red(s),
    yellow: (s) => c.yellow(s),
    green: (s) => c.green(s),
    cyan: (s) => c.cyan(s),
  };
}
