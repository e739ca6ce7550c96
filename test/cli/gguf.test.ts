// `inspect file.gguf` end to end: the same summary, JSON document and exit codes as safetensors,
// with the model description read from the file's own metadata.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readGguf } from "../../src/formats/gguf/read.js";
import { inspect } from "../helpers/cli.js";
import {
  FAMILIES,
  familyFile,
  modelSpec,
  splitName,
  splitSpec,
  writeGguf,
  type Family,
} from "../helpers/gguf.js";
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
    // Structured assumptions; the deprecated sentences written from the same records.
    const a = doc.hardware.assumptions;
    expect(a.laptopReference.device).toBe("m4-32");
    expect(a.serverReference).toMatchObject({ device: "h100", gpus: 8 });
    expect(a.remarks[0]).toMatchObject({ kind: "layer-kinds", from: { field: "sliding_window" } });
    expect(a.notes).toHaveLength(a.remarks.length);
    expect(a.referenceServer).toBe("8 × H100 80GB");
    expect(doc.hardware.fit.layerSplit).toMatchObject({
      runtime: "llama.cpp",
      layers: 3,
      gpuLayers: 3,
    });
  });

  it("--flash-attn off --swa-full: llama.cpp's settings in the JSON, valid", () => {
    const { status, doc } = json(
      write("gemma3-fa.gguf", familyFile("gemma3").bytes),
      "--flash-attn",
      "off",
      "--swa-full",
      "--context",
      "1000",
    );
    expect(status).toBe(0);
    assertSchema(doc);
    const a = doc.hardware.assumptions;
    expect(a.runtime).toMatchObject({
      flashAttention: false,
      flashAttentionSetting: "off",
      swaFull: true,
      windowCells: 1024,
    });
    // F32 masks 512 × 2,048 × 4, KQ 512 × 1,024 × 4 heads × 4, attention rows 6 × 512 × 256 × 4.
    expect(BigInt(doc.hardware.breakdown.computeBuffer)).toBe(4_194_304n + 8_388_608n + 3_145_728n);
  });

  it("--require-fit follows llama.cpp's split: every layer on the GPU passes; stderr names the rule", () => {
    const file = write("llama-fit.gguf", familyFile("llama").bytes);
    // F16 at 1,000 tokens: 2 layers with their cache (1,705,984 each), the output layer
    // (263,168), the compute buffer (5,242,880) and the reserve on the device; the embedding and
    // the logits stay in RAM, so the device needs 264,192 bytes less than the whole model.
    const all = 2 * 1_705_984 + 263_168 + 5_242_880 + 2 ** 30;
    const args = ["--context", "1000", "--require-fit", "--memory"];
    const { status, doc } = json(file, ...args, `${all}B`);
    expect(status).toBe(0);
    assertSchema(doc);
    expect(doc.hardware.requiredBytes).toBe(all + 264_192);
    expect(doc.hardware.fit).toMatchObject({ fits: true, perDeviceRequiredBytes: all });
    const short = inspect([file, ...args, `${all - 1}B`]);
    expect(short.status).toBe(3);
    expect(short.stderr).toContain(
      `does not fit ${all - 1}B: only 2 of 3 layers fit on the GPU (llama.cpp -ngl 2; all 3 need 1.08 GB, 1.08 GB usable); the other 1 would run from system RAM (1.97 MB), which counts only with --memory auto`,
    );
  });

  it("--gpu --count 2: the layers of each device in the JSON and the table", () => {
    const file = write("llama-2gpu.gguf", familyFile("llama").bytes);
    const { status, doc } = json(file, "--gpu", "rtx-4090", "--count", "2");
    expect(status).toBe(0);
    assertSchema(doc);
    const s = doc.hardware.fit.layerSplit;
    // 3 units over 2 equal devices: j/3 below 1/2 for j = 0, 1: both layers, then the output.
    expect(s.distribution).toBe("proportional");
    expect(s.devices.map((d: { layers: number; output: boolean }) => [d.layers, d.output])).toEqual(
      [
        [2, false],
        [1, true],
      ],
    );
    expect(doc.hardware.fit.perDeviceRequiredBytes).toBe(s.devices[0].bytes);
    const table = inspect(["--no-color", file, "--gpu", "rtx-4090", "--count", "2"]).stdout;
    expect(table).toMatch(
      /-ngl 3 of 3 over 2 devices, in proportion to their memory \(llama\.cpp's default\): 2 \([\d.]+ GB\) · 1 with the output \([\d.]+ GB\)/,
    );
  });

  it("gemma4 (key_length_swa) without flash attention: the padded V rows in valid JSON", () => {
    const file = write("gemma4.gguf", familyFile("gemma4").bytes);
    const { status, doc } = json(file, "--flash-attn", "off", "--context", "1000");
    expect(status).toBe(0);
    assertSchema(doc);
    const a = doc.hardware.assumptions;
    expect(a.remarks).toContainEqual(
      expect.objectContaining({ kind: "kv-heads", swaHeadDim: 64, swaValueHeadDim: 64 }),
    );
    expect(a.notes).toContain(
      "without flash attention llama.cpp pads every layer's V to the widest, 128 values per cell",
    );
  });

  it("--gpu a,b: GPUs of different kinds, the layers in proportion to their memory", () => {
    const file = write("llama7.gguf", familyFile("llama", (o) => ({ ...o, layers: 7 })).bytes);
    const { status, doc } = json(file, "--gpu", "rtx-4090,rtx-4060");
    expect(status).toBe(0);
    assertSchema(doc);
    const f = doc.hardware.fit;
    expect(f.target).toBe("RTX 4090 24GB + RTX 4060 8GB");
    expect(f.mixedDevices).toEqual(["rtx-4090", "rtx-4060"]);
    // 24 : 8 GB, 8 units: j/8 below 3/4 for j = 0..5, so 6 and 2 (the output layer on the 4060).
    expect(f.layerSplit.devices.map((d: { layers: number }) => d.layers)).toEqual([6, 2]);
    // The tightest device speaks for the target: the 4060, with the least to spare.
    expect(f.perDeviceUsableBytes).toBe(f.layerSplit.devices[1].usableBytes);
    expect(f.perDeviceRequiredBytes).toBe(f.layerSplit.devices[1].bytes);
    // A list and --count, or a Mac in a list: usage errors.
    expect(inspect([file, "--gpu", "rtx-4090,rtx-4060", "--count", "2"]).status).toBe(2);
    const mac = inspect([file, "--gpu", "rtx-4090,m4-16"]);
    expect(mac.status).toBe(2);
    expect(mac.stderr).toContain("a list of --gpu devices takes GPUs");
    // The same GPU twice is --count 2.
    expect(json(file, "--gpu", "rtx-4090,rtx-4090").doc.hardware.fit.target).toBe(
      "2 × RTX 4090 24GB",
    );
  });

  it("--tensor-split 1,2: the layers in those proportions; wrong lists are usage errors", () => {
    const file = write("llama7-ts.gguf", familyFile("llama", (o) => ({ ...o, layers: 7 })).bytes);
    const gpus = ["--gpu", "rtx-4090", "--count", "2"];
    const { status, doc } = json(file, ...gpus, "--tensor-split", "1,2");
    expect(status).toBe(0);
    assertSchema(doc);
    // 8 units: j/8 below 1/3 for j = 0, 1, 2: 3 and 5 (by memory it would be 4 and 4).
    const layers = (d: Record<string, any>) =>
      d.hardware.fit.layerSplit.devices.map((x: { layers: number }) => x.layers);
    expect(layers(doc)).toEqual([3, 5]);
    expect(layers(json(file, ...gpus).doc)).toEqual([4, 4]);
    for (const bad of [
      ["--tensor-split", "1"],
      ["--tensor-split", "1,x"],
      ["--tensor-split", "0,0"],
    ])
      expect(inspect([file, ...gpus, ...bad]).status).toBe(2);
    expect(inspect([file, "--memory", "24GB", "--tensor-split", "1,1"]).stderr).toContain(
      "--tensor-split goes with several GPUs",
    );
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

describe("inspect: GGUF sets and folders", () => {
  it("a folder with one file per quantization: a row each with its type and estimate, exit 0", () => {
    const folder = path.join(dir, "quants");
    mkdirSync(folder);
    writeFileSync(path.join(folder, "tiny-Q4_K_M.gguf"), familyFile("llamaQ4KM").bytes);
    writeFileSync(path.join(folder, "tiny-F16.gguf"), familyFile("llama").bytes);
    const r = inspect(["--no-color", folder]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("2 alternatives");
    expect(r.stdout).toMatch(/tiny-Q4_K_M\.gguf\s+ok\s+Q4_K_M\s+5\.18\s/);
    expect(r.stdout).toMatch(/tiny-F16\.gguf\s+ok\s+F16\s+16\.01\s/);
    const { doc } = json(folder);
    assertSchema(doc);
    expect(doc.hardware).toBeNull();
    expect(doc.components.map((c: { fileType: { name: string } }) => c.fileType.name)).toEqual([
      "F16",
      "Q4_K_M",
    ]);
  });

  it("--require-fit on alternatives: one that fits passes; none fitting is exit 3, said", () => {
    const folder = path.join(dir, "quants-fit");
    mkdirSync(folder);
    writeFileSync(path.join(folder, "tiny-Q4_K_M.gguf"), familyFile("llamaQ4KM").bytes);
    writeFileSync(path.join(folder, "tiny-F16.gguf"), familyFile("llama").bytes);
    const needs = (memory: string) =>
      json(folder, "--memory", memory).doc.components.map(
        (c: { hardware: { requiredBytes: number; fits: boolean } }) => c.hardware,
      );
    // What each file needs with every layer on the device (llama.cpp's split decides the fit).
    const [small, big] = ["tiny-Q4_K_M.gguf", "tiny-F16.gguf"].map(
      (f) =>
        json(path.join(folder, f), "--memory", "100GB").doc.hardware.fit.perDeviceRequiredBytes,
    );
    expect(small).toBeLessThan(big);
    // Room for the Q4_K_M file only: the gate passes (one of them is deployed).
    const one = `${big - 1}B`;
    expect(
      needs(one)
        .map((h: { fits: boolean }) => h.fits)
        .sort(),
    ).toEqual([false, true]);
    expect(inspect(["--require-fit", "--memory", one, folder]).status).toBe(0);
    // Room for neither: exit 3, and stderr says so.
    const none = inspect(["--require-fit", "--memory", `${small - 1}B`, folder]);
    expect(none.status).toBe(3);
    expect(none.stderr).toContain(`${folder}: none of its 2 alternatives fits`);
  });

  it("a split set missing a part: exit 1, the part named on stderr, totals partial", () => {
    const folder = path.join(dir, "split");
    mkdirSync(folder);
    const parts = splitSpec(modelSpec(FAMILIES.llama()), 3);
    for (const i of [0, 1])
      writeFileSync(path.join(folder, splitName("tiny", i + 1, 3)), writeGguf(parts[i]!).bytes);
    const { status, stderr, doc } = json(path.join(folder, splitName("tiny", 2, 3)));
    expect(status).toBe(1);
    expect(stderr).toContain(`${splitName("tiny", 3, 3)} is missing`);
    assertSchema(doc);
    expect(doc.checkpoint.kind).toBe("split");
    expect(doc.partial).toBe(true);
    expect(doc.files).toHaveLength(2);
  });

  it("file type, bits per weight and the tokenizer in the table and the JSON", () => {
    const file = write("facts.gguf", familyFile("llamaQ4KM").bytes);
    const r = inspect(["--no-color", file]);
    expect(r.stdout).toContain("file type    Q4_K_M (Q4_K - Medium), 5.18 bits per weight");
    expect(r.stdout).toContain(
      'tokenizer    llama, 512 tokens, BOS 1 "<s>", EOS 2 "</s>", chat template',
    );
    const { doc } = json(file);
    expect(doc.fileType).toEqual({ id: 15, name: "Q4_K_M", description: "Q4_K - Medium" });
    // 934,400 tensor bytes × 8 / 1,443,072 parameters = 5.18008…, to 4 decimals.
    expect([doc.bytes.tensors, doc.parameters.total, doc.bitsPerWeight]).toEqual([
      934400, 1443072, 5.1801,
    ]);
    expect(doc.tokenizer).toEqual({
      model: "llama",
      vocabSize: 512,
      bos: { id: 1, text: "<s>" },
      eos: { id: 2, text: "</s>" },
      chatTemplate: true,
    });
  });
});

describe("inspect --file", () => {
  it("picks one of a folder's GGUF files; a name it lacks is a usage error listing them", () => {
    const folder = path.join(dir, "pick");
    mkdirSync(folder);
    writeFileSync(path.join(folder, "tiny-Q4_K_M.gguf"), familyFile("llamaQ4KM").bytes);
    writeFileSync(path.join(folder, "tiny-F16.gguf"), familyFile("llama").bytes);
    const { status, doc } = json(folder, "--file", "tiny-F16.gguf");
    expect(status).toBe(0);
    expect(doc.files.map((f: { path: string }) => path.basename(f.path))).toEqual([
      "tiny-F16.gguf",
    ]);
    const r = inspect(["--file", "nope.gguf", folder]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("has no GGUF file nope.gguf");
    expect(r.stderr).toContain("tiny-F16.gguf, tiny-Q4_K_M.gguf");
  });
});
