// Names files that are not what they claim to be. Called only when safetensors framing has
// already failed, so a signature never overrides a file that parses.

import type { FindingCode } from "../core/codes.js";
import { MAX_HEADER_BYTES } from "../core/limits.js";
import { decimalBytes, excerpt, group, plural } from "../core/text.js";

export interface Identified {
  code: FindingCode;
  message: string;
  hint?: string;
}

const ascii = (b: Uint8Array, from = 0, to = b.length) =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString(
    "latin1",
    from,
    Math.min(to, b.length),
  );

/** Titles and error messages are UTF-8 text; latin1 would turn "–" into C1 control characters. */
const utf8 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8");

function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

/** The LFS_POINTER finding's message and hint, wherever a pointer is found. */
export function lfsPointerMessage(size: bigint | undefined, oid: string | undefined): string {
  const what =
    size === undefined
      ? "the file"
      : size < 1000n
        ? `the ${plural(size, "byte")} file`
        : `the ${group(size)}-byte (${decimalBytes(size)}) file`;
  return `Git LFS pointer, not the weights: ${what}${oid ? ` (sha256 ${oid.slice(0, 12)}…)` : ""} was never downloaded`;
}
export const LFS_POINTER_HINT = "run `git lfs pull` in the clone, or download with `hf download`";

function lfsPointer(text: string): Identified {
  const oid = /^oid sha256:([0-9a-f]{64})$/m.exec(text)?.[1];
  const size = /^size (\d+)$/m.exec(text)?.[1];
  return {
    code: "LFS_POINTER",
    message: lfsPointerMessage(size === undefined ? undefined : BigInt(size), oid),
    hint: LFS_POINTER_HINT,
  };
}

function htmlTitle(text: string): string | undefined {
  const m = /<title[^>]*>([^<]{1,200})/i.exec(text);
  return m?.[1]?.trim().replace(/\s+/g, " ");
}

/**
 * Whether the first bytes are a length prefix within the limit followed by the header's '{', its
 * whitespace padding, or nothing. Such a file is safetensors with a truncated header, whatever
 * its first bytes resemble: N = 640 is 80 02 00 …, a pickle's opening, and N = 123 is '{'
 * followed by NULs. No look-alike has four zero bytes after its magic and then '{'.
 */
function plausiblePrefix(b: Uint8Array): boolean {
  if (b.length < 8) return false;
  const n = Buffer.from(b.buffer, b.byteOffset, 8).readBigUInt64LE(0);
  if (n > MAX_HEADER_BYTES) return false;
  const next = b[8];
  return (
    next === undefined ||
    next === 0x7b ||
    next === 0x20 ||
    next === 0x0a ||
    next === 0x0d ||
    next === 0x09
  );
}

/** The formats inspect reads; a look-alike is named as "not <expected>". */
export type Expected = "safetensors" | "GGUF";

/**
 * What a file that failed safetensors framing (or lacks the GGUF magic, `expected` "GGUF")
 * actually is, judged from its first bytes.
 */
