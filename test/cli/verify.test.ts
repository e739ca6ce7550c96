// --verify and --scan end to end (issue 5), through the built bin: expected digests from
// --sha256, a checksums file, the Hugging Face cache and Git LFS pointers; the value scan in each
// float dtype (bit patterns written out); exit statuses, stderr, the JSON and the table; no
// progress off a terminal; Ctrl-C on a large sparse file. Files are written once, up front, and
// every digest is computed here with node:crypto.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROGRESS_DELAY_MS } from "../../src/core/limits.js";
import { writeCheckpoint } from "../helpers/checkpoints.js";
import { BIN, inspect } from "../helpers/cli.js";
import { canonicalHeader, tempDir, writeSparse } from "../helpers/safetensors.js";
import { assertSchema } from "../helpers/schema.js";
import {
  gitBlobId,
  le,
  lfsPointerText,
  sha256,
  writeWeights,
  type DataTensor,
} from "../integrity/files.js";

const tmp = tempDir("inspect-verify-cli-");
afterAll(tmp.cleanup);
const at = (...parts: string[]) => path.join(tmp.dir, ...parts);

interface Run {
  status: number | null;
  /** The parsed document (checked against the schema). */
  doc: any;
  stderr: string;
}

function json(args: string[], options: Parameters<typeof inspect>[1] = {}): Run {
  const r = inspect(["--json", ...args], options);
  expect(r.stdout.trimEnd().split("\n"), r.stderr).toHaveLength(1);
  const doc = JSON.parse(r.stdout);
  assertSchema(doc);
  return { status: r.status, doc, stderr: r.stderr };
}

const codesOf = (doc: { findings: Array<{ code: string; severity: string }> }) =>
  doc.findings.map((f) => `${f.severity} ${f.code}`);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

// ---------------------------------------------------------------------------------------------
// Files

const ONE: DataTensor[] = [
  {
    name: "a",
    dtype: "F32",
    shape: [4],
    data: le(4, [0x3f800000, 0x40000000, 0x40400000, 0x40800000]),
  },
  { name: "b", dtype: "BF16", shape: [4], data: le(2, [0x3f80, 0x4000, 0x4040, 0x4080]) },
];

/** NaN and infinities in each float dtype, with finite look-alikes that must not count. */
const FLOATS: Record<string, { tensors: DataTensor[]; counts: Record<string, [number, number]> }> =
  {
    F64: {
      tensors: [
        {
          name: "f64.mixed",
          dtype: "F64",
          shape: [5],
          // 1.0, NaN, +inf, -inf, the largest finite: [low word, high word] each.
          data: le(4, [0, 0x3ff00000, 0, 0x7ff80000, 0, 0x7ff00000, 0, 0xfff00000, -1, 0x7fefffff]),
        },
      ],
      counts: { "f64.mixed": [1, 2] },
    },
    F32: {
      tensors: [
        {
          name: "f32.nan",
          dtype: "F32",
          shape: [4],
          data: le(4, [0x3f800000, 0x7fc00000, 0xffc00001, 0x7f800001]),
        },
        {
          name: "f32.inf",
          dtype: "F32",
          shape: [3],
          data: le(4, [0x7f800000, 0xff800000, 0x7f7fffff]),
        },
        { name: "f32.ok", dtype: "F32", shape: [1], data: le(4, [0xbf800000]) },
      ],
      counts: { "f32.nan": [3, 0], "f32.inf": [0, 2], "f32.ok": [0, 0] },
    },
    F16: {
      tensors: [
        {
          name: "f16.nan",
          dtype: "F16",
          shape: [4],
          data: le(2, [0x7e00, 0xfe00, 0x7c01, 0x3c00]),
        },
        { name: "f16.inf", dtype: "F16", shape: [3], data: le(2, [0x7c00, 0xfc00, 0x7bff]) },
        { name: "f16.ok", dtype: "F16", shape: [1], data: le(2, [0x3c00]) },
      ],
      counts: { "f16.nan": [3, 0], "f16.inf": [0, 2], "f16.ok": [0, 0] },
    },
    BF16: {
      tensors: [
        {
          name: "bf16.nan",
          dtype: "BF16",
          shape: [4],
          data: le(2, [0x7fc0, 0xffc0, 0x7f81, 0x3f80]),
        },
        { name: "bf16.inf", dtype: "BF16", shape: [3], data: le(2, [0x7f80, 0xff80, 0x7f7f]) },
        { name: "bf16.ok", dtype: "BF16", shape: [1], data: le(2, [0x3f80]) },
      ],
      counts: { "bf16.nan": [3, 0], "bf16.inf": [0, 2], "bf16.ok": [0, 0] },
    },
    // E4M3 (the "fn" variant safetensors means) has no infinity: S.1111.111 is NaN, and
    // 0x78 / 0x7e are 256 and 448, finite.
    F8_E4M3: {
      tensors: [
        { name: "e4m3.nan", dtype: "F8_E4M3", shape: [4], data: le(1, [0x7f, 0xff, 0x7e, 0x38]) },
        { name: "e4m3.ok", dtype: "F8_E4M3", shape: [3], data: le(1, [0x78, 0xf8, 0x7e]) },
      ],
      counts: { "e4m3.nan": [2, 0], "e4m3.ok": [0, 0] },
    },
    // E5M2 is IEEE-like: exponent 11111 is infinity (mantissa 0) or NaN.
    F8_E5M2: {
      tensors: [
        { name: "e5m2.nan", dtype: "F8_E5M2", shape: [4], data: le(1, [0x7d, 0x7e, 0xff, 0x3c]) },
        { name: "e5m2.inf", dtype: "F8_E5M2", shape: [3], data: le(1, [0x7c, 0xfc, 0x7b]) },
      ],
      counts: { "e5m2.nan": [3, 0], "e5m2.inf": [0, 2] },
    },
  };

