// Issue 13, "must not read outside the target" and "must not say something false", through the
// built CLI: one describe per item. Canary files (and an environment variable) live outside every
// target; their contents must never appear in any output. Each run is bounded by spawnSync's
// timeout (a hang fails the test instead of stalling the suite) and each test by vitest's.

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shardName, writeCheckpoint } from "../helpers/checkpoints.js";
import { inspect as inspectCli, type Result } from "../helpers/cli.js";
import { tempDir } from "../helpers/safetensors.js";
import { assertSchema } from "../helpers/schema.js";
import { le, lfsPointerText, sha256, writeWeights, type DataTensor } from "../integrity/files.js";

const CANARY = `CANARY-${randomBytes(8).toString("hex")}`;
/** A run never takes this long; past it the child is killed and the test fails on its status. */
const RUN_LIMIT_MS = 60_000;
const TEST_LIMIT_MS = 120_000;

const tmp = tempDir("inspect-harden-read-");
afterAll(tmp.cleanup);
const at = (...parts: string[]) => path.join(tmp.dir, ...parts);
const outside = (...parts: string[]) => at("outside", ...parts);

/** Runs the CLI; whatever happens, no canary appears in what it prints. */
function inspect(args: string[], options: Parameters<typeof inspectCli>[1] = {}): Result {
  const r = inspectCli(args, {
    timeout: RUN_LIMIT_MS,
    ...options,
    env: { INSPECT_CANARY: CANARY, ...(options.env ?? {}) },
  });
  expect(r.stdout + r.stderr).not.toContain(CANARY);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  return r;
}

function json(args: string[], options: Parameters<typeof inspectCli>[1] = {}) {
  const r = inspect(["--json", ...args], options);
  expect(r.stdout.trimEnd().split("\n"), r.stderr).toHaveLength(1);
  const doc = JSON.parse(r.stdout);
  assertSchema(doc);
  return { status: r.status, doc, stderr: r.stderr };
}

type Doc = { findings: Array<{ code: string; severity: string; message: string }> };
const codes = (doc: Doc) => doc.findings.map((f) => f.code);
const finding = (doc: Doc, code: string) => doc.findings.find((f) => f.code === code)!;

const TENSORS: DataTensor[] = [
  { name: "a", dtype: "F32", shape: [2], data: le(4, [0x3f800000, 0x40000000]) },
];
const mkfifo = (p: string) => execFileSync("mkfifo", [p]);
const COMMIT = "c".repeat(40);

beforeAll(() => {
  mkdirSync(outside(), { recursive: true });
  writeFileSync(outside("secret.txt"), `${CANARY}\n`);
  writeWeights(outside(), "secret.safetensors", [
    { name: `${CANARY}.weight`, dtype: "F32", shape: [1], data: le(4, [0x3f800000]) },
  ]);
  writeFileSync(outside("config.json"), JSON.stringify({ [CANARY]: 1, model_type: CANARY }));
});

/** A Hugging Face cache holding org/model at COMMIT: one file, linked from the snapshot. */
function cache(name: string): { hub: string; repo: string; snap: string } {
  const hub = at(name);
  const repo = path.join(hub, "models--org--model");
  const snap = path.join(repo, "snapshots", COMMIT);
  mkdirSync(path.join(repo, "blobs"), { recursive: true });
  mkdirSync(path.join(repo, "refs"), { recursive: true });
  mkdirSync(snap, { recursive: true });
  const w = writeWeights(path.join(repo, "blobs"), "x", TENSORS);
  const blob = sha256(w.bytes);
  writeFileSync(path.join(repo, "blobs", blob), w.bytes);
  symlinkSync(path.join("..", "..", "blobs", blob), path.join(snap, "model.safetensors"));
  writeFileSync(path.join(repo, "refs", "main"), COMMIT);
  return { hub, repo, snap };
}

