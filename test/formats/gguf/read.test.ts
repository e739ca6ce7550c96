import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ALL_CODES, CODES } from "../../../src/core/codes.js";
import { GGUF_MAX_DECODED_STRING_BYTES } from "../../../src/core/limits.js";
import { fileType } from "../../../src/formats/gguf/file-types.js";
import { GGML_TYPES, ggmlType } from "../../../src/formats/gguf/ggml-types.js";
import { describeGguf } from "../../../src/formats/gguf/model-keys.js";
import { readGguf } from "../../../src/formats/gguf/read.js";
import { tallyGguf } from "../../../src/formats/gguf/tally.js";
import { jsonValue } from "../../../src/formats/gguf/values.js";
import { DTYPES } from "../../../src/formats/dtypes.js";
import { shapeOf } from "../../../src/formats/tensor-table.js";
import { familyFile, headerOnly, modelSpec, FAMILIES, writeGguf } from "../../helpers/gguf.js";
import { goodFile, variants } from "../../helpers/gguf-variants.js";
import { memorySource } from "../../helpers/memory-source.js";

const read = (b: Buffer, options: { stream?: boolean; size?: bigint } = {}) =>
  readGguf(memorySource(b, { name: "m.gguf", ...options }));

describe("hostile variants", () => {
  it.each(variants())("$name: $codes", async ({ bytes, codes }) => {
    const g = await read(bytes);
    const found = g.findings.map((f) => f.code);
    for (const c of codes) expect(found).toContain(c);
    for (const c of codes) {
      const f = g.findings.find((x) => x.code === c)!;
      expect(f.severity).toBe(CODES[c].severity);
      expect(f.file).toBe("m.gguf");
    }
    // A file with no expected error has none; one with an expected error says so.
    const errorExpected = codes.some((c) => CODES[c].severity === "error");
    expect(g.findings.some((f) => f.severity === "error")).toBe(errorExpected);
  });

  it("names each problem once, with the tensor or offset it is about", async () => {
    const g = await read(variants().find((v) => v.name === "offset misaligned")!.bytes);
    const f = g.findings.find((x) => x.code === "GGUF_OFFSET_MISALIGNED")!;
    expect(f.tensor).toBe("blk.0.attn_norm.weight");
    expect(f.offset).toBe(BigInt(goodFile().dataStart) + goodFile().offsets[1]! + 1n);
    expect(f.hint).toContain("llama.cpp refuses");
  });

  it("says that llama.cpp's overflow guard misses a count wrapping to exactly 0", async () => {
    const g = await read(variants().find((v) => v.name === "shape wrapping to 0")!.bytes);
    const f = g.findings.find((x) => x.code === "GGUF_SHAPE_OVERFLOW")!;
    expect(f.message).toContain("18,446,744,073,709,551,616 values");
    expect(f.hint).toContain("misses it");
  });

  it("keeps the first of duplicate keys and says which", async () => {
    const g = await read(variants().find((v) => v.name === "duplicate key")!.bytes);
    expect(g.metadata.get("llama.context_length")!.value).toBe(4096);
    expect(g.findings.find((x) => x.code === "GGUF_DUPLICATE_KEY")!.message).toContain(
      "llama.context_length",
    );
  });
});