const ZEROS: DataTensor[] = [
  { name: "f32.zero", dtype: "F32", shape: [3], data: le(4, [0, 0x80000000, 0]) },
  { name: "bf16.zero", dtype: "BF16", shape: [2], data: le(2, [0x8000, 0]) },
  { name: "ok", dtype: "F32", shape: [1], data: le(4, [0x3f800000]) },
];

const BOOLS: DataTensor[] = [
  { name: "mask", dtype: "BOOL", shape: [6], data: le(1, [0, 1, 2, 0xff, 1, 0]) },
  { name: "fine", dtype: "BOOL", shape: [2], data: le(1, [1, 0]) },
];

let one: { path: string; bytes: Buffer; digest: string } = {
  path: "",
  bytes: Buffer.alloc(0),
  digest: "",
};
let flipped = { path: "", digest: "" };
const floats: Record<string, string> = {};
let zeros = "";
let bools = "";
let sharded = { dir: "", files: [] as string[], digests: [] as string[] };
const hub = at("hub");
const REV = "0123456789abcdef0123456789abcdef01234567";
const CONFIG = '{"model_type": "llama"}\n';
let cached = { weights: "", weightsId: "", configId: "" };
let pointer = { path: "", oid: "", text: "" };
let gib = "";
let big = "";

/** A Hugging Face cache repo: blobs named by SHA-256 (weights) and git blob id (config.json),
 * relative snapshot links, refs/main. `damage` flips a byte of the weights blob after naming it. */
function cacheRepo(name: string, weights: Buffer, damage = false): string {
  const repo = path.join(hub, `models--org--${name}`);
  const snapshot = path.join(repo, "snapshots", REV);
  mkdirSync(path.join(repo, "blobs"), { recursive: true });
  mkdirSync(path.join(repo, "refs"), { recursive: true });
  mkdirSync(snapshot, { recursive: true });
  writeFileSync(path.join(repo, "refs", "main"), REV);
  const weightsId = sha256(weights);
  const stored = Buffer.from(weights);
  if (damage) stored[stored.length - 1]! ^= 0x40;
  writeFileSync(path.join(repo, "blobs", weightsId), stored);
  symlinkSync(`../../blobs/${weightsId}`, path.join(snapshot, "model.safetensors"));
  const configId = gitBlobId(Buffer.from(CONFIG));
  writeFileSync(path.join(repo, "blobs", configId), CONFIG);
  symlinkSync(`../../blobs/${configId}`, path.join(snapshot, "config.json"));
  return repo;
}

