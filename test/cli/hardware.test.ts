// The hardware estimate end to end (issue 4), through the built bin: the memory model's options,
// "does it fit on mine?", --require-fit's exit status, the reference server, the JSON and the
// table's hardware section, and the usage errors of every hardware option. Checkpoints are
// published layouts written once as sparse header-only files; every figure is asserted exactly.

import { rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeLayout } from "../helpers/checkpoints.js";
import { inspect } from "../helpers/cli.js";
import { deepseekV3, llama31_8b, qwen25_1_5b, type Layout } from "../helpers/layouts.js";
import { canonicalHeader, rawFile, tempDir } from "../helpers/safetensors.js";
import { assertSchema } from "../helpers/schema.js";

const tmp = tempDir("inspect-hardware-");
afterAll(tmp.cleanup);

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const ceilDiv = (a: number, b: number) => Number((BigInt(a) + BigInt(b) - 1n) / BigInt(b));

// meta-llama/Llama-3.1-8B in BF16: 8,030,261,248 parameters; 32 layers × 2 × 8 KV heads × 128
// × 2 bytes = 131,072 bytes of KV cache per token.
const W = 16_060_522_496;
const KV_PER_TOKEN = 131_072;
const ACTIVATIONS = ceilDiv(W * 5, 100); // 803,026,125: 5 % of the weights, rounded up
const RESERVE = GiB;
/** Needed on one device for `tokens` of KV cache (context × batch). */
const needed = (tokens: number, kvBytesPerToken = KV_PER_TOKEN) =>
  W + kvBytesPerToken * tokens + ACTIVATIONS + RESERVE;
/** The longest context that fits `usable` bytes on one device, batch 1. */
const longest = (usable: number) => Math.floor((usable - needed(0)) / KV_PER_TOKEN);
/** What the catalogue counts as usable on one GPU: 0.9 of what nvidia-smi reports. */
const gpuUsable = (mib: number) => Math.floor((mib * MiB * 9) / 10);

let llama = "";
let llamaNoConfig = "";
let llamaFp8Cache = "";
let deepseek = "";
let qwen = "";
let small = "";
let smallCut = "";

function written(name: string, layout: Layout, shards?: number): string {
  const dir = path.join(tmp.dir, name);
  writeLayout(dir, layout, shards);
  return dir;
}

beforeAll(() => {
  llama = written("llama-8b", llama31_8b());
  llamaNoConfig = written("llama-8b-no-config", llama31_8b());
  rmSync(path.join(llamaNoConfig, "config.json"));
  const fp8 = llama31_8b();
  llamaFp8Cache = written("llama-8b-fp8-cache", {
    ...fp8,
    config: { ...fp8.config, kv_cache_dtype: "fp8_e4m3" },
  });
  // One sparse file: the same headers as the 163 published shards, for a fraction of the files.
  deepseek = written("deepseek-v3", deepseekV3(), 1);
  qwen = written("qwen-1.5b", qwen25_1_5b());
  const { header, dataBytes } = canonicalHeader([{ name: "w", dtype: "F32", shape: [4, 4] }], {
    metadata: { format: "pt" },
  });
  small = path.join(tmp.dir, "small.safetensors");
  writeFileSync(small, rawFile(header, dataBytes));
  smallCut = path.join(tmp.dir, "small-cut.safetensors");
  writeFileSync(smallCut, rawFile(header, dataBytes - 10n));
});

interface Run {
  status: number | null;
  /** The parsed document (checked against the schema). */
  doc: any;
  stderr: string;
}

/** One JSON document, checked against the schema. */
function json(args: string[], env?: NodeJS.ProcessEnv): Run {
  const r = inspect(["--json", ...args], env ? { env } : {});
  expect(r.stdout.trimEnd().split("\n"), r.stderr).toHaveLength(1);
  const doc = JSON.parse(r.stdout);
  assertSchema(doc);
  return { status: r.status, doc, stderr: r.stderr };
}

/** Whether the estimate says it fits at exactly this context. */
const fitsAt = (dir: string, target: string[], context: number): boolean =>
  json([dir, ...target, "--context", String(context)]).doc.hardware.fit.fits;

