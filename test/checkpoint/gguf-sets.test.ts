// GGUF targets made of several files: split sets (`name-00001-of-00003.gguf`, from any part or
// the folder) checked as llama.cpp's model loader checks them, and folders of GGUF files (one per
// quantization; LM Studio's publisher/model/file.gguf), one model per file or set.

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Checkpoint } from "../../src/checkpoint/checkpoint.js";
import { loadCheckpoint } from "../helpers/load.js";
import { buildReport } from "../../src/inspection.js";
import { jsonDocument } from "../../src/report/json.js";
import { PLAIN } from "../../src/report/style.js";
import { renderTable } from "../../src/report/table.js";
import {
  FAMILIES,
  modelSpec,
  splitName,
  splitSpec,
  writeGguf,
  type GgufSpec,
} from "../helpers/gguf.js";
import { splitVariants } from "../helpers/gguf-variants.js";
import { safetensorsFile, tempDir } from "../helpers/safetensors.js";
import { assertSchema } from "../helpers/schema.js";

const tmp = tempDir("inspect-gguf-sets-");
afterAll(tmp.cleanup);
let n = 0;

const SPEC = modelSpec(FAMILIES.llama());
const WHOLE = writeGguf(SPEC);

/** Writes the specs as parts 1..N of a set named `m` in a new folder; returns the folder. */
function writeSet(parts: GgufSpec[], skip: number[] = []): string {
  const dir = path.join(tmp.dir, `set-${n++}`);
  mkdirSync(dir);
  parts.forEach((p, i) => {
    if (!skip.includes(i + 1))
      writeFileSync(path.join(dir, splitName("m", i + 1, parts.length)), writeGguf(p).bytes);
  });
  return dir;
}

const codes = (cp: Checkpoint) => [
  ...cp.findings.map((f) => `${f.severity} ${f.code}`),
  ...cp.files.flatMap((f) => f.findings.map((x) => `${x.severity} ${x.code}`)),
];

function report(cp: Checkpoint): Record<string, any> {
  const doc = JSON.parse([...jsonDocument(buildReport(cp))].join("")) as Record<string, any>;
  assertSchema(doc);
  return doc;
}

describe("GGUF split sets", () => {
  it("the folder, or any part, is the whole set: the totals of the unsplit file", async () => {
    const dir = writeSet(splitSpec(SPEC, 3));
    const single = path.join(tmp.dir, "whole.gguf");
    writeFileSync(single, WHOLE.bytes);
    const whole = report(await loadCheckpoint(single));
    for (const target of [dir, path.join(dir, splitName("m", 2, 3))]) {
      const cp = await loadCheckpoint(target);
      expect(cp.kind).toBe("split");
      expect(cp.files.map((f) => path.basename(f.name))).toEqual(
        [1, 2, 3].map((i) => splitName("m", i, 3)),
      );
      // Later parts carry no general.architecture: not a finding.
      expect(codes(cp)).toEqual([]);
      const doc = report(cp);
      expect(doc.ok).toBe(true);
      expect(doc.partial).toBe(false);
      expect(doc.checkpoint.kind).toBe("split");
      expect(doc.parameters.total).toBe(whole.parameters.total);
      expect(doc.bytes.tensors).toBe(whole.bytes.tensors);
      expect(doc.tensorCount).toBe(SPEC.tensors.length);
      expect(doc.architecture.layers).toBe(2);
      expect(doc.hardware.assumptions.kvBytesPerToken).toBe(
        whole.hardware.assumptions.kvBytesPerToken,
      );
    }
  });

  it("a missing part is named, and the totals are partial", async () => {
    const dir = writeSet(splitSpec(SPEC, 3), [3]);
    const cp = await loadCheckpoint(path.join(dir, splitName("m", 1, 3)));
    expect(cp.partial).toEqual({
      shards: 3,
      missingCount: 1,
      missing: [splitName("m", 3, 3)],
      gguf: true,
    });
    const missing = cp.findings.filter((f) => f.code === "SHARD_MISSING");
    expect(missing).toHaveLength(1);
    expect(missing[0]!.message).toContain(splitName("m", 3, 3));
    const doc = report(cp);
    expect(doc.ok).toBe(false);
    expect(doc.partial).toBe(true);
    expect(doc.incomplete.missing).toEqual([splitName("m", 3, 3)]);
    // A split set's files are parts (safetensors keeps "shards"); the JSON keeps its names.
    expect(doc.incomplete.shards).toBe(3);
    expect(doc.incomplete.shardsMissing).toBe(1);
    expect(renderTable(buildReport(cp), { tensors: false, style: PLAIN })).toMatch(
      new RegExp(
        `partial +2 of 3 parts read, 1 missing or unreadable \\(${splitName("m", 3, 3).replace(/\./g, "\\.")}\\)`,
      ),
    );
  });

  it("a part that is not GGUF is not read as one", async () => {
    const dir = writeSet(splitSpec(SPEC, 2));
    writeFileSync(path.join(dir, splitName("m", 2, 2)), "<!DOCTYPE html><html></html>");
    const cp = await loadCheckpoint(dir);
    expect(cp.partial?.missing).toEqual([splitName("m", 2, 2)]);
    expect(cp.findings.map((f) => f.code)).toContain("SHARD_MISSING");
  });

  // Each as llama.cpp's model loader has it (test/formats/gguf/llama-cpp.test.ts loads them).
  it.each(splitVariants())("$name", async ({ parts, findings }) => {
    const cp = await loadCheckpoint(writeSet(parts));
    expect(cp.kind).toBe("split");
    expect(codes(cp)).toEqual(findings);
  });

  it("a tensor name in two parts is named with both", async () => {
    const v = splitVariants().find((x) => x.name === "a tensor in parts 1 and 3")!;
    const twin = v.parts[2]!.tensors[0]!.name;
    const cp = await loadCheckpoint(writeSet(v.parts));
    expect(cp.findings[0]!.message).toBe(
      `tensor ${twin} is in both ${splitName("m", 1, 3)} and ${splitName("m", 3, 3)}`,
    );
  });

  it("a set of one (-00001-of-00001) is a plain file", async () => {
    const dir = writeSet(splitSpec(SPEC, 1));
    const cp = await loadCheckpoint(path.join(dir, splitName("m", 1, 1)));
    expect(cp.kind).toBe("file");
    expect(codes(cp)).toEqual([]);
  });
});

