import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULT_ENDPOINT,
  hubEndpoint,
  hubOffline,
  hubTimeoutMs,
  hubToken,
} from "../../src/hub/settings.js";
import { tempDir } from "../helpers/safetensors.js";

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function home(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

describe("Hub settings from the environment", () => {
  it("endpoint: HF_ENDPOINT without trailing slashes, else the public Hub", () => {
    expect(hubEndpoint({})).toBe(DEFAULT_ENDPOINT);
    expect(hubEndpoint({ HF_ENDPOINT: "https://mirror.example/hf//" })).toBe(
      "https://mirror.example/hf",
    );
    expect(hubEndpoint({ HF_ENDPOINT: "  " })).toBe(DEFAULT_ENDPOINT);
  });

  it("offline: HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE set to 1, on, yes or true", () => {
    for (const v of ["1", "ON", "yes", "True"])
      expect(hubOffline({ HF_HUB_OFFLINE: v })).toBe(true);
    for (const v of ["0", "", "off", "no"]) expect(hubOffline({ HF_HUB_OFFLINE: v })).toBe(false);
    expect(hubOffline({ TRANSFORMERS_OFFLINE: "1" })).toBe(true);
    expect(hubOffline({})).toBe(false);
  });

  it("timeout: HF_HUB_DOWNLOAD_TIMEOUT in seconds", () => {
    expect(hubTimeoutMs({ HF_HUB_DOWNLOAD_TIMEOUT: "2.5" })).toBe(2500);
    expect(hubTimeoutMs({ HF_HUB_DOWNLOAD_TIMEOUT: "x" })).toBe(10_000);
    expect(hubTimeoutMs({})).toBe(10_000);
  });

  it("token: HF_TOKEN, then HF_TOKEN_PATH, then $HF_HOME/token, cleaned", () => {
    const h = home();
    const hfHome = path.join(h, "hf");
    mkdirSync(hfHome);
    writeFileSync(path.join(hfHome, "token"), "  hf_home_token\r\n");
    const custom = path.join(h, "custom-token");
    writeFileSync(custom, "hf_path_token\n");
    expect(hubToken({ HF_TOKEN: " hf_env\n", HF_HOME: hfHome }, h)).toEqual({
      value: "hf_env",
      from: "HF_TOKEN",
    });
    expect(hubToken({ HF_TOKEN_PATH: custom, HF_HOME: hfHome }, h)?.value).toBe("hf_path_token");
    expect(hubToken({ HF_HOME: hfHome }, h)).toEqual({
      value: "hf_home_token",
      from: path.join(hfHome, "token"),
    });
    // An empty HF_TOKEN is no token: the file is used.
    expect(hubToken({ HF_TOKEN: "", HF_HOME: hfHome }, h)?.value).toBe("hf_home_token");
    // Default home: ~/.cache/huggingface/token.
    mkdirSync(path.join(h, ".cache", "huggingface"), { recursive: true });
    writeFileSync(path.join(h, ".cache", "huggingface", "token"), "hf_default");
    expect(hubToken({}, h)?.value).toBe("hf_default");
  });

  it("token: none from a missing, empty, oversized or non-regular file", () => {
    const h = home();
    expect(hubToken({ HF_TOKEN_PATH: path.join(h, "missing") }, h)).toBeUndefined();
    writeFileSync(path.join(h, "empty"), "\n  \n");
    expect(hubToken({ HF_TOKEN_PATH: path.join(h, "empty") }, h)).toBeUndefined();
    writeFileSync(path.join(h, "big"), "x".repeat(10_000));
    expect(hubToken({ HF_TOKEN_PATH: path.join(h, "big") }, h)).toBeUndefined();
    expect(hubToken({ HF_TOKEN_PATH: h }, h)).toBeUndefined();
  });
});
