// Issue 12 through the built CLI: what a person sees first, partial checkpoints, gates that say
// what they test, and the smaller fixes.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { writeCheckpoint, writeLayout } from "../helpers/checkpoints.js";
import { BIN, FIXTURE, HAVE_REALDATA, inspect, REALDATA } from "../helpers/cli.js";
import { canonicalHeader, safetensorsFile, tempDir, writeSparse } from "../helpers/safetensors.js";
import {
  GPT_OSS_120B,
  gptOss,
  indexJson,
  deepseekV3,
  llama31_8b,
  mixtral8x7b,
  qwen25_7b,
  shardLayout,
  type Layout,
} from "../helpers/layouts.js";
import { assertSchema } from "../helpers/schema.js";

const tmp = tempDir("inspect-glance-");
afterAll(tmp.cleanup);

function json(args: string[]) {
  const r = inspect(["--json", ...args]);
  const doc = JSON.parse(r.stdout);
  assertSchema(doc);
  return { status: r.status, doc, stderr: r.stderr };
}

const codes = (doc: { findings: Array<{ code: string }> }) => doc.findings.map((f) => f.code);

/** A layout written as OpenAI publishes gpt-oss: N + 1 shards numbered 0..N (`-of-N`). */
function writeZeroBased(dir: string, layout: Layout, files: number): string[] {
  const split = shardLayout(layout.tensors, files);
  const last = String(files - 1).padStart(5, "0");
  split.forEach((s, i) => (s.file = `model-${String(i).padStart(5, "0")}-of-${last}.safetensors`));
  for (const s of split) {
    const { header, dataBytes } = canonicalHeader(s.tensors, { metadata: { format: "pt" } });
    writeSparse(path.join(dir, s.file), header, dataBytes);
  }
  writeFileSync(
    path.join(dir, "model.safetensors.index.json"),
    JSON.stringify(indexJson(split), null, 2),
  );
  writeFileSync(path.join(dir, "config.json"), JSON.stringify(layout.config, null, 2));
  return split.map((s) => s.file);
}

describe("zero-based shard numbering (issue 12, item 9)", () => {
  it("openai/gpt-oss-20b: model-00000-of-00002 … model-00002-of-00002 is intact, also with --strict", () => {
    const dir = path.join(tmp.dir, "gpt-oss-20b");
    writeCheckpoint(dir, { shards: [] }); // makes the folder
    const names = writeZeroBased(dir, gptOss(), 3);
    expect(names[0]).toBe("model-00000-of-00002.safetensors");
    const { status, doc } = json(["--strict", dir]);
    expect(codes(doc)).not.toContain("SHARD_COUNT_MISMATCH");
    expect(status).toBe(0);
    expect(doc.files.map((f: { path: string }) => path.basename(f.path))).toEqual(names);
  });

  it("openai/gpt-oss-120b: 15 files named -of-00014 are intact", () => {
    const dir = path.join(tmp.dir, "gpt-oss-120b");
    writeCheckpoint(dir, { shards: [] });
    writeZeroBased(dir, gptOss(GPT_OSS_120B, "openai/gpt-oss-120b"), 15);
    const { status, doc } = json(["--strict", dir]);
    expect(codes(doc)).not.toContain("SHARD_COUNT_MISMATCH");
    expect(status).toBe(0);
    expect(doc.files).toHaveLength(15);
  });

  it("still names a missing shard of a zero-based set, and numbers that do not run 0..N", () => {
    const dir = path.join(tmp.dir, "zero-missing");
    const t = (n: string) => ({ name: n, dtype: "BF16", shape: [4, 4] });
    writeCheckpoint(dir, {
      shards: [[t("a")], [t("b")]],
      names: ["model-00000-of-00002.safetensors", "model-00001-of-00002.safetensors"],
      index: false,
    });
    const { doc } = json([dir]);
    const f = doc.findings.find((x: { code: string }) => x.code === "SHARD_COUNT_MISMATCH");
    expect(f.message).toBe("2 shards named -of-00002, but the names say 3 (numbered from 0)");
    expect(f.hint).toBe("shards are missing");
    const odd = path.join(tmp.dir, "odd-numbers");
    writeCheckpoint(odd, {
      shards: [[t("a")], [t("b")]],
      names: ["model-00001-of-00002.safetensors", "model-00003-of-00002.safetensors"],
      index: false,
    });
    const o = json([odd]).doc;
    expect(o.findings.map((x: { message: string }) => x.message)).toContain(
      "2 shards named -of-00002 are numbered 1, 3, not 1 to 2 each once",
    );
  });
});

