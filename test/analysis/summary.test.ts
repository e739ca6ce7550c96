import { describe, expect, it } from "vitest";
import { summarize } from "../../src/analysis/summary.js";
import { readSafetensors } from "../../src/formats/safetensors/read.js";
import { rawFile, safetensorsFile, type TensorSpec } from "../helpers/safetensors.js";
import { MemorySource } from "../helpers/memory-source.js";

async function summaryOf(bytes: Buffer, strict = false) {
  const file = await readSafetensors(new MemorySource(bytes, { name: "s.safetensors" }));
  return summarize(
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
