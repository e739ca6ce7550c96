// Look-alikes: files that fail safetensors framing get named from their first bytes, before any
// length error; files that frame correctly are never sniffed.

import { describe, expect, it } from "vitest";
import { describeTrailing, foreignMagic, identify } from "../../src/formats/sniff.js";
import {
  codes,
  entry,
  expectValid,
  inspectBytes,
  member,
  object,
  onlyErrors,
} from "../helpers/inspect.js";
import { rawFile, safetensorsFile } from "../helpers/safetensors.js";

const OID = "4e5c0a6e1a8f4b8b9c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b";
const LFS = `version https://git-lfs.github.com/spec/v1\noid sha256:${OID}\nsize 4938985248\n`;

/** A ZIP local file header whose first entry has this name. */
function zip(first: string, rest = ""): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4); // version needed
  h.writeUInt16LE(0, 6); // flags
  h.writeUInt16LE(0, 8); // stored
  h.writeUInt16LE(first.length, 26);
  return Buffer.concat([h, Buffer.from(first), Buffer.from(rest)]);
}

function gguf(version: number): Buffer {
  const b = Buffer.alloc(24);
  b.write("GGUF", 0, "latin1");
  b.writeUInt32LE(version, 4);
  b.writeBigUInt64LE(291n, 8); // tensor count
  return b;
}

describe("identify", () => {
  it("names a Git LFS pointer with its size and oid", () => {
    const what = identify(Buffer.from(LFS));
    expect(what?.code).toBe("LFS_POINTER");
    expect(what?.message).toBe(
      "Git LFS pointer, not the weights: the 4,938,985,248-byte (4.94 GB) file (sha256 4e5c0a6e1a8f…) was never downloaded",
    );
    expect(what?.hint).toContain("git lfs pull");
  });

  it("names an LFS pointer without oid or size lines", () => {
    expect(identify(Buffer.from("version https://git-lfs.github.com/spec/v1\n"))?.message).toBe(
      "Git LFS pointer, not the weights: the file was never downloaded",
    );
  });

  it("names an HTML page with its title", () => {
    const page =
      "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>\n  Sign in to   Hugging Face\n</title></head>";
    const what = identify(Buffer.from(page));
    expect(what?.code).toBe("HTML_DOCUMENT");
    expect(what?.message).toBe(
      'an HTML page ("Sign in to Hugging Face") saved in place of the weights',
    );
    expect(what?.hint).toContain("gated");
  });

  it("names HTML without a title, in any case, after whitespace or a BOM", () => {
    for (const page of [
      "<html><body>x</body></html>",
      "\n\n  <HTML>",
      "\xEF\xBB\xBF<!doctype html>",
      "<!-- x -->",
    ]) {
      const what = identify(Buffer.from(page, "latin1"));
      expect(what?.code).toBe("HTML_DOCUMENT");
      expect(what?.message).toBe("an HTML page saved in place of the weights");
    }
  });

  it("names a JSON error document with its message", () => {
    const what = identify(
      Buffer.from('{"error":"Repository Not Found for url: https://huggingface.co/x"}'),
    );
    expect(what?.code).toBe("JSON_DOCUMENT");
    expect(what?.message).toBe(
      'a JSON document ("Repository Not Found for url: https://huggingface.co/x") saved in place of the weights',
    );
  });

  it("decodes titles and messages as UTF-8", () => {
    const page = Buffer.from("<html><title>Modèle introuvable – 404</title>");
    expect(identify(page)?.message).toBe(
      'an HTML page ("Modèle introuvable – 404") saved in place of the weights',
    );
    const json = Buffer.from('{"error":"Zugriff verweigert – Token prüfen"}');
    expect(identify(json)?.message).toContain('("Zugriff verweigert – Token prüfen")');
  });

  it("names a sharded-checkpoint index by its weight_map", () => {
    const index = JSON.stringify(
      { metadata: { total_size: 4305 }, weight_map: { w: "model-00001-of-00002.safetensors" } },
      null,
      2,
    );
    const what = identify(Buffer.from(index));
    expect(what?.code).toBe("JSON_DOCUMENT");
    expect(what?.message).toBe(
      "a sharded-checkpoint index (model.safetensors.index.json), not a weights file",
    );
  });

  it("names GGUF with its version", () => {
    const what = identify(gguf(3));
    expect(what?.code).toBe("GGUF_FILE");
    expect(what?.message).toBe("a GGUF file (version 3) (llama.cpp), not safetensors");
  });

  it("names a PyTorch zip by its first entry", () => {
    const what = identify(zip("archive/data.pkl"));
    expect(what?.code).toBe("PYTORCH_ZIP");
    expect(what?.message).toBe(
      'a PyTorch zip checkpoint (torch.save; first entry "archive/data.pkl"), not safetensors',
    );
    expect(identify(zip("pytorch_model/version"))?.code).toBe("PYTORCH_ZIP");
  });

  it("calls another ZIP a foreign format", () => {
    const what = identify(zip("README.txt"));
    expect(what?.code).toBe("FOREIGN_FORMAT");
    expect(what?.message).toBe('a ZIP archive (first entry "README.txt"), not safetensors');
  });

  it("names a pickle with its protocol", () => {
    const what = identify(Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x28, 0x58, 0x07]));
    expect(what?.code).toBe("PYTORCH_PICKLE");
    expect(what?.message).toBe(
      "a Python pickle (protocol 2: a legacy PyTorch .bin/.pt checkpoint), not safetensors",
    );
  });

  it("calls gzip, zstd, NumPy and HDF5 foreign formats", () => {
    const decompress = (tool: string) =>
      `a compressed file: decompress it first (\`${tool} -dk FILE\`), or pipe it: \`${tool} -dc FILE | inspect -\``;
    expect(
      identify(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03])),
    ).toEqual({
      code: "FOREIGN_FORMAT",
      message: "gzip data, not safetensors",
      hint: decompress("gzip"),
    });
    expect(identify(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x24]))).toEqual({
      code: "FOREIGN_FORMAT",
      message: "zstd data, not safetensors",
      hint: decompress("zstd"),
    });
    const cases: Array<[number[], string]> = [
      [[0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00], "a NumPy .npy array, not safetensors"],
      [
        [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a],
        "an HDF5 file (Keras .h5?), not safetensors",
      ],
    ];
    for (const [bytes, message] of cases) {
      expect(identify(Buffer.from(bytes))).toEqual({ code: "FOREIGN_FORMAT", message });
    }
  });

  it("names nothing it does not know", () => {
    expect(identify(Buffer.alloc(0))).toBeUndefined();
    expect(identify(Buffer.from("\r\n"))).toBeUndefined();
    expect(
      identify(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7b])),
    ).toBeUndefined();
  });

  it("does not take a plausible safetensors prefix for a look-alike", () => {
    // N = 640 is 80 02 00 00 00 00 00 00: a pickle's first two bytes. N = 123 starts with '{'.
    for (const n of [640n, 896n, 1152n, 1408n, 123n, 91n, 0x04034b50n]) {
      const p = Buffer.alloc(9);
      p.writeBigUInt64LE(n);
      p[8] = 0x7b;
      expect(identify(p), `N = ${n}`).toBeUndefined();
      expect(identify(p.subarray(0, 8)), `N = ${n}, 8 bytes`).toBeUndefined();
    }
  });
});

