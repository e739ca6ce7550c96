// config.json beside the weights: a regular file inside the target, read whole with a bound,
// checked by the strict cursor (where it is wrong, by offset; every repeated key), then parsed
// with JSON.parse — unlike the header its numbers are small and a rounding would not matter.
// Analysis gets it as unknown. Nothing of the file's text is quoted in a message.

import path from "node:path";
import { InspectError } from "../core/errors.js";
import { finding, type Finding } from "../core/findings.js";
import { MAX_CONFIG_BYTES } from "../core/limits.js";
import { excerpt, plural } from "../core/text.js";
import { checkConfigJson } from "../formats/config-json.js";
import { refusal, TargetScope } from "../sources/scope.js";
import { readSmallFile, SmallFileError } from "../sources/small-file.js";

export interface ConfigRead {
  config?: unknown;
  path?: string;
  findings: Finding[];
}

export async function readConfig(dir: string, scope: TargetScope): Promise<ConfigRead> {
  const p = path.join(dir, "config.json");
  const admitted = await scope.admit(p);
  if (!admitted.ok) return { path: p, findings: [refusal(p, admitted)] };
  let bytes: Buffer;
  try {
    bytes = await readSmallFile(admitted.real, MAX_CONFIG_BYTES, "a model config");
  } catch (e) {
    if (!(e instanceof SmallFileError)) throw e;
    if (e.problem === "missing") return { findings: [] };
    return { path: p, findings: [invalid(p, `config.json ${e.message}; ignored`)] };
  }
  const findings: Finding[] = [];
  try {
    const check = checkConfigJson(bytes);
    for (const r of check.repeated) {
      findings.push(
        finding(
          "DUPLICATE_KEY",
          `config.json repeats key "${excerpt(r.key)}" in ${excerpt(r.object)}; the last is used, as Python's json does`,
          {
            file: p,
            hint: "readers disagree on which of two equal keys wins; remove one",
          },
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
    return {
      path: p,
      findings: [invalid(p, `config.json is not valid JSON: ${e.message}; ignored`)],
    };
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
