// StdinSource, exercised in child processes whose fd 0 is a pipe, a shell pipe, a redirected
// file or a device. The child is bundled from src with esbuild (nothing comes from dist) and
// prints one JSON line.

import { spawn, spawnSync, type SpawnSyncOptions } from "node:child_process";
import { closeSync, openSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalHeader, rawFile, tempDir } from "../helpers/safetensors.js";

interface Report {
  available: boolean;
  size?: string | null;
  openError?: { code: string; message: string };
  findings?: Array<{ code: string; severity: string; message: string }>;
  names?: string[] | null;
  left?: number;
  reads?: Array<string | { code: string; message: string }>;
}

let dir: string;
let cleanup: () => void;
let child: string;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir("inspect-stdin-"));
  child = join(dir, "stdin-child.mjs");
  await build({
    entryPoints: [resolve("test/sources/child/stdin-child.ts")],
    outfile: child,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "warning",
  });
});
afterAll(() => cleanup());

function parse(stdout: string | Buffer, stderr: string | Buffer, status: number | null): Report {
  expect(String(stderr), "child stderr").toBe("");
  expect(status).toBe(0);
  return JSON.parse(String(stdout)) as Report;
}

function run(args: string[], options: SpawnSyncOptions): Report {
  const r = spawnSync(process.execPath, [child, ...args], { timeout: 10_000, ...options });
  return parse(r.stdout, r.stderr, r.status);
}

/** stdin is a pipe Node creates, fed `input`. */
const piped = (input: Buffer, args = ["inspect"]) => run(args, { input });

/** stdin is a regular file opened for the child: seekable, with a size. */
function redirected(bytes: Buffer, args = ["inspect"]): Report {
  const path = join(dir, `in-${Math.random().toString(36).slice(2)}.safetensors`);
  writeFileSync(path, bytes);
  const fd = openSync(path, "r");
  try {
    return run(args, { stdio: [fd, "pipe", "pipe"] });
  } finally {
    closeSync(fd);
  }
}

const codesOf = (r: Report) => (r.findings ?? []).map((f) => f.code);
const errorsOf = (r: Report) => (r.findings ?? []).filter((f) => f.severity === "error");

const { header: HEADER, dataBytes: DATA } = canonicalHeader(
  [
    { name: "w", dtype: "F32", shape: [64, 64] },
    { name: "b", dtype: "F16", shape: [64] },
  ],
  { metadata: { format: "pt" } },
);
const VALID = rawFile(HEADER, DATA);

