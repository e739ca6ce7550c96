// Picking one model among a repo's GGUF files, as `-hf org/name:Q4_K_M` does in llama.cpp: by
// the quantization tag in the file's path, case-insensitive, a split set counting as one choice,
// a file in a subfolder as much as one at the top (the Hub's manifest endpoint, which llama.cpp
// asks, matches files anywhere in the repo: unsloth keeps big quantizations in folders such as
// `Q4_K_M/` and `UD-Q4_K_XL/`), projectors (`mmproj-….gguf`) never a choice for a tag; or by the
// file's path or name (--file). None or several matching is a usage error that lists what there
// is to choose from. Pure: names in (folder.ts ggufTree), a choice or an error out.

import path from "node:path";
import { InspectError } from "../core/errors.js";
import { excerpt } from "../core/text.js";
import { FILE_TYPE_NAMES } from "../formats/gguf/file-types.js";
import { isProjector, type Unit } from "./folder.js";

export interface GgufSelect {
  /** `org/name:Q4_K_M`: the quantization tag. */
  quant?: string;
  /**
   * --file NAME: a file of the repo by its path (`Q4_K_M/m-Q4_K_M-00001-of-00003.gguf`), or by
   * its name alone when one file has it (any part of a split set names the set).
   */
  file?: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Whether the path `name` carries the tag: preceded by the start or one of `-`, `.`, `_`, `/`,
 * followed by `-`, `.` or `/` (so that Q4_K does not pick Q4_K_M: `_` continues a tag). A folder
 * named by the tag (`Q4_K_M/…`) carries it, as the Hub matches the tag on the path.
 */
function carries(name: string, tag: string): boolean {
  return new RegExp(`(^|[-._/])${escape(tag)}(?=[-./])`, "i").test(name);
}

const folderOf = (u: Unit) => path.posix.dirname(u.files[0]!);

/**
 * What there is to choose from, for the error: each model's quantization tag in llama.cpp's
 * spelling (the longest it carries), or its name when it carries none llama.cpp names; with its
 * folder when it is in one (`BF16 (in BF16/)`).
 */
function choices(units: readonly Unit[]): string[] {
  const out = new Set<string>();
  for (const u of units) {
    const folder = folderOf(u);
    const base = path.posix.basename(u.name);
    const tag = FILE_TYPE_NAMES.find((t) => carries(u.name, t));
    out.add(folder === "." ? (tag ?? base) : tag !== undefined ? `${tag} (in ${folder}/)` : u.name);
  }
  return [...out];
}

const list = (names: readonly string[]) => names.map((n) => excerpt(n, 120)).join(", ") || "none";

/** The one unit `select` names; InspectError USAGE when none or several do. */
export function pickUnit(where: string, units: readonly Unit[], select: GgufSelect): Unit {
  if (select.file !== undefined) {
    const f = select.file;
    const hit = units.find((u) => u.name === f || u.files.includes(f));
    if (hit) return hit;
    // By its name alone, when the name is in one folder only.
    const named = units.filter((u) => u.files.some((x) => path.posix.basename(x) === f));
    if (named.length === 1) return named[0]!;
    if (named.length > 1)
      throw new InspectError(
        "USAGE",
        `${where}: ${named.length} GGUF files are named ${excerpt(f, 200)}: ${list(named.map((u) => u.name))}`,
        { hint: "name one with its folder: --file FOLDER/NAME" },
      );
    throw new InspectError("USAGE", `${where} has no GGUF file ${excerpt(f, 200)}`, {
      hint: `its GGUF files: ${list(units.flatMap((u) => u.files))}`,
    });
  }
  const tag = select.quant!;
  const models = units.filter((u) => !u.files.some(isProjector));
  const hits = models.filter((u) => carries(u.name, tag));
  if (hits.length === 1) return hits[0]!;
  if (hits.length === 0)
    throw new InspectError(
      "USAGE",
      `${where} has no GGUF file for the quantization ${excerpt(tag, 80)}`,
      {
        hint: `available: ${list(choices(models))}`,
      },
    );
  throw new InspectError(
    "USAGE",
    `${where}: ${hits.length} GGUF files match the quantization ${excerpt(tag, 80)}: ${list(hits.map((u) => u.name))}`,
    { hint: "name one with --file NAME" },
  );
}