describe("folders of GGUF files", () => {
  const quant = (fileType: number, weightType: string) =>
    writeGguf(modelSpec({ ...FAMILIES.llama(), fileType, weightType })).bytes;

  it("one file per quantization: one row each, alternatives with an estimate each", async () => {
    const dir = path.join(tmp.dir, `quants-${n++}`);
    mkdirSync(dir);
    writeFileSync(path.join(dir, "tiny-Q8_0.gguf"), quant(7, "Q8_0"));
    writeFileSync(path.join(dir, "tiny-F16.gguf"), quant(1, "F16"));
    // A split set in the same folder is one row.
    splitSpec(SPEC, 2).forEach((p, i) =>
      writeFileSync(path.join(dir, splitName("tiny-BIG", i + 1, 2)), writeGguf(p).bytes),
    );
    const cp = await loadCheckpoint(dir);
    expect(cp.kind).toBe("components");
    expect(cp.alternatives).toBe(true);
    expect(cp.components!.map((c) => [c.name, c.checkpoint.kind])).toEqual([
      ["tiny-BIG-*-of-00002.gguf", "split"],
      ["tiny-F16.gguf", "files"],
      ["tiny-Q8_0.gguf", "files"],
    ]);
    const doc = report(cp);
    expect(doc.ok).toBe(true);
    expect(doc.checkpoint.alternatives).toBe(true);
    // Never loaded together: no combined estimate; each its own.
    expect(doc.hardware).toBeNull();
    expect(doc.components).toHaveLength(3);
    for (const c of doc.components) expect(c.hardware.requiredBytes).toBeGreaterThan(0);
    const q8 = doc.components.find((c: any) => c.name === "tiny-Q8_0.gguf");
    const f16 = doc.components.find((c: any) => c.name === "tiny-F16.gguf");
    expect(q8.parameters.total).toBe(f16.parameters.total);
    expect(q8.bytes.tensors).toBeLessThan(f16.bytes.tensors);
  });

  it("one GGUF file in a folder is that model", async () => {
    const dir = path.join(tmp.dir, `one-${n++}`);
    mkdirSync(dir);
    writeFileSync(path.join(dir, "tiny.gguf"), WHOLE.bytes);
    const doc = report(await loadCheckpoint(dir));
    expect(doc.checkpoint.kind).toBe("files");
    expect(doc.hardware).not.toBeNull();
    expect(doc.components).toBeUndefined();
  });

  it("an LM Studio library (publisher/model/file.gguf) from its root", async () => {
    const root = path.join(tmp.dir, `lmstudio-${n++}`);
    for (const [folder, files] of [
      ["acme/tiny-GGUF", ["tiny-Q8_0.gguf", "tiny-F16.gguf"]],
      ["other/small-GGUF", ["small-F16.gguf"]],
    ] as const) {
      mkdirSync(path.join(root, folder), { recursive: true });
      for (const f of files)
        writeFileSync(
          path.join(root, folder, f),
          f.includes("Q8") ? quant(7, "Q8_0") : quant(1, "F16"),
        );
    }
    const cp = await loadCheckpoint(root);
    expect(cp.alternatives).toBe(true);
    expect(cp.components!.map((c) => c.name)).toEqual([
      "acme/tiny-GGUF/tiny-F16.gguf",
      "acme/tiny-GGUF/tiny-Q8_0.gguf",
      "other/small-GGUF",
    ]);
    expect(report(cp).ok).toBe(true);
  });
});

describe("GGUF files beside safetensors", () => {
  it("are named, not counted", async () => {
    const dir = path.join(tmp.dir, `mixed-${n++}`);
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, "model.safetensors"),
      safetensorsFile([{ name: "w.weight", dtype: "F32", shape: [2, 2] }]),
    );
    writeFileSync(path.join(dir, "model-Q4_K_M.gguf"), WHOLE.bytes);
    const cp = await loadCheckpoint(dir);
    expect(cp.files.map((f) => f.format)).toEqual(["safetensors"]);
    const note = cp.findings.find((f) => f.code === "UNREFERENCED_WEIGHTS");
    expect(note?.message).toBe(
      "GGUF files beside the safetensors weights: model-Q4_K_M.gguf; not counted",
    );
  });
});