describe("one shard inspected alone (issue 12, item 10)", () => {
  it("says it is one shard of N and compares only what a shard can show", () => {
    const dir = path.join(tmp.dir, "llama-8b-alone");
    const { files } = writeLayout(dir, llama31_8b());
    expect(files).toHaveLength(4);
    const { status, doc } = json(["--strict", files[1]!]);
    expect(codes(doc)).not.toContain("CONFIG_MISMATCH");
    expect(codes(doc)).toContain("SHARD_ALONE");
    expect(status).toBe(0);
    expect(doc.partial).toBe(true);
    expect(doc.incomplete).toMatchObject({
      shards: 4,
      shardsMissing: 3,
      alone: { shard: 2, name: "model-00002-of-00004.safetensors" },
    });
    // What a shard can show is still compared: its hidden size against config.json.
    expect(doc.architecture.layers).toBe(32);
    const table = inspect([files[1]!]).stdout;
    expect(table).toMatch(/partial +one shard of 4, inspected on its own/);
    expect(table).toMatch(/parameters +[\d,]+ \([\d.]+ [KMB]\) \(partial\)/);
  });

  it("an MoE shard does not report experts or MoE layers held by other shards", () => {
    const dir = path.join(tmp.dir, "mixtral-alone");
    const { files } = writeLayout(dir, mixtral8x7b());
    const { doc } = json([files[3]!]);
    expect(codes(doc)).not.toContain("CONFIG_MISMATCH");
    expect(codes(doc)).not.toContain("EXPERTS_INCOMPLETE");
  });
});

describe("partial checkpoints (issue 12, item 5)", () => {
  it("a missing shard and an LFS pointer: totals marked partial beside what the index promises; no second warning", () => {
    const dir = path.join(tmp.dir, "llama-8b-missing");
    const { files, totalSize } = writeLayout(dir, llama31_8b());
    rmSync(files[1]!);
    writeFileSync(
      files[2]!,
      "version https://git-lfs.github.com/spec/v1\noid sha256:" +
        "a".repeat(64) +
        "\nsize 4915916176\n",
    );
    const { status, doc, stderr } = json([dir]);
    expect(status).toBe(1);
    expect(stderr).toContain("SHARD_MISSING");
    expect(codes(doc)).not.toContain("CONFIG_MISMATCH");
    expect(doc.partial).toBe(true);
    expect(doc.incomplete).toEqual({
      shards: 4,
      shardsMissing: 2,
      missing: ["model-00002-of-00004.safetensors", "model-00003-of-00004.safetensors"],
      indexPromises: { tensorCount: 291, tensorBytes: Number(totalSize) },
    });
    const table = inspect([dir]).stdout;
    expect(table).toContain(
      "partial      2 of 4 shards read, 2 missing or unreadable (model-00002-of-00004.safetensors, model-00003-of-00004.safetensors); the index promises 291 tensors, 16.06 GB",
    );
    expect(table).toMatch(/parameters .*\(partial\)/);
    expect(table).toContain("partial: from the weights read, not the whole model's");
  });

  it("a complete checkpoint is not partial", () => {
    const dir = path.join(tmp.dir, "llama-8b-whole");
    writeLayout(dir, llama31_8b());
    const { doc } = json([dir]);
    expect(doc.partial).toBe(false);
    expect(doc).not.toHaveProperty("incomplete");
    expect(inspect([dir]).stdout).not.toContain("partial");
  });

  it("loose shards without an index: the missing numbers are named", () => {
    const dir = path.join(tmp.dir, "loose-missing");
    const t = (n: string) => ({ name: n, dtype: "BF16", shape: [4, 4] });
    writeCheckpoint(dir, {
      shards: [[t("a")], [t("c")]],
      names: ["model-00001-of-00003.safetensors", "model-00003-of-00003.safetensors"],
      index: false,
    });
    const { doc } = json([dir]);
    expect(doc.partial).toBe(true);
    expect(doc.incomplete).toMatchObject({
      shards: 3,
      shardsMissing: 1,
      missing: ["model-00002-of-00003.safetensors"],
    });
  });
});