/** A sparse file of `tensors` BF16 tensors of `shape` (2 GiB each by default): header only. */
function sparse(name: string, tensors: number, shape = [32768, 32768]): string {
  const p = at(name);
  const { header, dataBytes } = canonicalHeader(
    Array.from({ length: tensors }, (_, i) => ({ name: `blk.${i}.weight`, dtype: "BF16", shape })),
    { metadata: { format: "pt" } },
  );
  writeSparse(p, header, dataBytes);
  return p;
}

beforeAll(() => {
  const w = writeWeights(tmp.dir, "one.safetensors", ONE);
  one = { path: w.path, bytes: w.bytes, digest: sha256(w.bytes) };
  const bad = Buffer.from(w.bytes);
  bad[bad.length - 1]! ^= 0x01; // the last byte of tensor b: the header stays valid
  flipped = { path: at("flipped.safetensors"), digest: sha256(bad) };
  writeFileSync(flipped.path, bad);

  for (const [dtype, f] of Object.entries(FLOATS)) {
    floats[dtype] = writeWeights(tmp.dir, `${dtype.toLowerCase()}.safetensors`, f.tensors).path;
  }
  zeros = writeWeights(tmp.dir, "zeros.safetensors", ZEROS).path;
  bools = writeWeights(tmp.dir, "bools.safetensors", BOOLS).path;

  const t = (name: string) => ({ name, dtype: "F32", shape: [16, 16] });
  const dir = at("sharded");
  const { files } = writeCheckpoint(dir, { shards: [[t("a"), t("b")], [t("c")], [t("d")]] });
  const digests = files.map((f) => sha256(readFileSync(f)));
  sharded = { dir, files, digests };
  const line = (i: number, hex = digests[i]!) => `${hex}  ${path.basename(files[i]!)}\n`;
  writeFileSync(path.join(dir, "SHA256SUMS"), line(0) + line(1) + line(2));
  writeFileSync(path.join(dir, "SHA256SUMS.wrong"), line(0) + line(1, sha256("x")) + line(2));
  writeFileSync(path.join(dir, "SHA256SUMS.partial"), line(0) + line(1));
  writeFileSync(
    path.join(dir, "SHA256SUMS.extra"),
    line(0) + line(1) + line(2) + `${sha256(CONFIG)}  tokenizer.json\n`,
  );

  cacheRepo("tiny", w.bytes);
  cacheRepo("damaged", w.bytes, true);
  cached = {
    weights: path.join(hub, "models--org--tiny", "snapshots", REV, "model.safetensors"),
    weightsId: one.digest,
    configId: gitBlobId(Buffer.from(CONFIG)),
  };

  const oid = sha256("the real weights");
  const text = lfsPointerText(oid, 16_060_522_496);
  pointer = { path: at("pointer.safetensors"), oid, text };
  writeFileSync(pointer.path, text);
  // A clone made without LFS smudging: the pointer for one.safetensors at the same place.
  mkdirSync(at("clone"));
  writeFileSync(at("clone", "one.safetensors"), lfsPointerText(one.digest, one.bytes.length));

  gib = sparse("one-gib.safetensors", 1, [16384, 32768]);
  big = sparse("big.safetensors", 15); // 32.2 GB
});

// ---------------------------------------------------------------------------------------------

