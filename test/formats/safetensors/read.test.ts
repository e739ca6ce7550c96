// The whole per-file pipeline: framing (reference steps 1-5), the file-size check (step 9), the
// notes about the header as a whole, and how few bytes the reader touches to do all that.

import { describe, expect, it } from "vitest";
import { readSafetensors } from "../../../src/formats/safetensors/read.js";
import { memorySource } from "../../helpers/memory-source.js";
import {
  codes,
  entry,
  expectValid,
  inspectBytes,
  inspectHeader,
  member,
  object,
  onlyErrors,
  the,
} from "../../helpers/inspect.js";
import { canonicalHeader, rawFile, safetensorsFile } from "../../helpers/safetensors.js";

/** Space-pads header text to a multiple of 8, as the reference writer does. */
const pad8 = (text: string) => text.padEnd(Math.ceil(text.length / 8) * 8, " ");

/** The 8-byte little-endian prefix for N, followed by `rest`. */
function prefixed(n: bigint, rest: Buffer | string = ""): Buffer {
  const p = Buffer.alloc(8);
  p.writeBigUInt64LE(n);
  return Buffer.concat([p, typeof rest === "string" ? Buffer.from(rest) : rest]);
}

describe("header too small (step 1)", () => {
  it("rejects an empty file", async () => {
    const file = await inspectBytes(Buffer.alloc(0));
    const f = onlyErrors(file, "HEADER_TOO_SMALL");
    expect(f.severity).toBe("error");
    expect(f.message).toBe("file is empty (0 bytes)");
    expect(f.offset).toBe(0n);
    expect(f.hint).toContain("fetch the file again");
    expect(f.file).toBe("memory.safetensors");
    expect(file.headerLength).toBeUndefined();
    expect(file.header).toBeUndefined();
  });

  it("rejects 1 byte", async () => {
    const f = onlyErrors(await inspectBytes(Buffer.from([0])), "HEADER_TOO_SMALL");
    expect(f.message).toBe("file is 1 byte, too short for the 8-byte header length");
  });

  it("rejects 7 bytes, even when they would start a valid prefix", async () => {
    const f = onlyErrors(
      await inspectBytes(Buffer.from([2, 0, 0, 0, 0, 0, 0])),
      "HEADER_TOO_SMALL",
    );
    expect(f.message).toBe("file is 7 bytes, too short for the 8-byte header length");
  });

  it("rejects a stray CR LF", async () => {
    expect(
      onlyErrors(await inspectBytes(Buffer.from("\r\n")), "HEADER_TOO_SMALL").message,
    ).toContain("file is 2 bytes");
  });

  it("rejects a short stream the same way", async () => {
    const f = onlyErrors(
      await inspectBytes(Buffer.from([1, 2, 3]), { stream: true }),
      "HEADER_TOO_SMALL",
    );
    expect(f.message).toBe("file is 3 bytes, too short for the 8-byte header length");
  });
});

describe("header too large (steps 2-3)", () => {
  it("rejects N = 100,000,001", async () => {
    const file = await inspectBytes(prefixed(100_000_001n, "{}"));
    const f = onlyErrors(file, "HEADER_TOO_LARGE");
    expect(f.severity).toBe("error");
    expect(f.message).toBe("header length 100,000,001 is above the limit of 100,000,000 bytes");
    expect(f.offset).toBe(0n);
    // Nothing of the claimed length was read: the prefix, then a small sniff of the start.
    expect(file.source.maxRequested).toBeLessThanOrEqual(1024n);
  });

  it("allows N = exactly 100,000,000, which then fails against the file size", async () => {
    const file = await inspectBytes(prefixed(100_000_000n, "{}"));
    const f = onlyErrors(file, "INVALID_HEADER_LENGTH");
    expect(f.message).toBe(
      "header length 100,000,000 runs past the end of the file: only 2 bytes follow the prefix",
    );
    expect(f.hint).toContain("99,999,998 bytes missing");
    expect(file.source.maxRequested).toBeLessThanOrEqual(1024n);
  });

  it("compares N as a BigInt: 2^64 − 1 and 2^53 + 1 are both too large", async () => {
    let f = onlyErrors(await inspectBytes(prefixed((1n << 64n) - 1n, "{}")), "HEADER_TOO_LARGE");
    expect(f.message).toContain("header length 18,446,744,073,709,551,615 is above");
    f = onlyErrors(await inspectBytes(prefixed((1n << 53n) + 1n, "{}")), "HEADER_TOO_LARGE");
    expect(f.message).toContain("9,007,199,254,740,993");
  });

  it("rejects a too-large N from a stream too", async () => {
    onlyErrors(
      await inspectBytes(prefixed(100_000_001n, "{}"), { stream: true }),
      "HEADER_TOO_LARGE",
    );
  });
});

