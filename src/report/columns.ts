// Aligned columns for the table, in time linear in the cells shown (cli-table3, used before, took
// 55 s for 20,000 rows: its layout is quadratic).
//
// API
//   columnLines(head, rows, options): string[]   the lines, without trailing newlines
//   columns(head, rows, options): string          the same lines joined with "\n"
//
//   head     header cells, printed first (styled with options.headStyle, e.g. bold)
//   rows     any iterable of rows (an array, or a generator that builds cells lazily); at most
//            options.maxRows (default TABLE_MAX_ROWS) are laid out, the rest only counted
//   options  right:     indexes of right-aligned columns (numbers)
//            headStyle: applied to each header cell after its width is measured
//            maxRows:   rows laid out; when rows are left out, a last line says how many, written
//                       by options.more(hidden) (default "… N more rows; --json lists all")
//            hidden:    rows the caller left out before (counted with those beyond maxRows)
//            indent:    before every line (default two spaces); gap: between columns (two spaces)
//            width:     the line width to fit (default: no limit); when the columns are wider,
//                       in this order: the `wrap` column (the last, free text) wraps at words;
//                       the `shrink` column (a name) is cut in the middle with "…", never below
//                       MIN_SHRUNK columns; the gap narrows to one space; and when nothing else
//                       fits, each row becomes a wrapped record ("name: dtype BF16, shape …").
//                       Numbers are never wrapped or cut.
//
// The look: no borders, two spaces of indent and between columns, each column as wide as its
// widest cell, no trailing blanks. Cells are measured by displayWidth: ANSI colour sequences
// (our own styling; text from files is escaped before it gets here) take no room, East Asian wide
// characters take two columns and combining marks none. Cells must not contain newlines.

import { TABLE_MAX_ROWS } from "../core/limits.js";
import { group } from "../core/text.js";
import { cutToWidth, keep, wrapLines } from "./wrap.js";

export interface ColumnOptions {
  right?: readonly number[];
  headStyle?: (s: string) => string;
  maxRows?: number;
  more?: (hidden: number) => string;
  hidden?: number;
  indent?: string;
  gap?: string;
  width?: number;
  /** The column (a name) cut in the middle when the table is too wide. */
  shrink?: number;
  /** The last column, free text, wrapped at words when the table is too wide. */
  wrap?: number;
}

/** A name column is not cut narrower than this: "model.la….weight" no longer names anything. */
const MIN_SHRUNK = 24;
/** A text column is not wrapped narrower than this. */
const MIN_WRAPPED = 20;

const SGR = /\u001b\[[0-9;]*m/g;
const PLAIN_ASCII = /^[\u0020-\u007e]*$/;

/** Columns a string takes on a terminal (colour sequences are free). */
export function displayWidth(s: string): number {
  if (PLAIN_ASCII.test(s)) return s.length;
  const text = s.includes("\u001b") ? s.replace(SGR, "") : s;
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x300) w += 1;
    else if (isZeroWidth(c)) continue;
    else w += isWide(c) ? 2 : 1;
  }
  return w;
}

function isZeroWidth(c: number): boolean {
  return (
    (c >= 0x300 && c <= 0x36f) ||
    (c >= 0x1ab0 && c <= 0x1aff) ||
    (c >= 0x1dc0 && c <= 0x1dff) ||
    (c >= 0x200b && c <= 0x200f) ||
    (c >= 0x20d0 && c <= 0x20ff) ||
    (c >= 0xfe00 && c <= 0xfe0f) ||
    (c >= 0xfe20 && c <= 0xfe2f) ||
    c === 0xfeff
  );
}

/** East Asian Wide and Fullwidth blocks, and emoji: two columns. */
function isWide(c: number): boolean {
  return (
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0x303e) ||
    (c >= 0x3041 && c <= 0x33ff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xa000 && c <= 0xa4cf) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x1f300 && c <= 0x1f64f) ||
    (c >= 0x1f900 && c <= 0x1f9ff) ||
    (c >= 0x20000 && c <= 0x3fffd)
  );
}

const defaultMore = (hidden: number) => `… ${group(hidden)} more rows; --json lists all`;

