import { closeSync, ftruncateSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { HashProgress } from "../../src/integrity/hash-pool.js";
import { checkpointFiles, planVerification, type VerifyFile } from "../../src/integrity/plan.js";
import { interruptOnSignals } from "../../src/integrity/interrupt.js";
import { verifyCheckpoint, verifyFiles } from "../../src/integrity/verify.js";
import { tempDir } from "../helpers/safetensors.js";
import { le, lfsPointerText, parse, sha256, writeWeights, type DataTensor } from "./files.js";

const tmp = tempDir("inspect-verify-");
afterAll(() => tmp.cleanup());

// Odd element counts, so that with tiny blocks elements straddle block boundaries.
const SUSPICIOUS: DataTensor[] = [
  {
    name: "f64.nan",
    dtype: "F64",
    shape: [3],
    data: le(4, [0, 0x3ff00000, 1, 0x7ff00000, 0, 0x7ff80000]),
  },
  { name: "f64.zero", dtype: "F64", shape: [2], data: le(4, [0, 0x80000000, 0, 0]) },
  {
    name: "f32.inf",
    dtype: "F32",
    shape: [5],
    data: le(4, [0x3f800000, 0x7f800000, 0xff800000, 0, 0x7f800000]),
  },
  { name: "f32.nan", dtype: "F32", shape: [3], data: le(4, [0x7fc00000, 0, 0x7f800001]) },
  { name: "f16.zero", dtype: "F16", shape: [7], data: le(2, [0, 0x8000, 0, 0, 0, 0x8000, 0]) },
  {
    name: "f16.mixed",
    dtype: "F16",
    shape: [5],
    data: le(2, [0x3c00, 0x7c00, 0x7e00, 0xfc00, 0x7c01]),
  },
  {
    name: "bf16.mixed",
    dtype: "BF16",
    shape: [5],
    data: le(2, [0x3f80, 0x7f80, 0x7fc0, 0xff80, 0xffc1]),
  },
  { name: "bf16.zero", dtype: "BF16", shape: [3], data: le(2, [0x8000, 0, 0x8000]) },
  { name: "e4m3.nan", dtype: "F8_E4M3", shape: [5], data: le(1, [0x7f, 0x7e, 0x78, 0xff, 0x01]) },
  { name: "e4m3.zero", dtype: "F8_E4M3", shape: [3], data: le(1, [0x80, 0, 0]) },
  { name: "e5m2.mixed", dtype: "F8_E5M2", shape: [5], data: le(1, [0x7c, 0xfc, 0x7d, 0x3c, 0]) },
  { name: "e5m2.zero", dtype: "F8_E5M2", shape: [1], data: le(1, [0x80]) },
  { name: "bool.bad", dtype: "BOOL", shape: [5], data: le(1, [0, 1, 2, 0xff, 1]) },
  { name: "i32.zero", dtype: "I32", shape: [3], data: le(4, [0, 0, 0]) },
  { name: "empty", dtype: "F32", shape: [0], data: new Uint8Array(0) },
  { name: "clean", dtype: "BF16", shape: [3], data: le(2, [0x3f80, 0xbf80, 0x4000]) },
];

const EXPECTED = {
  "f64.nan": { nan: 2, inf: 0, zero: false },
  "f64.zero": { nan: 0, inf: 0, zero: true },
  "f32.inf": { nan: 0, inf: 3, zero: false },
  "f32.nan": { nan: 2, inf: 0, zero: false },
  "f16.zero": { nan: 0, inf: 0, zero: true },
  "f16.mixed": { nan: 2, inf: 2, zero: false },
  "bf16.mixed": { nan: 2, inf: 2, zero: false },
  "bf16.zero": { nan: 0, inf: 0, zero: true },
  "e4m3.nan": { nan: 2, inf: 0, zero: false },
  "e4m3.zero": { nan: 0, inf: 0, zero: true },
  "e5m2.mixed": { nan: 1, inf: 2, zero: false },
  "e5m2.zero": { nan: 0, inf: 0, zero: true },
  "bool.bad": { nan: 0, inf: 0, zero: false },
  "i32.zero": { nan: 0, inf: 0, zero: true },
  empty: { nan: 0, inf: 0, zero: false },
  clean: { nan: 0, inf: 0, zero: false },
};

async function weights(path: string): Promise<VerifyFile> {
  const f = await parse(path);
  return checkpointFiles({ target: path, kind: "file", files: [f], findings: [] })[0]!;
}

function codes(findings: Array<{ code: string }>): string[] {
  return [...new Set(findings.map((f) => f.code))].sort();
}

describe("--scan", () => {
  for (const pad of [true, false]) {
    it(`counts NaN, inf, zero and bad BOOL bytes per tensor (${pad ? "aligned" : "unaligned"} data)`, async () => {
      const { path } = writeWeights(tmp.dir, `scan-${pad}.safetensors`, SUSPICIOUS, { pad });
      const file = await weights(path);
      for (const blockSize of [8, 24, 4096]) {
        const { verification, findings } = await verifyFiles([file], {
          hash: false,
          scan: true,
          blockSize,
          threads: 1,
        });
        expect(verification.files).toEqual([]);
        const scan = verification.scan!;
        const got = Object.fromEntries(
          scan.tensors.map((t) => [t.name, { nan: t.nan, inf: t.inf, zero: t.zero }]),
        );
        expect(got, `block ${blockSize}`).toEqual(EXPECTED);
        expect(scan.tensors.every((t) => t.complete && t.file === path)).toBe(true);
        expect(scan.tensors.find((t) => t.name === "bool.bad")!.invalidBool).toBe(2);
        expect(scan.nanTensors).toBe(6);
        expect(scan.infTensors).toBe(4);
        expect(scan.zeroTensors).toBe(6);
        expect(scan.invalidBoolTensors).toBe(1);
        expect(codes(findings)).toEqual([
          "BOOL_INVALID",
          "INF_VALUES",
          "NAN_VALUES",
          "ZERO_TENSOR",
        ]);
        const nan = findings.find((f) => f.tensor === "f16.mixed" && f.code === "NAN_VALUES")!;
        expect(nan.severity).toBe("error");
        expect(nan.message).toContain("2 NaN values");
        expect(findings.find((f) => f.code === "ZERO_TENSOR")!.severity).toBe("warning");
      }
    });
  }

  it("hashes and scans in the same pass", async () => {
    const { path, bytes } = writeWeights(tmp.dir, "both.safetensors", SUSPICIOUS);
    const { verification } = await verifyFiles([await weights(path)], {
      scan: true,
      blockSize: 16,
    });
    expect(verification.files[0]!.sha256).toBe(sha256(bytes));
    expect(verification.scan!.nanTensors).toBe(6);
  });

  it("marks tensors past the end of a truncated file incomplete, and skips unreadable layouts", async () => {
    const { bytes } = writeWeights(tmp.dir, "cut.safetensors", SUSPICIOUS);
    const cut = join(tmp.dir, "cut-short.safetensors");
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const { verification, findings } = await verifyFiles([await weights(cut)], {
      scan: true,
      blockSize: 8,
    });
    const incomplete = verification.scan!.tensors.filter((t) => !t.complete).map((t) => t.name);
    // The cut falls inside i32.zero; the empty tensor after it lies past the end too.
    expect(incomplete).toEqual(["i32.zero", "empty", "clean"]);
    expect(verification.scan!.tensors.find((t) => t.name === "i32.zero")!.zero).toBe(false);
    expect(verification.files[0]!.status).toBe("computed");
    expect(findings.some((f) => f.code === "HASH_UNCHECKED")).toBe(true);
    const pinned = await planVerification([await weights(cut)], { sha256: sha256(bytes) });
    const cutCheck = await verifyFiles(pinned.files);
    expect(cutCheck.verification.files[0]).toMatchObject({ status: "mismatch", match: false });
    expect(cutCheck.findings.map((f) => f.code)).toEqual(["HASH_MISMATCH"]);

    const junk = join(tmp.dir, "junk.safetensors");
    writeFileSync(junk, "not safetensors at all");
    const skipped = await verifyFiles([await weights(junk)], { hash: false, scan: true });
    expect(skipped.verification.scan!.skippedFiles).toEqual([junk]);
    expect(codes(skipped.findings)).toEqual(["SCAN_SKIPPED"]);
  });
});

describe("--verify", () => {
  it("matches --sha256, and names a flipped byte", async () => {
    const { path, bytes } = writeWeights(tmp.dir, "one.safetensors", SUSPICIOUS.slice(-1));
    const plan = await planVerification([await weights(path)], {
      sha256: sha256(bytes).toUpperCase(),
    });
    const ok = await verifyFiles(plan.files, { blockSize: 8 });
    expect(ok.verification.files).toEqual([
      {
        path,
        bytes: BigInt(bytes.length),
        bytesRead: BigInt(bytes.length),
        sha256: sha256(bytes),
        expected: sha256(bytes),
        algorithm: "sha256",
        source: "argument",
        match: true,
        status: "match",
      },
    ]);
    expect(ok.findings).toEqual([]);

    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 3]! ^= 0x01;
    writeFileSync(path, flipped);
    const bad = await verifyFiles(plan.files, {});
    expect(bad.verification.files[0]).toMatchObject({ match: false, status: "mismatch" });
    expect(bad.findings).toHaveLength(1);
    expect(bad.findings[0]).toMatchObject({ code: "HASH_MISMATCH", severity: "error", file: path });
    expect(bad.findings[0]!.message).toContain(sha256(bytes));
    expect(bad.findings[0]!.message).toContain(sha256(flipped));
  });

  it("refuses a malformed --sha256, or one for several files", async () => {
    const { path } = writeWeights(tmp.dir, "usage.safetensors", SUSPICIOUS.slice(-1));
    const w = await weights(path);
    await expect(planVerification([w], { sha256: "abc" })).rejects.toMatchObject({ code: "USAGE" });
    await expect(
      planVerification([w, { path: path + ".other" }], { sha256: "a".repeat(64) }),
    ).rejects.toMatchObject({ code: "USAGE" });
  });

  it("reports a file with no expected digest, so that it can be pinned", async () => {
    const { path, bytes } = writeWeights(tmp.dir, "pin.safetensors", SUSPICIOUS.slice(0, 2));
    const { verification, findings } = await verifyFiles(
      (await planVerification([await weights(path)])).files,
    );
    expect(verification.files[0]).toMatchObject({
      sha256: sha256(bytes),
      expected: null,
      source: "computed",
      match: null,
    });
    expect(findings.map((f) => [f.code, f.severity])).toEqual([["HASH_UNCHECKED", "info"]]);
    expect(findings[0]!.message).toContain(sha256(bytes));
  });

  it("checks every file of a checksums file, relative to its folder", async () => {
    const dir = join(tmp.dir, "sums");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "sub"), { recursive: true });
    const a = writeWeights(dir, "a.safetensors", SUSPICIOUS.slice(0, 3));
    writeWeights(join(dir, "sub"), "b.safetensors", SUSPICIOUS.slice(3, 6));
    writeFileSync(join(dir, "config.json"), '{"model_type":"llama"}\n');
    const sums = [
      `${sha256(a.bytes)}  a.safetensors`,
      `# a comment`,
      ``,
      `${sha256("wrong")} *sub/b.safetensors`,
      `${sha256('{"model_type":"llama"}\n')}  ./config.json`,
      `${sha256("gone")}  missing.safetensors`,
      `this line is not a checksum`,
    ].join("\n");
    writeFileSync(join(dir, "SHA256SUMS"), sums);
    // The folder is the target: every file listed inside it is checked.
    const plan = await planVerification([await weights(a.path)], {
      checksums: join(dir, "SHA256SUMS"),
      root: dir,
    });
    expect(plan.files.map((f) => f.path)).toEqual([
      a.path,
      join(dir, "sub", "b.safetensors"),
      join(dir, "config.json"),
      join(dir, "missing.safetensors"),
    ]);
    expect(codes(plan.findings)).toEqual(["CHECKSUMS_MALFORMED"]);
    const { verification, findings } = await verifyFiles(plan.files, { threads: 2 });
    expect(verification.files.map((f) => [f.status, f.source, f.match])).toEqual([
      ["match", "checksums", true],
      ["mismatch", "checksums", false],
      ["match", "checksums", true],
      ["missing", "checksums", false],
    ]);
    expect(findings.map((f) => f.code)).toEqual(["HASH_MISMATCH", "VERIFY_FILE_MISSING"]);
    expect(findings[0]!.message).toContain("SHA256SUMS line 4");

    await expect(
      planVerification([], { checksums: join(dir, "no-such-file") }),
    ).rejects.toMatchObject({ code: "CHECKSUMS_UNREADABLE" });
  });

  it("warns about weights that a given checksums file leaves out", async () => {
    const dir = join(tmp.dir, "unlisted");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir);
    const a = writeWeights(dir, "model-00001-of-00002.safetensors", SUSPICIOUS.slice(0, 2));
    const b = writeWeights(dir, "model-00002-of-00002.safetensors", SUSPICIOUS.slice(2, 4));
    writeFileSync(
      join(dir, "SHA256SUMS"),
      `${sha256(a.bytes)}  ${"model-00001-of-00002.safetensors"}\n`,
    );
    const files = [await parse(a.path), await parse(b.path)];
    const cp = { target: dir, kind: "sharded" as const, root: dir, files, findings: [] };
    const { verification, findings } = await verifyCheckpoint(
      cp,
      { checksums: join(dir, "SHA256SUMS") },
      { scan: true },
    );
    expect(verification.files.map((f) => [f.path, f.status])).toEqual([
      [a.path, "match"],
      [b.path, "computed"],
    ]);
    const unlisted = findings.find((f) => f.code === "HASH_UNCHECKED")!;
    expect(unlisted).toMatchObject({ severity: "warning", file: b.path });
    expect(unlisted.message).toContain(`not listed in ${join(dir, "SHA256SUMS")}`);
    expect(verification.scan!.tensors).toHaveLength(4);

    // Standard input cannot be read again: nothing to verify.
    const stream = { target: "-", kind: "stream" as const, files, findings: [] };
    expect((await verifyCheckpoint(stream, {})).verification.files).toEqual([]);
  });

  it("uses a Git LFS pointer beside the file, or in a mirror folder", async () => {
    const dir = join(tmp.dir, "lfs");
    const clone = join(tmp.dir, "lfs-clone");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir);
    mkdirSync(clone);
    const w = writeWeights(dir, "model.safetensors", SUSPICIOUS.slice(0, 4));
    writeFileSync(
      join(dir, "model.safetensors.pointer"),
      lfsPointerText(sha256(w.bytes), w.bytes.length),
    );
    const beside = await planVerification([await weights(w.path)]);
    expect(beside.files[0]!.expected).toMatchObject({
      source: "lfs-pointer",
      hex: sha256(w.bytes),
    });
    expect((await verifyFiles(beside.files)).verification.files[0]!.match).toBe(true);

    writeFileSync(join(clone, "model.safetensors"), lfsPointerText(sha256("other"), 12345));
    const mirrored = await planVerification([await weights(w.path)], {
      root: dir,
      lfsPointers: clone,
    });
    const { verification, findings } = await verifyFiles(mirrored.files);
    expect(verification.files[0]).toMatchObject({ source: "lfs-pointer", match: false });
    expect(findings[0]!.code).toBe("HASH_MISMATCH");
    expect(findings[0]!.hint).toContain("the pointer says 12,345");
  });

  it("reports a pointer in place of the weights as never downloaded", async () => {
    const path = join(tmp.dir, "pointer.safetensors");
    const oid = sha256("the real weights");
    writeFileSync(path, lfsPointerText(oid, 1_000_000));
    const w = await weights(path);
    expect(w.safetensors!.findings.map((f) => f.code)).toContain("LFS_POINTER");
    const plan = await planVerification([w]);
    expect(plan.files[0]!.pointer).toEqual({ oid, size: 1_000_000n });
    const { verification, findings } = await verifyFiles(plan.files, { scan: true });
    expect(verification.files[0]).toMatchObject({
      status: "pointer",
      expected: oid,
      source: "lfs-pointer",
      match: false,
    });
    // The format layer already said LFS_POINTER for this file: no second finding.
    expect(findings).toEqual([]);

    const extra = await verifyFiles([{ path, pointer: plan.files[0]!.pointer! }]);
    expect(extra.findings.map((f) => f.code)).toEqual(["LFS_POINTER"]);
  });

  it("reports progress, then clears it", async () => {
    const { path } = writeWeights(tmp.dir, "progress.safetensors", SUSPICIOUS);
    const seen: HashProgress[] = [];
    let done = 0;
    await verifyFiles([{ path }], {
      blockSize: 8,
      progress: { update: (p) => seen.push(p), done: () => done++ },
    });
    expect(done).toBe(1);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]!.filesTotal).toBe(1);
    expect(seen[0]!.active).toEqual([path]);
  });
});