export function identify(
  b: Uint8Array,
  expected: Expected = "safetensors",
): Identified | undefined {
  if (b.length === 0) return undefined;
  if (plausiblePrefix(b)) {
    if (expected === "safetensors") return undefined;
    if (b[8] !== 0x7b) return undefined;
    return {
      code: "SAFETENSORS_FILE",
      message: "a safetensors file, not GGUF (renamed?)",
      hint: "inspect reads it as safetensors once it has its .safetensors name",
    };
  }
  const head = ascii(b, 0, 64);
  if (head.startsWith("version https://git-lfs")) return lfsPointer(ascii(b));

  if (
    expected === "GGUF" &&
    (head.startsWith("GGML") || head.startsWith("GGJT") || head.startsWith("GGLA"))
  ) {
    return {
      code: "FOREIGN_FORMAT",
      message: `a ${head.slice(0, 4)} file: llama.cpp's format from before GGUF (2023), which it no longer reads`,
      hint: "convert the model again from its original weights with a current llama.cpp",
    };
  }
  if (head.startsWith("GGUF") || head.startsWith("GGML") || head.startsWith("GGJT")) {
    const version = b.length >= 8 ? Buffer.from(b).readUInt32LE(4) : undefined;
    return {
      code: "GGUF_FILE",
      message: `a ${head.slice(0, 4)} file${version !== undefined && head.startsWith("GGUF") ? ` (version ${version})` : ""} (llama.cpp), not safetensors`,
      hint: "GGUF reading is planned; llama.cpp's gguf-dump reads it today",
    };
  }
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) {
    const nameLength = b.length >= 30 ? Buffer.from(b).readUInt16LE(26) : 0;
    const first = ascii(b, 30, 30 + nameLength);
    const torch =
      /(^|\/)(data\.pkl|version|byteorder|\.data\/)/.test(first) || /data\.pkl/.test(ascii(b));
    if (torch) {
      return {
        code: "PYTORCH_ZIP",
        message: `a PyTorch zip checkpoint (torch.save; first entry "${excerpt(first)}"), not ${expected}`,
        hint: "loading it unpickles code; convert it with safetensors' convert script in a sandbox",
      };
    }
    return {
      code: "FOREIGN_FORMAT",
      message: `a ZIP archive${first ? ` (first entry "${excerpt(first)}")` : ""}, not ${expected}`,
    };
  }
  if (b[0] === 0x80 && b.length > 1 && b[1]! >= 2 && b[1]! <= 5) {
    return {
      code: "PYTORCH_PICKLE",
      message: `a Python pickle (protocol ${b[1]}: a legacy PyTorch .bin/.pt checkpoint), not ${expected}`,
      hint: "loading a pickle runs code; convert it to safetensors in a sandbox",
    };
  }

  const text = head.replace(/^\uFEFF|^\xEF\xBB\xBF/, "").trimStart();
  const lower = text.toLowerCase();
  if (/^<(!doctype html|html|head|body|\?xml|!--)/.test(lower)) {
    const title = htmlTitle(utf8(b));
    return {
      code: "HTML_DOCUMENT",
      message: `an HTML page${title ? ` ("${excerpt(title)}")` : ""} saved in place of the weights`,
      hint: "the download returned a web page (a login wall, an error or a redirect); download the file again, with a token if the repo is gated",
    };
  }
  if (text.startsWith("{") || text.startsWith("[")) {
    const all = ascii(b);
    if (all.includes('"weight_map"')) {
      return {
        code: "JSON_DOCUMENT",
        message: "a sharded-checkpoint index (model.safetensors.index.json), not a weights file",
        hint: "inspect the folder that holds it and its shards",
      };
    }
    const err = /"(?:error|message|detail)"\s*:\s*"([^"]{1,200})"/.exec(utf8(b))?.[1];
    return {
      code: "JSON_DOCUMENT",
      message: `a JSON document${err ? ` ("${excerpt(err)}")` : ""} saved in place of the weights`,
      hint: "the download returned an error response; download the file again",
    };
  }

  const other = foreignMagic(b);
  if (other) {
    const tool = compressedBy(b);
    return {
      code: "FOREIGN_FORMAT",
      message: `${other}, not ${expected}`,
      ...(tool
        ? {
            hint: `a compressed file: decompress it first (\`${tool} -dk FILE\`), or pipe it: \`${tool} -dc FILE | inspect -\``,
          }
        : {}),
    };
  }
  return undefined;
}

/** The tool that decompresses a gzip, zstd or xz stream. */
function compressedBy(b: Uint8Array): string | undefined {
  if (startsWith(b, [0x1f, 0x8b])) return "gzip";
  if (startsWith(b, [0x28, 0xb5, 0x2f, 0xfd])) return "zstd";
  if (startsWith(b, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return "xz";
  return undefined;
}

/** A short description of well-known formats by their magic bytes, for trailing data too. */
export function foreignMagic(b: Uint8Array): string | undefined {
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return "a ZIP archive";
  if (startsWith(b, [0x1f, 0x8b])) return "gzip data";
  if (startsWith(b, [0x28, 0xb5, 0x2f, 0xfd])) return "zstd data";
  if (startsWith(b, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return "xz data";
  if (startsWith(b, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return "a NumPy .npy array";
  if (startsWith(b, [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]))
    return "an HDF5 file (Keras .h5?)";
  if (startsWith(b, [0x25, 0x50, 0x44, 0x46])) return "a PDF document";
  if (startsWith(b, [0x7f, 0x45, 0x4c, 0x46])) return "an ELF executable";
  if (b[0] === 0x80 && b.length > 1 && b[1]! >= 2 && b[1]! <= 5) return "a Python pickle";
  if (ascii(b, 257, 262) === "ustar") return "a tar archive";
  if (ascii(b, 4, 8) === "TFL3") return "a TensorFlow Lite model";
  if (ascii(b, 0, 4) === "GGUF") return "a GGUF file";
  return undefined;
}

/** What trailing bytes after the last tensor look like, for the TRAILING_BYTES hint. */
export function describeTrailing(b: Uint8Array): string {
  const magic = foreignMagic(b);
  if (magic) return `they start like ${magic} (a polyglot file?)`;
  if (b.every((x) => x === 0)) return "they are all zero bytes (padding?)";
  if (b.every((x) => x === 0x20 || x === 0x0a || x === 0x0d || x === 0x09))
    return "they are whitespace";
  const printable = b.every(
    (x) => (x >= 0x20 && x < 0x7f) || x === 0x0a || x === 0x0d || x === 0x09,
  );
  if (printable) return `they are text: "${excerpt(ascii(b).trim(), 40)}"`;
  return `they start with ${Array.from(b.subarray(0, 8), (x) => x.toString(16).padStart(2, "0")).join(" ")}`;
}