describe("from a pipe", () => {
  it("reads the header, notes SIZE_UNCHECKED, and consumes exactly 8 + N bytes", () => {
    const r = piped(VALID);
    expect(r.available).toBe(true);
    expect(r.size).toBeNull();
    expect(r.names).toEqual(["w", "b"]);
    expect(codesOf(r)).toEqual(["SIZE_UNCHECKED"]);
    expect(r.findings?.[0]?.severity).toBe("info");
    expect(r.left).toBe(Number(DATA));
  });

  it("reads from a shell pipe (a real FIFO) the same way", () => {
    const path = join(dir, "valid.safetensors");
    writeFileSync(path, VALID);
    const r = spawnSync(
      "sh",
      ["-c", 'cat "$1" | "$2" "$3" inspect', "sh", path, process.execPath, child],
      {
        timeout: 10_000,
      },
    );
    const report = parse(r.stdout, r.stderr, r.status);
    expect(report.size).toBeNull();
    expect(codesOf(report)).toEqual(["SIZE_UNCHECKED"]);
    expect(report.left).toBe(Number(DATA));
  });

  it("cannot see truncated data, and says so instead of reporting it", () => {
    const r = piped(VALID.subarray(0, VALID.length - 100));
    expect(errorsOf(r)).toEqual([]);
    expect(codesOf(r)).toEqual(["SIZE_UNCHECKED"]);
  });

  it("reads a header longer than the sniff buffer", () => {
    const tensors = Array.from({ length: 300 }, (_, i) => ({
      name: `layer.${i}.weight`,
      dtype: "BF16",
      shape: [8, 8],
    }));
    const { header, dataBytes } = canonicalHeader(tensors, { metadata: { format: "pt" } });
    expect(header.length).toBeGreaterThan(4 * 1024);
    const r = piped(rawFile(header, dataBytes));
    expect(r.names).toHaveLength(300);
    expect(errorsOf(r)).toEqual([]);
    expect(r.left).toBe(Number(dataBytes));
  });

  it("rejects an empty pipe (HEADER_TOO_SMALL)", () => {
    const r = piped(Buffer.alloc(0));
    expect(errorsOf(r)).toEqual([
      { code: "HEADER_TOO_SMALL", severity: "error", message: "file is empty (0 bytes)" },
    ]);
  });

  it("rejects a pipe that ends inside the header, naming where", () => {
    const r = piped(VALID.subarray(0, 40));
    expect(errorsOf(r).map((f) => f.code)).toEqual(["INVALID_HEADER_LENGTH"]);
    expect(errorsOf(r)[0]?.message).toBe(
      `header length ${HEADER.length} runs past the end of the input: it ended after 32 header bytes`,
    );
  });

  it("names a Git LFS pointer from the bytes it kept", () => {
    const lfs = `version https://git-lfs.github.com/spec/v1\noid sha256:${"ab".repeat(32)}\nsize 1234\n`;
    const r = piped(Buffer.from(lfs));
    expect(errorsOf(r).map((f) => f.code)).toEqual(["LFS_POINTER"]);
    expect(errorsOf(r)[0]?.message).toContain("1,234-byte");
  });

  it("waits for a slow writer", async () => {
    const proc = spawn(process.execPath, [child, "inspect"], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<number | null>((res) => proc.on("close", res));
    proc.stdin.write(VALID.subarray(0, 5));
    await new Promise((r) => setTimeout(r, 100));
    proc.stdin.write(VALID.subarray(5, 30));
    await new Promise((r) => setTimeout(r, 100));
    proc.stdin.end(VALID.subarray(30));
    const status = await done;
    const report = parse(stdout, stderr, status);
    expect(report.names).toEqual(["w", "b"]);
    expect(codesOf(report)).toEqual(["SIZE_UNCHECKED"]);
  });

  it("serves the kept start again, skips forward, and refuses to go back past it", () => {
    const input = Buffer.from(
      Array.from({ length: 3000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(""),
    );
    const plan = [
      [0, 4],
      [0, 8],
      [8, 4],
      [100, 3],
      [2, 4],
      [2000, 3],
      [1500, 3],
      [2990, 20],
      [5000, 4],
    ];
    const r = piped(input, ["reads", JSON.stringify(plan)]);
    expect(r.reads).toEqual([
      "abcd",
      "abcdefgh",
      "ijkl",
      "wxy", // 100 % 26 = 22
      "cdef",
      input.toString("latin1", 2000, 2003),
      { code: "TARGET_UNREADABLE", message: "cannot go back to byte 1500 of a stream" },
      input.toString("latin1", 2990),
      "",
    ]);
  });
});

describe("from a redirected file", () => {
  it("knows the size, so a valid file has no findings", () => {
    const r = redirected(VALID);
    expect(r.size).toBe(String(VALID.length));
    expect(r.findings).toEqual([]);
    expect(r.names).toEqual(["w", "b"]);
  });

  it("finds truncation and trailing bytes", () => {
    let r = redirected(VALID.subarray(0, VALID.length - 100));
    expect(errorsOf(r).map((f) => f.code)).toEqual(["FILE_TRUNCATED"]);
    expect(errorsOf(r)[0]?.message).toContain("(100 bytes missing)");
    r = redirected(Buffer.concat([VALID, Buffer.from("PK\x03\x04")]));
    expect(errorsOf(r).map((f) => f.code)).toEqual(["TRAILING_BYTES"]);
  });

  it("reads at any offset, forwards or back", () => {
    const r = redirected(Buffer.from("0123456789"), [
      "reads",
      JSON.stringify([
        [6, 2],
        [1, 3],
        [8, 10],
        [20, 1],
      ]),
    ]);
    expect(r.reads).toEqual(["67", "123", "89", ""]);
  });
});

describe("from a device", () => {
  it("refuses /dev/null as TARGET_UNSUPPORTED and is not available", () => {
    const fd = openSync("/dev/null", "r");
    try {
      const r = run(["inspect"], { stdio: [fd, "pipe", "pipe"] });
      expect(r.available).toBe(false);
      expect(r.openError).toEqual({
        code: "TARGET_UNSUPPORTED",
        message: "standard input is a terminal or device; pipe a file into it or name a path",
      });
    } finally {
      closeSync(fd);
    }
  });
});