describe("header length past the end (step 5)", () => {
  it("rejects 8 + N > file size before reading the header", async () => {
    const file = await inspectBytes(prefixed(100n, "{}" + " ".repeat(48)));
    const f = onlyErrors(file, "INVALID_HEADER_LENGTH");
    expect(f.severity).toBe("error");
    expect(f.message).toBe(
      "header length 100 runs past the end of the file: only 50 bytes follow the prefix",
    );
    expect(f.hint).toBe(
      "50 bytes missing: the file is truncated inside its header, or is not safetensors",
    );
    expect(f.offset).toBe(0n);
    expect(file.headerLength).toBeUndefined();
    // No read of the 100 header bytes was attempted.
    expect(file.source.reads.some((r) => r.offset === 8n && r.length === 100)).toBe(false);
  });

  it("rejects a header one byte short", async () => {
    const full = rawFile("{}      ");
    const f = onlyErrors(
      await inspectBytes(full.subarray(0, full.length - 1)),
      "INVALID_HEADER_LENGTH",
    );
    expect(f.hint).toContain("1 bytes missing");
  });

  it("rejects a stream that ends inside the header, naming where", async () => {
    const file = await inspectBytes(prefixed(100n, "{}" + " ".repeat(48)), { stream: true });
    const f = onlyErrors(file, "INVALID_HEADER_LENGTH");
    expect(f.message).toBe(
      "header length 100 runs past the end of the input: it ended after 50 header bytes",
    );
    expect(f.offset).toBe(58n);
    expect(f.hint).toBe("the input is truncated inside its header");
  });

  it("accepts a header that ends exactly at the end of the file", async () => {
    expectValid(await inspectBytes(prefixed(2n, "{}")));
  });
});

describe("file size (step 9)", () => {
  const two = object(
    member("a", entry("F32", [2], [0, 8])),
    member("b", entry("F32", [4], [8, 24])),
  );

  it("rejects a truncated file, counting the missing bytes and the incomplete tensors", async () => {
    const bytes = rawFile(two, 18);
    const file = await inspectBytes(bytes);
    const f = onlyErrors(file, "FILE_TRUNCATED");
    expect(f.severity).toBe("error");
    const expected = 8 + two.length + 24;
    expect(f.message).toBe(
      `file is truncated: the header declares ${expected} bytes, the file has ${bytes.length} (6 bytes missing)`,
    );
    expect(f.offset).toBe(BigInt(bytes.length));
    expect(f.hint).toMatch(
      /^the download stopped at \d+\.\d\d %; 1 tensor from `b` on incomplete; download it again$/,
    );
    expect(file.dataBytes).toBe(24n);
  });

  it("counts every tensor the truncation cuts into", async () => {
    const f = onlyErrors(await inspectHeader(two, 4), "FILE_TRUNCATED");
    expect(f.message).toContain("(20 bytes missing)");
    expect(f.hint).toContain("2 tensors from `a` on incomplete");
  });

  it("rejects a file with no data at all", async () => {
    const f = onlyErrors(await inspectHeader(two, 0), "FILE_TRUNCATED");
    expect(f.message).toContain("(24 bytes missing)");
  });

  it("says 1 byte missing in the singular", async () => {
    expect(onlyErrors(await inspectHeader(two, 23), "FILE_TRUNCATED").message).toContain(
      "(1 byte missing)",
    );
  });

  it("reports bytes after the last tensor, naming a ZIP tail", async () => {
    const tail = Buffer.from("PK\x03\x04\x14\x00\x00\x00", "latin1");
    const bytes = Buffer.concat([rawFile(two, 24), tail]);
    const file = await inspectBytes(bytes);
    const f = onlyErrors(file, "TRAILING_BYTES");
    expect(f.severity).toBe("error");
    const end = 8 + two.length + 24;
    expect(f.message).toBe(`8 bytes follow the last tensor at byte ${end}`);
    expect(f.offset).toBe(BigInt(end));
    expect(f.hint).toBe(
      "they start like a ZIP archive (a polyglot file?); the reference loader rejects the file",
    );
  });

  it("reports zero-byte padding after the last tensor", async () => {
    const f = onlyErrors(
      await inspectBytes(Buffer.concat([rawFile(two, 24), Buffer.alloc(1)])),
      "TRAILING_BYTES",
    );
    expect(f.message).toContain("1 byte follow the last tensor");
    expect(f.hint).toContain("they are all zero bytes (padding?)");
  });

  it("describes other tails: pickle, text, and raw bytes", async () => {
    const hint = async (tail: Buffer) =>
      onlyErrors(await inspectBytes(Buffer.concat([rawFile(two, 24), tail])), "TRAILING_BYTES")
        .hint;
    expect(await hint(Buffer.from([0x80, 0x04, 0x95]))).toContain("a Python pickle");
    expect(await hint(Buffer.from("%PDF-1.7"))).toContain("a PDF document");
    expect(await hint(Buffer.from("hello world\n"))).toContain('they are text: "hello world"');
    expect(await hint(Buffer.from("\n\n  "))).toContain("they are whitespace");
    expect(await hint(Buffer.from([1, 2, 3, 0xff]))).toContain("they start with 01 02 03 ff");
  });

  it("reports trailing bytes after an empty header too (the cursor is 0)", async () => {
    const f = onlyErrors(await inspectHeader("{}", 3), "TRAILING_BYTES");
    expect(f.message).toBe("3 bytes follow the last tensor at byte 10");
  });

  it("notes SIZE_UNCHECKED for a stream, and does not call it truncated", async () => {
    const file = await inspectBytes(rawFile(two, 10), { stream: true });
    expectValid(file);
    const f = the(file, "SIZE_UNCHECKED");
    expect(f.severity).toBe("info");
    expect(f.message).toContain(`the header declares ${8 + two.length + 24} bytes in all`);
    expect(file.fileBytes).toBeUndefined();
    expect(codes(file)).not.toContain("TRAILING_BYTES");
  });

  it("does not read the data of a stream", async () => {
    const file = await inspectBytes(rawFile(two, 24), { stream: true });
    expect(file.source.maxRequested).toBe(BigInt(8 + two.length));
  });
});

