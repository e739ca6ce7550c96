// Text that fits the terminal: sentences wrap at word boundaries, a word longer than the line is
// cut where it must be (after a `/`, `.`, `_` or `-` when one is near), and phrases that must not
// be split ("8 × H100 80GB", "needs 708.17 GB") are glued with keep().
//
// API
//   wrapLines(text, width, first, rest?): string[]
//       `text` laid out in lines of at most `width` columns, the first starting with `first`,
//       the others with `rest` (default: as many spaces as `first` is wide). No trailing blanks.
//   keep(phrase): the phrase with its spaces glued, so that no line breaks inside it
//   unglue(text): the glue written back as spaces (wrapLines does it; for text laid out otherwise)
//   cutToWidth(s, width): `s` in at most `width` columns, the middle replaced by "…" when cut
//
// Widths are display widths (columns.ts): colour sequences are free, East Asian wide characters
// take two columns. The glue is a C0 control character, which escapeForTerminal never lets
// through from a file's text, so text from files is never glued by accident.

import { displayWidth } from "./columns.js";

const GLUE = "\u001f";
const GLUE_ALL = /\u001f/g;
const SGR_AT = /\u001b\[[0-9;]*m/y;
/** Where a long word is best cut: after one of these, when it is in the line's second half. */
const BREAK_AFTER = new Set(["/", ".", "_", "-", ","]);
/** Columns a line keeps for text however deep its indent: a narrower wrap is unreadable. */
const MIN_TEXT_COLUMNS = 16;

export const keep = (phrase: string): string => phrase.replace(/ /g, GLUE);
export const unglue = (text: string): string => text.replace(GLUE_ALL, " ");

/** The characters of `s`, a colour sequence counting as one zero-width piece. */
function pieces(s: string): Array<{ text: string; width: number }> {
  const out: Array<{ text: string; width: number }> = [];
  let i = 0;
  while (i < s.length) {
    if (s.charCodeAt(i) === 0x1b) {
      SGR_AT.lastIndex = i;
      const m = SGR_AT.exec(s);
      if (m) {
        out.push({ text: m[0], width: 0 });
        i += m[0].length;
        continue;
      }
    }
    const ch = String.fromCodePoint(s.codePointAt(i)!);
    out.push({ text: ch, width: ch === GLUE ? 1 : displayWidth(ch) });
    i += ch.length;
  }
  return out;
}

/** `word` cut into chunks of at most `room` columns (`firstRoom` for the first). */
function cutWord(word: string, firstRoom: number, room: number): string[] {
  const ps = pieces(word);
  const chunks: string[] = [];
  let start = 0;
  let limit = Math.max(1, firstRoom);
  while (start < ps.length) {
    let w = 0;
    let end = start;
    let best = -1;
    while (end < ps.length && w + ps[end]!.width <= limit) {
      w += ps[end]!.width;
      end++;
      if (BREAK_AFTER.has(ps[end - 1]!.text) && w >= limit / 2) best = end;
    }
    if (end === start) end = start + 1; // a wide character in a one-column room
    if (end < ps.length && best > start) end = best;
    chunks.push(
      ps
        .slice(start, end)
        .map((p) => p.text)
        .join(""),
    );
    start = end;
    limit = Math.max(1, room);
  }
  return chunks;
}

export function wrapLines(
  text: string,
  width: number,
  first: string,
  rest: string = " ".repeat(displayWidth(first)),
): string[] {
  const limit = Math.max(width, displayWidth(rest) + MIN_TEXT_COLUMNS);
  const lines: string[] = [];
  let line = first;
  let lineWidth = displayWidth(first);
  let empty = true; // nothing but the prefix on this line yet
  const restWidth = displayWidth(rest);
  const newLine = () => {
    lines.push(line.trimEnd());
    line = rest;
    lineWidth = restWidth;
    empty = true;
  };
  // Words and the runs of spaces between them; a run is kept inside a line, dropped at a break.
  const parts = text.split(/( +)/);
  let space = "";
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i % 2 === 1) {
      space = part;
      continue;
    }
    if (part === "") continue;
    const w = displayWidth(part);
    if (!empty && lineWidth + space.length + w <= limit) {
      line += space + part;
      lineWidth += space.length + w;
      empty = false;
      continue;
    }
    if (!empty) newLine();
    if (lineWidth + w <= limit) {
      line += part;
      lineWidth += w;
    } else {
      const chunks = cutWord(part, limit - lineWidth, limit - restWidth);
      chunks.forEach((c, k) => {
        if (k > 0) newLine();
        line += c;
        lineWidth += displayWidth(c);
      });
    }
    empty = false;
  }
  lines.push(line.trimEnd());
  return lines.map(unglue);
}

/** `s` in at most `width` columns: cut in the middle ("model.layers.6…ad.head.weight"). */
export function cutToWidth(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  const ps = pieces(s).filter((p) => p.width > 0 || p.text === GLUE);
  const room = Math.max(1, width - 1);
  const headRoom = Math.ceil(room / 2);
  let head = "";
  let w = 0;
  let i = 0;
  for (; i < ps.length && w + ps[i]!.width <= headRoom; i++) {
    head += ps[i]!.text;
    w += ps[i]!.width;
  }
  let tail = "";
  let tw = 0;
  for (let j = ps.length - 1; j >= i && tw + ps[j]!.width <= room - w; j--) {
    tail = ps[j]!.text + tail;
    tw += ps[j]!.width;
  }
  return head + "…" + tail;
}

/** wrapLines with plain prefixes, each line's text (not its prefix) then coloured by `colour`. */
export function wrapStyled(
  text: string,
  width: number,
  first: string,
  rest: string,
  colour: (s: string) => string,
): string[] {
  return wrapLines(text, width, first, rest).map((l, i) => {
    const p = i === 0 ? first.length : rest.length;
    return l.slice(0, p) + colour(l.slice(p));
  });
}