describe("1. a revision is a branch, tag or commit hash, and refs stay in the cache entry", () => {
  it(
    "refuses a path as a revision, a ref linking out, and never quotes a ref",
    () => {
      const { hub, repo } = cache("hub-revision");
      const env = { HF_HUB_CACHE: hub };
      // The revision that read /etc/passwd before: up and out of refs/ to the canary.
      const up = path.relative(path.join(repo, "refs"), outside("secret.txt"));
      for (const revision of [up, `../../../../..${outside("secret.txt")}`, "a/../b", "x\u001b"]) {
        const r = json([`org/model@${revision}`], { env });
        expect(r.status).toBe(2);
        expect(codes(r.doc)).toEqual(["USAGE"]);
        expect(r.doc.findings[0].message).toContain("not a branch, tag or commit hash");
      }
      // Not cached, it would go to the Hub: refused before any request (the endpoint is a
      // loopback port nothing listens on, so a request would fail as REMOTE_UNREACHABLE).
      const online = {
        HF_HUB_CACHE: at("hub-empty"),
        HF_HUB_OFFLINE: "0",
        HF_ENDPOINT: "http://127.0.0.1:9",
      };
      const remote = json([`org/other@${up}`], { env: online });
      expect(remote.status).toBe(2);
      expect(codes(remote.doc)).toEqual(["USAGE"]);
      // Branches with slashes (refs/pr/1 is how PR refs are cached) are still revisions.
      mkdirSync(path.join(repo, "refs", "refs", "pr"), { recursive: true });
      writeFileSync(path.join(repo, "refs", "refs", "pr", "1"), COMMIT);
      expect(json(["org/model@refs/pr/1"], { env }).status).toBe(0);

      symlinkSync(outside("secret.txt"), path.join(repo, "refs", "evil"));
      const evil = json(["org/model@evil"], { env });
      expect(evil.status).toBe(2);
      expect(finding(evil.doc, "TARGET_NOT_CACHED").message).toContain(
        "refs/evil links outside the cache entry",
      );

      // A ref holding anything but a hash is named damaged, its contents never shown.
      writeFileSync(path.join(repo, "refs", "main"), `${CANARY}\n`);
      const damaged = json(["org/model"], { env });
      expect(damaged.status).toBe(2);
      // (Offline, as tests run, it also says the Hub was not asked instead.)
      expect(finding(damaged.doc, "TARGET_NOT_CACHED").message).toMatch(
        /^refs\/main does not hold a commit hash \(40 hex digits\)(;|$)/,
      );
      const table = inspect(["org/model"], { env });
      expect(table.status).toBe(2);
      expect(table.stderr).toContain("refs/main does not hold a commit hash");
    },
    TEST_LIMIT_MS,
  );
});