describe("tiny models of each family", () => {
  it("llama: totals, shapes outermost first, types, metadata", async () => {
    const g = await read(familyFile("llama").bytes);
    expect(g.findings).toEqual([]);
    expect(g.version).toBe(3);
    expect(g.alignment).toBe(32);
    const i = g.tensors.names.indexOf("token_embd.weight");
    expect(shapeOf(g.tensors, i)).toEqual([512n, 256n]);
    expect(DTYPES[g.tensors.dtypes[i]!]).toMatchObject({ format: "gguf", name: "F16" });
    // 512×256 embeddings and output, 2 layers of 4 heads (q 256, k/v 2×64 = 128) and ffn 512.
    const layer = 256 + 256 * 256 + 2 * 256 * 128 + 256 * 256 + 256 + 3 * 256 * 512;
    expect(g.elements).toBe(BigInt(2 * 512 * 256 + 256 + 2 * layer));
    const { model } = describeGguf(g.metadata);
    expect(model).toMatchObject({
      architecture: "llama",
      blockCount: 2,
      embeddingLength: 256,
      headCount: 4,
      headCountKv: 2,
      contextLength: 4096,
      fileType: { name: "F16", known: true },
      slidingWindow: undefined,
      tokenizer: {
        model: "llama",
        vocabSize: 512,
        bos: { id: 1, text: "<s>" },
        eos: { id: 2, text: "</s>" },
        chatTemplate: true,
      },
    });
    expect(model.general).toMatchObject({ architecture: "llama", name: "tiny-llama" });
  });

  it("a Q4_K_M mix: tally by ggml type, bits per weight, file type", async () => {
    const g = await read(familyFile("llamaQ4KM").bytes);
    const t = tallyGguf(g.tensors);
    expect(t.elements).toBe(g.elements);
    expect(t.bytes).toBe(g.tensorBytes);
    expect(t.byType.map((r) => r.type).sort()).toEqual(["F32", "Q4_K", "Q6_K"]);
    const q4 = t.byType.find((r) => r.type === "Q4_K")!;
    expect(q4.bytes * 8n * 2n).toBe(q4.elements * 9n); // 4.5 bits per weight exactly
    expect(t.bitsPerWeight).toBeGreaterThan(4.5);
    expect(t.bitsPerWeight).toBeLessThan(6.6);
    expect(describeGguf(g.metadata).model.fileType).toMatchObject({ name: "Q4_K_M" });
  });

  it("gemma2 and gemma3: sliding layers from llama.cpp's per-architecture default", async () => {
    const g2 = describeGguf((await read(familyFile("gemma2").bytes)).metadata).model;
    expect(g2.slidingWindow).toBe(128);
    expect(g2.slidingLayers!.layers).toEqual([true, false, true, false]);
    const g3 = describeGguf((await read(familyFile("gemma3").bytes)).metadata).model;
    expect(g3.slidingLayers!.layers).toEqual([true, true, true, true, true, false]);
    expect(g3.keyLength).toBe(64);
  });

  it("a pattern key overrides the default, as a period or one flag per layer", async () => {
    const period = await read(familyFile("gemma3", (o) => ({ ...o, slidingPattern: 3 })).bytes);
    expect(describeGguf(period.metadata).model.slidingLayers!.layers).toEqual([
      true,
      true,
      false,
      true,
      true,
      false,
    ]);
    const flags = [false, true, false, true, false, true];
    const perLayer = await read(
      familyFile("gemma3", (o) => ({ ...o, slidingPattern: flags })).bytes,
    );
    expect(describeGguf(perLayer.metadata).model.slidingLayers!.layers).toEqual(flags);
  });

  it("MoE and MLA keys", async () => {
    const moe = describeGguf((await read(familyFile("moe").bytes)).metadata).model;
    expect(moe).toMatchObject({ expertCount: 4, expertUsedCount: 2 });
    const ds = describeGguf((await read(familyFile("deepseek2").bytes)).metadata).model;
    expect(ds).toMatchObject({
      kvLoraRank: 128,
      qLoraRank: 0,
      keyLength: 96,
      valueLength: 64,
      expertSharedCount: 1,
      leadingDenseBlockCount: 1,
    });
  });

  it("per-layer head counts as arrays", async () => {
    const g = await read(
      familyFile("llama", (o) => ({ ...o, heads: [4, 4], kvHeads: [2, 1] })).bytes,
    );
    expect(g.findings).toEqual([]);
    expect(describeGguf(g.metadata).model).toMatchObject({
      headCount: [4, 4],
      headCountKv: [2, 1],
    });
  });

  it("a key of the wrong type is ignored with a warning", async () => {
    const g = await read(
      familyFile("llama", (o) => ({
        ...o,
        extraKv: [{ key: "llama.block_count", type: "str", value: "two" }],
      })).bytes,
    );
    const d = describeGguf(g.metadata);
    expect(d.model.blockCount).toBeUndefined();
    expect(d.findings.map((f) => f.code)).toEqual(["GGUF_KEY_WRONG_TYPE"]);
  });

  it("metadata as JSON: long arrays summarised, never dumped", async () => {
    const g = await read(familyFile("llama").bytes);
    const json = Object.fromEntries([...g.metadata].map(([k, e]) => [k, jsonValue(e.value)]));
    expect(json["tokenizer.ggml.tokens"]).toEqual({
      type: "str",
      length: 512,
      first: ["<unk>", "<s>", "</s>", "<0x00>", "<0x01>", "<0x02>", "<0x03>", "<0x04>"],
    });
    expect(json["llama.rope.freq_base"]).toBe(10000);
    expect(JSON.stringify(json).length).toBeLessThan(4000);
  });
});

