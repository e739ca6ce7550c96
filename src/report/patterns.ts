// The table's tensor view: tensors that differ only in their numeric path segments (layer and
// expert indices) and share dtype and shape collapse into one row,
// `model.layers.{0..79}.mlp.up_proj.weight  BF16  [28672, 8192]  ×80`. JSON stays flat and exact.

import type { TensorRow } from "./report.js";

export interface PatternRow {
  /** The name with each numeric segment replaced by the set of values seen: `{0..79}`. */
  pattern: string;
  dtype: string;
  shape: bigint[];
  count: number;
  /** Parameters and bytes of one tensor of the pattern, and of all of them. */
  parameters: bigint;
  bytes: bigint;
  totalParameters: bigint;
  totalBytes: bigint;
}

interface Group {
  parts: string[];
  values: Array<Set<number>>;
  row: PatternRow;
}

const NUMERIC_SEGMENT = /(?<=^|\.)\d+(?=\.|$)/g;

/** `[0,1,2,3,7,9,10]` → `0..3,7,9..10`. */
export function ranges(values: Iterable<number>): string {
  const sorted = [...values].sort((a, b) => a - b);
  const out: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(j === i ? String(sorted[i]) : `${sorted[i]}..${sorted[j]}`);
    i = j + 1;
  }
  return out.join(",");
}

export interface Collapsed {
  /** The first `maxRows` patterns in first-seen order, each complete (every tensor counted). */
  rows: PatternRow[];
  /** Patterns in all, shown or not. */
  patterns: number;
  tensors: number;
}

/**
 * The first `maxRows` patterns, complete, and how many there are in all: patterns past the
 * first are only counted (one key each), so a million unique names cost a set of keys, not a
 * million rows.
 */
export function collapseFirst(rows: Iterable<TensorRow>, maxRows: number): Collapsed {
  const groups = new Map<string, Group>();
  const order: Group[] = [];
  const others = new Set<string>();
  let tensors = 0;
  for (const t of rows) {
    tensors++;
    const numbers: number[] = [];
    // Digits beyond 2^53 are not an index; leave such a segment as text.
    const template = t.name.replace(NUMERIC_SEGMENT, (d) => {
      if (d.length > 15) return d;
      numbers.push(Number(d));
      return "\u0000";
    });
    const key = `${template}\u0001${t.dtype}\u0001${t.shape.join(",")}`;
    let g = groups.get(key);
    if (!g) {
      if (order.length >= maxRows) {
        others.add(key);
        continue;
      }
      g = {
        parts: template.split("\u0000"),
        values: numbers.map(() => new Set<number>()),
        row: {
          pattern: "",
          dtype: t.dtype,
          shape: t.shape,
          count: 0,
          parameters: t.parameters,
          bytes: t.bytes,
          totalParameters: 0n,
          totalBytes: 0n,
        },
      };
      groups.set(key, g);
      order.push(g);
    }
    numbers.forEach((n, i) => g.values[i]!.add(n));
    g.row.count++;
    g.row.totalParameters += t.parameters;
    g.row.totalBytes += t.bytes;
  }
  const shown = order.map((g) => {
    let pattern = g.parts[0]!;
    g.values.forEach((set, i) => {
      pattern += (set.size === 1 ? String([...set][0]) : `{${ranges(set)}}`) + g.parts[i + 1]!;
    });
    return { ...g.row, pattern };
  });
  return { rows: shown, patterns: order.length + others.size, tensors };
}
