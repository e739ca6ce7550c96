// chalk ignores NO_COLOR, so the level is decided here: --json and --no-color turn it off,
// --color forces it, then NO_COLOR, FORCE_COLOR, and finally whether stdout is a terminal.

export interface ColourInputs {
  json: boolean;
  /** true for --color, false for --no-color, undefined for neither. */
  flag: boolean | undefined;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
}

export function colourLevel({ json, flag, env, isTTY }: ColourInputs): 0 | 1 | 2 | 3 {
  if (json || flag === false) return 0;
  const depth = (): 1 | 2 | 3 => {
    if (env.COLORTERM === "truecolor" || env.COLORTERM === "24bit") return 3;
    if (env.TERM?.includes("256")) return 2;
    return 1;
  };
  if (flag === true) return depth();
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") {
    if (force === "0" || force === "false") return 0;
    return force === "2" ? 2 : force === "3" ? 3 : 1;
  }
  if (!isTTY || env.TERM === "dumb") return 0;
  return depth();
}
