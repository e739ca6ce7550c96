// config.json beside the weights: read whole (bounded), parsed on the strict JSON cursor in its
// Python mode: transformers writes configs with Python's json module, which puts bare
// `Infinity` / `NaN` in them (Nemotron-H's time_step_limit). Those are accepted and noted;
// everything else is strict JSON, integers exact. Analysis gets it as unknown.

import path from "node:path";
import { InspectError } from "../core/errors.js";
import { MAX_CONFIG_BYTES, MAX_LISTED_ITEMS } from "../core/limits.js";
import { finding, type Finding } from "../core/findings.js";
import { group } from "../core/text.js";
import { parseJsonValue } from "../formats/json-value.js";
import type { CheckpointStore } from "../store/store.js";

export interface ConfigRead {
  config?: unknown;
  path?: string;
  finding?: Finding;
}

export async function readConfig(store: CheckpointStore, dir: string): Promise<ConfigRead> {
  const p = path.join(dir, "config.json");
  const st = await store.stat(p);
  if (st?.kind !== "file") return {};
  let read;
  try {
    read = await store.readSmall(p, MAX_CONFIG_BYTES);
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    return {
      path: p,
      finding: finding("CONFIG_INVALID", `config.json cannot be read (${e.message}); ignored`, {
        file: p,
      }),
    };
  }
  if ("tooLarge" in read) {
    return {
      path: p,
      finding: finding(
        "CONFIG_INVALID",
        `config.json is ${group(read.tooLarge)} bytes, above the ${group(MAX_CONFIG_BYTES)} a model config can take; ignored`,
        { file: p },
      ),
    };
  }
  try {
    const { value: config, nonFinite } = parseJsonValue(read.bytes, "config.json", {
      pythonLiterals: true,
    });
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
      return {
        path: p,
        finding: finding("CONFIG_INVALID", "config.json is not a JSON object; ignored", {
          file: p,
        }),
      };
    }
    if (nonFinite.length > 0) {
      const shown = nonFinite.slice(0, MAX_LISTED_ITEMS).join(", ");
      const more =
        nonFinite.length > MAX_LISTED_ITEMS
          ? `, and ${nonFinite.length - MAX_LISTED_ITEMS} more`
          : "";
      return {
        config,
        path: p,
        finding: finding(
          "CONFIG_PYTHON_JSON",
          `config.json holds non-standard JSON numbers written by Python (Infinity or NaN at ${shown}${more}); read as Python reads them`,
          { file: p },
        ),
      };
    }
    return { config, path: p };
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    return {
      path: p,
      finding: finding("CONFIG_INVALID", `${e.message}; config.json ignored`, { file: p }),
    };
  }
}
