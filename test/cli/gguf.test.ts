// `inspect file.gguf` end to end: the same summary, JSON document and exit codes as safetensors,
// with the model description read from the file's own metadata.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readGguf } from "../../src/formats/gguf/read.js";
import { inspect } from "../helpers/cli.js";
import { familyFile, type Family } from "../helpers/gguf.js";
import { variants } from "../helpers/gguf-variants.js";
import { memorySource } from "../helpers/memory-source.js";
import { assertSchema } from "../helpers/schema.js";

const dir = mkdtempSync(path.join(tmpdir(), "inspect-gguf-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

const json = (file: string, ...args: string[]) => {
  const r = inspect(["--json", ...args, file]);
  return { ...r, doc: JSON.parse(r.stdout) as Record<string, any> };
};

describe("inspect file.gguf", () => {
  it("a Q4_K_M llama: totals as llama.cpp counts them, types by ggml name, exit 0", async () => {
    const w = familyFile("llamaQ4KM");
    const file = write("llama-q4km.gguf", w.bytes);
    const parsed = await readGguf(memorySource(w.bytes));
    const { status, doc } = json(file);
    expect(status).toBe(0);
    assertSchema(doc);
    expect(doc.format).toBe("gguf");
    expect(BigInt(doc.parameters.total)).toBe(parsed.elements);
    expect(BigInt(doc.bytes.tensors)).toBe(parsed.tensorBytes);
    expect(Object.keys(doc.parameters.byDtype).sort()).toEqual(["F32", "Q4_K", "Q6_K"]);
    expect(doc.metadata["general.architecture"]).toBe("llama");
    // The KV cache from the file's own keys: 2 layers × 2 KV heads × 64 × (K and V) × 2 bytes.
    expect(doc.hardware.assumptions.kvCacheKnown).toBe(true);
    expect(doc.hardware.assumptions.kvBytesPerToken).toBe(2 * 2 * 64 * 2 * 2);
  });

  const moe: Array<[Family, number]> = [
    ["moe", 3804416 - 3145728 / 2],
    ["deepseek2", 2181632 - 786432 / 2],
  ];
  it.each(moe)(
    "%s: active parameters from the stacked experts and the expert keys",
    (f, active) => {
      const { status, doc } = json(write(`${f}.gguf`, familyFile(f).bytes));
      expect(status).toBe(0);
      expect(doc.parameters.active).toBe(active);
      expect(doc.moe.experts).toBe(4);
      expect(doc.moe.topK).toBe(2);
    },
  );

  it("deepseek2 converted for llama.cpp's MLA cache (key_length_mla): the latent, no V", () => {
    const { doc } = json(write("ds-mla.gguf", familyFile("deepseek2Mla").bytes));
    expect(doc.hardware.assumptions.attention).toBe("mla");
    expect(doc.hardware.assumptions.runtime.mlaCache).toBe("latent");
    // (kv_lora_rank 128 + rope 32) × 2 layers × 2 bytes.
    expect(doc.hardware.assumptions.kvBytesPerToken).toBe((128 + 32) * 2 * 2);
  });

  it("an older deepseek2 conversion: llama.cpp caches the decompressed K and V per head", () => {
    const { doc } = json(write("ds.gguf", familyFile("deepseek2").bytes));
    expect(doc.hardware.assumptions.attention).toBe("gqa");
    expect(doc.hardware.assumptions.runtime.mlaCache).toBe("decompressed");
    // 4 KV heads × (K 96 + V 64) × 2 layers × 2 bytes, as llama.cpp allocates it.
    expect(doc.hardware.assumptions.kvBytesPerToken).toBe(4 * (96 + 64) * 2 * 2);
  });

  it("--gpu: llama.cpp's layer split in the JSON, valid against the schema", () => {
    const { status, doc } = json(
      write("llama-gpu.gguf", familyFile("llama").bytes),
      "--gpu",
      "rtx-4090",
    );
    expect(status).toBe(0);
    assertSchema(doc);
    expect(doc.hardware.assumptions.activationsFrom).toBe("llama.cpp-buffers");
    expect(doc.hardware.fit.layerSplit).toMatchObject({
      runtime: "llama.cpp",
      layers: 3,
      gpuLayers: 3,
    });
  });

  it("a file llama.cpp refuses: exit 1, one stderr line naming the problem", () => {
    const v = variants().find((x) => x.name === "data out of order")!;
    const r = inspect([write("bad.gguf", v.bytes)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("GGUF_NOT_CONTIGUOUS");
    expect(r.stderr).toContain("bad.gguf");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