describe("look-alikes are named before any length error", () => {
  it("LFS pointer: LFS_POINTER, not HEADER_TOO_LARGE", async () => {
    const file = await inspectBytes(Buffer.from(LFS));
    const f = onlyErrors(file, "LFS_POINTER");
    expect(f.severity).toBe("error");
    expect(f.message).toContain("4,938,985,248-byte");
    expect(f.message).toContain("sha256 4e5c0a6e1a8f");
    expect(codes(file)).toEqual(["LFS_POINTER"]);
  });

  it("HTML page: HTML_DOCUMENT with its title", async () => {
    const f = onlyErrors(
      await inspectBytes(
        Buffer.from("<!DOCTYPE html><html><head><title>404 – Hugging Face</title>"),
      ),
      "HTML_DOCUMENT",
    );
    expect(f.message).toContain('("404 – Hugging Face")');
  });

  it("short HTML (under 8 bytes): HTML_DOCUMENT, not HEADER_TOO_SMALL", async () => {
    onlyErrors(await inspectBytes(Buffer.from("<html>")), "HTML_DOCUMENT");
  });

  it("JSON error: JSON_DOCUMENT with its message", async () => {
    const f = onlyErrors(
      await inspectBytes(Buffer.from('{"error":"Access to model x is restricted"}')),
      "JSON_DOCUMENT",
    );
    expect(f.message).toContain('("Access to model x is restricted")');
  });

  it("index JSON: JSON_DOCUMENT naming the index", async () => {
    const f = onlyErrors(
      await inspectBytes(
        Buffer.from(
          '{\n  "metadata": {"total_size": 10},\n  "weight_map": {"a": "b.safetensors"}\n}',
        ),
      ),
      "JSON_DOCUMENT",
    );
    expect(f.message).toContain("sharded-checkpoint index");
  });

  it("GGUF: GGUF_FILE with its version", async () => {
    expect(onlyErrors(await inspectBytes(gguf(3)), "GGUF_FILE").message).toContain("(version 3)");
  });

  it("PyTorch zip: PYTORCH_ZIP", async () => {
    onlyErrors(await inspectBytes(zip("archive/data.pkl", "\x80\x02}q\x00")), "PYTORCH_ZIP");
  });

  it("pickle: PYTORCH_PICKLE", async () => {
    onlyErrors(
      await inspectBytes(Buffer.from("\x80\x02}q\x00(X\x07\x00\x00\x00weights", "latin1")),
      "PYTORCH_PICKLE",
    );
  });

  it("gzip with a zero mtime (a length within the limit): FOREIGN_FORMAT, not INVALID_HEADER_LENGTH", async () => {
    const f = onlyErrors(
      await inspectBytes(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03, 0x4b, 0x4c])),
      "FOREIGN_FORMAT",
    );
    expect(f.message).toBe("gzip data, not safetensors");
  });

  it("names look-alikes read from a stream too", async () => {
    onlyErrors(await inspectBytes(Buffer.from(LFS), { stream: true }), "LFS_POINTER");
  });

  it("sniffs only the first 1,024 bytes", async () => {
    const file = await inspectBytes(Buffer.concat([Buffer.from(LFS), Buffer.alloc(1 << 20, 0x20)]));
    onlyErrors(file, "LFS_POINTER");
    expect(file.source.maxRequested).toBe(1024n);
  });

  it("unknown bytes keep their length error", async () => {
    const f = onlyErrors(
      await inspectBytes(Buffer.from("\xff".repeat(16), "latin1")),
      "HEADER_TOO_LARGE",
    );
    expect(f.message).toContain("header length 18,446,744,073,709,551,615");
  });
});

