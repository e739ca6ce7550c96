// Names, metadata, paths and option values come from untrusted files and command lines. Before
// they reach a terminal, every character that can change what the terminal shows is replaced by
// a visible escape:
//
//   C0 controls and DEL     \x00 … \x1f, \x7f (\n, \r, \t as such): move the cursor, recolour,
//                           retitle the window, ring the bell
//   C1 controls             \x80 … \x9f: 8-bit CSI/OSC on terminals that honour them
//   soft hyphen             \xad: invisible unless a line breaks at it
//   bidi controls           \u061c \u200e \u200f \u202a-\u202e \u2066-\u2069: reorder what follows
//   zero-width characters   \u200b-\u200d \u2060 \ufeff: make two different names look the same
//   line/paragraph sep.     \u2028 \u2029; interlinear annotation \ufff9-\ufffb
//   tag characters          \u{e0000}-\u{e007f}: invisible text
//   lone surrogates         \ud800 …: not text; a terminal would show U+FFFD for any of them
//
// A backslash is written as `\\`, so an escape is never confused with the same characters written
// literally: a name holding the four characters `\x1b` shows as `\\x1b`, one holding ESC as `\x1b`.
// JSON has its own escapes: jsonSafe writes the same characters as `\uXXXX`, which parses to the
// same string.

import { group } from "./text.js";

const UNSAFE =
  /[\\\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060\u2066-\u2069\ufeff\ufff9-\ufffb]|\udb40[\udc00-\udc7f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function visible(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.codePointAt(0)!;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, "0")}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, "0")}`;
  return `\\u{${code.toString(16)}}`;
}

/** The text with every character that could change what a terminal shows made visible. */
export function escapeForTerminal(s: string): string {
  return s.replace(UNSAFE, visible);
}

// In JSON the backslash is already escaped, and so are C0 controls and lone surrogates.
const JSON_UNSAFE =
  /[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060\u2066-\u2069\ufeff\ufff9-\ufffb]|\udb40[\udc00-\udc7f]/g;

const jsonEscape = (c: string): string => {
  let out = "";
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`;
  return out;
};

/** JSON text (as JSON.stringify writes it) with the same characters written as `\uXXXX`: the
 * document parses to the same values and cannot drive a terminal it is printed on. */
export function jsonSafe(json: string): string {
  return json.replace(JSON_UNSAFE, jsonEscape);
}

/**
 * Untrusted text cut to at most `max` characters (UTF-16 units) before escaping, with a visible
 * marker saying how much was left out: a 50 MB tensor name must not print 50 MB.
 */
export function cutText(s: string, max: number): string {
  if (s.length <= max) return escapeForTerminal(s);
  let end = max;
  // Never split a surrogate pair.
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  const left = s.length - end;
  return `${escapeForTerminal(s.slice(0, end))}…[${group(left)} more characters]`;
}

/**
 * Whether `s` holds a control character, DEL, a C1 control, a bidi override or a line separator:
 * what the header reader reports as NAME_CONTROL_CHARACTERS (narrower than escapeForTerminal,
 * which also escapes invisible but harmless-to-parse characters such as zero-width joiners).
 */
export const UNSAFE_CHARACTER =
  /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
