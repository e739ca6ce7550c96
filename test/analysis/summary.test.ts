import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/inspection.js";
import { readSafetensors, type SafetensorsFile } from "../../src/formats/safetensors/read.js";
import {
  canonicalHeader,
  rawFile,
  safetensorsFile,
  type TensorSpec,
} from "../helpers/safetensors.js";
import { MemorySource } from "../helpers/memory-source.js";
import { jsonDocument } from "../../src/report/json.js";
import { PLAIN } from "../../src/report/style.js";
import { renderTable } from "../../src/report/table.js";
import { assertSchema } from "../helpers/schema.js";
import {
  checkpointOf,
  deepseekV3,
  gptOss,
  llama31_8b,
  mixtral8x7b,
  tinyDense,
} from "../helpers/layouts.js";

async function summaryOf(bytes: Buffer, strict = false) {
  const file = await readSafetensors(new MemorySource(bytes, { name: "s.safetensors" }));
  return buildReport(
    { target: "s.safetensors", kind: "file", files: [file], findings: [] },
    { strict },
  );
}

describe("summary", () => {
  it("counts every stored element except F8_E8M0 block scales; bytes include the scales", async () => {
    const tensors: TensorSpec[] = [
      { name: "w", dtype: "F8_E4M3", shape: [256, 128] },
      { name: "w_scale", dtype: "F8_E8M0", shape: [256, 4] },
      { name: "bn.running_mean", dtype: "F32", shape: [16] },
      { name: "bn.num_batches_tracked", dtype: "I64", shape: [] },
      { name: "packed", dtype: "F4", shape: [2, 3] },
    ];
    const s = await summaryOf(safetensorsFile(tensors, { metadata: { format: "pt" } }));
    expect(s.ok).toBe(true);
    expect(s.parameters.total).toBe(32768n + 16n + 1n + 6n);
    expect(s.bytes.tensors).toBe(32768n + 1024n + 64n + 8n + 3n);
    const byDtype = Object.fromEntries(
      s.dtypes.map((d) => [d.dtype, [d.tensors, d.parameters, d.bytes]]),
    );
    expect(byDtype).toEqual({
      F8_E4M3: [1, 32768n, 32768n],
      F8_E8M0: [1, 0n, 1024n],
      F32: [1, 16n, 64n],
      I64: [1, 1n, 8n],
      F4: [1, 6n, 3n],
    });
    expect(s.dtypes.map((d) => d.dtype)).toEqual(["F8_E4M3", "F8_E8M0", "F32", "I64", "F4"]);
  });

  it("reports header size, padding and the largest tensors in order", async () => {
    const tensors = Array.from({ length: 15 }, (_, i) => ({
      name: `t${i}`,
      dtype: "U8",
      shape: [i + 1],
    }));
    const bytes = safetensorsFile(tensors, { metadata: { format: "pt" } });
    const s = await summaryOf(bytes);
    const n = bytes.readBigUInt64LE(0);
    expect(s.files[0]!.headerBytes).toBe(n);
    expect(s.bytes.total).toBe(BigInt(bytes.length));
    expect(s.largest.map((t) => t.name)).toEqual([
      "t14",
      "t13",
      "t12",
      "t11",
      "t10",
      "t9",
      "t8",
      "t7",
      "t6",
      "t5",
    ]);
    expect(s.largest[0]).toMatchObject({ dtype: "U8", shape: [15n], parameters: 15n, bytes: 15n });
    const padded = await summaryOf(rawFile('  {"__metadata__":{"format":"pt"}}   '));
    expect(padded.bytes.headerPadding).toBe(5n);
  });

  it("is not ok when a finding is an error, and --strict makes warnings errors", async () => {
    const warn = rawFile(
      '{"__metadata__":{"format":"pt"},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":1}}',
      1,
    );
    expect((await summaryOf(warn)).ok).toBe(true);
    const strict = await summaryOf(warn, true);
    expect(strict.ok).toBe(false);
    expect(strict.findings.find((f) => f.code === "UNKNOWN_FIELD")!.severity).toBe("error");
  });

  it("does not count the parameters of a tensor whose shape overflows, but keeps its bytes", async () => {
    const s = await summaryOf(
      rawFile(`{"a":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,4]}}`, 4),
    );
    expect(s.ok).toBe(false);
    expect(s.parameters.total).toBe(0n);
    expect(s.bytes.tensors).toBe(4n);
  });

  it("has no hardware estimate when nothing could be read", async () => {
    const s = await summaryOf(Buffer.from("oops"));
    expect(s.ok).toBe(false);
    expect(s.hardware).toBeNull();
    expect(s.files[0]!.headerBytes).toBe(0n);
  });

  it("lists tensors in data order across the table", async () => {
    const header = `{"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`;
    const s = await summaryOf(rawFile(header, 3));
    expect([...s.tensors()].map((t) => [t.name, t.offsets])).toEqual([
      ["a", [0n, 1n]],
      ["b", [1n, 3n]],
    ]);
  });
});

