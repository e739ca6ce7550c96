// config.json beside the weights: read whole (bounded), parsed with JSON.parse — unlike the
// header its numbers are small and a rounding would not matter. Analysis gets it as unknown.

import path from "node:path";
import { InspectError } from "../core/errors.js";
import { MAX_CONFIG_BYTES } from "../core/limits.js";
import { finding, type Finding } from "../core/findings.js";
import { group } from "../core/text.js";
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
    const config: unknown = JSON.parse(read.bytes.toString("utf8"));
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
      return {
        path: p,
        finding: finding("CONFIG_INVALID", "config.json is not a JSON object; ignored", {
          file: p,
        }),
      };
    }
    return { config, path: p };
  } catch (e) {
    return {
      path: p,
      finding: finding(
        "CONFIG_INVALID",
        `config.json is not valid JSON (${(e as Error).message}); ignored`,
        { file: p },
      ),
    };
  }
}