describe("2. symbolic links leading outside the target are refused", () => {
  it(
    "refuses a shard linked outside, reads it with --follow-symlinks",
    () => {
      const dir = at("linked-shard");
      writeCheckpoint(dir, {
        shards: [
          [{ name: "a", dtype: "F32", shape: [2] }],
          [{ name: `${CANARY}.weight`, dtype: "F32", shape: [1] }],
        ],
      });
      const second = path.join(dir, shardName(1, 2));
      // The index names the canary's tensor; the shard itself is the canary file.
      const index = JSON.parse(
        readFileSync(path.join(dir, "model.safetensors.index.json"), "utf8"),
      );
      delete index.weight_map[`${CANARY}.weight`];
      index.weight_map.b = shardName(1, 2);
      writeFileSync(path.join(dir, "model.safetensors.index.json"), JSON.stringify(index));
      execFileSync("rm", [second]);
      symlinkSync(outside("secret.safetensors"), second);

      const r = json(["--tensors", dir]);
      expect(r.status).toBe(1);
      expect(finding(r.doc, "LINK_OUTSIDE_TARGET").message).toContain(
        `links outside the target, to ${outside("secret.safetensors")}; not read`,
      );
      expect(r.doc.files.map((f: { path: string }) => f.path)).toEqual([
        path.join(dir, shardName(0, 2)),
      ]);

      // The explicit choice reads it: the test above could have failed.
      const followed = inspectCli(["--json", "--tensors", "--follow-symlinks", dir]);
      expect(followed.stdout).toContain(CANARY);
    },
    TEST_LIMIT_MS,
  );

  it(
    "--verify on a snapshot with `root -> outside` and a loop hashes only the snapshot",
    () => {
      const { repo, snap } = cache("hub-links");
      symlinkSync(outside(), path.join(snap, "root"));
      symlinkSync(".", path.join(snap, "loop"));
      symlinkSync(outside("config.json"), path.join(snap, "config.json"));
      const r = json(["--verify", repo]);
      expect(r.status).toBe(1);
      expect(codes(r.doc)).toEqual(
        expect.arrayContaining(["LINK_OUTSIDE_TARGET", "LINK_LOOP", "CACHE_SNAPSHOT"]),
      );
      const hashed = r.doc.verification.files.map((f: { path: string }) => path.basename(f.path));
      expect(hashed).toEqual(["model.safetensors"]);
      // config.json linked outside is not read as the model's config either (its model_type is
      // the canary, which would then show).
      const links = r.doc.findings
        .filter((f: { code: string }) => f.code === "LINK_OUTSIDE_TARGET")
        .map((f: { message: string }) => f.message.split(" links outside")[0]);
      expect(new Set(links)).toEqual(
        new Set([path.join(snap, "config.json"), path.join(snap, "root")]),
      );
    },
    TEST_LIMIT_MS,
  );

  it(
    "--checksums lines with absolute or ../ names are refused, not hashed",
    () => {
      const dir = at("checksums-escape");
      mkdirSync(dir);
      const w = writeWeights(dir, "model.safetensors", TENSORS);
      const secret = sha256(readFileSync(outside("secret.txt")));
      writeFileSync(
        path.join(dir, "SHA256SUMS"),
        [
          `${sha256(w.bytes)}  model.safetensors`,
          `${secret}  ../outside/secret.txt`,
          `${secret}  ${outside("secret.txt")}`,
          "",
        ].join("\n"),
      );
      // Listed names that leave the list's folder are never read, whatever the target.
      for (const target of [w.path, dir]) {
        const r = json(["--checksums", path.join(dir, "SHA256SUMS"), target]);
        expect(r.status).toBe(0);
        expect(r.doc.verification.files.map((f: { path: string }) => f.path)).toEqual([w.path]);
      }
      // A link inside the folder to the canary, listed by its inside name, is refused too.
      symlinkSync(outside("secret.txt"), path.join(dir, "inside.txt"));
      writeFileSync(
        path.join(dir, "SHA256SUMS"),
        `${sha256(w.bytes)}  model.safetensors\n${secret}  inside.txt\n`,
      );
      const r = json(["--checksums", path.join(dir, "SHA256SUMS"), dir]);
      expect(r.status).toBe(1);
      expect(finding(r.doc, "LINK_OUTSIDE_TARGET").message).toContain("inside.txt links outside");
      expect(r.doc.verification.files.map((f: { path: string }) => f.path)).toEqual([w.path]);
    },
    TEST_LIMIT_MS,
  );
});

describe("3. only regular files are read, small ones with a bound", () => {
  it(
    "FIFOs as an index, a ref, config.json and a pointer are refused without blocking",
    () => {
      const dir = at("fifo-index");
      mkdirSync(dir);
      writeWeights(dir, shardName(0, 1), TENSORS);
      mkfifo(path.join(dir, "model.safetensors.index.json"));
      const index = json([dir]);
      expect(index.status).toBe(1);
      expect(finding(index.doc, "INDEX_INVALID").message).toContain("is not a regular file");

      const single = at("fifo-config");
      mkdirSync(single);
      const w = writeWeights(single, "model.safetensors", TENSORS);
      mkfifo(path.join(single, "config.json"));
      mkfifo(path.join(single, "model.safetensors.pointer"));
      expect(json([w.path]).status).toBe(0);
      const verified = json(["--verify", w.path]);
      expect(verified.status).toBe(0);
      expect(verified.doc.verification.files[0].status).toBe("computed");

      const { hub, repo } = cache("hub-fifo");
      execFileSync("rm", [path.join(repo, "refs", "main")]);
      mkfifo(path.join(repo, "refs", "main"));
      const ref = json(["org/model"], { env: { HF_HUB_CACHE: hub } });
      expect(ref.status).toBe(2);
      expect(finding(ref.doc, "TARGET_NOT_CACHED").message).toContain(
        "refs/main is not a regular file",
      );
    },
    TEST_LIMIT_MS,
  );

  it(
    "devices and /proc files are refused even when links are followed",
    () => {
      const dir = at("devices");
      mkdirSync(dir);
      writeWeights(dir, shardName(0, 2), TENSORS);
      symlinkSync("/proc/self/environ", path.join(dir, shardName(1, 2)));
      writeFileSync(
        path.join(dir, "model.safetensors.index.json"),
        JSON.stringify({ weight_map: { a: shardName(0, 2), b: shardName(1, 2) } }),
      );
      const proc = json(["--follow-symlinks", dir]);
      expect(proc.status).toBe(1);
      expect(finding(proc.doc, "SHARD_MISSING").message).toContain("kernel pseudo-file (/proc)");
      const direct = json(["/proc/self/environ"]);
      expect(direct.status).toBe(2);
      expect(codes(direct.doc)).toEqual(["TARGET_UNSUPPORTED"]);

      const zero = at("dev-zero");
      mkdirSync(zero);
      writeWeights(zero, shardName(0, 1), TENSORS);
      symlinkSync("/dev/zero", path.join(zero, "model.safetensors.index.json"));
      const refused = json([zero]);
      expect(codes(refused.doc)).toContain("LINK_OUTSIDE_TARGET");
      const followed = json(["--follow-symlinks", zero]);
      expect(followed.status).toBe(1);
      expect(finding(followed.doc, "INDEX_INVALID").message).toContain("is not a regular file");
    },
    TEST_LIMIT_MS,
  );

  it(
    "an oversized config.json is refused by its size, not read",
    () => {
      const dir = at("big-config");
      mkdirSync(dir);
      const w = writeWeights(dir, "model.safetensors", TENSORS);
      const fd = openSync(path.join(dir, "config.json"), "w");
      ftruncateSync(fd, 17 * 1024 * 1024);
      closeSync(fd);
      expect(w.path).toBe(path.join(dir, "model.safetensors"));
      const r = json([dir]);
      expect(r.status).toBe(0);
      expect(finding(r.doc, "CONFIG_INVALID").message).toBe(
        "config.json is 17,825,792 bytes, above the 16,777,216 bytes a model config may take; ignored",
      );
    },
    TEST_LIMIT_MS,
  );
});