export function columnLines(
  head: readonly string[],
  rows: Iterable<readonly string[]>,
  options: ColumnOptions = {},
): string[] {
  const maxRows = options.maxRows ?? TABLE_MAX_ROWS;
  const indent = options.indent ?? "  ";
  const right = new Set(options.right ?? []);
  const shown: Array<readonly string[]> = [head];
  let hidden = options.hidden ?? 0;
  for (const row of rows) {
    if (shown.length <= maxRows) shown.push(row);
    else hidden++;
  }
  const n = shown.reduce((a, r) => Math.max(a, r.length), 0);
  const widths = new Array<number>(n).fill(0);
  const measured = shown.map((r) =>
    r.map((cell, i) => {
      const w = displayWidth(cell);
      if (w > widths[i]!) widths[i] = w;
      return w;
    }),
  );
  const width = options.width ?? Infinity;
  const more = hidden > 0 ? (options.more ?? defaultMore)(hidden) : undefined;
  const moreLines = (out: string[]) => {
    if (more !== undefined) out.push(...wrapLines(more, width, indent));
    return out;
  };
  // Natural widths two spaces apart, else one space apart; then the text column wrapped, then
  // the name column cut (one space apart: more of the name is left).
  const wide = options.gap ?? "  ";
  const attempts: Array<[string, "wrap" | "shrink" | undefined]> = [
    [wide, undefined],
    [" ", undefined],
    [wide, "wrap"],
    [" ", "wrap"],
    [" ", "shrink"],
  ];
  for (const [gap, narrow] of attempts) {
    const room = width - displayWidth(indent) - gap.length * (n - 1);
    const column = narrow === undefined ? undefined : options[narrow];
    const plan =
      narrow === undefined
        ? sum(widths) <= room
          ? widths
          : undefined
        : column === undefined
          ? undefined
          : narrowed(widths, room, column, narrow === "wrap" ? MIN_WRAPPED : MIN_SHRUNK);
    if (!plan) continue;
    const lines: string[] = [];
    shown.forEach((r, k) => {
      const cells: string[][] = [];
      for (let i = 0; i < n; i++) {
        let cell = r[i] ?? "";
        let w = measured[k]![i] ?? 0;
        if (w > plan[i]!) {
          if (i === options.wrap) {
            cells[i] = wrapLines(cell, plan[i]!, "");
            continue;
          }
          cell = cutToWidth(cell, plan[i]!);
          w = displayWidth(cell);
        }
        const text = k === 0 && options.headStyle ? options.headStyle(cell) : cell;
        const pad = " ".repeat(plan[i]! - w);
        cells[i] = [right.has(i) ? pad + text : text + pad];
      }
      const height = cells.reduce((a, c) => Math.max(a, c.length), 1);
      for (let y = 0; y < height; y++) {
        let line = indent;
        for (let i = 0; i < n; i++) {
          const part = cells[i]![y] ?? "";
          line +=
            (i > 0 ? gap : "") + part + " ".repeat(Math.max(0, plan[i]! - displayWidth(part)));
        }
        lines.push(line.trimEnd());
      }
    });
    return moreLines(lines);
  }
  // Nothing fits side by side: one record per row, the first cell then "header value" pairs.
  const lines: string[] = [];
  for (const r of shown.slice(1)) {
    const fields = r
      .slice(1)
      .map((cell, i) => (cell === "" ? "" : keep(head[i + 1] ? `${head[i + 1]} ${cell}` : cell)))
      .filter(Boolean);
    const text = `${r[0] ?? ""}${fields.length > 0 ? `: ${fields.join(", ")}` : ""}`;
    lines.push(...wrapLines(text, width, indent, indent + "  "));
  }
  return moreLines(lines);
}

const sum = (xs: number[]) => xs.reduce((a, w) => a + w, 0);

/** Column widths within `room`, column `i` made narrower (not below `min`); else undefined. */
function narrowed(widths: number[], room: number, i: number, min: number): number[] | undefined {
  if (widths[i] === undefined) return undefined;
  const left = room - (sum(widths) - widths[i]!);
  return left >= Math.min(min, widths[i]!) ? widths.map((w, k) => (k === i ? left : w)) : undefined;
}

export function columns(
  head: readonly string[],
  rows: Iterable<readonly string[]>,
  options: ColumnOptions = {},
): string {
  return columnLines(head, rows, options).join("\n");
}