describe("Ctrl-C", () => {
  it("stops hashing a 20 GB sparse file promptly and reports what was done", async () => {
    const path = join(tmp.dir, "huge.bin");
    const fd = openSync(path, "w");
    writeSync(fd, "x");
    ftruncateSync(fd, 20 * 1e9);
    closeSync(fd);
    const controller = new AbortController();
    let last: HashProgress | undefined;
    // Stop at the first progress report that shows hashed bytes: hashing is under way.
    const { verification, findings } = await verifyFiles([{ path }], {
      signal: controller.signal,
      progress: {
        update: (p) => {
          last = p;
          if (p.bytesDone > 0n) controller.abort();
        },
        done() {},
      },
    });
    expect(verification.interrupted).toBe(true);
    const f = verification.files[0]!;
    expect(f.status).toBe("interrupted");
    expect(f.sha256).toBeNull();
    expect(f.bytes).toBe(20_000_000_000n);
    // Promptly: far from all 20 GB were read; and at least what progress had shown.
    expect(last!.bytesDone).toBeGreaterThan(0n);
    expect(f.bytesRead).toBeGreaterThanOrEqual(last!.bytesDone);
    expect(f.bytesRead).toBeLessThan(f.bytes);
    expect(verification.bytesRead).toBe(f.bytesRead);
    expect(findings.map((x) => x.code)).toEqual(["INTERRUPTED"]);
    expect(findings[0]!.message).toMatch(
      /^interrupted after [\d.]+ GB of 20\.00 GB: 0 files of 1 checked$/,
    );
  });

  it("turns the first SIGINT or SIGTERM into an abort, then lets a second one through", () => {
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      const before = process.listenerCount(sig);
      const interrupt = interruptOnSignals();
      expect(process.listenerCount(sig)).toBe(before + 1);
      process.emit(sig);
      expect(interrupt.signal.aborted).toBe(true);
      expect(interrupt.reason).toBe(sig);
      expect(process.listenerCount("SIGINT")).toBe(process.listenerCount("SIGTERM"));
      expect(process.listenerCount(sig)).toBe(before);
      interrupt.dispose();
      const unused = interruptOnSignals();
      unused.dispose();
      expect(process.listenerCount(sig)).toBe(before);
      expect(unused.signal.aborted).toBe(false);
    }
  });

  it("can be stopped from inside, once, with its reason", () => {
    const interrupt = interruptOnSignals();
    interrupt.stop("output-closed");
    interrupt.stop("SIGINT");
    expect(interrupt.signal.aborted).toBe(true);
    expect(interrupt.reason).toBe("output-closed");
    expect(interrupt.signal.reason).toBe("output-closed");
    interrupt.dispose();
  });

  it("does nothing when aborted before it starts", async () => {
    const { path } = writeWeights(tmp.dir, "early.safetensors", SUSPICIOUS.slice(0, 1));
    const { verification } = await verifyFiles([{ path }], { signal: AbortSignal.abort() });
    expect(verification.interrupted).toBe(true);
    expect(verification.files[0]).toMatchObject({
      status: "interrupted",
      bytesRead: 0n,
      match: null,
    });
  });
});