describe("bytes read", () => {
  it("reads exactly 8 + N bytes of a valid file with megabytes of data", async () => {
    const { header, dataBytes } = canonicalHeader(
      [
        { name: "embed", dtype: "F32", shape: [1024, 1024] },
        { name: "proj", dtype: "BF16", shape: [512, 1024] },
      ],
      { metadata: { format: "pt" } },
    );
    expect(dataBytes).toBe(5n * 1024n * 1024n);
    const file = await inspectBytes(rawFile(header, dataBytes, () => 0));
    expect(codes(file)).toEqual([]);
    const n = BigInt(Buffer.byteLength(header));
    expect(file.source.maxRequested).toBe(8n + n);
    expect(file.source.reads).toEqual([
      { offset: 0n, length: 8 },
      { offset: 8n, length: Number(n) },
    ]);
  });

  it("reads nothing more to find a truncated file", async () => {
    const { header } = canonicalHeader([{ name: "w", dtype: "F32", shape: [1000] }]);
    const file = await inspectHeader(header, 100);
    onlyErrors(file, "FILE_TRUNCATED");
    expect(file.source.maxRequested).toBe(BigInt(8 + header.length));
  });

  it("reads only a small tail to describe trailing bytes", async () => {
    const { header } = canonicalHeader([{ name: "w", dtype: "F32", shape: [1000] }]);
    const bytes = Buffer.concat([rawFile(header, 4000), Buffer.alloc(1 << 20)]);
    const file = await inspectBytes(bytes);
    onlyErrors(file, "TRAILING_BYTES");
    const end = BigInt(8 + header.length + 4000);
    expect(file.source.reads.at(-1)).toEqual({ offset: end, length: 512 });
    expect(file.source.maxRequested).toBe(end + 512n);
  });

  it("checks a file whose declared data is far larger than memory, exactly", async () => {
    // A 2^53 + 1 byte tensor (9 PB): the size is declared, never read.
    const text =
      '{"w":{"dtype":"U8","shape":[9007199254740993],"data_offsets":[0,9007199254740993]}}  ';
    const size = 8n + BigInt(text.length) + 9007199254740993n;
    const file = await inspectBytes(rawFile(text), { size });
    expectValid(file);
    expect([...file.header!.tensors.dims]).toEqual([9007199254740993n]);
    expect(file.dataBytes).toBe(9007199254740993n);
    expect(file.fileBytes).toBe(size);
    expect(file.source.maxRequested).toBe(BigInt(8 + text.length));

    const short = await inspectBytes(rawFile(text), { size: size - 9007199254740993n });
    expect(onlyErrors(short, "FILE_TRUNCATED").message).toContain(
      "(9,007,199,254,740,993 bytes missing)",
    );
  });
});

