// Targets of every kind, and each cross-check with a broken variant.

import { mkdirSync, symlinkSync, writeFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../helpers/load.js";
import type { Checkpoint } from "../../src/checkpoint/checkpoint.js";
import { shardName, SMALL_MODEL, SMALL_SHARDS, writeCheckpoint } from "../helpers/checkpoints.js";
import { inspect } from "../helpers/cli.js";
import { safetensorsFile, tempDir, type TensorSpec } from "../helpers/safetensors.js";
import { declaredBytesOf, headerBytesOf } from "../../src/formats/weights.js";

const tmp = tempDir("inspect-ckpt-");
afterAll(tmp.cleanup);
let n = 0;
const fresh = (label: string) => path.join(tmp.dir, `${label}-${n++}`);

const MODEL = SMALL_MODEL;
const SHARDS = SMALL_SHARDS;

const codes = (cp: Checkpoint) =>
  [...cp.findings, ...cp.files.flatMap((f) => f.findings)].map((f) => f.code);
const errors = (cp: Checkpoint) =>
  [...cp.findings, ...cp.files.flatMap((f) => f.findings)]
    .filter((f) => f.severity === "error")
    .map((f) => f.code);

describe("sharded folders", () => {
  it("reads every shard named by the index, in index order", async () => {
    const dir = fresh("ok");
    const { totalSize } = writeCheckpoint(dir, { shards: SHARDS, config: { model_type: "llama" } });
    const cp = await loadCheckpoint(dir);
    expect(cp.kind).toBe("sharded");
    expect(errors(cp)).toEqual([]);
    expect(cp.files.map((f) => path.basename(f.name))).toEqual([
      shardName(0, 3),
      shardName(1, 3),
      shardName(2, 3),
    ]);
    expect(cp.files.reduce((a, f) => a + declaredBytesOf(f) - headerBytesOf(f) - 8n, 0n)).toBe(
      totalSize,
    );
    expect(cp.index).toMatchObject({
      totalSize,
      tensorCount: MODEL.length,
      shards: [shardName(0, 3), shardName(1, 3), shardName(2, 3)],
    });
    expect(cp.config).toEqual({ model_type: "llama" });
    expect(cp.configPath).toBe(path.join(dir, "config.json"));
  });

  it("reads the same set when the index file itself is the target", async () => {
    const dir = fresh("via-index");
    writeCheckpoint(dir, { shards: SHARDS });
    const cp = await loadCheckpoint(path.join(dir, "model.safetensors.index.json"));
    expect(cp.kind).toBe("sharded");
    expect(cp.files).toHaveLength(3);
    expect(errors(cp)).toEqual([]);
  });

  it("reports a missing shard as an error without hiding the other shards' findings", async () => {
    const dir = fresh("missing");
    const { files } = writeCheckpoint(dir, { shards: SHARDS });
    writeFileSync(files[0]!, readFileSync(files[0]!).subarray(0, 40)); // truncated inside its header
    const { rmSync } = await import("node:fs");
    rmSync(files[1]!);
    const cp = await loadCheckpoint(dir);
    expect(errors(cp).sort()).toEqual(["INVALID_HEADER_LENGTH", "SHARD_MISSING"]);
    expect(cp.findings.find((f) => f.code === "SHARD_MISSING")!.message).toBe(
      `${shardName(1, 3)} is missing`,
    );
    expect(cp.files).toHaveLength(2);
    // Tensors of the missing shard are not reported one by one as missing.
    expect(codes(cp)).not.toContain("TENSOR_MISSING_FROM_SHARD");
    const r = inspect([dir]);
    expect(r.status).toBe(1);
  });

  // Findings are capped per code: the loader builds the first MAX_FINDINGS_PER_CODE and counts
  // the rest, for both ways a store reads shards (concurrent reads behind a small index,
  // blocking reads behind one of 2 MB or more).
  for (const [label, shards, tensorsPerShard] of [
    ["small index", 60, 1],
    ["large index", 3_000, 12],
  ] as const) {
    it(`reports ${shards} absent shards (${label}) as 20 findings and a count`, async () => {
      const dir = fresh("absent-many");
      mkdirSync(dir, { recursive: true });
      const weightMap: Record<string, string> = {};
      for (let s = 0; s < shards; s++)
        for (let t = 0; t < tensorsPerShard; t++)
          weightMap[`model.layers.${s}.mlp.experts.${t}.down_proj.weight_scale_inv`] = shardName(
            s,
            shards,
          );
      writeFileSync(
        path.join(dir, "model.safetensors.index.json"),
        JSON.stringify({ metadata: {}, weight_map: weightMap }),
      );
      const cp = await loadCheckpoint(dir);
      const missing = cp.findings.filter((f) => f.code === "SHARD_MISSING");
      expect(missing).toHaveLength(21);
      expect(missing[0]!.message).toBe(`${shardName(0, shards)} is missing`);
      expect(missing[19]!.message).toBe(`${shardName(19, shards)} is missing`);
      expect(missing[20]!.omitted).toBe(shards - 20);
      expect(cp.partial?.missingCount).toBe(shards);
    });
  }

  it("reports a tensor the index lists but its shard lacks", async () => {
    const dir = fresh("absent");
    writeCheckpoint(dir, {
      shards: SHARDS,
      index: (ix) => (ix.weight_map["model.ghost.weight"] = shardName(0, 3)),
    });
    const cp = await loadCheckpoint(dir);
    const f = cp.findings.find((x) => x.code === "TENSOR_MISSING_FROM_SHARD")!;
    expect(f.severity).toBe("error");
    expect(f.tensor).toBe("model.ghost.weight");
    expect(f.message).toContain(shardName(0, 3));
  });

  it("says where a tensor is when the index points at the wrong shard", async () => {
    const dir = fresh("moved");
    const moved = SHARDS[2]![0]!.name;
    writeCheckpoint(dir, {
      shards: SHARDS,
      index: (ix) => (ix.weight_map[moved] = shardName(0, 3)),
    });
    const cp = await loadCheckpoint(dir);
    const f = cp.findings.find((x) => x.code === "TENSOR_MISSING_FROM_SHARD")!;
    expect(f.tensor).toBe(moved);
    expect(f.hint).toBe(`it is in ${shardName(2, 3)}`);
  });

  it("reports a tensor stored in two shards", async () => {
    const dir = fresh("twice");
    const shards = SHARDS.map((s) => [...s]);
    shards[2]!.push(SHARDS[0]![0]!);
    writeCheckpoint(dir, { shards });
    const cp = await loadCheckpoint(dir);
    const f = cp.findings.find((x) => x.code === "TENSOR_IN_TWO_SHARDS")!;
    expect(f.severity).toBe("error");
    expect(f.message).toBe(
      `tensor \`${SHARDS[0]![0]!.name}\` is stored in both ${shardName(0, 3)} and ${shardName(2, 3)}`,
    );
  });

  it("warns about a shard tensor the index does not list", async () => {
    const dir = fresh("unlisted");
    const extra = SHARDS[1]![0]!.name;
    writeCheckpoint(dir, { shards: SHARDS, index: (ix) => delete ix.weight_map[extra] });
    const cp = await loadCheckpoint(dir);
    expect(cp.findings.find((x) => x.code === "TENSOR_NOT_IN_INDEX")).toMatchObject({
      severity: "warning",
      tensor: extra,
    });
    expect(errors(cp)).toEqual([]);
  });

  it("warns when total_size is not the sum of tensor bytes (e.g. the sum of file sizes)", async () => {
    const dir = fresh("total");
    writeCheckpoint(dir, { shards: SHARDS, index: (ix) => (ix.metadata.total_size = 123) });
    const cp = await loadCheckpoint(dir);
    const f = cp.findings.find((x) => x.code === "TOTAL_SIZE_MISMATCH")!;
    expect(f.severity).toBe("warning");
    expect(f.message).toContain("total_size is 123");
  });

  it.each([
    ["../escape.safetensors", "'.' or '..' segment"],
    ["/etc/passwd", "absolute path"],
    ["%2e%2e/x.safetensors", "once percent-decoded"],
    ["%252e%252e/x.safetensors", "once percent-decoded"],
    ["https://example.com/x.safetensors", "URL"],
    ["a\\b.safetensors", "backslash"],
    ["C:x.safetensors", "colon"],
    ["sub//x.safetensors", "empty path segment"],
  ])("refuses the shard name %s", async (bad, why) => {
    const dir = fresh("unsafe");
    writeCheckpoint(dir, {
      shards: SHARDS,
      index: (ix) => (ix.weight_map[SHARDS[0]![0]!.name] = bad),
    });
    const cp = await loadCheckpoint(dir);
    const f = cp.findings.find((x) => x.code === "SHARD_NAME_UNSAFE")!;
    expect(f.severity).toBe("error");
    expect(f.message).toContain(why);
    expect(cp.files.map((x) => x.name)).not.toContain(path.join(dir, bad));
  });

  it("accepts a shard in a subfolder", async () => {
    const dir = fresh("subfolder");
    mkdirSync(path.join(dir, "weights"), { recursive: true });
    writeCheckpoint(dir, {
      shards: SHARDS,
      names: SHARDS.map((_, i) => `weights/${shardName(i, 3)}`),
    });
    const cp = await loadCheckpoint(dir);
    expect(errors(cp)).toEqual([]);
    expect(cp.files).toHaveLength(3);
  });

  it("warns when -of-N disagrees with the shards present", async () => {
    const dir = fresh("count");
    writeCheckpoint(dir, { shards: SHARDS, names: SHARDS.map((_, i) => shardName(i, 5)) });
    const cp = await loadCheckpoint(dir);
    const f = cp.findings.find((x) => x.code === "SHARD_COUNT_MISMATCH")!;
    expect(f.severity).toBe("warning");
    expect(f.message).toBe("3 shards named -of-00005, but the names say 5");
  });

  it("reports a consolidated copy beside the shards without counting it", async () => {
    const dir = fresh("consolidated");
    writeCheckpoint(dir, { shards: SHARDS });
    writeFileSync(
      path.join(dir, "consolidated.safetensors"),
      safetensorsFile(MODEL, { metadata: { format: "pt" } }),
    );
    const cp = await loadCheckpoint(dir);
    expect(cp.files).toHaveLength(3);
    const f = cp.findings.find((x) => x.code === "UNREFERENCED_WEIGHTS")!;
    expect(f.severity).toBe("warning");
    expect(f.message).toMatch(
      /^consolidated\.safetensors \(\d[\d,]* bytes\) is in the folder but not named by model\.safetensors\.index\.json; not counted$/,
    );
  });

  it("notes shards whose __metadata__ differ", async () => {
    const dir = fresh("meta");
    writeCheckpoint(dir, { shards: SHARDS });
    writeFileSync(
      path.join(dir, shardName(1, 3)),
      safetensorsFile(SHARDS[1]!, { metadata: { format: "pt", extra: "1" } }),
    );
    const cp = await loadCheckpoint(dir);
    expect(cp.findings.find((x) => x.code === "SHARD_METADATA_DIFFERS")).toMatchObject({
      severity: "info",
    });
  });

  it("rejects an index that is not an index, and one that lists a tensor twice", async () => {
    const dir = fresh("badindex");
    writeCheckpoint(dir, { shards: SHARDS });
    writeFileSync(
      path.join(dir, "model.safetensors.index.json"),
      '{"metadata": {}, "weight_map": {"a": "x.safetensors",}}',
    );
    const cp = await loadCheckpoint(dir);
    expect(errors(cp)).toEqual(["INDEX_INVALID"]);
    expect(cp.findings[0]!.message).toContain("trailing comma");
    const twice = JSON.stringify({
      weight_map: { [SHARDS[0]![0]!.name]: shardName(0, 3) },
    }).replace("}}", `, "${SHARDS[0]![0]!.name}": "${shardName(1, 3)}"}}`);
    writeFileSync(path.join(dir, "model.safetensors.index.json"), twice);
    const cp2 = await loadCheckpoint(dir);
    expect(cp2.findings.find((x) => x.code === "INDEX_INVALID")!.message).toContain("twice");
  });

  it("keeps total_size exact above 2^53", async () => {
    const dir = fresh("bigtotal");
    writeCheckpoint(dir, { shards: SHARDS });
    const text = readFileSync(path.join(dir, "model.safetensors.index.json"), "utf8").replace(
      /"total_size": \d+/,
      '"total_size": 9007199254740993',
    );
    writeFileSync(path.join(dir, "model.safetensors.index.json"), text);
    const cp = await loadCheckpoint(dir);
    expect(cp.index!.totalSize).toBe(9007199254740993n);
    expect(cp.findings.find((x) => x.code === "TOTAL_SIZE_MISMATCH")!.message).toContain(
      "9,007,199,254,740,993",
    );
  });

  it("reads forty shards concurrently and reports each broken one", async () => {
    const dir = fresh("many");
    const many = Array.from({ length: 40 }, (_, i) => [
      { name: `t${i}`, dtype: "F32", shape: [4] } as TensorSpec,
    ]);
    const { files } = writeCheckpoint(dir, { shards: many });
    for (const i of [3, 17, 38])
      writeFileSync(files[i]!, Buffer.from("<html><title>Rate limited</title></html>"));
    const cp = await loadCheckpoint(dir);
    expect(cp.files).toHaveLength(40);
    expect(errors(cp)).toEqual(["HTML_DOCUMENT", "HTML_DOCUMENT", "HTML_DOCUMENT"]);
  });
});

describe("folders without an index", () => {
  it("reads a folder holding one model.safetensors, with its config", async () => {
    const dir = fresh("single");
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, "model.safetensors"),
      safetensorsFile(MODEL, { metadata: { format: "pt" } }),
    );
    writeFileSync(path.join(dir, "config.json"), '{"model_type": "llama", "num_hidden_layers": 3}');
    const cp = await loadCheckpoint(dir);
    expect(cp.kind).toBe("files");
    expect(cp.files).toHaveLength(1);
    expect(cp.config).toEqual({ model_type: "llama", num_hidden_layers: 3 });
  });

  it("makes a missing metadata format a warning beside a transformers config, info otherwise", async () => {
    const bare = safetensorsFile(MODEL, { metadata: { source: "x" } });
    const dir = fresh("format");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "model.safetensors"), bare);
    const without = await loadCheckpoint(dir);
    expect(without.files[0]!.findings.find((f) => f.code === "METADATA_FORMAT")!.severity).toBe(
      "info",
    );
    writeFileSync(
      path.join(dir, "config.json"),
      '{"architectures": ["LlamaForCausalLM"], "model_type": "llama"}',
    );
    const withConfig = await loadCheckpoint(dir);
    const f = withConfig.files[0]!.findings.find((x) => x.code === "METADATA_FORMAT")!;
    expect(f.severity).toBe("warning");
    expect(f.hint).toContain("from_pretrained");
    writeFileSync(path.join(dir, "config.json"), '{"_class_name": "AutoencoderKL"}');
    expect(
      (await loadCheckpoint(dir)).files[0]!.findings.find((x) => x.code === "METADATA_FORMAT")!
        .severity,
    ).toBe("info");
  });

  it("reads a shard set without its index, checking the set", async () => {
    const dir = fresh("noindex");
    const shards = SHARDS.map((s) => [...s]);
    shards[1]!.push(SHARDS[0]![0]!);
    writeCheckpoint(dir, { shards, index: false });
    const cp = await loadCheckpoint(dir);
    expect(cp.kind).toBe("files");
    expect(cp.files).toHaveLength(3);
    expect(errors(cp)).toEqual(["TENSOR_IN_TWO_SHARDS"]);
  });

  it("reports unrelated files as separate components, and skips variants", async () => {
    const dir = fresh("loose");
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, "a.safetensors"),
      safetensorsFile([{ name: "w", dtype: "F32", shape: [2] }], { metadata: { format: "pt" } }),
    );
    writeFileSync(
      path.join(dir, "b.safetensors"),
      safetensorsFile([{ name: "w", dtype: "F32", shape: [3] }], { metadata: { format: "pt" } }),
    );
    writeFileSync(
      path.join(dir, "a.fp16.safetensors"),
      safetensorsFile([{ name: "w", dtype: "F16", shape: [2] }], { metadata: { format: "pt" } }),
    );
    const cp = await loadCheckpoint(dir);
    expect(cp.kind).toBe("components");
    expect(cp.components!.map((c) => c.name)).toEqual(["a.safetensors", "b.safetensors"]);
    expect(cp.files).toHaveLength(2);
    expect(errors(cp)).toEqual([]);
    expect(cp.findings.find((f) => f.code === "UNREFERENCED_WEIGHTS")!.message).toContain(
      "a.fp16.safetensors is a variant",
    );
  });

  it("reads diffusers-style components, each with its own config", async () => {
    const dir = fresh("diffusers");
    for (const [sub, shape] of [
      ["unet", [8, 8]],
      ["vae", [4]],
      ["text_encoder", [16]],
    ] as const) {
      mkdirSync(path.join(dir, sub), { recursive: true });
      writeFileSync(
        path.join(dir, sub, "diffusion_pytorch_model.safetensors"),
        safetensorsFile([{ name: `${sub}.w`, dtype: "F16", shape: [...shape] }], {
          metadata: { format: "pt" },
        }),
      );
      writeFileSync(path.join(dir, sub, "config.json"), JSON.stringify({ _class_name: sub }));
    }
    writeFileSync(path.join(dir, "model_index.json"), "{}");
    mkdirSync(path.join(dir, "tokenizer"));
    const cp = await loadCheckpoint(dir);
    expect(cp.kind).toBe("components");
    expect(cp.components!.map((c) => c.name)).toEqual(["text_encoder", "unet", "vae"]);
    expect(cp.components!.map((c) => c.checkpoint.config)).toEqual([
      { _class_name: "text_encoder" },
      { _class_name: "unet" },
      { _class_name: "vae" },
    ]);
    expect(cp.files).toHaveLength(3);
  });

  it("says a folder without safetensors has no weights (exit 2), naming what it holds", async () => {
    const dir = fresh("empty");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "pytorch_model.bin"), "x");
    const cp = await loadCheckpoint(dir);
    expect(errors(cp)).toEqual(["TARGET_NO_WEIGHTS"]);
    expect(cp.findings[0]!.hint).toContain("pytorch_model.bin");
    const r = inspect([dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("[TARGET_NO_WEIGHTS]");
  });
});