describe("the memory model", () => {
  it("defaults to 4,096 tokens × 1 sequence in a 16-bit cache: 128 KiB per token (meta-llama/Llama-3.1-8B)", () => {
    const { status, doc, stderr } = json([llama]);
    expect(status).toBe(0);
    expect(stderr).toBe("");
    const hw = doc.hardware;
    expect(hw.assumptions).toMatchObject({
      context: 4096,
      batch: 1,
      kvCacheDtype: "bf16",
      kvCacheDtypeFrom: "default",
      kvCacheKnown: true,
      kvBytesPerToken: 131_072,
      attention: "gqa",
      activationsPercent: 5,
      reservePerDeviceBytes: RESERVE,
      referenceServer: "8 × H100 80GB",
    });
    expect(hw.breakdown).toEqual({
      weights: W,
      kvCache: 536_870_912,
      activations: 803_026_125,
      reserve: RESERVE,
      layers: [{ kind: "full-attention", count: 32, bytesPerToken: 131_072, bytes: 536_870_912 }],
    });
    expect(hw.requiredBytes).toBe(18_474_161_357);
    expect(hw.requiredBytes).toBe(needed(4096));
    expect(hw.tier).toBe("laptop");
    expect(hw).not.toHaveProperty("fit");
    expect(hw).not.toHaveProperty("cluster");
  });

  it("--context 32768 --batch 4 scales the KV cache exactly; weights and activations stay", () => {
    const { status, doc } = json([llama, "--context", "32768", "--batch", "4"]);
    expect(status).toBe(0);
    const hw = doc.hardware;
    expect(hw.assumptions).toMatchObject({ context: 32768, batch: 4, kvBytesPerToken: 131_072 });
    expect(hw.breakdown).toEqual({
      weights: W,
      kvCache: 17_179_869_184, // 131,072 × 32,768 × 4: 16 GiB
      activations: ACTIVATIONS,
      reserve: RESERVE,
      layers: [
        { kind: "full-attention", count: 32, bytesPerToken: 131_072, bytes: 17_179_869_184 },
      ],
    });
    expect(hw.requiredBytes).toBe(needed(32768 * 4));
    // 34.12 GB is past the laptop threshold.
    expect(hw.tier).toBe("single-server");
  });

  it("--kv-dtype fp8 halves the KV cache and says the option chose it", () => {
    const { doc } = json([llama, "--kv-dtype", "fp8", "--context", "32768", "--batch", "4"]);
    expect(doc.hardware.assumptions).toMatchObject({
      kvCacheDtype: "fp8",
      kvCacheDtypeFrom: "option",
      kvBytesPerToken: 65_536,
    });
    expect(doc.hardware.breakdown.kvCache).toBe(17_179_869_184 / 2);
    expect(doc.hardware.requiredBytes).toBe(needed(32768 * 4, KV_PER_TOKEN / 2));
  });

  it("uses a KV-cache dtype the config names (kv_cache_dtype fp8_e4m3); --kv-dtype overrides it", () => {
    const { doc } = json([llamaFp8Cache]);
    expect(doc.hardware.assumptions).toMatchObject({
      kvCacheDtype: "fp8",
      kvCacheDtypeFrom: "config",
      kvBytesPerToken: 65_536,
    });
    expect(doc.hardware.breakdown.kvCache).toBe(65_536 * 4096);
    const table = inspect([llamaFp8Cache]).stdout;
    expect(table).toMatch(
      /^ {2}KV cache +268\.44 MB {2}65,536 B\/token in fp8 \(from config\.json\) × 4,096 tokens × 1$/m,
    );

    const over = json([llamaFp8Cache, "--kv-dtype", "bf16"]).doc.hardware;
    expect(over.assumptions).toMatchObject({
      kvCacheDtype: "bf16",
      kvCacheDtypeFrom: "option",
      kvBytesPerToken: 131_072,
    });
    expect(over.assumptions.notes).toContain("--kv-dtype bf16 overrides the config's fp8");
  });

  it("without config.json the KV cache is unknown: 10 % of the weights instead, and the table says so", () => {
    const { status, doc } = json([llamaNoConfig, "--memory", "24GB"]);
    expect(status).toBe(0);
    const hw = doc.hardware;
    expect(hw.assumptions).toMatchObject({
      kvCacheKnown: false,
      kvBytesPerToken: null,
      attention: null,
      kvCacheDtypeFrom: "default",
    });
    expect(hw.assumptions.notes).toContain(
      "KV cache unknown without config.json: 10 % of the weights added instead",
    );
    const margin = ceilDiv(W * 10, 100); // 1,606,052,250
    expect(hw.breakdown).toEqual({
      weights: W,
      kvCache: margin,
      activations: ACTIVATIONS,
      reserve: RESERVE,
    });
    expect(hw.requiredBytes).toBe(W + margin + ACTIVATIONS + RESERVE);
    // --context changes nothing when the cache is a margin of the weights.
    expect(json([llamaNoConfig, "--context", "100000"]).doc.hardware.breakdown.kvCache).toBe(
      margin,
    );
    expect(hw.fit).toMatchObject({ fits: true, maxContext: null });

    const table = inspect([llamaNoConfig, "--memory", "24GB"]).stdout;
    expect(table).toMatch(
      /^ {2}KV cache +1\.61 GB {2}unknown without config\.json: 10 % of the weights$/m,
    );
    expect(table).toContain("  · KV cache unknown without config.json: 10 % of the weights added");
    expect(table).toMatch(
      /^ {2}fit 24GB: fits \(.*\); longest context unknown without config\.json$/m,
    );
  });

  it("offers the estimate as stored, at 16-bit, 8-bit and 4-bit (4.89 bits per weight, Q4_K_M)", () => {
    const { doc } = json([llama]);
    const params = 8_030_261_248;
    const weights = [W, params * 2, params, ceilDiv(params * 489, 800)];
    expect(weights[3]).toBe(4_908_497_188);
    expect(doc.hardware.precisions).toEqual([
      {
        name: "as stored",
        weightsBytes: W,
        requiredBytes: needed(4096),
        oneDeviceRequiredBytes: needed(4096),
        tier: "laptop",
      },
      ...(
        [
          ["16-bit", "16", 16],
          ["8-bit", "8", 8],
          ["4-bit", "4.89 (Q4_K_M)", 4.89, "Q4_K_M"],
        ] as const
      ).map(([name, text, bits, scheme], i) => {
        const required =
          weights[i + 1]! + KV_PER_TOKEN * 4096 + ceilDiv(weights[i + 1]! * 5, 100) + RESERVE;
        return {
          name,
          bitsPerWeight: text,
          weightBits: bits,
          ...(scheme ? { scheme } : {}),
          weightsBytes: weights[i + 1],
          requiredBytes: required,
          oneDeviceRequiredBytes: required,
          tier: "laptop",
        };
      }),
    ]);
  });

  it("names the smallest setup per GPU kind: tensor-parallel counts that divide the 32 heads", () => {
    const { doc } = json([llama]);
    const row = (id: string) =>
      doc.hardware.devices.find((d: { device: string }) => d.device === id);
    const shared = W + KV_PER_TOKEN * 4096 + ACTIVATIONS;
    expect(row("h100")).toEqual({
      device: "h100",
      label: "H100 80GB",
      kind: "datacenter-gpu",
      memoryBytes: 81_559 * MiB,
      usableBytes: gpuUsable(81_559),
      perDeviceUsableBytes: gpuUsable(81_559),
      count: 1,
      perDeviceBytes: needed(4096),
      perDeviceRequiredBytes: needed(4096),
      fits: true,
      bandwidthGBps: 3350,
      denseTflops: 989.4,
      decodeTokensPerSecond: expect.any(Number),
      prefillTokensPerSecond: expect.any(Number),
      usable: true,
    });
    // 12 GB: half of everything but the reserve on each of 2, plus a reserve each.
    expect(row("rtx-4070")).toMatchObject({
      count: 2,
      perDeviceBytes: ceilDiv(shared, 2) + RESERVE,
      fits: true,
    });
    expect(row("rtx-4060")).toMatchObject({
      count: 4,
      perDeviceBytes: ceilDiv(shared, 4) + RESERVE,
      fits: true,
    });
    // ⅔ of 16 GiB of unified memory is too little; ⅔ of 32 GiB is enough.
    expect(row("m4-16")).toMatchObject({
      fits: false,
      usableBytes: Math.floor((16 * GiB * 2) / 3),
    });
    expect(row("m4-32")).toMatchObject({ fits: true, count: 1 });
  });
});