describe("--sha256", () => {
  it("a matching digest: exit 0, nothing on stderr, match true from the argument", () => {
    const { status, doc, stderr } = json(["--sha256", one.digest, one.path]);
    expect(status).toBe(0);
    expect(stderr).toBe("");
    expect(doc.ok).toBe(true);
    expect(doc.verification).toEqual({
      files: [
        {
          path: one.path,
          bytes: one.bytes.length,
          bytesRead: one.bytes.length,
          sha256: one.digest,
          expected: one.digest,
          algorithm: "sha256",
          source: "argument",
          match: true,
          status: "match",
        },
      ],
      scan: null,
      interrupted: false,
      bytesRead: one.bytes.length,
      bytesTotal: one.bytes.length,
    });
    expect(doc.findings).toEqual([]);
    // Either case is a digest.
    expect(inspect(["--sha256", one.digest.toUpperCase(), one.path]).status).toBe(0);

    const table = inspect(["--sha256", one.digest, one.path]).stdout;
    expect(table).toContain(
      `  Verification  1 file: 1 match, 0 fail; ${one.bytes.length} B of ${one.bytes.length} B read\n`,
    );
    expect(table).toMatch(
      new RegExp(
        `^ {2}one\\.safetensors +${one.bytes.length} +${one.digest.slice(0, 16)}… +argument +match$`,
        "m",
      ),
    );
  });

  it("a wrong digest: exit 1, one stderr line naming the file and both digests", () => {
    const wrong = sha256("something else");
    const r = inspect(["--sha256", wrong, one.path]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `inspect: ${one.path}: SHA-256 differs from --sha256: expected ${wrong}, got ${one.digest} (the file is not the one published: download it again) [HASH_MISMATCH]\n`,
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `^ {2}one\\.safetensors +${one.bytes.length} +${one.digest.slice(0, 16)}… +argument +mismatch$`,
        "m",
      ),
    );
    const { doc } = json(["--sha256", wrong, one.path]);
    expect(doc.ok).toBe(false);
    expect(doc.verification.files[0]).toMatchObject({
      expected: wrong,
      sha256: one.digest,
      match: false,
      status: "mismatch",
    });
  });

  it("a flipped data byte is caught though the header is intact", () => {
    // Without --verify the damage is invisible: only the header is read.
    expect(json([flipped.path]).doc.findings).toEqual([]);
    const { status, doc, stderr } = json(["--sha256", one.digest, flipped.path]);
    expect(status).toBe(1);
    expect(codesOf(doc)).toEqual(["error HASH_MISMATCH"]);
    expect(doc.findings[0].message).toBe(
      `SHA-256 differs from --sha256: expected ${one.digest}, got ${flipped.digest}`,
    );
    expect(doc.verification.files[0]).toMatchObject({ sha256: flipped.digest, match: false });
    expect(stderr).toContain(`inspect: ${flipped.path}: SHA-256 differs`);
  });

  it("a file with no expected digest is hashed and its digest reported, to pin it", () => {
    const { status, doc, stderr } = json(["--verify", one.path]);
    expect(status).toBe(0);
    expect(stderr).toBe("");
    expect(doc.verification.files[0]).toMatchObject({
      sha256: one.digest,
      expected: null,
      source: "computed",
      match: null,
      status: "computed",
    });
    expect(codesOf(doc)).toEqual(["info HASH_UNCHECKED"]);
    expect(doc.findings[0].message).toBe(`no expected digest; its SHA-256 is ${one.digest}`);
  });

  it("one digest for several files is a usage error that says to use --checksums", () => {
    const r = inspect(["--sha256", one.digest, sharded.dir]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "inspect: --sha256 gives the digest of one file, but the target has 3 files (list each file's digest in a checksums file and pass it with --checksums)\n",
    );
    expect(inspect(["--sha256", "xyz", one.path]).stderr).toBe(
      'inspect: --sha256 takes 64 hex digits, not "xyz" (see inspect --help)\n',
    );
  });
});