describe("4. hashing hashes the size seen at open and says when the file changed", () => {
  let writer: ChildProcess | undefined;
  afterAll(() => writer?.kill());

  it(
    "reports a file appended to while it was hashed",
    async () => {
      const dir = at("growing");
      mkdirSync(dir);
      const w = writeWeights(dir, "model.safetensors", TENSORS);
      const grow = path.join(dir, "grow.bin");
      // Large enough (sparse) that hashing it outlasts many appends.
      const fd = openSync(grow, "w");
      ftruncateSync(fd, 256 * 1024 * 1024);
      closeSync(fd);
      writer = spawn(
        process.execPath,
        [
          "-e",
          `const fs=require("fs");setInterval(()=>fs.appendFileSync(${JSON.stringify(grow)},"x".repeat(4096)),1)`,
        ],
        { stdio: "ignore" },
      );
      // The writer has started once the file has grown.
      while (statSync(grow).size === 256 * 1024 * 1024) await new Promise((r) => setTimeout(r, 5));
      writeFileSync(
        path.join(dir, "SHA256SUMS"),
        `${sha256(w.bytes)}  model.safetensors\n${"0".repeat(64)}  grow.bin\n`,
      );
      // The folder is the target: its listed files are verified, grow.bin among them.
      const r = json(["--checksums", path.join(dir, "SHA256SUMS"), dir]);
      writer.kill();
      expect(r.status).toBe(1);
      const changed = finding(r.doc, "FILE_CHANGED");
      expect(changed.message).toContain("it grew while it was read");
      const file = r.doc.verification.files.find((f: { path: string }) =>
        f.path.endsWith("grow.bin"),
      );
      expect(file.status).toBe("unreadable");
      expect(file.match).toBe(false);
      // What was hashed is the size at open, not what the writer added after.
      expect(BigInt(file.bytesRead)).toBe(BigInt(file.bytes));
    },
    TEST_LIMIT_MS,
  );
});

describe("10. one file listed twice under two spellings with two digests is a conflict", () => {
  it(
    "x and ./x with different digests exit 1",
    () => {
      const dir = at("two-spellings");
      mkdirSync(dir);
      const w = writeWeights(dir, "model.safetensors", TENSORS);
      writeFileSync(
        path.join(dir, "SHA256SUMS"),
        `${sha256(w.bytes)}  model.safetensors\n${"0".repeat(64)}  ./model.safetensors\n`,
      );
      const r = json(["--checksums", path.join(dir, "SHA256SUMS"), w.path]);
      expect(r.status).toBe(1);
      const conflict = r.doc.findings.find(
        (f: { code: string; severity: string }) =>
          f.code === "CHECKSUMS_MALFORMED" && f.severity === "error",
      );
      expect(conflict.message).toContain(
        'line 2: a second, different digest for "./model.safetensors", the file line 1 names as "model.safetensors"',
      );
    },
    TEST_LIMIT_MS,
  );
});

