// Real files from public projects (../shared/realdata, see its SOURCES.md). Skipped when absent.

import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildReport } from "../src/inspection.js";
import { loadCheckpoint } from "./helpers/load.js";
import { HAVE_REALDATA, inspect, REALDATA } from "./helpers/cli.js";
import { assertSchema } from "./helpers/schema.js";

const ST = path.join(REALDATA, "safetensors");

// From SOURCES.md "Header facts of the valid files": N, tensors, elements, tensor bytes, metadata.
const FACTS: Array<[string, number, number, number, number, Record<string, string>]> = [
  ["hf-safetensors_samples_overall.safetensors", 526, 9, 54, 168, { test: "a" }],
  ["fluxml_model.safetensors", 2528, 36, 1476, 4305, {}],
  [
    "fluxml_model.with_metadata.safetensors",
    2576,
    36,
    1476,
    4305,
    { test: "metadata", version: "2.2" },
  ],
  ["burn_mnist.safetensors", 1520, 20, 376_940, 1_507_768, {}],
  ["burn_batch_norm2d.safetensors", 352, 5, 21, 88, {}],
  ["burn_complex_nested.safetensors", 1824, 23, 1851, 7416, {}],
  ["candle_whisper_mel_filters.safetensors", 72, 1, 16_080, 64_320, {}],
  ["candle_encodec_jfk_codes.safetensors", 72, 1, 1656, 13_248, {}],
  ["candle_csm_voices.safetensors", 144, 2, 64_812, 291_654, {}],
  ["mlx-examples_lora_adapters.safetensors", 1715, 16, 294_912, 1_179_648, {}],
  [
    "diffusers_sd15_lora_pytorch_lora_weights.safetensors",
    38_592,
    256,
    797_184,
    3_188_736,
    { format: "pt" },
  ],
  ["fastsafetensors_a.safetensors", 96, 1, 128, 256, { fst: "sample" }],
];

const SHARDS: Array<[string, number]> = [
  ["model-00001-of-00006.safetensors", 1272],
  ["model-00002-of-00006.safetensors", 104],
  ["model-00003-of-00006.safetensors", 176],
  ["model-00004-of-00006.safetensors", 304],
  ["model-00005-of-00006.safetensors", 544],
  ["model-00006-of-00006.safetensors", 264],
];

/** SHA-256 digests listed in SOURCES.md, so a modified copy is caught before its facts are. */
function listedDigests(): Map<string, string> {
  const text = readFileSync(path.join(REALDATA, "SOURCES.md"), "utf8");
  return new Map([...text.matchAll(/^([0-9a-f]{64})\s+(\S+)$/gm)].map((m) => [m[2]!, m[1]!]));
}

describe.skipIf(!HAVE_REALDATA)("real files", () => {
  const digests = HAVE_REALDATA ? listedDigests() : new Map<string, string>();
  const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

  it.each(FACTS)(
    "%s: valid, with the published counts",
    async (name, n, tensors, elements, bytes, metadata) => {
      const p = path.join(ST, name);
      expect(sha(p)).toBe(digests.get(`safetensors/${name}`));
      const s = buildReport(await loadCheckpoint(p));
      expect(s.ok).toBe(true);
      expect(s.findings.filter((f) => f.severity !== "info")).toEqual([]);
      expect(s.files[0]!.headerBytes).toBe(BigInt(n));
      expect(s.tensorCount).toBe(tensors);
      expect(s.parameters.total).toBe(BigInt(elements));
      expect(s.bytes.tensors).toBe(BigInt(bytes));
      expect(Object.fromEntries(s.metadata)).toEqual(metadata);
      expect(BigInt(statSync(p).size)).toBe(8n + BigInt(n) + BigInt(bytes));
      expect(s.bytes.total).toBe(8n + BigInt(n) + BigInt(bytes));
    },
  );

  it("notes what the files exercise: null metadata, scalars, unaligned data, newer dtypes", async () => {
    const codes = async (name: string) =>
      buildReport(await loadCheckpoint(path.join(ST, name))).findings.map((f) => f.code);
    expect(await codes("mlx-examples_lora_adapters.safetensors")).toEqual([
      "METADATA_NULL",
      "DATA_UNALIGNED",
    ]);
    expect(await codes("burn_mnist.safetensors")).toEqual(["METADATA_ABSENT", "SCALAR_TENSORS"]);
    expect(await codes("hf-safetensors_samples_overall.safetensors")).toContain("DATA_UNALIGNED");
    expect(await codes("fluxml_model.safetensors")).toContain("MIN_READER_VERSION");
  });

  it.each(SHARDS)("fluxml-sharded/%s: a valid shard", async (name, n) => {
    const s = buildReport(await loadCheckpoint(path.join(ST, "fluxml-sharded", name)));
    expect(s.ok).toBe(true);
    expect(s.files[0]!.headerBytes).toBe(BigInt(n));
    expect(s.metadata).toEqual([["format", "pt"]]);
  });

  it("the shards' tensor bytes add up to the index's total_size (4,305)", async () => {
    let total = 0n;
    for (const [name] of SHARDS)
      total += buildReport(await loadCheckpoint(path.join(ST, "fluxml-sharded", name))).bytes
        .tensors;
    const index = JSON.parse(
      readFileSync(path.join(ST, "fluxml-sharded", "model.safetensors.index.json"), "utf8"),
    );
    expect(total).toBe(BigInt(index.metadata.total_size));
    expect(total).toBe(4305n);
  });

  it("invalid/: fails through the CLI with INVALID_HEADER_LENGTH and exit 1", () => {
    const p = path.join(ST, "invalid", "syoyo_safetensors_abuse_attempt_1.safetensors");
    const r = inspect(["--json", p]);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout);
    assertSchema(doc);
    expect(doc.ok).toBe(false);
    expect(doc.findings.map((f: { code: string }) => f.code)).toEqual(["INVALID_HEADER_LENGTH"]);
    expect(doc.findings[0].message).toContain("1,000");
    expect(r.stderr).toContain("[INVALID_HEADER_LENGTH]");
  });

  it("every valid file's JSON matches the schema", () => {
    for (const [name] of FACTS) {
      const r = inspect(["--json", "--tensors", path.join(ST, name)]);
      expect(r.status).toBe(0);
      assertSchema(JSON.parse(r.stdout));
    }
  });
});
