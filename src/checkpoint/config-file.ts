// config.json beside the weights: read whole through the store (a regular file inside the
// target, under a bound), parsed on the strict JSON cursor in its Python mode: transformers
// writes configs with Python's json module, which puts bare `Infinity` / `NaN` in them
// (Nemotron-H's time_step_limit). Those are accepted and noted; everything else is strict JSON,
// integers exact, and a key repeated in any object is an error (as in a header). Messages name
// byte offsets and JSON paths, never the file's text: a config.json put there by mistake could
// be any file. Analysis gets it as unknown.

import path from "node:path";
import { InspectError } from "../core/errors.js";
import { MAX_CONFIG_BYTES, MAX_LISTED_ITEMS } from "../core/limits.js";
import { finding, type Finding } from "../core/findings.js";
import { excerpt, group, plural } from "../core/text.js";
import { parseJsonValue } from "../formats/json-value.js";
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
  // A FIFO or device named config.json is read, to be refused by name, not passed over.
  if (st === undefined || st.kind === "dir") return { findings: [] };
  let read;
  try {
    read = await store.readSmall(p, MAX_CONFIG_BYTES);
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    if (LINK_CODES.has(e.code)) return { path: p, findings: [e.toFinding(p)] };
    return {
      path: p,
      findings: [invalid(p, `config.json cannot be read: it ${e.message}; ignored`)],
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
  let parsed;
  try {
    parsed = parseJsonValue(read.bytes, "config.json", { pythonLiterals: true });
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    return { path: p, findings: [invalid(p, `${e.message}; config.json ignored`)] };
  }
  const { value: config, nonFinite, repeated, repeatedCount } = parsed;
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    return { path: p, findings: [invalid(p, "config.json is not a JSON object; ignored")] };
  }
  const findings: Finding[] = [];
  for (const r of repeated) {
    findings.push(
      finding(
        "DUPLICATE_KEY",
        `config.json repeats key "${excerpt(r.key)}" ${r.object === "" ? "at the top level" : `in ${excerpt(r.object)}`}; the last is used, as Python's json does`,
        { file: p, hint: "readers disagree on which of two equal keys wins; remove one" },
      ),
    );
  }
  if (repeatedCount > repeated.length) {
    findings.push(
      finding(
        "DUPLICATE_KEY",
        `config.json repeats ${plural(repeatedCount - repeated.length, "more key")}`,
        { file: p },
      ),
    );
  }
  if (nonFinite.length > 0) {
    const shown = nonFinite.slice(0, MAX_LISTED_ITEMS).join(", ");
    const more =
      nonFinite.length > MAX_LISTED_ITEMS
        ? `, and ${nonFinite.length - MAX_LISTED_ITEMS} more`
        : "";
    findings.push(
      finding(
        "CONFIG_PYTHON_JSON",
        `config.json holds non-standard JSON numbers written by Python (Infinity or NaN at ${shown}${more}); read as Python reads them`,
        { file: p },
      ),
    );
  }
  return { config, path: p, findings };
}

function invalid(file: string, message: string): Finding {
  return finding("CONFIG_INVALID", message, { file });
}