describe("11. a key repeated at any level of an index or config.json is an error", () => {
  it(
    "two weight_maps, a repeated metadata key and a repeated config key",
    () => {
      const dir = at("duplicates");
      writeCheckpoint(dir, { shards: [[{ name: "a", dtype: "F32", shape: [2] }]] });
      const shard = shardName(0, 1);
      const indexPath = path.join(dir, "model.safetensors.index.json");
      writeFileSync(
        indexPath,
        `{"weight_map": {"a": "${shard}"}, "weight_map": {"b": "${shard}"}}`,
      );
      const two = json([dir]);
      expect(two.status).toBe(1);
      expect(finding(two.doc, "INDEX_INVALID").message).toContain("two weight_map objects");

      writeFileSync(
        indexPath,
        `{"metadata": {"total_size": 8, "total_size": 9, "x": {"y": 1, "y": 2}}, "weight_map": {"a": "${shard}"}}`,
      );
      const meta = json([dir]);
      expect(meta.status).toBe(1);
      expect(
        meta.doc.findings.filter((f: { code: string }) => f.code === "DUPLICATE_KEY"),
      ).toHaveLength(2);

      writeFileSync(indexPath, `{"weight_map": {"a": "${shard}"}}`);
      writeFileSync(
        path.join(dir, "config.json"),
        '{"model_type": "llama", "text_config": {"hidden_size": 64, "hidden_size": 4096}}',
      );
      const config = json([dir]);
      expect(config.status).toBe(1);
      expect(finding(config.doc, "DUPLICATE_KEY").message).toBe(
        'config.json repeats key "hidden_size" in text_config; the last is used, as Python\'s json does',
      );
    },
    TEST_LIMIT_MS,
  );
});

describe("12. a verification that checked nothing it was asked to check fails", () => {
  it(
    "checksums files with no usable line exit 2; malformed pointers exit 1",
    () => {
      const dir = at("nothing-checked");
      mkdirSync(dir);
      const w = writeWeights(dir, "model.safetensors", TENSORS);
      const line = `${sha256(w.bytes)}  model.safetensors\n`;
      const sums = path.join(dir, "SUMS");
      const cases: Array<[string | Buffer, string]> = [
        ["\uFEFF" + line, "byte-order mark"],
        [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(line, "utf16le")]), "UTF-16"],
        [Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x00, 0x01, 0xff]), "binary"],
        ["not a checksum at all\n", "none of its 1 line can be used"],
      ];
      for (const [content, why] of cases) {
        writeFileSync(sums, content);
        const r = json(["--checksums", sums, w.path]);
        expect(r.status).toBe(2);
        expect(finding(r.doc, "CHECKSUMS_UNREADABLE").message).toContain(why);
      }

      const clone = at("nothing-checked-clone");
      mkdirSync(clone);
      writeFileSync(
        path.join(clone, "model.safetensors"),
        "version https://git-lfs.github.com/spec/v1\noid sha256:short\nsize 12\n",
      );
      const r = json(["--lfs-pointers", clone, w.path]);
      expect(r.status).toBe(1);
      expect(codes(r.doc)).toEqual(
        expect.arrayContaining(["LFS_POINTER_INVALID", "NOTHING_VERIFIED"]),
      );
      // A good pointer checks the file: the same run passes.
      writeFileSync(
        path.join(clone, "model.safetensors"),
        lfsPointerText(sha256(w.bytes), w.bytes.length),
      );
      expect(json(["--lfs-pointers", clone, w.path]).status).toBe(0);
    },
    TEST_LIMIT_MS,
  );
});

describe("13. standard input named twice", () => {
  it(
    "`inspect - -` is a usage error, and reads nothing",
    () => {
      const w = writeWeights(tmp.dir, "stdin.safetensors", TENSORS);
      const r = inspect(["-", "-"], { input: w.bytes });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("`-` is named twice: standard input can be read only once");
      const doc = json(["-", "-"], { input: w.bytes });
      expect(doc.status).toBe(2);
      expect(codes(doc.doc)).toEqual(["USAGE"]);
    },
    TEST_LIMIT_MS,
  );
});

