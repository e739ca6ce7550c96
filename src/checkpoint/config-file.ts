// config.json beside the weights: read whole (bounded), parsed with JSON.parse — unlike the
// header its numbers are small and a rounding would not matter. Analysis gets it as unknown.

import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { MAX_CONFIG_BYTES } from "../core/limits.js";
import { finding, type Finding } from "../core/findings.js";
import { group } from "../core/text.js";

export interface ConfigRead {
  config?: unknown;
  path?: string;
  finding?: Finding;
}

export async function readConfig(dir: string): Promise<ConfigRead> {
  const p = path.join(dir, "config.json");
  const st = await stat(p).catch(() => undefined);
  if (!st?.isFile()) return {};
  if (st.size > MAX_CONFIG_BYTES) {
    return {
      path: p,
      finding: finding(
        "CONFIG_INVALID",
        `config.json is ${group(st.size)} bytes, above the ${group(MAX_CONFIG_BYTES)} a model config can take; ignored`,
        { file: p },
      ),
    };
  }
  try {
    const config: unknown = JSON.parse(await readFile(p, "utf8"));
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
