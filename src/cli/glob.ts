// --filter globs over tensor names: `*` any run of characters (dots included: names are not
// paths), `?` one character, `[abc]`/`[!abc]` a class, `{a,b}` alternatives, `\` escapes.
// The whole name must match.

import { InspectError } from "../core/errors.js";

const SPECIAL = /[.+^$()|\\/]/;

export function globToRegExp(glob: string): RegExp {
  let re = "";
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "\\" && i + 1 < glob.length) {
      re += escapeChar(glob[++i]!);
    } else if (c === "*") {
      while (glob[i + 1] === "*") i++;
      re += "[^]*";
    } else if (c === "?") {
      re += "[^]";
    } else if (c === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close < 0) {
        re += "\\[";
        continue;
      }
      let body = glob.slice(i + 1, close);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      re += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = close;
    } else if (c === "{") {
      braces++;
      re += "(?:";
    } else if (c === "}" && braces > 0) {
      braces--;
      re += ")";
    } else if (c === "," && braces > 0) {
      re += "|";
    } else {
      re += escapeChar(c);
    }
  }
  if (braces > 0) throw new InspectError("USAGE", `unclosed '{' in filter ${glob}`);
  return new RegExp(`^(?:${re})$`, "u");
}

function escapeChar(c: string): string {
  return SPECIAL.test(c) ||
    c === "[" ||
    c === "]" ||
    c === "{" ||
    c === "}" ||
    c === "*" ||
    c === "?"
    ? "\\" + c
    : c;
}

export function globPredicate(glob: string): (name: string) => boolean {
  const re = globToRegExp(glob);
  return (name) => re.test(name);
}
