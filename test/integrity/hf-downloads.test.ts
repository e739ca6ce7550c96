import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snapshotOf } from "../../src/hub/cache.js";
import { planVerification } from "../../src/integrity/plan.js";
import { verifyFiles } from "../../src/integrity/verify.js";
import { tempDir } from "../helpers/safetensors.js";
import { gitBlobId, le, parse, sha256, writeWeights } from "../integrity/files.js";
import { checkpointFiles } from "../../src/integrity/plan.js";

const tmp = tempDir("inspect-hf-");
afterAll(() => tmp.cleanup());

const REV = "0123456789abcdef0123456789abcdef01234567";
const repo = join(tmp.dir, "hub", "models--org--tiny");
const snapshot = join(repo, "snapshots", REV);
const CONFIG = '{"model_type": "llama"}\n';
const TOKENIZER = '{"version": "1.0"}\n';
let weightsBlob = "";

/** Writes a blob and links a snapshot file to it, relatively, as huggingface_hub does. */
function cached(rel: string, id: string, content: Uint8Array | string | undefined): void {
  if (content !== undefined) writeFileSync(join(repo, "blobs", id), content);
  const depth = rel.split("/").length - 1;
  const up = "../".repeat(depth + 2);
  mkdirSync(join(snapshot, rel, ".."), { recursive: true });
  symlinkSync(`${up}blobs/${id}`, join(snapshot, rel));
}

beforeAll(() => {
  mkdirSync(join(repo, "blobs"), { recursive: true });
  mkdirSync(join(repo, "refs"), { recursive: true });
  mkdirSync(snapshot, { recursive: true });
  writeFileSync(join(repo, "refs", "main"), REV);
  const w = writeWeights(tmp.dir, "staging.safetensors", [
    { name: "w", dtype: "BF16", shape: [4], data: le(2, [0x3f80, 0, 0x7fc0, 0x4000]) },
  ]);
  weightsBlob = sha256(w.bytes);
  cached("model.safetensors", weightsBlob, w.bytes);
  cached("config.json", gitBlobId(Buffer.from(CONFIG)), CONFIG);
  cached("sub/tokenizer.json", gitBlobId(Buffer.from(TOKENIZER)), TOKENIZER);
});

async function modelFile() {
  const f = await parse(join(snapshot, "model.safetensors"));
  return checkpointFiles({ target: snapshot, kind: "file", files: [f], findings: [] });
}

describe("the Hugging Face cache", () => {
  it("locates snapshots from paths", () => {
    expect(snapshotOf(join(snapshot, "sub", "tokenizer.json"))).toEqual({
      repo,
      dir: snapshot,
      commit: REV,
    });
    expect(snapshotOf(snapshot)?.commit).toBe(REV);
    expect(snapshotOf(repo)).toBeUndefined();
  });

  it("verifies a cached model with no input: SHA-256 and git blob ids from the blob names", async () => {
    for (const root of [snapshot, repo]) {
      const plan = await planVerification(await modelFile(), { root });
      expect(plan.files.map((f) => f.path)).toEqual([
        join(snapshot, "model.safetensors"),
        join(root, root === repo ? `snapshots/${REV}/config.json` : "config.json"),
        join(root, root === repo ? `snapshots/${REV}/sub/tokenizer.json` : "sub/tokenizer.json"),
      ]);
      const { verification, findings } = await verifyFiles(plan.files, { scan: true });
      expect(findings.map((f) => f.code)).toEqual(["NAN_VALUES"]);
      expect(verification.files.map((f) => [f.source, f.algorithm, f.status, f.match])).toEqual([
        ["hf-cache-blob", "sha256", "match", true],
        ["hf-cache-blob", "git-sha1", "match", true],
        ["hf-cache-blob", "git-sha1", "match", true],
      ]);
      expect(verification.files[1]!.gitSha1).toBe(gitBlobId(Buffer.from(CONFIG)));
      expect(verification.files[1]!.sha256).toBe(sha256(CONFIG));
    }
  });

  it("without a root (a single file named), verifies just that file", async () => {
    const plan = await planVerification(await modelFile());
    expect(plan.files).toHaveLength(1);
    expect(plan.files[0]!.expected).toMatchObject({ source: "hf-cache-blob", hex: weightsBlob });
  });

  it("names a damaged blob, a link to a missing blob and an interrupted download", async () => {
    const other = join(tmp.dir, "hub", "models--org--broken");
    const snap = join(other, "snapshots", REV);
    mkdirSync(join(other, "blobs"), { recursive: true });
    mkdirSync(snap, { recursive: true });
    const id = gitBlobId(Buffer.from(CONFIG));
    writeFileSync(join(other, "blobs", id), CONFIG.replace("llama", "LLAMA"));
    symlinkSync(`../../blobs/${id}`, join(snap, "config.json"));
    const lost = sha256("never finished");
    symlinkSync(`../../blobs/${lost}`, join(snap, "model.safetensors"));
    writeFileSync(join(other, "blobs", `${lost}.incomplete`), "never fin");

    const plan = await planVerification([], { root: snap });
    expect(plan.findings.map((f) => [f.code, f.severity])).toEqual([
      ["DOWNLOAD_INCOMPLETE", "warning"],
    ]);
    expect(plan.findings[0]!.message).toContain("9 bytes");
    const { verification, findings } = await verifyFiles(plan.files);
    expect(verification.files.map((f) => [f.status, f.match])).toEqual([
      ["mismatch", false],
      ["missing", false],
    ]);
    expect(findings.map((f) => f.code)).toEqual(["HASH_MISMATCH", "VERIFY_FILE_MISSING"]);
    expect(findings[0]!.message).toMatch(/^git blob id differs from the Hugging Face cache/);
    expect(findings[1]!.hint).toContain("download");
  });
});

describe("hf download --local-dir", () => {
  it("uses the ETag huggingface_hub recorded, and says when the file changed after", async () => {
    const dir = join(tmp.dir, "local");
    const meta = join(dir, ".cache", "huggingface", "download");
    mkdirSync(join(meta, "sub"), { recursive: true });
    mkdirSync(join(dir, "sub"), { recursive: true });
    const w = writeWeights(dir, "model.safetensors", [
      { name: "w", dtype: "F32", shape: [1], data: le(4, [0x3f800000]) },
    ]);
    const now = Date.now() / 1000 + 10;
    writeFileSync(join(meta, "model.safetensors.metadata"), `${REV}\n${sha256(w.bytes)}\n${now}\n`);
    writeFileSync(join(dir, "sub", "a.json"), CONFIG);
    writeFileSync(
      join(meta, "sub", "a.json.metadata"),
      `${REV}\n${gitBlobId(Buffer.from(TOKENIZER))}\n1000.5\n`,
    );

    const plan = await planVerification([{ path: w.path }, { path: join(dir, "sub", "a.json") }], {
      root: dir,
    });
    const { verification, findings } = await verifyFiles(plan.files);
    expect(verification.files.map((f) => [f.source, f.algorithm, f.match])).toEqual([
      ["hf-local-dir", "sha256", true],
      ["hf-local-dir", "git-sha1", false],
    ]);
    expect(findings.map((f) => f.code)).toEqual(["HASH_MISMATCH"]);
    expect(findings[0]!.hint).toContain("modified after huggingface_hub downloaded it");
  });
});
