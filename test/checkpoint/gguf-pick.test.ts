// `org/name:Q4_K_M` and --file NAME: one model among a repo's GGUF files, as llama.cpp's
// `-hf org/name:quant` picks it (the tag in the file name, any case; a split set is one choice),
// from the local Hugging Face cache and from the Hub (the loopback emulator).

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pickUnit } from "../../src/checkpoint/gguf-pick.js";
import { loadTarget, quantTarget } from "../../src/checkpoint/targets.js";
import { InspectError } from "../../src/core/errors.js";
import {
  familyFile,
  FAMILIES,
  modelSpec,
  splitName,
  splitSpec,
  writeGguf,
} from "../helpers/gguf.js";
import { HubEmulator } from "../helpers/hub-emulator.js";
import { tempDir } from "../helpers/safetensors.js";

const tmp = tempDir("inspect-gguf-pick-");
afterAll(tmp.cleanup);

const unit = (name: string, files = [name]) => ({ name, files });
const UNITS = [
  unit("m-Q4_K_M.gguf"),
  unit("m-Q4_K_S.gguf"),
  unit("m.Q8_0.gguf"),
  unit("m-UD-Q4_K_XL-*-of-00002.gguf", [
    "m-UD-Q4_K_XL-00001-of-00002.gguf",
    "m-UD-Q4_K_XL-00002-of-00002.gguf",
  ]),
  unit("mmproj-F16.gguf"),
];

const usage = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InspectError);
    expect((e as InspectError).code).toBe("USAGE");
    return (e as InspectError).toFinding();
  }
  throw new Error("no error");
};

describe("picking a GGUF file", () => {
  it.each([
    ["Q4_K_M", "m-Q4_K_M.gguf"],
    ["q4_k_m", "m-Q4_K_M.gguf"],
    ["Q8_0", "m.Q8_0.gguf"],
    ["UD-Q4_K_XL", "m-UD-Q4_K_XL-*-of-00002.gguf"],
    ["Q4_K_XL", "m-UD-Q4_K_XL-*-of-00002.gguf"],
  ])("%s → %s", (quant, name) => {
    expect(pickUnit("org/m", UNITS, { quant }).name).toBe(name);
  });

  it("Q4_K is not Q4_K_M or Q4_K_S: none, with the tags there are", () => {
    const e = usage(() => pickUnit("org/m", UNITS, { quant: "Q4_K" }));
    expect(e.message).toBe("org/m has no GGUF file for the quantization Q4_K");
    // Unsloth's UD tags are no llama.cpp file type: that file is named whole.
    expect(e.hint).toBe("available: Q4_K_M, Q4_K_S, Q8_0, m-UD-Q4_K_XL-*-of-00002.gguf, F16");
  });

  it("two files with the tag: ambiguous, both named, --file suggested", () => {
    const e = usage(() =>
      pickUnit("org/m", [...UNITS, unit("other-Q8_0.gguf")], { quant: "Q8_0" }),
    );
    expect(e.message).toContain(
      "2 GGUF files match the quantization Q8_0: m.Q8_0.gguf, other-Q8_0.gguf",
    );
    expect(e.hint).toBe("name one with --file NAME");
  });

  it("--file by name; a split part names its set", () => {
    expect(pickUnit("org/m", UNITS, { file: "m.Q8_0.gguf" }).name).toBe("m.Q8_0.gguf");
    expect(
      pickUnit("org/m", UNITS, { file: "m-UD-Q4_K_XL-00002-of-00002.gguf" }).files,
    ).toHaveLength(2);
    expect(usage(() => pickUnit("org/m", UNITS, { file: "nope.gguf" })).hint).toContain(
      "m-Q4_K_M.gguf",
    );
  });

  it("org/name[@rev]:TAG is a repo and a tag; paths and URLs are not", () => {
    expect(quantTarget("org/m:Q4_K_M")).toEqual({ repo: "org/m", quant: "Q4_K_M" });
    expect(quantTarget("org/m@v1.0:q8_0")).toEqual({ repo: "org/m@v1.0", quant: "q8_0" });
    expect(quantTarget("org/m")).toBeUndefined();
    expect(quantTarget("https://h/x.gguf:Q4")).toBeUndefined();
    expect(quantTarget("ollama://m:8b")).toBeUndefined();
    expect(quantTarget("/abs/path:Q4")).toBeUndefined();
  });
});

