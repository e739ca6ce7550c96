// The Hub settings huggingface_hub reads from the environment, read the same way
// (huggingface_hub constants.py and utils/_auth.py; docs/hub.md): the endpoint, offline mode,
// the token and the download timeout. The token is returned to the caller that sends it and to
// no one else: it is never part of a message, a finding or the report.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { HTTP_IDLE_TIMEOUT_MS, MAX_TOKEN_FILE_BYTES } from "../core/limits.js";

/** The public Hub. */
export const DEFAULT_ENDPOINT = "https://huggingface.co";

/** huggingface_hub's truthy values for boolean variables (constants.py ENV_VARS_TRUE_VALUES). */
const TRUE_VALUES = new Set(["1", "ON", "YES", "TRUE"]);

export const isTrue = (v: string | undefined) =>
  v !== undefined && TRUE_VALUES.has(v.toUpperCase());

/** `$HF_ENDPOINT` without a trailing slash, else the public Hub. */
export function hubEndpoint(env: NodeJS.ProcessEnv): string {
  const e = env.HF_ENDPOINT?.trim();
  return e ? e.replace(/\/+$/, "") : DEFAULT_ENDPOINT;
}

/** HF_HUB_OFFLINE (or the older TRANSFORMERS_OFFLINE) set to a true value. */
export function hubOffline(env: NodeJS.ProcessEnv): boolean {
  return isTrue(env.HF_HUB_OFFLINE || env.TRANSFORMERS_OFFLINE);
}

/** HF_HUB_DOWNLOAD_TIMEOUT in seconds, as huggingface_hub reads it; else HTTP_IDLE_TIMEOUT_MS. */
export function hubTimeoutMs(env: NodeJS.ProcessEnv): number {
  const v = env.HF_HUB_DOWNLOAD_TIMEOUT?.trim();
  if (v && /^\d+(\.\d+)?$/.test(v) && Number(v) > 0) return Math.round(Number(v) * 1000);
  return HTTP_IDLE_TIMEOUT_MS;
}

/** Where huggingface_hub keeps its home: HF_HOME, else $XDG_CACHE_HOME/huggingface. */
export function hfHome(env: NodeJS.ProcessEnv, home = os.homedir()): string {
  if (env.HF_HOME) return env.HF_HOME;
  return path.join(env.XDG_CACHE_HOME || path.join(home, ".cache"), "huggingface");
}

export interface Token {
  /** Never printed, logged or reported. */
  readonly value: string;
  /** Where it came from, for messages: "HF_TOKEN", or the token file's path. */
  readonly from: string;
}

/** huggingface_hub's _clean_token: line breaks removed, spaces trimmed, empty means none. */
function clean(t: string | undefined): string | undefined {
  if (t === undefined) return undefined;
  const v = t.replace(/[\r\n]/g, "").trim();
  return v === "" ? undefined : v;
}

/**
 * HF_TOKEN (or the older HUGGING_FACE_HUB_TOKEN), else the file at HF_TOKEN_PATH, else
 * $HF_HOME/token. A token file that is missing, unreadable, not a regular file or larger than
 * MAX_TOKEN_FILE_BYTES gives no token.
 */
export function hubToken(env: NodeJS.ProcessEnv, home = os.homedir()): Token | undefined {
  const fromEnv = clean(env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN);
  if (fromEnv)
    return { value: fromEnv, from: env.HF_TOKEN ? "HF_TOKEN" : "HUGGING_FACE_HUB_TOKEN" };
  const file = env.HF_TOKEN_PATH || path.join(hfHome(env, home), "token");
  const text = readSmallFile(file);
  const value = clean(text);
  return value ? { value, from: file } : undefined;
}

function readSmallFile(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_TOKEN_FILE_BYTES) return undefined;
    const buf = Buffer.alloc(st.size);
    let done = 0;
    while (done < buf.length) {
      const n = readSync(fd, buf, done, buf.length - done, done);
      if (n === 0) break;
      done += n;
    }
    return buf.subarray(0, done).toString("utf8");
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
