// The table's rows for a folder of several models: one row per component (a diffusers part, or a
// GGUF file or split set among alternatives), each with its own totals and, for alternatives,
// its own estimate: the comparison people make when picking a quantization.

import { cutText } from "../core/escape.js";
import { TABLE_CELL_CHARS } from "../core/limits.js";
import { group } from "../core/text.js";
import type { Report } from "./report.js";
import type { Style } from "./style.js";
import { countShort } from "./units.js";
import { wrapStyled } from "./wrap.js";

type Grid = (head: string[], rows: string[][], right: number[], shrink?: number) => string;

/** "Q4_K_M" for a GGUF file, the largest dtype otherwise. */
function schemeOf(c: Report): string {
  if (c.fileType) return c.fileType.name ?? `file type ${c.fileType.id}`;
  return c.dtypes[0]?.dtype ?? "";
}

export function componentLines(s: Report, st: Style, grid: Grid): string[] {
  const parts = s.components ?? [];
  if (parts.length === 0) return [];
  const alternatives = s.checkpoint.alternatives === true;
  const lines = [
    "",
    ...wrapStyled(
      alternatives
        ? `Models: ${group(parts.length)} alternatives, each estimated on its own (never loaded together)`
        : `Components: ${group(parts.length)}, loaded together (the totals above are their sums)`,
      st.width,
      "  ",
      "    ",
      st.bold,
    ),
  ];
  const rows = parts.map(({ name, summary: c }) => [
    cutText(name, TABLE_CELL_CHARS),
    c.ok ? st.green("ok") : st.red("errors"),
    schemeOf(c),
    c.bitsPerWeight !== undefined ? c.bitsPerWeight.toFixed(2) : "",
    countShort(c.parameters.total),
    st.bytes(c.bytes.total),
    ...(alternatives
      ? [c.hardware ? `${st.bytes(c.hardware.requiredBytes)}, ${c.hardware.tier}` : ""]
      : []),
  ]);
  const head = ["name", "", "type", "bits/weight", "parameters", "on disk"];
  if (alternatives) head.push("needs");
  lines.push(grid(head, rows, [3, 4, 5], 0));
  return lines;
}