describe("summary of a whole model", () => {
  let v3Checkpoint: ReturnType<typeof checkpointOf> | undefined;
  // 92,000 tensors: built once for the tests that need a single-file DeepSeek-V3.
  const deepseek = () => (v3Checkpoint ??= checkpointOf(deepseekV3()));

  it("parses a real layout's header and counts it with its config (Llama-3.1-8B)", async () => {
    const l = llama31_8b();
    const { header, dataBytes } = canonicalHeader(l.tensors, { metadata: { format: "pt" } });
    const headerOnly = rawFile(header);
    // A declared size stands for the 16 GB of data that is never read.
    const src = new MemorySource(headerOnly, {
      name: "model.safetensors",
      size: BigInt(headerOnly.length) + dataBytes,
    });
    const file = await readSafetensors(src);
    const s = buildReport({
      target: "m",
      kind: "file",
      files: [file],
      findings: [],
      config: l.config,
    });
    expect(s.ok).toBe(true);
    expect(s.tensorCount).toBe(291);
    expect(s.parameters).toEqual({ total: 8_030_261_248n });
    expect(s.bytes.tensors).toBe(16_060_522_496n);
    expect(s.architecture?.layers).toBe(32);
    expect(s.hardware?.breakdown.weights).toBe(16_060_522_496n);
  });

  it("lists per-tensor parameters by the same rules as the totals, packed and bookkeeping included", () => {
    const s = buildReport(checkpointOf(gptOss(), { shards: 3 }));
    let sum = 0n;
    for (const t of s.tensors()) sum += t.parameters;
    expect(sum).toBe(s.parameters.total);
    expect(s.parameters.total).toBe(20_914_757_184n);
    const rows = [...s.tensors()];
    const blocks = rows.find((t) => t.name === "model.layers.0.mlp.experts.down_proj_blocks")!;
    expect(blocks.parameters).toBe(2n * 32n * 2880n * 90n * 16n);
    const scales = rows.find((t) => t.name === "model.layers.0.mlp.experts.down_proj_scales")!;
    expect(scales.parameters).toBe(0n);
    expect(s.dtypes.find((d) => d.dtype === "U8")!.parameters).toBe(24n * 2n * 32n * 8640n * 1440n);
  });

  it("sizes the hardware by the resident bytes: DeepSeek-V3's MTP layer is not loaded", () => {
    const s = buildReport(checkpointOf(deepseekV3(), { shards: 163 }));
    expect(s.files).toHaveLength(163);
    expect(s.parameters.optional?.parameters).toBe(13_463_426_304n);
    expect(s.residentBytes).toBe(s.bytes.tensors - 15_424_227_552n);
    expect(s.hardware?.breakdown.weights).toBe(s.residentBytes);
    expect(s.moe?.experts).toBe(256);
    expect(s.quantization?.method).toBe("fp8");
    // The typed config the KV-cache estimate reads: MLA, so 512 + 64 cached per layer.
    expect(s.modelConfig).toMatchObject({
      kvLoraRank: 512,
      qkRopeHeadDim: 64,
      numHiddenLayers: 61,
    });
    expect(s.findings.filter((f) => f.severity !== "info")).toEqual([]);
  });

  it("checks __metadata__.total_parameters and the index's total_parameters, never using them", () => {
    const cp = checkpointOf(tinyDense());
    (cp.files[0] as SafetensorsFile).header!.metadata.set("total_parameters", "333312");
    cp.index = {
      path: "model.safetensors.index.json",
      totalParameters: 557_696n,
      shards: [],
      tensorCount: 21,
    };
    const s = buildReport(cp);
    expect(s.parameters.total).toBe(557_696n);
    expect(s.findings.map((f) => [f.code, f.file])).toEqual([
      ["PARAMETERS_CLAIM_MISMATCH", "model.safetensors"],
    ]);
    expect(buildReport(cp, { strict: true }).ok).toBe(false);
  });

  it("writes stored, active, optional, architecture, quantization and moe into a valid document", () => {
    for (const cp of [deepseek(), checkpointOf(mixtral8x7b()), checkpointOf(gptOss())]) {
      const doc = JSON.parse([...jsonDocument(buildReport(cp))].join(""));
      assertSchema(doc);
      expect(doc.architecture.inferred).toBeInstanceOf(Array);
    }
    const v3 = JSON.parse([...jsonDocument(buildReport(deepseek()))].join(""));
    expect(v3.parameters).toMatchObject({
      total: 684_489_845_504,
      stored: 684_531_386_000,
      active: 37_552_297_472,
      optional: { parameters: 13_463_426_304, bytes: 15_424_227_552 },
    });
    expect(v3.quantization).toMatchObject({
      method: "fp8",
      source: "config",
      blockSize: [128, 128],
      bookkeeping: { elements: 41_540_496 },
    });
    expect(v3.moe).toMatchObject({ experts: 256, topK: 8, sharedExperts: 1, layers: 58 });
    expect(v3.architecture).toMatchObject({ attention: "mla", mtpLayers: 1, layers: 61 });
    const plain = JSON.parse([...jsonDocument(buildReport(checkpointOf(llama31_8b())))].join(""));
    // Dense: every loaded weight is active, so active is the total (no fallback needed).
    expect(Object.keys(plain.parameters)).toEqual(["total", "active", "byDtype"]);
    expect(plain.parameters.active).toBe(plain.parameters.total);
    expect(plain).not.toHaveProperty("quantization");
    expect(plain).not.toHaveProperty("moe");
  });

  it("prints active, optional, stored, architecture and quantization lines in the table", () => {
    const out = renderTable(buildReport(checkpointOf(mixtral8x7b())), { style: PLAIN });
    expect(out).toMatch(
      /parameters +46,702,792,704 \(46\.70 B\), 12,879,925,248 active \(MoE top-2 of 8\)\n/,
    );
    expect(out).toMatch(
      /architecture +mixtral \(MixtralForCausalLM\): 32 layers, hidden 4,096, 32 heads \/ 8 KV, head dim 128, vocab 32,000, context 32,768, untied\n/,
    );
    const v3 = renderTable(buildReport(deepseek()), { style: PLAIN });
    expect(v3).toContain("37,552,297,472 active (MoE top-8 of 256, 1 shared)");
    expect(v3).toMatch(
      / {15}13,463,426,304 optional \(multi-token prediction: model\.layers\.61\), 15\.42 GB not loaded/,
    );
    expect(v3).toMatch(/ {15}684,531,386,000 elements as stored, 41,540,496 of them bookkeeping/);
    expect(v3).toMatch(
      /61 layers \+ 1 MTP, hidden 7,168, 128 heads, MLA \(KV rank 512 \+ rope 64\)/,
    );
    expect(v3).toMatch(
      /quantization +fp8 e4m3, 128×128 blocks \(from config\.json\): 45,808 bookkeeping tensors \(166\.16 MB, 0 parameters\)/,
    );
    const bare = renderTable(buildReport(checkpointOf(gptOss(), { withoutConfig: true })), {
      style: PLAIN,
    });
    expect(bare).toContain("(MoE, 32 experts; top-k unknown)");
    expect(bare).toMatch(
      /quantization +mxfp4 4-bit \(from tensor names\): 48 packed tensors, 48 bookkeeping/,
    );
    expect(bare).toMatch(/inferred: 24 layers, from model\.layers\.0–23; hidden size 2880/);
  });
});
