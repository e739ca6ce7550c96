// A GGUF split set (`name-00001-of-00003.gguf` …, written by llama.cpp's gguf-split) checked as
// llama.cpp's model loader checks it (`src/llama-model-loader.cpp`, the llama_model_loader
// constructor): the first part carries the metadata and `split.count` (u16), from which the other
// parts' names are derived; every part carries `split.no` (u16, from 0), which must be its place;
// `split.tensors.count` (i32) of the first part must be the number of tensors the parts hold
// together; a tensor name may appear in one part only. Pure: the parts read in, findings out.

import { finding, type Finding } from "../core/findings.js";
import { group, plural } from "../core/text.js";
import type { GgufFile } from "../formats/gguf/read.js";
import { integerOf, type Entry } from "../formats/gguf/values.js";

export interface SplitPart {
  /** File name, `prefix-0000N-of-0000M.gguf`. */
  name: string;
  path: string;
  /** The part's number in its name, from 1. */
  number: number;
  /** Undefined when the part is missing, unreadable or not GGUF. */
  file?: GgufFile;
}

const LOADER = "llama.cpp's model loader";

/**
 * Findings about the set as a whole; `count` is the `-of-N` of the names. The tensor count is
 * compared only when every part was read.
 */
export function checkSplit(parts: readonly SplitPart[], count: number): Finding[] {
  const out: Finding[] = [];
  const read = parts.filter((p) => p.file?.complete);
  for (const p of read) {
    const first = p.number === 1;
    const meta = p.file!.metadata;
    const key = (name: string, type: string): Entry | "missing" | "wrong" => {
      const e = meta.get(name);
      if (e === undefined) return "missing";
      return e.type === type && integerOf(e.value) !== undefined ? e : "wrong";
    };
    const invalid = (name: string, why: string, refusal: string) =>
      out.push(
        finding("GGUF_SPLIT_KEY_INVALID", `${p.name}: ${name} ${why}`, {
          file: p.path,
          hint: refusal,
        }),
      );

    const no = key("split.no", "u16");
    if (no === "missing")
      invalid(
        "split.no",
        "is missing: the part does not say where it belongs in the set",
        `${LOADER} refuses the set ("missing key split.no")`,
      );
    else if (no === "wrong")
      invalid(
        "split.no",
        `is of type ${meta.get("split.no")!.type}, not u16`,
        first
          ? `${LOADER} refuses the set ("key split.no has wrong type")`
          : `${LOADER} aborts on it (gguf_get_val_u16 asserts the type)`,
      );
    else if (integerOf(no.value) !== p.number - 1)
      out.push(
        finding(
          "GGUF_SPLIT_MISMATCH",
          `${p.name}: split.no is ${integerOf(no.value)}, but the name makes it part ${p.number} of ${count} (split.no ${p.number - 1})`,
          {
            file: p.path,
            offset: BigInt(no.offset),
            hint: `${LOADER} refuses the set ("invalid split file idx"); the file was renamed or belongs to another set`,
          },
        ),
      );

    const n = key("split.count", "u16");
    if (first) {
      if (n === "missing")
        invalid(
          "split.count",
          "is missing from the first part",
          `${LOADER} then loads the first part alone, without the tensors of the others`,
        );
      else if (n === "wrong")
        invalid(
          "split.count",
          `is of type ${meta.get("split.count")!.type}, not u16`,
          `${LOADER} refuses the set ("key split.count has wrong type")`,
        );
    }
    if (typeof n === "object" && integerOf(n.value) !== count)
      out.push(
        finding(
          "GGUF_SPLIT_MISMATCH",
          `${p.name}: split.count is ${integerOf(n.value)}, but the name says ${plural(count, "part")}`,
          {
            file: p.path,
            offset: BigInt(n.offset),
            // Only the first part's count is read by llama.cpp; another part's is a stray value.
            severity: first ? "error" : "warning",
            hint: first
              ? `${LOADER} derives the other parts' names from split.count, so it looks for files that are not these`
              : `${LOADER} reads split.count from the first part only; this part may belong to another set`,
          },
        ),
      );

    if (first) {
      const t = key("split.tensors.count", "i32");
      if (t === "missing" || t === "wrong")
        invalid(
          "split.tensors.count",
          t === "missing"
            ? "is missing from the first part"
            : `is of type ${meta.get("split.tensors.count")!.type}, not i32`,
          `${LOADER} refuses the set (it reads the key to check the tensor count)`,
        );
      else if (read.length === count) {
        const held = read.reduce((a, q) => a + q.file!.tensors.count, 0);
        const said = integerOf(t.value)!;
        if (said !== held)
          out.push(
            finding(
              "GGUF_SPLIT_TENSOR_COUNT",
              `split.tensors.count is ${group(said)}, but the ${plural(count, "part")} hold ${plural(held, "tensor")}`,
              {
                file: p.path,
                offset: BigInt(t.offset),
                hint: `${LOADER} refuses the set ("corrupted model: ${said} tensors expected but ${held} found")`,
              },
            ),
          );
      }
    }
  }
  out.push(...duplicatesAcross(read));
  return out;
}

/** A tensor name in two parts (compared as llama.cpp compares them: up to a NUL). */
function duplicatesAcross(read: readonly SplitPart[]): Finding[] {
  const out: Finding[] = [];
  if (read.length < 2) return out;
  const where = new Map<string, string>();
  for (const p of read) {
    const names = p.file!.tensors.names;
    const own = new Set<string>();
    for (let i = 0; i < p.file!.tensors.count; i++) {
      const raw = names[i]!;
      const nul = raw.indexOf("\u0000");
      const name = nul >= 0 ? raw.slice(0, nul) : raw;
      // Repeats inside one part are the reader's finding (GGUF_DUPLICATE_TENSOR there).
      if (own.has(name)) continue;
      own.add(name);
      const before = where.get(name);
      if (before === undefined) where.set(name, p.name);
      else
        out.push(
          finding("GGUF_DUPLICATE_TENSOR", `tensor ${name} is in both ${before} and ${p.name}`, {
            file: p.path,
            tensor: name,
            hint: `${LOADER} refuses the set ("invalid model: tensor '${name}' is duplicated")`,
          }),
        );
    }
  }
  return out;
}