describe("--checksums scope (issue 12, item 8)", () => {
  const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");
  const t = (n: string) => ({ name: n, dtype: "F32", shape: [2, 2] });

  it("with one named file checks that file only; with its folder, the files listed in it", () => {
    const dir = path.join(tmp.dir, "sums");
    mkdirSync(dir, { recursive: true });
    const a = path.join(dir, "a.safetensors");
    const b = path.join(dir, "b.safetensors");
    writeFileSync(a, safetensorsFile([t("x")]));
    writeFileSync(b, safetensorsFile([t("y")]));
    const sums = path.join(dir, "SHA256SUMS");
    writeFileSync(
      sums,
      `${sha(a)}  a.safetensors\n${sha(b)}  b.safetensors\n${"0".repeat(64)}  elsewhere/c.safetensors\n${"1".repeat(64)}  ../outside.safetensors\n`,
    );
    const one = json(["--checksums", sums, a]);
    expect(one.status).toBe(0);
    expect(one.doc.verification.files.map((f: { path: string }) => f.path)).toEqual([a]);
    expect(one.doc.verification.files[0].status).toBe("match");
    expect(codes(one.doc)).toEqual(["METADATA_ABSENT"]);

    // The folder: its two files match; c is listed inside it and missing (an error); the entry
    // outside the folder is not the target's and is ignored.
    const folder = json(["--checksums", sums, dir]);
    expect(folder.doc.verification.files.map((f: { status: string }) => f.status)).toEqual([
      "match",
      "match",
      "missing",
    ]);
    expect(codes(folder.doc)).toContain("VERIFY_FILE_MISSING");
    expect(JSON.stringify(folder.doc)).not.toContain("outside.safetensors");
  });
});