describe("14. impossible config values are findings, and the estimate does not use them", () => {
  it(
    "num_key_value_heads 0 gives no 0-byte KV cache",
    () => {
      const dir = at("impossible");
      mkdirSync(dir);
      writeWeights(dir, "model.safetensors", TENSORS);
      const config = {
        model_type: "llama",
        num_hidden_layers: 2,
        hidden_size: 64,
        num_attention_heads: 4,
        num_key_value_heads: 0,
      };
      writeFileSync(path.join(dir, "config.json"), JSON.stringify(config));
      const r = json(["--gpu", "h100", dir]);
      expect(r.status).toBe(1);
      expect(finding(r.doc, "CONFIG_IMPOSSIBLE").message).toBe(
        "config.json: num_key_value_heads is 0, and a model has at least 1; not used",
      );
      const a = r.doc.hardware.assumptions;
      expect(a.kvCacheKnown).toBe(false);
      expect(a.kvBytesPerToken).toBeNull();
      expect(a.notes.join("\n")).toContain(
        "KV cache unknown (config.json's values cannot be used: num_key_value_heads is 0",
      );

      writeFileSync(
        path.join(dir, "config.json"),
        JSON.stringify({ ...config, num_key_value_heads: 3, num_hidden_layers: -2 }),
      );
      const both = json([dir]);
      expect(
        both.doc.findings.filter((f: { code: string }) => f.code === "CONFIG_IMPOSSIBLE"),
      ).toHaveLength(2);
    },
    TEST_LIMIT_MS,
  );
});

describe("15. messages that were false", () => {
  it(
    "no 'more errors in the report' when no report is printed; one JSON document for a usage error",
    () => {
      const dir = at("all-missing");
      writeCheckpoint(dir, {
        shards: Array.from({ length: 25 }, (_, i) => [
          { name: `t${i}`, dtype: "F32" as const, shape: [1] },
        ]),
      });
      for (let i = 0; i < 25; i++) execFileSync("rm", [path.join(dir, shardName(i, 25))]);
      // Every shard missing: the index still gives a (partial) report, so the rest are in it;
      // the report lists 20 and counts 5 in one line, which stands for 5 errors, not one.
      const missing = inspect([dir]);
      expect(missing.status).toBe(1);
      expect(missing.stdout).not.toBe("");
      expect(missing.stderr).toContain("inspect: " + dir + ": 15 more errors in the report");

      // Twelve weights all linked outside: nothing to tabulate, so no report to point to.
      const links = at("all-outside");
      mkdirSync(links);
      for (let i = 0; i < 12; i++)
        symlinkSync(outside("secret.safetensors"), path.join(links, `w${i}.safetensors`));
      const r = inspect([links]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("3 more errors not shown; --json lists them all");
      expect(r.stderr).not.toContain("in the report");
      const all = json([links]);
      expect(codes(all.doc).filter((c: string) => c === "LINK_OUTSIDE_TARGET")).toHaveLength(12);

      const usage = json(["--no-such-option", dir]);
      expect(usage.status).toBe(2);
      expect(codes(usage.doc)).toEqual(["USAGE"]);
      expect(usage.doc.findings[0].message).toContain("--no-such-option");
    },
    TEST_LIMIT_MS,
  );

  it(
    "an oversized or unreadable refs/main is reported as such, not as missing",
    () => {
      const { hub, repo } = cache("hub-refs");
      const env = { HF_HUB_CACHE: hub };
      writeFileSync(path.join(repo, "refs", "main"), CANARY.repeat(200));
      const big = json(["org/model"], { env });
      expect(big.status).toBe(2);
      expect(finding(big.doc, "TARGET_NOT_CACHED").message).toMatch(
        /^refs\/main is [\d,]+ bytes, above the 1,024 bytes a ref may take(;|$)/,
      );
      execFileSync("rm", [path.join(repo, "refs", "main")]);
      mkdirSync(path.join(repo, "refs", "main"));
      const dir = json(["org/model"], { env });
      expect(dir.status).toBe(2);
      expect(finding(dir.doc, "TARGET_NOT_CACHED").message).toMatch(
        /^refs\/main is a directory(;|$)/,
      );
    },
    TEST_LIMIT_MS,
  );
});
