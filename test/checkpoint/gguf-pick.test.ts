// `org/name:Q4_K_M` and --file NAME: one model among a repo's GGUF files, as llama.cpp's
// `-hf org/name:quant` picks it (the tag in the file name, any case; a split set is one choice),
// from the local Hugging Face cache and from the Hub (the loopback emulator).

import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Checkpoint } from "../../src/checkpoint/checkpoint.js";
import { ggufTree } from "../../src/checkpoint/folder.js";
import { pickUnit } from "../../src/checkpoint/gguf-pick.js";
import { GGUF_PICK_MAX_FOLDERS } from "../../src/core/limits.js";
import type { CheckpointStore } from "../../src/store/store.js";
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
    // The projector (mmproj-F16.gguf) is no choice: F16 is not offered.
    expect(e.hint).toBe("available: Q4_K_M, Q4_K_S, Q8_0, m-UD-Q4_K_XL-*-of-00002.gguf");
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

  it("a projector (mmproj) is never picked by a tag, only by --file", () => {
    const e = usage(() => pickUnit("org/m", UNITS, { quant: "F16" }));
    expect(e.message).toBe("org/m has no GGUF file for the quantization F16");
    expect(pickUnit("org/m", UNITS, { file: "mmproj-F16.gguf" }).name).toBe("mmproj-F16.gguf");
  });

  const TREE = [
    unit("m-Q2_K.gguf"),
    unit("Q4_K_M/m-Q4_K_M-*-of-00003.gguf", [
      "Q4_K_M/m-Q4_K_M-00001-of-00003.gguf",
      "Q4_K_M/m-Q4_K_M-00002-of-00003.gguf",
    ]),
    unit("BF16/m-*-of-00002.gguf", ["BF16/m-00001-of-00002.gguf"]),
    unit("UD-Q4_K_XL/m-UD-Q4_K_XL-*-of-00002.gguf", [
      "UD-Q4_K_XL/m-UD-Q4_K_XL-00001-of-00002.gguf",
    ]),
    unit("mmproj/mmproj-BF16.gguf"),
  ];

  it.each([
    ["q4_k_m", "Q4_K_M/m-Q4_K_M-*-of-00003.gguf"],
    // The tag in the folder's name alone: the Hub matches the tag on the path.
    ["BF16", "BF16/m-*-of-00002.gguf"],
    ["UD-Q4_K_XL", "UD-Q4_K_XL/m-UD-Q4_K_XL-*-of-00002.gguf"],
    ["Q2_K", "m-Q2_K.gguf"],
  ])("in subfolders: %s → %s", (quant, name) => {
    expect(pickUnit("org/m", TREE, { quant }).name).toBe(name);
  });

  it("in subfolders: the choices name their folder; --file by path or by name", () => {
    const e = usage(() => pickUnit("org/m", TREE, { quant: "Q8_0" }));
    expect(e.hint).toBe(
      "available: Q2_K, Q4_K_M (in Q4_K_M/), BF16 (in BF16/), UD-Q4_K_XL/m-UD-Q4_K_XL-*-of-00002.gguf",
    );
    expect(pickUnit("org/m", TREE, { file: "Q4_K_M/m-Q4_K_M-00002-of-00003.gguf" }).name).toBe(
      "Q4_K_M/m-Q4_K_M-*-of-00003.gguf",
    );
    expect(pickUnit("org/m", TREE, { file: "m-00001-of-00002.gguf" }).name).toBe(
      "BF16/m-*-of-00002.gguf",
    );
    const twice = [...TREE, unit("other/m-00001-of-00002.gguf")];
    const e2 = usage(() => pickUnit("org/m", twice, { file: "m-00001-of-00002.gguf" }));
    expect(e2.message).toBe(
      "org/m: 2 GGUF files are named m-00001-of-00002.gguf: BF16/m-*-of-00002.gguf, other/m-00001-of-00002.gguf",
    );
    expect(e2.hint).toBe("name one with its folder: --file FOLDER/NAME");
  });

  it("a tree of more folders than GGUF_PICK_MAX_FOLDERS: a usage error, not a long walk", async () => {
    let lists = 0;
    // Every folder holds 50 more: 1 + 50 + 2,500 folders within the search depth.
    const wide = {
      list: () => {
        lists++;
        return Promise.resolve({ files: [], dirs: Array.from({ length: 50 }, (_, i) => `d${i}`) });
      },
    } as unknown as CheckpointStore;
    const e = await ggufTree(wide, "/r").then(
      () => undefined,
      (x: unknown) => x as InspectError,
    );
    expect(e?.code).toBe("USAGE");
    expect(e?.toFinding().hint).toContain("--file PATH");
    expect(lists).toBe(GGUF_PICK_MAX_FOLDERS);
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

/**
 * A repo keeping big quantizations in folders, as unsloth's do: a split set in `UD-Q4_K_XL/`,
 * one in `BF16/` (the tag in the folder's name too), a projector beside them.
 */
const TREE_FILES: Record<string, Buffer> = {
  "big-Q2_K.gguf": Q4,
  "mmproj-F16.gguf": F16,
  [`UD-Q4_K_XL/${splitName("big-UD-Q4_K_XL", 1, 2)}`]: PARTS[0]!,
  [`UD-Q4_K_XL/${splitName("big-UD-Q4_K_XL", 2, 2)}`]: PARTS[1]!,
  [`BF16/${splitName("big-BF16", 1, 2)}`]: PARTS[0]!,
  [`BF16/${splitName("big-BF16", 2, 2)}`]: PARTS[1]!,
  "README.md": Buffer.from("# big\n"),
};

/** The checks on a repo of TREE_FILES, from wherever `load` reads it. */
function treeChecks(
  load: (target: string, file?: string) => Promise<Checkpoint>,
  repo: string,
  more = "",
): void {
  it("a split set in a subfolder is one choice, read from its folder", async () => {
    const cp = await load(`${repo}:UD-Q4_K_XL`);
    expect(cp.kind).toBe("split");
    expect(cp.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(cp.files.map((f) => f.name.split(/[\\/]/).slice(-2).join("/"))).toEqual([
      `UD-Q4_K_XL/${splitName("big-UD-Q4_K_XL", 1, 2)}`,
      `UD-Q4_K_XL/${splitName("big-UD-Q4_K_XL", 2, 2)}`,
    ]);
  });

  it("the tag in the folder's name; --file by its name or path", async () => {
    expect((await load(`${repo}:bf16`)).files).toHaveLength(2);
    expect((await load(repo, splitName("big-BF16", 2, 2))).files).toHaveLength(2);
    expect((await load(repo, `BF16/${splitName("big-BF16", 1, 2)}`)).kind).toBe("split");
  });

  it("the projector is no choice for a tag: the choices say where each is", async () => {
    const cp = await load(`${repo}:F16`);
    expect(cp.files).toEqual([]);
    expect(cp.findings[0]!.code).toBe("USAGE");
    expect(cp.findings[0]!.hint).toBe(
      `available: Q2_K, BF16 (in BF16/), ${more}UD-Q4_K_XL/big-UD-Q4_K_XL-*-of-00002.gguf`,
    );
    const proj = await load(repo, "mmproj-F16.gguf");
    expect(proj.files.map((f) => path.basename(f.name))).toEqual(["mmproj-F16.gguf"]);
  });
}

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

describe("org/name:TAG in subfolders, from the local cache", () => {
  const commit = "d".repeat(40);
  const home = path.join(tmp.dir, "hf-tree");
  const outside = path.join(tmp.dir, "outside");
  beforeAll(() => {
    const repo = path.join(home, "hub", "models--org--big-GGUF");
    const snap = path.join(repo, "snapshots", commit);
    mkdirSync(path.join(repo, "refs"), { recursive: true });
    writeFileSync(path.join(repo, "refs", "main"), commit);
    for (const [name, bytes] of Object.entries(TREE_FILES)) {
      mkdirSync(path.dirname(path.join(snap, name)), { recursive: true });
      writeFileSync(path.join(snap, name), bytes);
    }
    // A set with a part missing, and a folder that leads outside the snapshot.
    mkdirSync(path.join(snap, "Q6_K"));
    writeFileSync(path.join(snap, "Q6_K", splitName("big-Q6_K", 1, 3)), PARTS[0]!);
    mkdirSync(outside);
    writeFileSync(path.join(outside, "big-Q5_K_M.gguf"), Q4);
    symlinkSync(outside, path.join(snap, "elsewhere"));
  });
  const load = (target: string, file?: string) =>
    loadTarget(target, {
      env: { HF_HOME: home, HF_HUB_OFFLINE: "1" },
      userAgent: "inspect/test",
      ...(file !== undefined ? { select: { file } } : {}),
    });

  treeChecks(load, "org/big-GGUF", "Q6_K (in Q6_K/), ");

  it("a set in a subfolder with a part missing names the parts absent", async () => {
    const cp = await load("org/big-GGUF:Q6_K");
    expect(cp.partial?.missing).toEqual([splitName("big-Q6_K", 2, 3), splitName("big-Q6_K", 3, 3)]);
  });

  it("a folder linked outside the snapshot is not searched", async () => {
    const cp = await load("org/big-GGUF:Q5_K_M");
    expect(cp.files).toEqual([]);
    expect(cp.findings[0]!.code).toBe("USAGE");
    expect(cp.findings[0]!.message).toContain("no GGUF file for the quantization Q5_K_M");
    // Said after it: the folder not searched, which may be why.
    expect(cp.findings.map((f) => f.code)).toEqual(["USAGE", "LINK_OUTSIDE_TARGET"]);
    // --file with '..' is refused before anything is listed.
    const up = await load("org/big-GGUF", "../outside/big-Q5_K_M.gguf");
    expect(up.files).toEqual([]);
    expect(up.findings[0]!.message).toContain("refused");
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

describe("org/name:TAG in subfolders, from the Hub", () => {
  let hub: HubEmulator;
  beforeAll(async () => {
    hub = await HubEmulator.start();
    // A name the Hub lists that would leave the repo once decoded: never searched.
    hub.addRepo("org/big-GGUF", { ...TREE_FILES, "%2e%2e/big-Q5_K_M.gguf": Q4 });
  });
  afterAll(() => hub.close());
  const load = (target: string, file?: string) =>
    loadTarget(target, {
      env: { HF_ENDPOINT: hub.hub, HF_HOME: path.join(tmp.dir, "empty") },
      userAgent: "inspect/test",
      ...(file !== undefined ? { select: { file } } : {}),
    });

  treeChecks(load, "org/big-GGUF");

  it("a listed name that decodes to '..' is refused, not searched", async () => {
    const cp = await load("org/big-GGUF:Q2_K");
    expect(cp.files.map((f) => f.name)).toEqual(["big-Q2_K.gguf"]);
    const unsafe = cp.findings.filter((f) => f.code === "SHARD_NAME_UNSAFE");
    expect(unsafe).toHaveLength(1);
    expect(unsafe[0]!.message).toContain("%2e%2e");
    expect((await load("org/big-GGUF:Q5_K_M")).findings[0]!.code).toBe("USAGE");
  });
});
