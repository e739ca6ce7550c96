// Tensor names and metadata come from untrusted files. Before they reach a terminal, control
// characters (which could move the cursor, recolour or retitle the window) and bidi overrides
// (which reorder what is shown) are replaced by visible escapes.

const UNSAFE_CLASS =
  "[\\u0000-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\u2028\\u2029]";

/** Whether `s` holds a character escapeForTerminal would replace. */
export const UNSAFE_CHARACTER = new RegExp(UNSAFE_CLASS);
const UNSAFE = new RegExp(UNSAFE_CLASS, "g");

export function escapeForTerminal(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    if (c === "\n") return "\\n";
    if (c === "\t") return "\\t";
    if (c === "\r") return "\\r";
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