describe("does it fit on mine?", () => {
  it("--memory 24GB: fits, with the margin and the longest context, exact to the token", () => {
    const { status, doc } = json([llama, "--memory", "24GB"]);
    expect(status).toBe(0);
    const max = longest(24e9);
    expect(max).toBe(46_254);
    expect(doc.hardware.fit).toEqual({
      target: "24GB",
      devices: 1,
      usableBytes: 24_000_000_000,
      perDeviceUsableBytes: 24_000_000_000,
      requiredBytes: needed(4096),
      totalRequiredBytes: needed(4096),
      perDeviceBytes: needed(4096),
      perDeviceRequiredBytes: needed(4096),
      fits: true,
      marginBytes: 24_000_000_000 - needed(4096),
      perDeviceMarginBytes: 24_000_000_000 - needed(4096),
      maxContext: max,
    });
    expect(doc.hardware.precisions.map((p: { fits: boolean }) => p.fits)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(fitsAt(llama, ["--memory", "24GB"], max)).toBe(true);
    expect(fitsAt(llama, ["--memory", "24GB"], max + 1)).toBe(false);
  });

  it("--memory 24GiB is 2^30-byte gigabytes", () => {
    const { doc } = json([llama, "--memory", "24GiB"]);
    const usable = 24 * GiB;
    const max = longest(usable);
    expect(max).toBe(59_757);
    expect(doc.hardware.fit).toMatchObject({
      target: "24GiB",
      usableBytes: usable,
      fits: true,
      marginBytes: usable - needed(4096),
      maxContext: max,
    });
    expect(fitsAt(llama, ["--memory", "24GiB"], max)).toBe(true);
    expect(fitsAt(llama, ["--memory", "24GiB"], max + 1)).toBe(false);
  });

  it("--gpu h100 --count 2: each GPU holds half plus its own reserve; context capped at max_position_embeddings", () => {
    const { status, doc } = json([llama, "--gpu", "h100", "--count", "2"]);
    expect(status).toBe(0);
    const shared = W + KV_PER_TOKEN * 4096 + ACTIVATIONS;
    const usable = gpuUsable(81_559);
    expect(doc.hardware.fit).toEqual({
      target: "2 × H100 80GB",
      devices: 2,
      usableBytes: usable,
      perDeviceUsableBytes: usable,
      requiredBytes: shared + 2 * RESERVE,
      totalRequiredBytes: shared + 2 * RESERVE,
      perDeviceBytes: ceilDiv(shared, 2) + RESERVE,
      perDeviceRequiredBytes: ceilDiv(shared, 2) + RESERVE,
      fits: true,
      marginBytes: usable - (ceilDiv(shared, 2) + RESERVE),
      perDeviceMarginBytes: usable - (ceilDiv(shared, 2) + RESERVE),
      maxContext: 131_072,
      decodeTokensPerSecond: expect.any(Number),
      prefillTokensPerSecond: expect.any(Number),
      usable: true,
    });
    // Uncapped, two of them would hold about a million tokens: the cap is the model's own.
    expect(Math.floor((2 * (usable - RESERVE) - W - ACTIVATIONS) / KV_PER_TOKEN)).toBeGreaterThan(
      131_072,
    );
  });

  it("--gpu rtx-4090: 24,564 MiB at 0.9; the longest context is exact", () => {
    const { doc } = json([llama, "--gpu", "rtx-4090"]);
    const usable = gpuUsable(24_564);
    const max = longest(usable);
    expect(max).toBe(40_010);
    expect(doc.hardware.fit).toEqual({
      target: "1 × RTX 4090 24GB",
      devices: 1,
      usableBytes: usable,
      perDeviceUsableBytes: usable,
      requiredBytes: needed(4096),
      totalRequiredBytes: needed(4096),
      perDeviceBytes: needed(4096),
      perDeviceRequiredBytes: needed(4096),
      fits: true,
      marginBytes: usable - needed(4096),
      perDeviceMarginBytes: usable - needed(4096),
      maxContext: max,
      decodeTokensPerSecond: expect.any(Number),
      prefillTokensPerSecond: expect.any(Number),
      usable: true,
    });
    expect(fitsAt(llama, ["--gpu", "rtx-4090"], max)).toBe(true);
    expect(fitsAt(llama, ["--gpu", "rtx-4090"], max + 1)).toBe(false);
  });

  it("--memory auto measures this machine: without nvidia-smi, 90 % of its RAM", () => {
    // PATH without nvidia-smi, whatever the machine: the answer is then the RAM, exactly.
    const env = { PATH: path.dirname(process.execPath) };
    const { status, doc } = json([qwen, "--memory", "auto", "--require-fit"], env);
    const usable = Number((BigInt(os.totalmem()) * 9n) / 10n);
    const fit = doc.hardware.fit;
    expect(fit).toMatchObject({
      target: "this machine's RAM (90 %)",
      devices: 1,
      usableBytes: usable,
      marginBytes: usable - fit.perDeviceBytes,
    });
    // Qwen2.5-1.5B needs 4.3 GB: any machine that runs the tests holds it.
    expect(fit.perDeviceBytes).toBe(doc.hardware.requiredBytes);
    expect(fit.fits).toBe(true);
    expect(status).toBe(0);
  });
});

describe("--require-fit", () => {
  it("exits 3 when it does not fit, with ok still true; 0 when it fits", () => {
    const no = json([llama, "--memory", "16GB", "--require-fit"]);
    expect(no.status).toBe(3);
    expect(no.doc.ok).toBe(true);
    expect(no.doc.findings).toEqual([]);
    expect(no.doc.hardware.fit).toMatchObject({
      fits: false,
      marginBytes: 16e9 - needed(4096),
      maxContext: 0,
    });
    const table = inspect([llama, "--memory", "16GB", "--require-fit"]);
    expect(table.status).toBe(3);
    // A failing gate says why on stderr, in one line.
    expect(table.stderr).toMatch(
      /^inspect: .*llama-8b: does not fit 16GB: needs 18\.47 GB, 16\.00 GB usable\n$/,
    );
    // Without --require-fit, not fitting is an answer, not a failure.
    expect(inspect([llama, "--memory", "16GB"]).status).toBe(0);
    expect(json([llama, "--memory", "24GB", "--require-fit"]).status).toBe(0);
  });

  it("a corrupt file exits 1, not 3: errors win over not fitting", () => {
    const intact = json([small, "--memory", "1KB", "--require-fit"]);
    expect(intact.status).toBe(3);
    expect(intact.doc.hardware.fit.fits).toBe(false);
    const cut = json([smallCut, "--memory", "1KB", "--require-fit"]);
    expect(cut.status).toBe(1);
    expect(cut.doc.ok).toBe(false);
    expect(cut.doc.hardware.fit.fits).toBe(false);
    expect(cut.doc.findings.map((f: { code: string }) => f.code)).toEqual(["FILE_TRUNCATED"]);
  });
});

describe("the reference server", () => {
  it("--reference-server h200 makes DeepSeek-V3 a single-server model (8 × H100 is not enough)", () => {
    const h100 = json([deepseek]).doc.hardware;
    expect(h100.assumptions.kvBytesPerToken).toBe(70_272);
    expect(h100.tier).toBe("cluster");
    expect(h100.thresholds.singleServerBytes).toBe(8 * gpuUsable(81_559));
    expect(h100.requiredBytes).toBeGreaterThan(h100.thresholds.singleServerBytes);
    expect(h100.cluster).toEqual({
      nodes: 2,
      singleNodeAlternatives: ["8 × H200 141GB", "8 × MI300X 192GB"],
      // The same, as catalogue ids (the words above are kept for schema version 1).
      singleNodeAlternativeDevices: ["h200", "mi300x"],
    });

    const { status, doc } = json([deepseek, "--reference-server", "h200"]);
    expect(status).toBe(0);
    const h200 = doc.hardware;
    expect(h200.tier).toBe("single-server");
    expect(h200.requiredBytes).toBe(h100.requiredBytes);
    expect(h200.thresholds.singleServerBytes).toBe(8 * gpuUsable(143_771));
    expect(h200.reference.server).toBe("8 × H200 141GB");
    expect(h200.assumptions.referenceServer).toBe("8 × H200 141GB");
    expect(h200).not.toHaveProperty("cluster");
  });
});

describe("the table's hardware section", () => {
  it("shows the tier, the breakdown, the what-ifs, the smallest setups and the fit", () => {
    const r = inspect([llama, "--memory", "24GB"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    const from = lines.findIndex((l) => l.startsWith("  Hardware"));
    expect(lines.slice(from, from + 6)).toEqual([
      "  Hardware  needs 18.47 GB in total (4,096 tokens × 1 sequence): laptop tier, fits one device (a MacBook Air M4 32GB)",
      "                   bytes  how",
      "  weights       16.06 GB  as stored",
      "  KV cache     536.87 MB  131,072 B/token in bf16 × 4,096 tokens × 1",
      "  activations  803.03 MB  5 % of the weights",
      "  reserve        1.07 GB  per device (runtime, CUDA context)",
    ]);
    expect(r.stdout).toContain(
      "  · tiers: laptop ≤ 22.91 GB (MacBook Air M4 32GB, ⅔ of unified memory (Metal's GPU working-set limit)); single server ≤ 615.75 GB (8 × H100 80GB, 0.9 of each GPU (vLLM's gpu_memory_utilization))\n",
    );
    expect(r.stdout).toContain(
      [
        "  precision  bits/weight     weights     needs  tier    24GB",
        "  as stored                 16.06 GB  18.47 GB  laptop  fits",
        "  16-bit     16             16.06 GB  18.47 GB  laptop  fits",
        "  8-bit      8               8.03 GB  10.04 GB  laptop  fits",
        "  4-bit      4.89 (Q4_K_M)   4.91 GB   6.76 GB  laptop  fits",
      ].join("\n"),
    );
    expect(r.stdout).toMatch(
      /^ {2}smallest setup: H100 80GB ×1 ~\d+ tok\/s · H200 141GB ×1 ~\d+ tok\/s · B200 180GB ×1 ~\d+ tok\/s · MI300X 192GB ×1 ~\d+ tok\/s · A100 80GB ×1 ~\d+ tok\/s · RTX PRO 6000 96GB ×1 ~\d+ tok\/s · RTX 5090 32GB ×1 ~\d+ tok\/s · RTX 4090 24GB ×1 ~\d+ tok\/s$/m,
    );
    expect(r.stdout).toMatch(/^ {2}on a Mac: MacBook Air M4 32GB ~[0-9.]+ tok\/s$/m);
    expect(r.stdout).toContain(
      "  fit 24GB: fits (needs 18.47 GB, 24.00 GB usable, 5.53 GB to spare); longest context that fits: 46,254 tokens\n",
    );
  });

  it("says how short it falls, per device on several GPUs, and the nodes a cluster model needs", () => {
    expect(inspect([llama, "--memory", "16GB"]).stdout).toContain(
      "  fit 16GB: does not fit (needs 18.47 GB, 16.00 GB usable, 2.47 GB short); not even one token of context fits\n",
    );
    expect(inspect([llama, "--gpu", "h100", "--count", "2"]).stdout).toMatch(
      /^ {2}fit 2 × H100 80GB: fits \(needs 9\.77 GB per device, 76\.97 GB usable, .* to spare\); longest context that fits: 131,072 tokens ~\d+ tok\/s$/m,
    );
    const ds = inspect([deepseek]).stdout;
    // Words that agree: the total, and on what it fits (never "on one device" for a cluster).
    expect(ds).toMatch(
      /^ {2}Hardware {2}needs 708\.17 GB in total \(4,096 tokens × 1 sequence\): cluster tier, more than one node of 8 × H100 80GB \(2 nodes\)$/m,
    );
    expect(ds).not.toContain("on one device");
    expect(ds).toContain(
      "  · cluster: 2 nodes of 8 × H100 80GB; one 8 × H200 141GB or one 8 × MI300X 192GB node would hold it\n",
    );
    expect(ds).toMatch(/^ {2}4-bit +4\.89 \(Q4_K_M\) +.* +single-server$/m);
    expect(ds).toContain("  on a Mac: not even a Mac Studio M3 Ultra 512GB\n");
  });
});

describe("notes on questionable requests", () => {
  it("says when the context is longer than the model allows", () => {
    const { doc } = json([llama, "--context", "200000"]);
    expect(doc.hardware.assumptions.notes).toContain(
      "context 200000 is longer than the model's max_position_embeddings 131072",
    );
  });

  it("says when the attention heads do not divide over the GPUs asked for", () => {
    const { doc } = json([llama, "--gpu", "h100", "--count", "3"]);
    expect(doc.hardware.assumptions.notes).toContain(
      "32 attention heads do not divide over 3 GPUs: tensor parallelism needs 1, 2, 4 or 8 of them (or pipeline parallelism)",
    );
  });

  it("says llama.cpp's --flash-attn and --swa-full change nothing for safetensors", () => {
    const plain = json([llama]).doc.hardware;
    const { doc } = json([llama, "--flash-attn", "off", "--swa-full"]);
    expect(doc.hardware.assumptions.remarks).toEqual([
      ...plain.assumptions.remarks,
      { kind: "llama-cpp-option-unused", option: "--flash-attn" },
      { kind: "llama-cpp-option-unused", option: "--swa-full" },
    ]);
    expect(doc.hardware.assumptions.notes).toContain(
      "--swa-full is llama.cpp's option: no effect on weights that do not run in llama.cpp (GGUF files do)",
    );
    expect(doc.hardware.breakdown).toEqual(plain.breakdown);
  });

  it("says --kv-dtype has no effect when the KV cache is unknown", () => {
    const { doc } = json([llamaNoConfig, "--kv-dtype", "fp8"]);
    expect(doc.hardware.assumptions.notes).toContain(
      "--kv-dtype fp8 has no effect without a KV layout",
    );
  });
});

describe("usage errors", () => {
  const cases: Array<[string[], string]> = [
    [["--memory", "24"], 'cannot read the size "24": write it with a unit, like 24GB or 24GiB'],
    [["--gpu", "nonesuch"], 'unknown device "nonesuch" (known: m4-16,'],
    [["--count", "2"], "--count goes with --gpu"],
    [["--memory", "1GB", "--gpu", "h100"], "give --memory or --gpu, not both"],
    [["--require-fit"], "--require-fit needs --memory or --gpu to fit into"],
    [["--context", "0"], '--context must be a whole number ≥ 1, not "0"'],
    [["--batch", "1.5"], '--batch must be a whole number ≥ 1, not "1.5"'],
    [["--gpu", "h100", "--count", "0"], '--count must be a whole number ≥ 1, not "0"'],
    [["--kv-dtype", "nonesuch"], 'unknown --kv-dtype "nonesuch"; known: f16, bf16, f32, fp8'],
    [
      ["--flash-attn", "maybe"],
      '--flash-attn takes on, off or auto (llama.cpp\'s values), not "maybe"',
    ],
    [
      ["--flash-attn", "off", "--kv-dtype", "q8_0"],
      "--kv-dtype q8_0 with --flash-attn off: llama.cpp refuses a quantized V cache without flash attention; use --flash-attn on or auto, or an f16 cache",
    ],
    [["--reference-server", "mac-32gb"], "--reference-server needs a GPU, not MacBook Air M4 32GB"],
    [["--memory", "0GB"], "--memory must be more than 0"],
    [
      ["--lfs-pointers", "/nonexistent/pointers"],
      "--lfs-pointers /nonexistent/pointers: no such folder",
    ],
  ];
  // Half of them with --json: a usage error then prints the one document --json promises, its
  // one finding the USAGE error; without --json, nothing on stdout.
  it.each(cases.map(([args, message], i) => [i % 2 ? ["--json", ...args] : args, message]))(
    "%j exits 2 with one line on stderr",
    (args, message) => {
      const r = inspect([llama, ...args]);
      expect(r.status).toBe(2);
      if (args.includes("--json")) {
        expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
        const doc = JSON.parse(r.stdout);
        assertSchema(doc);
        expect(doc.ok).toBe(false);
        expect(doc.findings).toEqual([
          expect.objectContaining({
            severity: "error",
            code: "USAGE",
            message: expect.any(String),
          }),
        ]);
        // The stderr line is "<message> (<hint>)": the document holds the same two parts.
        const f = doc.findings[0];
        expect(`${f.message}${f.hint ? ` (${f.hint})` : ""}`.startsWith(message)).toBe(true);
      } else expect(r.stdout).toBe("");
      expect(r.stderr.split("\n")).toHaveLength(2); // one line and its newline
      expect(r.stderr.startsWith(`inspect: ${message}`), r.stderr).toBe(true);
      expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    },
  );
});