describe("sources and limits", () => {
  it("reads a stream the same, saying that its size was not checked", async () => {
    const bytes = familyFile("qwen2").bytes;
    const g = await read(bytes, { stream: true });
    expect(g.findings.map((f) => f.code)).toEqual(["SIZE_UNCHECKED"]);
    expect(g.elements).toBe((await read(bytes)).elements);
  });

  it("reads the header and stops: no byte of tensor data is requested", async () => {
    const w = familyFile("llama");
    const src = memorySource(w.bytes);
    await readGguf(src);
    // The header, the padding probe after it (≤ 96 bytes): nothing near the end of the data.
    expect(src.maxRequested).toBeLessThan(BigInt(w.dataStart + 1024 * 1024 + 96));
    expect(src.reads.every((r) => r.offset < BigInt(w.dataStart + 96))).toBe(true);
  });

  it("a huge array inside a huge (sparse) file is walked past, never held", async () => {
    const head = headerOnly(3, 0n, 2n, [{ key: "general.architecture", type: "str", value: "x" }]);
    const arr = Buffer.alloc(8 + 3 + 4 + 4 + 8);
    arr.writeBigUInt64LE(3n, 0);
    arr.write("big", 8);
    arr.writeUInt32LE(9, 11);
    arr.writeUInt32LE(10, 15); // u64 items
    arr.writeBigUInt64LE(1n << 29n, 19); // 4 GiB of items
    const bytes = Buffer.concat([head, arr, Buffer.alloc(64)]);
    const src = memorySource(bytes, { size: 1n << 40n });
    const g = await readGguf(src);
    expect(g.findings.map((f) => f.code)).toContain("GGUF_STRING_NOT_DECODED");
    const big = g.metadata.get("big")!.value as { count: number; items: BigUint64Array };
    expect(big.count).toBe(2 ** 29);
    expect(big.items.length).toBe(8);
    expect(src.reads.every((r) => r.length <= 1024 * 1024)).toBe(true);
  });

  it("keeps only the start of a string above the decoding limit", async () => {
    const long = "a".repeat(GGUF_MAX_DECODED_STRING_BYTES + 1);
    const spec = modelSpec(FAMILIES.llama());
    spec.kv.push({ key: "x.long", type: "str", value: long });
    const g = await read(writeGguf(spec).bytes);
    expect(g.findings.map((f) => f.code)).toEqual(["GGUF_STRING_NOT_DECODED"]);
    const v = g.metadata.get("x.long")!.value as { bytes: number; start: string };
    expect(v.bytes).toBe(long.length);
    expect(v.start).toBe("a".repeat(1024));
    expect(g.elements).toBe((await read(familyFile("llama").bytes)).elements);
  });

  it("every count is checked before anything is allocated for it", async () => {
    // 2^60 tensors in a 24-byte file: refused from the counts alone.
    const g = await read(headerOnly(3, 1n << 60n, 0n));
    expect(g.findings.map((f) => f.code)).toEqual(["GGUF_COUNT_TOO_LARGE"]);
    expect(g.findings[0]!.message).toContain("could hold at most 0");
  });
});

describe("ggml type registry", () => {
  it("bits per value agree with llama.cpp's quantize descriptions", () => {
    const bpw = (n: string) => {
      const t = GGML_TYPES.find((x) => x.name === n)!;
      return (t.typeSize * 8) / t.blockSize;
    };
    // llama.cpp tools/quantize: "IQ2_XXS 2.06 bpw", "IQ1_S 1.56 bpw", "TQ1_0 1.69 bpw" …
    expect(bpw("IQ2_XXS")).toBe(2.0625);
    expect(bpw("IQ2_XS")).toBe(2.3125);
    expect(bpw("IQ2_S")).toBe(2.5625); // quantize rounds it to "2.5 bpw"; the block is 82 bytes
    expect(bpw("IQ3_XXS")).toBe(3.0625);
    expect(bpw("IQ3_S")).toBe(3.4375);
    expect(bpw("IQ1_S")).toBe(1.5625);
    expect(bpw("IQ1_M")).toBe(1.75);
    expect(bpw("IQ4_NL")).toBe(4.5);
    expect(bpw("IQ4_XS")).toBe(4.25);
    expect(bpw("TQ1_0")).toBe(1.6875);
    expect(bpw("TQ2_0")).toBe(2.0625);
    expect(bpw("Q1_0")).toBe(1.125);
    expect(bpw("Q2_0")).toBe(2.25);
    expect(bpw("Q4_K")).toBe(4.5);
    expect(bpw("Q6_K")).toBe(6.5625);
    expect(bpw("MXFP4")).toBe(4.25);
    expect(bpw("Q8_0")).toBe(8.5);
  });

  it("ids are unique, in range, and removed ids are unknown", () => {
    const ids = GGML_TYPES.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(GGML_TYPES.length).toBe(35);
    for (const removed of [4, 5, 31, 32, 33, 36, 37, 38, 43, -1])
      expect(ggmlType(removed)).toBeUndefined();
    for (const t of GGML_TYPES) expect(t.source).not.toBe("");
  });

  it("file types by name", () => {
    expect(fileType(15)!.name).toBe("Q4_K_M");
    expect(fileType(38)!.name).toBe("MXFP4_MOE");
    expect(fileType(5)).toBeUndefined();
  });
});

describe("docs/gguf.md", () => {
  it("documents every GGUF code with its severity", () => {
    const doc = readFileSync("docs/gguf.md", "utf8");
    for (const code of ALL_CODES.filter((c) => c.startsWith("GGUF_") && c !== "GGUF_FILE"))
      expect(doc).toContain(`| \`${code}\` | ${CODES[code].severity} |`);
  });
});