const Q4 = familyFile("llamaQ4KM").bytes;
const F16 = familyFile("llama").bytes;
const PARTS = splitSpec(modelSpec(FAMILIES.llama()), 2).map((p) => writeGguf(p).bytes);
const REPO_FILES: Record<string, Buffer> = {
  "tiny-Q4_K_M.gguf": Q4,
  "tiny-F16.gguf": F16,
  [splitName("tiny-Q8_0", 1, 2)]: PARTS[0]!,
  [splitName("tiny-Q8_0", 2, 2)]: PARTS[1]!,
  "README.md": Buffer.from("# tiny\n"),
};

describe("org/name:TAG from the local cache", () => {
  const commit = "c".repeat(40);
  const home = path.join(tmp.dir, "hf");
  beforeAll(() => {
    const repo = path.join(home, "hub", "models--org--tiny-GGUF");
    const snap = path.join(repo, "snapshots", commit);
    mkdirSync(snap, { recursive: true });
    mkdirSync(path.join(repo, "refs"));
    writeFileSync(path.join(repo, "refs", "main"), commit);
    for (const [name, bytes] of Object.entries(REPO_FILES))
      writeFileSync(path.join(snap, name), bytes);
  });
  const load = (target: string, file?: string) =>
    loadTarget(target, {
      env: { HF_HOME: home, HF_HUB_OFFLINE: "1" },
      userAgent: "inspect/test",
      ...(file !== undefined ? { select: { file } } : {}),
    });

  it("the tag picks the file, the target keeps its name", async () => {
    const cp = await load("org/tiny-GGUF:q4_k_m");
    expect(cp.target).toBe("org/tiny-GGUF:q4_k_m");
    expect(cp.files.map((f) => path.basename(f.name))).toEqual(["tiny-Q4_K_M.gguf"]);
    expect(cp.source?.kind).toBe("cache");
  });

  it("a split set is one choice", async () => {
    const cp = await load("org/tiny-GGUF:Q8_0");
    expect(cp.kind).toBe("split");
    expect(cp.files).toHaveLength(2);
  });

  it("--file", async () => {
    const cp = await load("org/tiny-GGUF", "tiny-F16.gguf");
    expect(cp.files.map((f) => path.basename(f.name))).toEqual(["tiny-F16.gguf"]);
  });

  it("a tag the repo lacks: a usage error listing what it has", async () => {
    const cp = await load("org/tiny-GGUF:Q5_K_M");
    expect(cp.files).toEqual([]);
    expect(cp.findings[0]!.code).toBe("USAGE");
    expect(cp.findings[0]!.hint).toBe("available: F16, Q4_K_M, Q8_0");
  });

  it("without a tag: every file a row", async () => {
    const cp = await load("org/tiny-GGUF");
    expect(cp.alternatives).toBe(true);
    expect(cp.components).toHaveLength(3);
  });
});

describe("org/name:TAG from the Hub", () => {
  let hub: HubEmulator;
  beforeAll(async () => {
    hub = await HubEmulator.start();
    hub.addRepo("org/tiny-GGUF", REPO_FILES);
  });
  afterAll(() => hub.close());
  const load = (target: string, file?: string) =>
    loadTarget(target, {
      env: { HF_ENDPOINT: hub.hub, HF_HOME: path.join(tmp.dir, "empty") },
      userAgent: "inspect/test",
      ...(file !== undefined ? { select: { file } } : {}),
    });

  it("reads only the file the tag picks", async () => {
    const cp = await load("org/tiny-GGUF:Q4_K_M");
    expect(cp.source?.kind).toBe("hub");
    expect(cp.findings).toEqual([]);
    expect(cp.files.map((f) => path.basename(f.name))).toEqual(["tiny-Q4_K_M.gguf"]);
    expect(cp.files[0]!.format === "gguf" && cp.files[0]!.complete).toBe(true);
  });

  it("a split set, and --file", async () => {
    expect((await load("org/tiny-GGUF:q8_0")).kind).toBe("split");
    const cp = await load("org/tiny-GGUF", "tiny-F16.gguf");
    expect(cp.files.map((f) => path.basename(f.name))).toEqual(["tiny-F16.gguf"]);
  });

  it("ambiguous or missing: a usage error, nothing read", async () => {
    const cp = await load("org/tiny-GGUF:IQ2_XXS");
    expect(cp.findings[0]!.code).toBe("USAGE");
    expect(cp.files).toEqual([]);
  });
});