describe("valid and damaged safetensors are never sniffed", () => {
  it("a valid file whose prefix starts like a pickle (N = 640) is valid", async () => {
    const text = object(member("w", entry("U8", [4], [0, 4]))).padEnd(640, " ");
    const bytes = rawFile(text, 4);
    expect([bytes[0], bytes[1]]).toEqual([0x80, 0x02]);
    expectValid(await inspectBytes(bytes));
  });

  it("a valid file whose prefix starts like '{' (N = 123) is valid", async () => {
    const bytes = rawFile(object(member("w", entry("U8", [4], [0, 4]))).padEnd(123, " "), 4);
    expect(bytes[0]).toBe(0x7b);
    expectValid(await inspectBytes(bytes));
  });

  it("a file truncated inside its header keeps INVALID_HEADER_LENGTH whatever its prefix looks like", async () => {
    for (const n of [640, 123, 91]) {
      const bytes = rawFile(object(member("w", entry("U8", [4], [0, 4]))).padEnd(n, " "), 4);
      const file = await inspectBytes(bytes.subarray(0, 40));
      expect(onlyErrors(file, "INVALID_HEADER_LENGTH").message, `N = ${n}`).toContain(
        `header length ${n} runs past`,
      );
    }
  });

  it("an 8-byte file with a pickle-like prefix is a truncated header, not a pickle", async () => {
    const p = Buffer.alloc(8);
    p.writeBigUInt64LE(640n);
    onlyErrors(await inspectBytes(p), "INVALID_HEADER_LENGTH");
  });

  it("a valid file with LFS-pointer text in its metadata is valid", async () => {
    const bytes = safetensorsFile([{ name: "w", dtype: "F32", shape: [2] }], {
      metadata: { format: "pt", note: LFS },
    });
    expectValid(await inspectBytes(bytes));
  });
});

describe("foreignMagic and describeTrailing", () => {
  it("recognises tar, TFLite, ELF and PDF", () => {
    const tar = Buffer.alloc(512);
    tar.write("ustar", 257, "latin1");
    expect(foreignMagic(tar)).toBe("a tar archive");
    expect(foreignMagic(Buffer.from("\x1c\x00\x00\x00TFL3", "latin1"))).toBe(
      "a TensorFlow Lite model",
    );
    expect(foreignMagic(Buffer.from("\x7fELF", "latin1"))).toBe("an ELF executable");
    expect(foreignMagic(Buffer.from("%PDF-1.4"))).toBe("a PDF document");
    expect(foreignMagic(Buffer.from("plain"))).toBeUndefined();
  });

  it("describes trailing bytes", () => {
    expect(describeTrailing(Buffer.from("PK\x03\x04", "latin1"))).toBe(
      "they start like a ZIP archive (a polyglot file?)",
    );
    expect(describeTrailing(Buffer.alloc(3))).toBe("they are all zero bytes (padding?)");
    expect(describeTrailing(Buffer.from(" \n"))).toBe("they are whitespace");
    expect(describeTrailing(Buffer.from("  hi there "))).toBe('they are text: "hi there"');
    expect(describeTrailing(Buffer.from([9, 8, 7, 6, 5, 4, 3, 2, 1]))).toBe(
      "they start with 09 08 07 06 05 04 03 02",
    );
  });
});
