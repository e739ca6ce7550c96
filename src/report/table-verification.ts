// The table's --verify / --scan section: one row per file (digest, where the expectation came
// from, verdict), then the tensors whose values look wrong. The JSON lists every tensor.

import path from "node:path";
import { group, plural } from "../core/text.js";
import type { FileVerification, Verification } from "../integrity/verification.js";
import { cutText } from "../core/escape.js";
import { TABLE_CELL_CHARS } from "../core/limits.js";
import { layerKind } from "../ollama/models.js";
import type { Style } from "./style.js";
import { keep, wrapLines, wrapStyled } from "./wrap.js";

/** Suspicious tensors listed in the table; the JSON has them all. */
const SHOWN_TENSORS = 20;
/** Digest characters shown: enough to compare by eye; the JSON has all 64. */
const DIGEST_CHARS = 16;

type Grid = (
  head: string[],
  rows: Iterable<readonly string[]>,
  right: number[],
  more?: (hidden: number) => string,
  /** The name column, cut in the middle when the table is too wide. */
  shrink?: number,
) => string;

const cell = (s: string) => cutText(s, TABLE_CELL_CHARS);

function* mapped<T, U>(items: Iterable<T>, f: (x: T) => U): Iterable<U> {
  for (const x of items) yield f(x);
}

function verdict(f: FileVerification, st: Style): string {
  switch (f.status) {
    case "match":
      return st.green("match");
    case "computed":
      return st.dim("no expected digest");
    case "interrupted":
      return st.yellow("interrupted");
    default:
      return st.red(f.status);
  }
}

export function verificationLines(v: Verification, st: Style, grid: Grid): string[] {
  const out: string[] = [];
  const read = `${keep(st.bytes(v.bytesRead))} of ${keep(st.bytes(v.bytesTotal))} read${v.interrupted ? ` before ${v.interruptedBy === "SIGTERM" ? "SIGTERM" : "Ctrl-C"}` : ""}`;
  if (v.files.length > 0) {
    const matched = v.files.filter((f) => f.status === "match").length;
    const bad = v.files.filter((f) => f.match === false).length;
    out.push(
      ...wrapStyled(
        `Verification  ${plural(v.files.length, "file")}: ${matched} match, ${bad} fail; ${read}`,
        st.width,
        "  ",
        "    ",
        st.bold,
      ),
    );
    out.push(
      grid(
        ["file", "bytes", "sha256", "expected from", "result"],
        mapped(v.files, (f) => [
          // An Ollama layer's blob says which layer it is: its name is only its digest.
          cell(
            f.layer !== undefined
              ? `${path.basename(f.path)} (${layerKind(f.layer)})`
              : path.basename(f.path),
          ),
          group(f.bytes),
          f.sha256 ? f.sha256.slice(0, DIGEST_CHARS) + "…" : "",
          f.source,
          verdict(f, st),
        ]),
        [1],
        (hidden) => st.dim(`… ${plural(hidden, "more file")}; --json lists every file`),
        0,
      ),
    );
  }
  const a = v.against;
  if (a) {
    const at = `${cell(a.repo)}@${cell(a.revision)} (${a.commit.slice(0, 12)})`;
    const same = a.missing.length + a.extra.length + a.differing.length === 0;
    out.push(
      ...(same
        ? wrapStyled(`The folder is exactly ${at}`, st.width, "  ", "    ", st.green)
        : wrapStyled(
            `Against ${at}: ${a.missing.length} missing, ${a.extra.length} extra, ${a.differing.length} differing`,
            st.width,
            "  ",
            "    ",
            st.red,
          )),
    );
    const list = (label: string, names: string[]) => {
      if (names.length === 0) return;
      const shown = names.slice(0, SHOWN_TENSORS).map(cell).join(", ");
      const more = names.length > SHOWN_TENSORS ? `, and ${names.length - SHOWN_TENSORS} more` : "";
      out.push(...wrapLines(`${shown}${more}`, st.width, `    ${label.padEnd(10)} `));
    };
    list("missing", a.missing);
    list("extra", a.extra);
    list("differing", a.differing);
  }
  const s = v.scan;
  if (s) {
    if (out.length > 0) out.push("");
    out.push(
      ...wrapStyled(
        `Scan  ${plural(s.tensors.length, "tensor")}: ${s.nanTensors} with NaN, ${s.infTensors} with infinities, ${s.zeroTensors} all zero, ${s.invalidBoolTensors} with bad booleans${v.files.length === 0 ? `; ${read}` : ""}`,
        st.width,
        "  ",
        "    ",
        st.bold,
      ),
    );
    const suspicious = s.tensors.filter(
      (t) => t.nan > 0 || t.inf > 0 || t.zero || t.invalidBool > 0,
    );
    if (suspicious.length > 0) {
      out.push(
        grid(
          ["tensor", "dtype", "NaN", "inf", "all zero", "bad bool"],
          suspicious
            .slice(0, SHOWN_TENSORS)
            .map((t) => [
              cell(t.name),
              t.dtype,
              group(t.nan),
              group(t.inf),
              t.zero ? "yes" : "",
              t.invalidBool > 0 ? group(t.invalidBool) : "",
            ]),
          [2, 3],
          undefined,
          0,
        ),
      );
      if (suspicious.length > SHOWN_TENSORS) {
        out.push(`  ${st.dim(`… ${group(suspicious.length - SHOWN_TENSORS)} more in --json`)}`);
      }
    }
  }
  return out;
}