describe("notes about the header", () => {
  const tensor = member("w", entry("U8", [8], [0, 8]));

  it("notes a missing __metadata__ (METADATA_ABSENT info)", async () => {
    const file = await inspectHeader(pad8(object(tensor)), 8);
    const f = the(file, "METADATA_ABSENT");
    expect(f.severity).toBe("info");
    expect(f.message).toBe("no __metadata__ in the header");
    expect(codes(file)).toEqual(["METADATA_ABSENT"]);
  });

  it('notes __metadata__ without "format" (METADATA_FORMAT info)', async () => {
    const file = await inspectHeader(pad8(object('"__metadata__":{"source":"x"}', tensor)), 8);
    const f = the(file, "METADATA_FORMAT");
    expect(f.severity).toBe("info");
    expect(f.message).toBe('__metadata__ has no "format" key');
    expect(f.hint).toContain("Incompatible safetensors file");
    expect(codes(file)).toEqual(["METADATA_FORMAT"]);
  });

  it("notes a format transformers does not know", async () => {
    const f = the(
      await inspectHeader(object('"__metadata__":{"format":"gguf"}', tensor), 8),
      "METADATA_FORMAT",
    );
    expect(f.message).toBe('__metadata__ format is "gguf", not one of pt, tf, flax, mlx');
  });

  it("says nothing about pt, tf, flax or mlx", async () => {
    for (const format of ["pt", "tf", "flax", "mlx"]) {
      const text = object(`"__metadata__":{"format":"${format}"}`, tensor);
      const file = await inspectHeader(pad8(text), 8);
      expect(codes(file)).toEqual([]);
    }
  });

  const versions: Array<[string, string, number, string]> = [
    ["F8_E4M3", "0.4.1", 1, "(F8_E4M3)"],
    ["F8_E5M2", "0.4.1", 1, "(F8_E5M2)"],
    ["F8_E8M0", "0.6.0", 1, "(F8_E8M0)"],
    ["F4", "0.6.0", 2, "(F4)"],
    ["F6_E2M3", "0.6.0", 4, "(F6_E2M3)"],
    ["C64", "0.7.0", 1, "(C64)"],
    ["F8_E4M3FNUZ", "0.8.0-rc.0", 1, "(F8_E4M3FNUZ)"],
  ];
  for (const [dtype, version, count, list] of versions) {
    it(`notes that ${dtype} needs safetensors ≥ ${version} (MIN_READER_VERSION info)`, async () => {
      const bytes = dtype === "C64" ? 8 : dtype === "F4" ? 1 : dtype.startsWith("F8") ? 1 : 3;
      const text = object(member("w", entry(dtype, [count], [0, bytes])));
      const file = await inspectHeader(text, bytes);
      expectValid(file);
      const f = the(file, "MIN_READER_VERSION");
      expect(f.severity).toBe("info");
      expect(f.message).toBe(
        `needs safetensors ≥ ${version} to load ${list}; older readers refuse the file`,
      );
    });
  }

  it("names the newest release any dtype needs, and lists them all", async () => {
    const text = object(
      member("a", entry("F8_E4M3", [1], [0, 1])),
      member("b", entry("C64", [1], [1, 9])),
      member("c", entry("F4", [2], [9, 10])),
      member("d", entry("F32", [1], [10, 14])),
    );
    const f = the(await inspectHeader(text, 14), "MIN_READER_VERSION");
    expect(f.message).toBe(
      "needs safetensors ≥ 0.7.0 to load (C64, F4, F8_E4M3); older readers refuse the file",
    );
  });

  it("says nothing about the original dtypes", async () => {
    const file = await inspectHeader(object(member("w", entry("BF16", [1], [0, 2]))), 2);
    expect(codes(file)).not.toContain("MIN_READER_VERSION");
  });

  it("warns about a header that is mostly padding (HEADER_MOSTLY_PADDING)", async () => {
    const text = object(tensor);
    const file = await inspectHeader(text + " ".repeat(5000), 8);
    const f = the(file, "HEADER_MOSTLY_PADDING");
    expect(f.severity).toBe("warning");
    expect(f.message).toBe(
      `5,000 of the header's ${(text.length + 5000).toLocaleString("en-US")} bytes are padding`,
    );
  });

  it("counts leading padding too, and ignores small headers", async () => {
    const text = object(tensor);
    expect(
      the(await inspectHeader(" ".repeat(5000) + text, 8), "HEADER_MOSTLY_PADDING").severity,
    ).toBe("warning");
    expect(codes(await inspectHeader(text + " ".repeat(3000), 8))).not.toContain(
      "HEADER_MOSTLY_PADDING",
    );
  });

  it("warns about a header over 25,000,000 bytes (HEADER_OVER_HUB_LIMIT)", async () => {
    const text = Buffer.alloc(25_000_001, 0x20);
    text.write('{"__metadata__":{"format":"pt"}}');
    const file = await inspectHeader(text);
    expectValid(file);
    const f = the(file, "HEADER_OVER_HUB_LIMIT");
    expect(f.severity).toBe("warning");
    expect(f.message).toBe(
      "header is 25,000,001 bytes, above the 25,000,000 that huggingface_hub and huggingface.js accept",
    );
  });
});