describe("--precision (issue 12, item 6)", () => {
  const dir = path.join(tmp.dir, "llama-8b-precision");
  writeLayout(dir, llama31_8b());

  it("chooses the precision --require-fit, the tier and the fit use; as stored by default", () => {
    const stored = json([dir, "--memory", "8GB", "--require-fit"]);
    expect(stored.status).toBe(3);
    expect(stored.doc.hardware.precision).toBe("as stored");
    expect(stored.stderr).toMatch(/does not fit 8GB: needs /);

    const four = json([dir, "--memory", "8GB", "--require-fit", "--precision", "4"]);
    expect(four.status).toBe(0);
    const hw = four.doc.hardware;
    expect(hw.precision).toBe("4-bit");
    const row = hw.precisions.find((p: { name: string }) => p.name === "4-bit");
    expect(hw.breakdown.weights).toBe(row.weightsBytes);
    expect(hw.requiredBytes).toBe(row.requiredBytes);
    expect(hw.fit.fits).toBe(true);

    const eight = json([dir, "--memory", "8GB", "--require-fit", "--precision", "8"]);
    expect(eight.status).toBe(3);
    expect(eight.stderr).toMatch(/does not fit 8GB at 8-bit: needs /);
    const table = inspect([dir, "--precision", "16"]).stdout;
    expect(table).toMatch(/weights .* at 16-bit \(--precision: 16 bits per weight\)/);
  });

  it("refuses anything but 16, 8, 4 and as-stored as a usage error", () => {
    const r = inspect([dir, "--precision", "5"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'inspect: --precision takes 16, 8, 4 or as-stored, not "5" (see inspect --help)\n',
    );
    expect(json([dir, "--precision", "as-stored"]).doc.hardware.precision).toBe("as stored");
  });
});

describe("one meaning per number in JSON (issue 12, item 7)", () => {
  it("names the one-device, total and per-device figures apart; the old names stay, equal", () => {
    const dir = path.join(tmp.dir, "llama-8b-names");
    writeLayout(dir, llama31_8b());
    const { doc } = json([dir, "--gpu", "rtx-4090", "--count", "2"]);
    const hw = doc.hardware;
    expect(hw.oneDeviceRequiredBytes).toBe(hw.requiredBytes);
    const f = hw.fit;
    expect(f.totalRequiredBytes).toBe(f.requiredBytes);
    expect(f.perDeviceRequiredBytes).toBe(f.perDeviceBytes);
    expect(f.perDeviceUsableBytes).toBe(f.usableBytes);
    expect(f.perDeviceMarginBytes).toBe(f.perDeviceUsableBytes - f.perDeviceRequiredBytes);
    // Two devices: the total counts a reserve on each; each holds half of the rest.
    expect(f.totalRequiredBytes).toBeGreaterThan(f.perDeviceRequiredBytes);
    expect(f.totalRequiredBytes).toBe(hw.oneDeviceRequiredBytes + 2 ** 30);
    for (const d of hw.devices) {
      expect(d.perDeviceRequiredBytes).toBe(d.perDeviceBytes);
      expect(d.perDeviceUsableBytes).toBe(d.usableBytes);
    }
    const four = hw.precisions.find((p: { name: string }) => p.name === "4-bit");
    expect(four).toMatchObject({
      weightBits: 4.89,
      scheme: "Q4_K_M",
      bitsPerWeight: "4.89 (Q4_K_M)",
    });
    expect(typeof hw.precisions[1].weightBits).toBe("number");
  });

  it("a dense model's active parameters are its total; an MoE's stay top-k", () => {
    const dense = path.join(tmp.dir, "llama-8b-active");
    writeLayout(dense, llama31_8b());
    const d = json([dense]).doc;
    expect(d.parameters.active).toBe(d.parameters.total);
    const moe = path.join(tmp.dir, "mixtral-active");
    writeLayout(moe, mixtral8x7b());
    const m = json([moe]).doc;
    expect(m.parameters.active).toBe(12_879_925_248);
  });
});

describe("smaller things (issue 12)", () => {
  const t = (n: string, shape = [2, 2]) => ({ name: n, dtype: "F32", shape });
  const put = (name: string, bytes: Buffer | string) => {
    const p = path.join(tmp.dir, name);
    writeFileSync(p, bytes);
    return p;
  };

  it("`--help | head -1` and `--help` into a closed pipe end quietly", () => {
    for (const reader of ["head -1", "true"]) {
      const r = spawnSync(
        "bash",
        ["-c", `set -o pipefail; "${process.execPath}" "${BIN}" --help | ${reader}`],
        { encoding: "utf8" },
      );
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    }
  });

  it("a small count is not repeated in short form; one tensor is singular", () => {
    const p = put("one-scalar.safetensors", safetensorsFile([t("x", []), t("y")]));
    const r = inspect([p]);
    expect(r.stdout).toMatch(/parameters +5$/m);
    expect(r.stdout).toContain("1 tensor is a scalar (shape [])");
    expect(r.stdout).not.toMatch(/\b1 tensors\b/);
  });

  it("an adapter without config.json says its architecture is unknown, not an empty value", () => {
    const p = put(
      "adapter.safetensors",
      safetensorsFile([
        t("model.layers.36.self_attn.q_proj.lora_a"),
        t("model.layers.37.self_attn.q_proj.lora_a"),
      ]),
    );
    expect(inspect([p]).stdout).toMatch(/^ {2}architecture unknown \(no config\.json\)$/m);
  });

  it("an LFS pointer of a small file gives its size in a unit that says something", () => {
    const p = put(
      "pointer.safetensors",
      `version https://git-lfs.github.com/spec/v1\noid sha256:${"ab".repeat(32)}\nsize 1509296\n`,
    );
    const r = inspect([p]);
    expect(r.stderr).toContain("the 1,509,296-byte (1.51 MB) file");
    expect(r.stderr).not.toContain("0.00 GB");
  });

  it("a truncated file's unpinned digest is not offered for pinning", () => {
    const whole = safetensorsFile([t("a", [64, 64])]);
    const p = put("truncated.safetensors", whole.subarray(0, whole.length - 100));
    const { doc } = json(["--verify", p]);
    const unchecked = doc.findings.find((f: { code: string }) => f.code === "HASH_UNCHECKED");
    expect(unchecked.hint).toBe(
      "the file is damaged (FILE_TRUNCATED): download it again, then pin the new file's digest",
    );
  });

  it("--filter that matches nothing says globs match whole names and suggests *…*", () => {
    const p = put(
      "filter.safetensors",
      safetensorsFile([t("model.layers.0.self_attn.q_proj.weight")]),
    );
    const r = inspect(["--filter", "self_attn", p]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(
      `inspect: ${p}: --filter "self_attn" matched no tensor: a glob matches whole names; try --filter '*self_attn*'\n`,
    );
    expect(inspect(["--filter", "*self_attn*", p]).stderr).toBe("");
  });

  it("--memory 24G is 24GB; --gpu rtx4090 is the RTX 4090, and a near miss says what was meant", () => {
    const a = json(["--memory", "24G", FIXTURE]).doc.hardware.fit;
    expect(a.perDeviceUsableBytes).toBe(24_000_000_000);
    expect(json(["--gpu", "rtx4090", FIXTURE]).doc.hardware.fit.target).toBe("1 × RTX 4090 24GB");
    const r = inspect(["--gpu", "rtx409", FIXTURE]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^inspect: unknown device "rtx409"; did you mean rtx-4090\? \(known: /,
    );
  });

  it("gzip data says to decompress it", () => {
    const p = put("model.safetensors.gz", gzipSync(safetensorsFile([t("a")])));
    const r = inspect([p]);
    expect(r.stderr).toContain(
      "gzip data, not safetensors (a compressed file: decompress it first (`gzip -dk FILE`), or pipe it: `gzip -dc FILE | inspect -`)",
    );
  });

  it("the default context is the model's maximum when that is smaller (GPT-2: 1,024)", () => {
    const dir = path.join(tmp.dir, "gpt2");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, "model.safetensors"),
      safetensorsFile([t("h.0.attn.c_attn.weight", [768, 2304]), t("wte.weight", [50257, 768])], {
        metadata: { format: "pt" },
      }),
    );
    writeFileSync(
      path.join(dir, "config.json"),
      JSON.stringify({
        model_type: "gpt2",
        architectures: ["GPT2LMHeadModel"],
        n_layer: 1,
        n_embd: 768,
        n_head: 12,
        n_positions: 1024,
        vocab_size: 50257,
      }),
    );
    const hw = json([dir]).doc.hardware;
    expect(hw.assumptions.context).toBe(1024);
    expect(hw.assumptions.notes).toContain(
      "context 1024 tokens: the model's n_positions, below the default 4096",
    );
    expect(json([dir, "--context", "4096"]).doc.hardware.assumptions.context).toBe(4096);
  });
});

describe("an index with no shard present (issue 12, item 5)", () => {
  const indexOnly = (name: string, layout: Layout) => {
    const dir = path.join(tmp.dir, name);
    const { files } = writeLayout(dir, layout);
    for (const f of files) rmSync(f);
    return dir;
  };

  it("shows what the index and config.json tell, marked as such; parameters exact from config.json; exit 1", () => {
    for (const [name, layout] of [
      ["llama-8b-index-only", llama31_8b()],
      ["qwen-7b-index-only", qwen25_7b()],
    ] as const) {
      const whole = path.join(tmp.dir, `${name}-whole`);
      writeLayout(whole, layout);
      const expected = json([whole]).doc;
      const dir = indexOnly(name, layout);
      const { status, doc } = json([dir]);
      expect(status).toBe(1);
      expect(doc.partial).toBe(true);
      expect(doc.incomplete.fromIndex.parameters).toBe(expected.parameters.total);
      expect(doc.incomplete.indexPromises).toEqual({
        tensorCount: expected.tensorCount,
        tensorBytes: expected.bytes.tensors,
      });
      // The estimate is the whole model's, from the index's total_size.
      expect(doc.hardware.breakdown.weights).toBe(expected.hardware.breakdown.weights);
      expect(doc.hardware.requiredBytes).toBe(expected.hardware.requiredBytes);
    }
    const r = inspect([path.join(tmp.dir, "llama-8b-index-only")]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      "partial      no shard of 4 read: what the index and config.json tell, not the weights",
    );
    expect(r.stdout).toMatch(/^ {2}tensors {6}291 \(from the index\)$/m);
    expect(r.stdout).toMatch(
      /^ {2}parameters {3}8,030,261,248 \(8\.03 B\) \(from config\.json: llama dense decoder/m,
    );
    expect(r.stdout).toMatch(/^ {2}size {9}tensor data 16\.06 GB .*\(the index's total_size\)$/m);
    expect(r.stdout).toContain("from the index: its total_size and config.json, no shard read");
  });

  it("says parameters are unknown where config.json does not fix every shape (an MoE)", () => {
    const dir = indexOnly("mixtral-index-only", mixtral8x7b());
    const { doc } = json([dir]);
    expect(doc.incomplete.fromIndex).toEqual({});
    expect(doc.hardware.breakdown.weights).toBe(93_405_585_408);
    expect(inspect([dir]).stdout).toContain(
      "parameters   unknown: config.json does not fix every tensor's shape for this architecture",
    );
  });
});

describe.skipIf(!HAVE_REALDATA)("weights that are not a language model (issue 12, item 4)", () => {
  const real = (name: string) => path.join(REALDATA, "safetensors", `${name}.safetensors`);

  it.each([
    ["burn_batch_norm2d", 88n],
    ["burn_mnist", 1_507_768n],
    ["candle_whisper_mel_filters", 64_320n],
  ])("%s: weights only, and why the rest is left out", (name, weights) => {
    const r = inspect([real(name)]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {2}Memory {2}.* to hold the weights$/m);
    expect(r.stdout).toContain(
      "· weights only: no config.json, and no layer stack or token embedding among the tensor names: not a transformer language model",
    );
    expect(r.stdout).not.toMatch(/^ {2}KV cache/m);
    for (const noise of ["4-bit", "Q4_K_M", "H100", "smallest setup", "tiers:", "laptop"])
      expect(r.stdout).not.toContain(noise);
    const { doc } = json([real(name)]);
    expect(doc.hardware.languageModel).toBe(false);
    expect(doc.hardware.weightsOnlyReason).toMatch(/^no config\.json/);
    expect(BigInt(doc.hardware.breakdown.weights)).toBe(weights);
    expect(doc.hardware.breakdown.kvCache).toBe(0);
    expect(doc.hardware.breakdown.activations).toBe(0);
  });

  it("a language model keeps its hardware section", () => {
    const r = inspect([FIXTURE]);
    expect(r.stdout).toMatch(/^ {2}Hardware {2}needs .* in total .*: laptop tier/m);
    expect(json([FIXTURE]).doc.hardware.languageModel).toBe(true);
  });
});

describe("the headline (issue 12, items 1 and 2)", () => {
  it("comes first: model, parameters, size, needs, runs on, your setup, verdict; --brief prints only it", () => {
    const dir = path.join(tmp.dir, "llama-8b-headline");
    writeLayout(dir, llama31_8b());
    const full = inspect([dir, "--memory", "24GB"]).stdout;
    const brief = inspect([dir, "--memory", "24GB", "--brief"]);
    expect(brief.status).toBe(0);
    expect(brief.stdout.split("\n")).toEqual([
      `${dir}  ok`,
      "  model        llama (LlamaForCausalLM)",
      "  parameters   8.03 B",
      "  size         16.06 GB on disk",
      "  needs        18.47 GB in total for 4,096 tokens: laptop tier (≤ 22.91 GB usable on a MacBook Air M4 32GB)",
      "  runs on      1 × RTX 4090 24GB, or a MacBook Air M4 32GB",
      "  your setup   fits 24GB, 5.53 GB to spare",
      "",
    ]);
    expect(full.startsWith(brief.stdout)).toBe(true);
    expect(full.length).toBeGreaterThan(brief.stdout.length * 3);
  });

  it("says 'this machine' only for the machine it measured (--memory auto), not for one named", () => {
    const dir = path.join(tmp.dir, "llama-8b-this-machine");
    writeLayout(dir, llama31_8b());
    const auto = inspect([dir, "--memory", "auto", "--brief"]).stdout;
    expect(auto).toMatch(/^ {2}this machine (fits|does not fit) /m);
    expect(auto).not.toContain("your setup");
    const named = inspect([dir, "--gpu", "h100", "--count", "8", "--brief"]).stdout;
    expect(named).toMatch(/^ {2}your setup {3}fits 8 × H100 80GB/m);
    expect(named).not.toContain("this machine");
    expect(json([dir, "--memory", "auto"]).doc.hardware.fit.thisMachine).toBe(true);
    expect(json([dir, "--memory", "24GB"]).doc.hardware.fit).not.toHaveProperty("thisMachine");
  });

  it("DeepSeek-V3: the familiar 671 B without the MTP layer, the active count, a cluster in words that agree", () => {
    const dir = path.join(tmp.dir, "deepseek-v3-headline");
    writeLayout(dir, deepseekV3());
    const r = inspect([dir, "--brief"]);
    expect(r.stdout).toContain(
      "  parameters   671.03 B without the optional modules (684.49 B with them), 37.55 B active (MoE)",
    );
    expect(r.stdout).toContain(
      "  needs        708.17 GB in total for 4,096 tokens: cluster tier (2 nodes of 8 × H100 80GB)",
    );
    expect(r.stdout).not.toContain("on one device");
  });

  it("says errors and warnings in the verdict", () => {
    const dir = path.join(tmp.dir, "llama-8b-headline-missing");
    const { files } = writeLayout(dir, llama31_8b());
    rmSync(files[0]!);
    const r = inspect([dir, "--brief"]);
    expect(r.status).toBe(1);
    expect(r.stdout.split("\n")[0]).toBe(`${dir}  1 error`);
    expect(r.stdout).toContain("(partial)");
  });
});
