// config.json beside the weights: read whole through the store (a regular file inside the
// target, under a bound), checked by the strict cursor (where it is wrong, by offset; every
// repeated key), then parsed with JSON.parse — unlike the header its numbers are small and a
// rounding would not matter. Analysis gets it as unknown. Nothing of the file's text is quoted:
// a config.json put there by mistake (or by a link) could be any file.

import path from "node:path";
import { InspectError } from "../core/errors.js";
import { finding, type Finding } from "../core/findings.js";
import { MAX_CONFIG_BYTES } from "../core/limits.js";
import { excerpt, group, plural } from "../core/text.js";
import { checkConfigJson } from "../formats/config-json.js";
import type { CheckpointStore } from "../store/store.js";

export interface ConfigRead {
  config?: unknown;
  path?: string;
  findings: Finding[];
}

const LINK_CODES: ReadonlySet<string> = new Set(["LINK_OUTSIDE_TARGET", "LINK_LOOP"]);

export async function readConfig(store: CheckpointStore, dir: string): Promise<ConfigRead> {
  const p = path.join(dir, "config.json");
  const st = await store.stat(p);
  if (st === undefined || st.kind === "dir") return { findings: [] };
  let read;
  try {
    read = await store.readSmall(p, MAX_CONFIG_BYTES);
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    if (LINK_CODES.has(e.code)) return { path: p, findings: [e.toFinding(p)] };
    return {
      path: p,
      findings: [invalid(p, `config.json cannot be read (${e.message}); ignored`)],
    };
  }
  if ("tooLarge" in read) {
    return {
      path: p,
      findings: [
        invalid(
          p,
          `config.json is ${group(read.tooLarge)} bytes, above the ${group(MAX_CONFIG_BYTES)} bytes a model config may take; ignored`,
        ),
      ],
    };
  }
  const bytes = read.bytes;
  const findings: Finding[] = [];
  try {
    const check = checkConfigJson(bytes);
    for (const r of check.repeated) {
      findings.push(
        finding(
          "DUPLICATE_KEY",
          `config.json repeats key "${excerpt(r.key)}" in ${excerpt(r.object)}; the last is used, as Python's json does`,
          { file: p, hint: "readers disagree on which of two equal keys wins; remove one" },
        ),
      );
    }
    if (check.repeatedCount > check.repeated.length) {
      findings.push(
        finding(
          "DUPLICATE_KEY",
          `config.json repeats ${plural(check.repeatedCount - check.repeated.length, "more key")}`,
          { file: p },
        ),
      );
    }
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    return { path: p, findings: [invalid(p, `${e.message}; ignored`)] };
  }
  let config: unknown;
  try {
    config = JSON.parse(bytes.toString("utf8"));
  } catch {
    // The check passed: what JSON.parse refuses is a Python literal (NaN, Infinity).
    return {
      path: p,
      findings: [
        ...findings,
        invalid(p, "config.json holds NaN or Infinity, which JSON.parse refuses; ignored"),
      ],
    };
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    return {
      path: p,
      findings: [...findings, invalid(p, "config.json is not a JSON object; ignored")],
    };
  }
  return { config, path: p, findings };
}

function invalid(file: string, message: string): Finding {
  return finding("CONFIG_INVALID", message, { file });
}