describe("the Hugging Face cache", () => {
  const COMMIT = "0123456789abcdef0123456789abcdef01234567";
  const OTHER = "fedcba9876543210fedcba9876543210fedcba98";

  /** A cache repo folder with blobs and a snapshot of symlinks, as huggingface_hub lays it out. */
  function cacheRepo(hub: string, repo: string, withRef = true): string {
    const repoDir = path.join(hub, `models--${repo.replace("/", "--")}`);
    const blobs = path.join(repoDir, "blobs");
    const snap = path.join(repoDir, "snapshots", COMMIT);
    mkdirSync(blobs, { recursive: true });
    mkdirSync(snap, { recursive: true });
    const tmpShards = path.join(repoDir, "tmp");
    writeCheckpoint(tmpShards, { shards: SHARDS, config: { model_type: "llama" } });
    const files = [
      "model.safetensors.index.json",
      "config.json",
      shardName(0, 3),
      shardName(1, 3),
      shardName(2, 3),
    ];
    for (const [i, f] of files.entries()) {
      // Blob names stand for content hashes; distinct per file is all that matters here.
      const blob = `${i}`.padStart(64, "b");
      writeFileSync(path.join(blobs, blob), readFileSync(path.join(tmpShards, f)));
      symlinkSync(path.join("..", "..", "blobs", blob), path.join(snap, f));
    }
    if (withRef) {
      mkdirSync(path.join(repoDir, "refs"), { recursive: true });
      writeFileSync(path.join(repoDir, "refs", "main"), COMMIT);
    }
    return repoDir;
  }

  it("follows refs/main from a models--org--name folder", async () => {
    const hub = fresh("hub");
    const repoDir = cacheRepo(hub, "org/model");
    const cp = await loadCheckpoint(repoDir);
    expect(cp.kind).toBe("sharded");
    expect(errors(cp)).toEqual([]);
    expect(cp.files).toHaveLength(3);
    expect(cp.findings.find((f) => f.code === "CACHE_SNAPSHOT")!.message).toBe(
      `from the local cache, snapshot ${COMMIT} (refs/main)`,
    );
  });

  it("resolves a repo id through HF_HUB_CACHE, HF_HOME and @revision", async () => {
    const hub = fresh("hub");
    cacheRepo(hub, "org/model");
    expect((await loadCheckpoint("org/model", { env: { HF_HUB_CACHE: hub } })).files).toHaveLength(
      3,
    );
    const home = fresh("hf-home");
    cacheRepo(path.join(home, "hub"), "org/model");
    expect((await loadCheckpoint("org/model", { env: { HF_HOME: home } })).files).toHaveLength(3);
    expect(
      (await loadCheckpoint(`org/model@${COMMIT}`, { env: { HF_HUB_CACHE: hub } })).files,
    ).toHaveLength(3);
    const missing = await loadCheckpoint(`org/model@${OTHER}`, { env: { HF_HUB_CACHE: hub } });
    expect(errors(missing)).toEqual(["TARGET_NOT_CACHED"]);
  });

  it("uses the only snapshot when there is no ref, and says so", async () => {
    const hub = fresh("hub");
    const repoDir = cacheRepo(hub, "org/model", false);
    const cp = await loadCheckpoint(repoDir);
    expect(cp.files).toHaveLength(3);
    expect(cp.findings.find((f) => f.code === "CACHE_SNAPSHOT")!.message).toContain(
      "the only snapshot",
    );
  });

  it("offline, says a repo id is not cached, with the command to fetch it (exit 2)", async () => {
    const hub = fresh("hub");
    mkdirSync(hub);
    const cp = await loadCheckpoint("meta-llama/Llama-3.1-8B", { env: { HF_HUB_CACHE: hub } });
    expect(errors(cp)).toEqual(["TARGET_NOT_CACHED"]);
    expect(cp.findings[0]!.hint).toContain("hf download meta-llama/Llama-3.1-8B");
    const r = inspect(["--offline", "meta-llama/Llama-3.1-8B"], { env: { HF_HUB_CACHE: hub } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("[TARGET_NOT_CACHED]");
    expect(r.stderr).toContain("hf download meta-llama/Llama-3.1-8B");
  });

  it("reports a blob that was never fetched as a missing shard", async () => {
    const hub = fresh("hub");
    const repoDir = cacheRepo(hub, "org/model");
    const { rmSync, readdirSync } = await import("node:fs");
    const blobs = path.join(repoDir, "blobs");
    // Blob 4 is the third shard (see cacheRepo).
    expect(readdirSync(blobs)).toContain("4".padStart(64, "b"));
    rmSync(path.join(blobs, "4".padStart(64, "b")));
    const cp = await loadCheckpoint(repoDir);
    expect(errors(cp)).toContain("SHARD_MISSING");
  });
});
