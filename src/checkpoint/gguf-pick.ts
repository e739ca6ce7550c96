// Picking one model among a folder's GGUF files, as `-hf org/name:Q4_K_M` does in llama.cpp: by
// the quantization tag in the file name, case-insensitive, a split set counting as one choice;
// or by the file's name (--file). None or several matching is a usage error that lists what
// there is to choose from. Pure: names in, a choice or an error out.

import { InspectError } from "../core/errors.js";
import { excerpt } from "../core/text.js";
import { FILE_TYPE_NAMES } from "../formats/gguf/file-types.js";
import type { Unit } from "./folder.js";

export interface GgufSelect {
  /** `org/name:Q4_K_M`: the quantization tag. */
  quant?: string;
  /** --file NAME: a file of the folder (any part of a split set names the set). */
  file?: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Whether `name` carries the tag: preceded by the start or one of `-`, `.`, `_`, followed by
 * `-` or `.` (so that Q4_K does not pick Q4_K_M: `_` continues a tag).
 */
function carries(name: string, tag: string): boolean {
  return new RegExp(`(^|[-._])${escape(tag)}(?=[-.])`, "i").test(name);
}

/**
 * What there is to choose from, for the error: each file's quantization tag in llama.cpp's
 * spelling (the longest it carries), or its name when it carries none llama.cpp names.
 */
function choices(units: readonly Unit[]): string[] {
  const out = new Set<string>();
  for (const u of units) out.add(FILE_TYPE_NAMES.find((t) => carries(u.name, t)) ?? u.name);
  return [...out];
}

const list = (names: readonly string[]) => names.map((n) => excerpt(n, 120)).join(", ") || "none";

/** The one unit `select` names; InspectError USAGE when none or several do. */
export function pickUnit(where: string, units: readonly Unit[], select: GgufSelect): Unit {
  if (select.file !== undefined) {
    const f = select.file;
    const hit = units.find((u) => u.name === f || u.files.includes(f));
    if (hit) return hit;
    throw new InspectError("USAGE", `${where} has no GGUF file ${excerpt(f, 200)}`, {
      hint: `its GGUF files: ${list(units.flatMap((u) => u.files))}`,
    });
  }
  const tag = select.quant!;
  const hits = units.filter((u) => carries(u.name, tag));
  if (hits.length === 1) return hits[0]!;
  if (hits.length === 0)
    throw new InspectError(
      "USAGE",
      `${where} has no GGUF file for the quantization ${excerpt(tag, 80)}`,
      {
        hint: `available: ${list(choices(units))}`,
      },
    );
  throw new InspectError(
    "USAGE",
    `${where}: ${hits.length} GGUF files match the quantization ${excerpt(tag, 80)}: ${list(hits.map((u) => u.name))}`,
    { hint: "name one with --file NAME" },
  );
}