describe("--checksums", () => {
  const sums = (name: string) => path.join(sharded.dir, name);
  const fileRow = (i: number) => ({
    path: sharded.files[i],
    bytes: readFileSync(sharded.files[i]!).length,
    bytesRead: readFileSync(sharded.files[i]!).length,
    sha256: sharded.digests[i],
    expected: sharded.digests[i],
    algorithm: "sha256",
    source: "checksums",
    match: true,
    status: "match",
  });

  it("checks every shard of a sharded checkpoint against sha256sum output", () => {
    const { status, doc, stderr } = json(["--checksums", sums("SHA256SUMS"), sharded.dir]);
    expect(status).toBe(0);
    expect(stderr).toBe("");
    expect(doc.verification.files).toEqual([fileRow(0), fileRow(1), fileRow(2)]);
    expect(doc.findings).toEqual([]);
    const table = inspect(["--checksums", sums("SHA256SUMS"), sharded.dir]).stdout;
    expect(table).toMatch(/^ {2}Verification {2}3 files: 3 match, 0 fail; /m);
  });

  it("one wrong line fails that shard only, naming the line", () => {
    const { status, doc, stderr } = json(["--checksums", sums("SHA256SUMS.wrong"), sharded.dir]);
    expect(status).toBe(1);
    expect(doc.ok).toBe(false);
    expect(doc.verification.files.map((f: { status: string }) => f.status)).toEqual([
      "match",
      "mismatch",
      "match",
    ]);
    expect(codesOf(doc)).toEqual(["error HASH_MISMATCH"]);
    expect(doc.findings[0]).toMatchObject({
      file: sharded.files[1],
      message: `SHA-256 differs from ${sums("SHA256SUMS.wrong")} line 2: expected ${sha256("x")}, got ${sharded.digests[1]}`,
    });
    expect(stderr.split("\n")).toHaveLength(2);
    expect(stderr).toMatch(new RegExp(`^inspect: ${escape(sharded.files[1]!)}: SHA-256 differs`));
  });

  it("a shard the checksums file leaves out is a warning, an error under --strict", () => {
    const { status, doc, stderr } = json(["--checksums", sums("SHA256SUMS.partial"), sharded.dir]);
    expect(status).toBe(0);
    expect(stderr).toBe("");
    expect(doc.verification.files.slice(0, 2)).toEqual([fileRow(0), fileRow(1)]);
    expect(doc.verification.files[2]).toMatchObject({
      path: sharded.files[2],
      sha256: sharded.digests[2],
      expected: null,
      source: "computed",
      match: null,
    });
    expect(codesOf(doc)).toEqual(["warning HASH_UNCHECKED"]);
    expect(doc.findings[0]).toMatchObject({
      file: sharded.files[2],
      message: `not listed in ${sums("SHA256SUMS.partial")}; its SHA-256 is ${sharded.digests[2]}`,
    });
    expect(
      inspect(["--strict", "--checksums", sums("SHA256SUMS.partial"), sharded.dir]).status,
    ).toBe(1);
  });

  it("a listed file that is not there is an error; an unreadable checksums file exits 2", () => {
    const { status, doc } = json(["--checksums", sums("SHA256SUMS.extra"), sharded.dir]);
    expect(status).toBe(1);
    expect(codesOf(doc)).toEqual(["error VERIFY_FILE_MISSING"]);
    expect(doc.verification.files[3]).toMatchObject({
      bytes: 0,
      status: "missing",
      match: false,
    });

    const missing = sums("NOPE");
    const r = inspect(["--checksums", missing, sharded.dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `inspect: ${sharded.dir}: --checksums ${missing}: no such file [CHECKSUMS_UNREADABLE]\n`,
    );
    const j = json(["--checksums", missing, sharded.dir]);
    expect(j.status).toBe(2);
    expect(j.doc.ok).toBe(false);
    expect(codesOf(j.doc)).toEqual(["error CHECKSUMS_UNREADABLE"]);
  });
});

describe("the Hugging Face cache", () => {
  it("verifies a cached model with no expected input: SHA-256 and git blob ids from the blob names", () => {
    const { status, doc, stderr } = json(["--verify", "org/tiny"], {
      env: { HF_HUB_CACHE: hub },
    });
    expect(status).toBe(0);
    expect(stderr).toBe("");
    const snapshot = path.dirname(cached.weights);
    expect(doc.verification.files).toEqual([
      {
        path: cached.weights,
        bytes: one.bytes.length,
        bytesRead: one.bytes.length,
        sha256: one.digest,
        expected: cached.weightsId,
        algorithm: "sha256",
        source: "hf-cache-blob",
        match: true,
        status: "match",
      },
      {
        path: path.join(snapshot, "config.json"),
        bytes: CONFIG.length,
        bytesRead: CONFIG.length,
        sha256: sha256(CONFIG),
        expected: cached.configId,
        algorithm: "git-sha1",
        source: "hf-cache-blob",
        match: true,
        status: "match",
        gitSha1: cached.configId,
      },
    ]);
    expect(codesOf(doc)).toEqual(["info CACHE_SNAPSHOT"]);
  });

  it("catches a damaged blob", () => {
    const repo = path.join(hub, "models--org--damaged");
    const weights = path.join(repo, "snapshots", REV, "model.safetensors");
    const r = inspect(["--verify", repo]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^inspect: ${escape(weights)}: SHA-256 differs from the Hugging Face cache \\(blobs/${one.digest.slice(0, 12)}…\\): expected ${one.digest}, got [0-9a-f]{64} \\(the cached file was damaged or edited: delete it from the cache and download it again\\) \\[HASH_MISMATCH\\]\\n$`,
      ),
    );
    const { doc } = json(["--verify", repo]);
    expect(doc.verification.files.map((f: { status: string }) => f.status)).toEqual([
      "mismatch",
      "match",
    ]);
  });
});

describe("Git LFS pointers", () => {
  it("a target that is itself a pointer: never downloaded, one finding, exit 1", () => {
    const { status, doc, stderr } = json(["--verify", pointer.path]);
    expect(status).toBe(1);
    expect(doc.verification.files).toEqual([
      {
        path: pointer.path,
        bytes: pointer.text.length,
        bytesRead: pointer.text.length,
        sha256: sha256(pointer.text),
        expected: pointer.oid,
        algorithm: "sha256",
        source: "lfs-pointer",
        match: false,
        status: "pointer",
      },
    ]);
    expect(codesOf(doc)).toEqual(["error LFS_POINTER"]);
    expect(stderr.split("\n")).toHaveLength(2);
    expect(stderr).toContain("was never downloaded");
    expect(stderr).toContain("git lfs pull");
  });

  it("--lfs-pointers: a pointer mirroring a single file gives its expected digest", () => {
    const { status, doc } = json(["--lfs-pointers", at("clone"), one.path]);
    expect(status).toBe(0);
    expect(doc.verification.files[0]).toMatchObject({
      expected: one.digest,
      source: "lfs-pointer",
      match: true,
      status: "match",
    });
    expect(doc.findings).toEqual([]);
  });
});

describe("--scan", () => {
  it.each(Object.keys(FLOATS))(
    "%s: NaN and infinities exit 1, listed per tensor in the JSON and the table",
    (dtype) => {
      const file = floats[dtype]!;
      const { counts, tensors } = FLOATS[dtype]!;
      const { status, doc, stderr } = json(["--scan", file]);
      expect(status).toBe(1);
      expect(doc.ok).toBe(false);
      expect(doc.verification.files).toEqual([]);
      const scan = doc.verification.scan;
      expect(scan.tensors).toEqual(
        tensors.map((t) => ({
          name: t.name,
          file,
          dtype,
          nan: counts[t.name]![0],
          inf: counts[t.name]![1],
          zero: false,
          invalidBool: 0,
          complete: true,
        })),
      );
      const withNan = Object.values(counts).filter(([n]) => n > 0).length;
      const withInf = Object.values(counts).filter(([, i]) => i > 0).length;
      expect([scan.nanTensors, scan.infTensors, scan.zeroTensors, scan.invalidBoolTensors]).toEqual(
        [withNan, withInf, 0, 0],
      );
      const expected = Object.entries(counts).flatMap(([name, [nan, inf]]) => [
        ...(nan > 0 ? [`NAN_VALUES ${name}`] : []),
        ...(inf > 0 ? [`INF_VALUES ${name}`] : []),
      ]);
      // F8 files also get an info about the safetensors version they need.
      const errors = doc.findings.filter((f: { severity: string }) => f.severity === "error");
      expect(errors.map((f: { code: string; tensor: string }) => `${f.code} ${f.tensor}`)).toEqual(
        expected,
      );
      expect(stderr.trimEnd().split("\n")).toHaveLength(expected.length);

      const table = inspect(["--scan", file]).stdout;
      expect(table).toContain(
        `  Scan  ${tensors.length} tensor${tensors.length === 1 ? "" : "s"}: ${withNan} with NaN, ${withInf} with infinities, 0 all zero, 0 with bad booleans; `,
      );
      for (const [name, [nan, inf]] of Object.entries(counts)) {
        const row = new RegExp(`^ {2}${escape(name)} +${dtype} +${nan} +${inf}$`, "m");
        // Only suspicious tensors get a row.
        if (nan + inf > 0) expect(table).toMatch(row);
        else expect(table).not.toMatch(row);
      }
    },
  );

  it("an all-zero tensor (+0 and -0) is a warning only: exit 0, nothing on stderr", () => {
    const { status, doc, stderr } = json(["--scan", zeros]);
    expect(status).toBe(0);
    expect(stderr).toBe("");
    expect(doc.ok).toBe(true);
    expect(doc.verification.scan.tensors.map((t: { zero: boolean }) => t.zero)).toEqual([
      true,
      true,
      false,
    ]);
    expect(doc.verification.scan.zeroTensors).toBe(2);
    expect(
      doc.findings.map((f: { severity: string; code: string; tensor: string }) => [
        f.severity,
        f.code,
        f.tensor,
      ]),
    ).toEqual([
      ["warning", "ZERO_TENSOR", "f32.zero"],
      ["warning", "ZERO_TENSOR", "bf16.zero"],
    ]);
    expect(inspect(["--scan", zeros]).stdout).toMatch(/^ {2}f32\.zero +F32 +0 +0 +yes$/m);
  });

  it("BOOL bytes other than 0 and 1 are an error", () => {
    const { status, doc, stderr } = json(["--scan", bools]);
    expect(status).toBe(1);
    expect(
      doc.verification.scan.tensors.map((t: { invalidBool: number }) => t.invalidBool),
    ).toEqual([2, 0]);
    expect(doc.verification.scan.invalidBoolTensors).toBe(1);
    expect(codesOf(doc)).toEqual(["error BOOL_INVALID"]);
    expect(stderr).toBe(
      `inspect: ${bools}: BOOL tensor \`mask\` holds 2 bytes other than 0 and 1 (no framework writes these: the data is corrupt or crafted, and such values are truthy yet unequal to True) [BOOL_INVALID]\n`,
    );
    expect(inspect(["--scan", bools]).stdout).toMatch(/^ {2}mask +BOOL +0 +0 +2$/m);
  });

  it("--verify --scan hash and scan in one pass over the bytes", () => {
    const file = floats.F32!;
    const bytes = readFileSync(file);
    const { status, doc } = json(["--verify", "--scan", "--sha256", sha256(bytes), file]);
    expect(status).toBe(1); // the NaN, not the digest
    expect(doc.verification.files[0]).toMatchObject({ sha256: sha256(bytes), match: true });
    expect(doc.verification.scan.nanTensors).toBe(1);
    expect(doc.verification.bytesRead).toBe(bytes.length);
    expect(doc.verification.bytesTotal).toBe(bytes.length);
    expect(codesOf(doc)).toEqual(["error NAN_VALUES", "error INF_VALUES"]);
  });
});

describe("standard input, progress and Ctrl-C", () => {
  it("--verify - is a usage error: standard input cannot be read twice", () => {
    const message =
      "inspect: --verify and --scan read every byte of every file; name the file instead of `-` (see inspect --help)\n";
    for (const args of [["--verify", "-"], ["--scan", "-"], ["--scan"]]) {
      const r = inspect(args, { input: one.bytes });
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(message);
    }
    // Refused before the first target is reported.
    const r = inspect(["--verify", one.path, "-"], { input: one.bytes });
    expect([r.status, r.stdout, r.stderr]).toEqual([2, "", message]);
  });

  it("draws no progress when stderr is not a terminal: stderr stays empty on a long run", () => {
    const started = performance.now();
    const { status, doc, stderr } = json(["--verify", "--scan", gib]);
    // Long enough that a progress line would have been drawn on a terminal.
    expect(performance.now() - started).toBeGreaterThan(PROGRESS_DELAY_MS);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    const size = statSync(gib).size;
    expect(doc.verification).toMatchObject({
      bytesRead: size,
      bytesTotal: size,
      interrupted: false,
    });
    expect(doc.verification.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(codesOf(doc)).toEqual(["info HASH_UNCHECKED", "warning ZERO_TENSOR"]);
  });

  it("without --verify or --scan no tensor data is read: 32 GB answer at once", () => {
    const started = performance.now();
    const { status, doc } = json([big]);
    expect(status).toBe(0);
    expect(doc).not.toHaveProperty("verification");
    expect(doc.bytes.total).toBeGreaterThan(32e9);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  /** Linux's per-process I/O counters; elsewhere the interrupt falls back to a delay. */
  const PROC_IO = existsSync("/proc/self/io");
  const procIo = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/io`, "utf8");
    } catch {
      return ""; // the process has just ended
    }
  };

  /** Runs the bin on `args`, sends `signal` once hashing is under way, and waits for the end. */
  function interrupted(args: string[], signal: NodeJS.Signals = "SIGINT") {
    return new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        stdio: ["ignore", "pipe", "pipe"],
        // Wide: the sentences matched below stay on one line.
        env: { ...process.env, COLUMNS: "100000" },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      const start = performance.now();
      // Once the process has read 16 MiB (start-up reads under 1 MiB, so several hash blocks:
      // hashing is under way and the worker has hashed some of them; on interrupt it says exactly
      // how many). Where /proc is missing, after 300 ms.
      const poll = setInterval(() => {
        const ready = PROC_IO
          ? Number(/^rchar: (\d+)$/m.exec(procIo(child.pid!))?.[1] ?? 0) >= 16 * 1024 * 1024
          : performance.now() - start >= 300;
        if (ready) {
          clearInterval(poll);
          child.kill(signal);
        }
      }, 20);
      child.on("error", reject);
      child.on("close", (code) => {
        clearInterval(poll);
        resolve({ code, stdout, stderr });
      });
    });
  }

  it("Ctrl-C stops promptly with 130, prints what was done, and says so", async () => {
    const [table, asJson] = await Promise.all([
      interrupted(["--verify", big]),
      interrupted(["--json", "--verify", big]),
    ]);
    for (const r of [table, asJson]) {
      expect(r.code, r.stderr).toBe(130);
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(
        new RegExp(
          `^inspect: ${escape(big)}: interrupted after \\d+\\.\\d\\d GB of 32\\.21 GB: 0 files of 1 checked \\(nothing after the stop was checked; run again to check the rest\\) \\[INTERRUPTED\\]$`,
        ),
      );
      expect(lines[1]).toBe("inspect: interrupted: the report covers what was read before Ctrl-C");
    }
    expect(table.stdout).toMatch(
      /^ {2}Verification {2}1 file: 0 match, 0 fail; .* of 32\.21 GB read before Ctrl-C$/m,
    );
    expect(table.stdout).toMatch(
      new RegExp(
        `^ {2}big\\.safetensors +${statSync(big).size.toLocaleString("en-US")} +computed +interrupted$`,
        "m",
      ),
    );

    const doc = JSON.parse(asJson.stdout);
    assertSchema(doc);
    expect(doc.ok).toBe(false);
    expect(doc.verification.interrupted).toBe(true);
    const f = doc.verification.files[0];
    expect(f).toMatchObject({ sha256: null, match: null, status: "interrupted" });
    // Hashing was under way when the signal came (on Linux, measured; see `interrupted`).
    if (PROC_IO) expect(f.bytesRead).toBeGreaterThan(0);
    expect(f.bytesRead).toBeLessThan(f.bytes);
    expect(doc.verification.bytesRead).toBe(f.bytesRead);
    expect(codesOf(doc)).toEqual(["error INTERRUPTED"]);
  });

  it("SIGTERM stops promptly with 143 and prints what was done", async () => {
    const [table, asJson] = await Promise.all([
      interrupted(["--verify", big], "SIGTERM"),
      interrupted(["--json", "--verify", big], "SIGTERM"),
    ]);
    for (const r of [table, asJson]) {
      expect(r.code, r.stderr).toBe(143);
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/ \[INTERRUPTED\]$/);
      expect(lines[1]).toBe(
        "inspect: terminated (SIGTERM): the report covers what was read before it",
      );
    }
    expect(table.stdout).toMatch(/^ {2}Verification {2}1 file: .* read before SIGTERM$/m);
    const doc = JSON.parse(asJson.stdout);
    assertSchema(doc);
    expect(doc.verification).toMatchObject({ interrupted: true, interruptedBy: "SIGTERM" });
    expect(doc.verification.bytesRead).toBeLessThan(doc.verification.bytesTotal);
  });
});