describe("many findings of one code", () => {
  it("lists 20 structural findings per code, then one line for the rest", async () => {
    const members = Array.from({ length: 25 }, (_, i) =>
      member(`t${i}`, entry("Q4", [1], [i, i + 1])),
    );
    const file = await inspectHeader(object(...members), 25);
    const list = file.findings.filter((f) => f.code === "DTYPE_UNKNOWN");
    expect(list).toHaveLength(21);
    expect(list[19]?.message).toBe('tensor `t19` has unknown dtype "Q4"');
    expect(list[20]).toMatchObject({
      severity: "error",
      message: "5 more DTYPE_UNKNOWN findings not listed",
    });
  });

  it("does the same for layout findings", async () => {
    const members = Array.from({ length: 30 }, (_, i) =>
      member(`t${i}`, entry("U8", [1], [2 * i + 1, 2 * i + 2])),
    );
    const file = await inspectHeader(object(...members), 60);
    const list = file.findings.filter((f) => f.code === "INVALID_OFFSET");
    expect(list).toHaveLength(21);
    expect(list[20]).toMatchObject({
      severity: "error",
      message: "10 more INVALID_OFFSET findings not listed",
    });
  });
});

describe("whole files", () => {
  it("accepts a canonical file without a single finding", async () => {
    const bytes = safetensorsFile(
      [
        { name: "model.embed_tokens.weight", dtype: "F32", shape: [16, 8] },
        { name: "model.norm.weight", dtype: "F16", shape: [8] },
        { name: "lm_head.bias", dtype: "BF16", shape: [16] },
        { name: "step", dtype: "I64", shape: [] },
        { name: "mask", dtype: "BOOL", shape: [3] },
      ],
      { metadata: { format: "pt" } },
    );
    const file = await inspectBytes(bytes, { name: "model.safetensors" });
    // The scalar is worth an info line; nothing else is.
    expect(codes(file)).toEqual(["SCALAR_TENSORS"]);
    expect(file.name).toBe("model.safetensors");
    expect(file.fileBytes).toBe(BigInt(bytes.length));
    expect(file.header?.tensors.count).toBe(5);
    expect(file.findings.every((f) => f.file === "model.safetensors")).toBe(true);
  });

  it("keeps the tensor order in header order when an entry is malformed", async () => {
    const text = object(
      member("b", entry("U8", [1], [1, 2])),
      member("x", entry("Q8", [1], [2, 3])),
      member("a", entry("U8", [1], [0, 1])),
    );
    const file = await inspectHeader(text, 3);
    onlyErrors(file, "DTYPE_UNKNOWN");
    expect(file.header?.complete).toBe(false);
    expect([...file.order]).toEqual([0, 1]);
    expect(file.dataBytes).toBe(0n);
  });

  it("is the same through readSafetensors and a fresh source", async () => {
    const bytes = safetensorsFile([{ name: "w", dtype: "F32", shape: [2, 2] }]);
    const file = await readSafetensors(memorySource(bytes));
    expect(file.header?.tensors.names).toEqual(["w"]);
    expect(file.headerLength).toBe(BigInt(bytes.readBigUInt64LE(0)));
  });
});
