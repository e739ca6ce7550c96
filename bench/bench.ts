// npm run bench: inspect's cost as ratios against floors measured in the same run, so the
// numbers mean the same on any machine. Page cache warm throughout (every input is read once
// before timing). Not part of the tests: nothing here asserts, it reports.

import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { randomFillSync } from "node:crypto";
import {
  closeSync,
  existsSync,
  readdirSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeSync,
} from "node:fs";
import os, { availableParallelism } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type * as HfGguf from "@huggingface/gguf";
import { HASH_BLOCK_BYTES, MAX_HASH_WORKERS } from "../src/core/limits.js";
import { readGguf } from "../src/formats/gguf/read.js";
import { readSafetensors } from "../src/formats/safetensors/read.js";
import { runHashJobs } from "../src/integrity/hash-pool.js";
import { verifyFiles } from "../src/integrity/verify.js";
import { FileSource } from "../src/sources/file-source.js";
import { writeLayout } from "../test/helpers/checkpoints.js";
import { spawnCollect } from "../test/helpers/cli.js";
import { HubEmulator, type OriginCounters } from "../test/helpers/hub-emulator.js";
import { deepseekV3 } from "../test/helpers/layouts.js";
import { modelSpec, FAMILIES, writeGguf } from "../test/helpers/gguf.js";
import { canonicalHeader, writeSparse, type TensorSpec } from "../test/helpers/safetensors.js";

const ROOT = process.cwd();
const BIN = path.join(ROOT, "bin", "inspect.cjs");
const WORK = path.join(ROOT, ".bench");
const FIXTURE = path.join(ROOT, "fixtures", "tiny-llama", "model.safetensors");
const TIME = "/usr/bin/time";

interface Run {
  ms: number;
  rssKiB: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** One fresh process; wall time from here, peak RSS from GNU time when present. */
function runOnce(cmd: string[]): Run {
  const useTime = existsSync(TIME);
  const argv = useTime ? [TIME, "-f", "%M", ...cmd] : cmd;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`${cmd.join(" ")} exited ${r.status}: ${r.stderr}`);
  const rssKiB = useTime ? Number(r.stderr.trim().split("\n").pop()) : NaN;
  return { ms, rssKiB };
}

function measure(cmd: string[], runs: number, warmup = 2): { ms: number; rssKiB: number } {
  for (let i = 0; i < warmup; i++) runOnce(cmd);
  const rs = Array.from({ length: runs }, () => runOnce(cmd));
  return { ms: median(rs.map((r) => r.ms)), rssKiB: median(rs.map((r) => r.rssKiB)) };
}

const fmt = (n: number, d = 1) => n.toFixed(d);
const verdict = (ok: boolean) => (ok ? "meets target" : "MISSES target");
const lines: string[] = [];
const say = (s = "") => {
  lines.push(s);
  console.log(s);
};

/** About 68 bytes per entry, as in the issue: 1,000,000 tensors ≈ 68 MB of header. */
function millionTensorFile(): { file: string; headerBytes: number } {
  const file = path.join(WORK, "million.safetensors");
  const tensors: TensorSpec[] = [];
  for (let i = 0; i < 1_000_000; i++)
    tensors.push({ name: `l.${i >> 4}.e.${i & 15}.w`, dtype: "F16", shape: [64] });
  const { header, dataBytes } = canonicalHeader(tensors, { metadata: { format: "pt" } });
  if (!existsSync(file)) writeSparse(file, header, dataBytes);
  return { file, headerBytes: Buffer.byteLength(header) };
}

function warm(file: string, whole = false): void {
  // Reads the prefix and header once, what every timed process reads, so the cache is warm.
  if (whole) {
    readFileSync(file);
    return;
  }
  const fd = openSync(file, "r");
  const prefix = Buffer.alloc(8);
  readSync(fd, prefix, 0, 8, 0);
  const n = Number(prefix.readBigUInt64LE(0));
  readSync(fd, Buffer.allocUnsafe(n), 0, n, 8);
  closeSync(fd);
}

mkdirSync(WORK, { recursive: true });
say(`inspect benchmark — ${new Date().toISOString()} — node ${process.version}, page cache warm`);
say();

/** `npm run bench -- a f` runs only those sections; no argument runs all. */
const only = new Set(process.argv.slice(2));
const want = (section: string) => only.size === 0 || only.has(section);

// (a) start-up: a small file vs bare node. The three commands alternate, and each ratio is the
// median of the rounds' own ratios, so that a neighbour's load drifting in and out cancels (as
// in (f)); medians of separate series can even put inspect below bare node on a busy host.
if (want("a")) {
  warm(FIXTURE);
  const rounds = 20;
  const cmds = {
    node: [process.execPath, "-e", "0"],
    json: [process.execPath, BIN, "--json", FIXTURE],
    table: [process.execPath, BIN, FIXTURE],
  };
  for (const c of Object.values(cmds)) for (let i = 0; i < 2; i++) runOnce(c);
  const ms = { node: [] as number[], json: [] as number[], table: [] as number[] };
  for (let i = 0; i < rounds; i++)
    for (const [k, c] of Object.entries(cmds)) ms[k as keyof typeof ms].push(runOnce(c).ms);
  const ratio = (k: "json" | "table") => median(ms[k].map((m, i) => m / ms.node[i]!));
  say(`(a) start-up, ${rounds} alternating rounds of fresh processes (medians)`);
  say(`    node -e 0                     ${fmt(median(ms.node))} ms`);
  say(
    `    inspect --json (small file)   ${fmt(median(ms.json))} ms  = ${fmt(ratio("json"), 2)} × node   target ≤ 1.5 ×  ${verdict(ratio("json") <= 1.5)}`,
  );
  say(
    `    inspect (table)               ${fmt(median(ms.table))} ms  = ${fmt(ratio("table"), 2)} × node`,
  );
  say();
}

// (b) a 1,000,000-tensor header
if (want("b")) {
  const { file, headerBytes } = millionTensorFile();
  warm(file);
  const runs = 5;
  const floor = measure(
    [process.execPath, path.join(ROOT, "bench", "floor-parse.mjs"), file],
    runs,
    1,
  );
  const ours = measure([process.execPath, BIN, "--json", file], runs, 1);
  const headerMB = headerBytes / 1e6;
  const timeRatio = ours.ms / floor.ms;
  const rssRatio = (ours.rssKiB * 1024) / headerBytes;
  say(`(b) 1,000,000 tensors, header ${fmt(headerMB)} MB, median of ${runs}`);
  say(
    `    floor: read 8 + N, JSON.parse  ${fmt(floor.ms, 0)} ms, peak RSS ${fmt(floor.rssKiB / 1024, 0)} MiB (${fmt((floor.rssKiB * 1024) / headerBytes, 2)} × header)`,
  );
  say(
    `    inspect --json                 ${fmt(ours.ms, 0)} ms, peak RSS ${fmt(ours.rssKiB / 1024, 0)} MiB`,
  );
  say(`    time ${fmt(timeRatio, 2)} × floor  target ≤ 1.5 ×  ${verdict(timeRatio <= 1.5)}`);
  say(`    peak RSS ${fmt(rssRatio, 2)} × header  target ≤ 8 ×  ${verdict(rssRatio <= 8)}`);
  say();
}

// (c)-(e) hashing and value scans (--verify, --scan), on real pseudo-random data files created
// once under .bench/ and reused. Page cache warm: each file is read in full before timing.
if (want("c") || want("d") || want("e")) {
  const MiB = 1024 * 1024;
  const GiB = 1024 * MiB;
  const worker = { url: pathToFileURL(path.join(ROOT, "dist", "hash-worker.js")) };
  const gbps = (bytes: number, ms: number) => bytes / ms / 1e6;

  /** Pseudo-random bytes, written once; `shape` may adjust each block (e.g. into BF16 values). */
  const dataFile = (name: string, bytes: number, prefix?: Buffer, shape?: (b: Buffer) => void) => {
    const file = path.join(WORK, name);
    if (existsSync(file) && statSync(file).size === bytes) return file;
    const fd = openSync(file + ".tmp", "w");
    const block = Buffer.allocUnsafe(16 * MiB);
    let done = 0;
    if (prefix) done += writeSync(fd, prefix);
    while (done < bytes) {
      const n = Math.min(block.length, bytes - done);
      randomFillSync(block, 0, n);
      shape?.(block);
      done += writeSync(fd, block, 0, n);
    }
    closeSync(fd);
    renameSync(file + ".tmp", file);
    return file;
  };
  const warmAll = (file: string) => {
    const fd = openSync(file, "r");
    const b = Buffer.allocUnsafe(16 * MiB);
    while (readSync(fd, b, 0, b.length, null) > 0);
    closeSync(fd);
  };
  /** Median wall time of `runs` calls, after one untimed call. */
  const timeIt = async (runs: number, fn: () => Promise<unknown> | unknown) => {
    await fn();
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await fn();
      ms.push(performance.now() - t0);
    }
    return median(ms);
  };
  const hashOne = async (file: string, blockSize?: number) => {
    const run = await runHashJobs([{ path: file }], { worker, blockSize });
    return run.results[0]!.sha256!;
  };

  // (c) one 2 GiB file vs OpenSSL, which uses the CPU's SHA instructions: the single-stream floor
  {
    const file = dataFile("hash-2g.bin", 2 * GiB);
    warmAll(file);
    const bytes = 2 * GiB;
    let opensslDigest = "";
    const openssl = await timeIt(3, () => {
      const r = spawnSync("openssl", ["dgst", "-sha256", file], { encoding: "utf8" });
      opensslDigest = r.stdout.trim().split(/=\s*/).pop() ?? "";
    });
    say(`(c) SHA-256 of one 2 GiB file (2.15 GB), median of 3, page cache warm`);
    say(
      `    openssl dgst -sha256          ${fmt(openssl, 0)} ms  ${fmt(gbps(bytes, openssl), 2)} GB/s`,
    );
    let ours = 0;
    for (const mib of [1, 2, 4, 8, 16]) {
      let digest = "";
      const ms = await timeIt(3, async () => (digest = await hashOne(file, mib * MiB)));
      if (digest !== opensslDigest) throw new Error(`digest ${digest} ≠ openssl ${opensslDigest}`);
      if (mib * MiB === HASH_BLOCK_BYTES) ours = ms;
      const mark = mib * MiB === HASH_BLOCK_BYTES ? "  (default)" : "";
      say(
        `    inspect, ${String(mib).padStart(2)} MiB blocks       ${fmt(ms, 0)} ms  ${fmt(gbps(bytes, ms), 2)} GB/s  ${fmt(openssl / ms, 2)} × openssl${mark}`,
      );
    }
    const ratio = openssl / ours;
    say(
      `    default block: ${fmt(ratio, 2)} × OpenSSL's throughput  target ≥ 0.9 ×  ${verdict(ratio >= 0.9)}`,
    );
    say();
  }

  // (d) four 512 MiB shards: a worker per core vs one at a time. Runs alternate and the ratio is
  // the median of back-to-back pairs, so a neighbour's load drifting in and out cancels.
  {
    const files = [1, 2, 3, 4].map((k) => dataFile(`shard-${k}-of-4.bin`, 512 * MiB));
    files.forEach(warmAll);
    const bytes = 4 * 512 * MiB;
    const jobs = files.map((f) => ({ path: f }));
    const once = async (threads?: number) => {
      const t0 = performance.now();
      await runHashJobs(jobs, { worker, threads });
      return performance.now() - t0;
    };
    await once();
    const serial: number[] = [];
    const parallel: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < 7; i++) {
      serial.push(await once(1));
      parallel.push(await once());
      ratios.push(serial[i]! / parallel[i]!);
    }
    const ratio = median(ratios);
    const workers = Math.min(availableParallelism(), MAX_HASH_WORKERS, files.length);
    say(
      `(d) SHA-256 of 4 × 512 MiB files, 7 alternating pairs, page cache warm, ${availableParallelism()} cores`,
    );
    say(
      `    one at a time                 ${fmt(median(serial), 0)} ms  ${fmt(gbps(bytes, median(serial)), 2)} GB/s (median)`,
    );
    say(
      `    ${workers} workers                     ${fmt(median(parallel), 0)} ms  ${fmt(gbps(bytes, median(parallel)), 2)} GB/s (median)`,
    );
    say(
      `    pairs: ${ratios.map((r) => fmt(r, 2)).join(" ")}; median ${fmt(ratio, 2)} × faster  target ≥ 1.6 × on 2 cores  ${verdict(ratio >= 1.6)}`,
    );
    say();
  }

  // (e) --scan of 1 GiB of BF16 weights (64 tensors of 16 MiB) vs hashing the same file
  {
    const tensors: TensorSpec[] = Array.from({ length: 64 }, (_, i) => ({
      name: `model.layers.${i}.mlp.weight`,
      dtype: "BF16",
      shape: [4096, 2048],
    }));
    const { header, dataBytes } = canonicalHeader(tensors, { metadata: { format: "pt" } });
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(Buffer.byteLength(header)));
    const head = Buffer.concat([prefix, Buffer.from(header)]);
    // Random bits with the exponent's top bit cleared: |x| < 2 and never NaN or inf, like weights.
    const file = dataFile("scan-bf16.safetensors", head.length + Number(dataBytes), head, (b) => {
      for (let i = 1; i < b.length; i += 2) b[i]! &= 0xbf;
    });
    warmAll(file);
    const src = await FileSource.open(file);
    const parsed = await readSafetensors(src);
    await src.close();
    const target = [{ path: file, safetensors: parsed }];
    const bytes = statSync(file).size;
    let nan = -1;
    const hashOnly = await timeIt(3, () => verifyFiles(target, { worker }));
    const scanOnly = await timeIt(3, async () => {
      const r = await verifyFiles(target, { worker, hash: false, scan: true });
      nan = r.verification.scan!.nanTensors + r.verification.scan!.infTensors;
    });
    const both = await timeIt(3, () => verifyFiles(target, { worker, scan: true }));
    if (nan !== 0) throw new Error(`the scan found NaN or inf in ${nan} tensors of clean data`);
    const ratio = hashOnly / scanOnly;
    say(`(e) --scan of 1 GiB of BF16 weights (64 tensors), median of 3, page cache warm`);
    say(
      `    SHA-256 alone (single stream) ${fmt(hashOnly, 0)} ms  ${fmt(gbps(bytes, hashOnly), 2)} GB/s`,
    );
    say(
      `    --scan alone                  ${fmt(scanOnly, 0)} ms  ${fmt(gbps(bytes, scanOnly), 2)} GB/s`,
    );
    say(`    SHA-256 and --scan, one pass  ${fmt(both, 0)} ms  ${fmt(gbps(bytes, both), 2)} GB/s`);
    say(
      `    --scan ${fmt(ratio, 2)} × hashing throughput  target ≥ 0.7 ×  ${verdict(ratio >= 0.7)}`,
    );
    say();
  }
}

// (f) a whole published checkpoint: DeepSeek-V3's 163 shards and 91,991 tensors, sparse. Floor
// and inspect alternate, and the ratio is the median of back-to-back pairs, so that a neighbour's
// load drifting in and out cancels (as in (d)).
if (want("f")) {
  const dir = path.join(WORK, "deepseek-v3");
  const layout = deepseekV3();
  if (!existsSync(path.join(dir, "model.safetensors.index.json"))) writeLayout(dir, layout);
  const shards = readdirSync(dir)
    .filter((f) => f.endsWith(".safetensors"))
    .map((f) => path.join(dir, f));
  for (const f of shards) warm(f);
  warm(path.join(dir, "model.safetensors.index.json"), true);
  const floorCmd = [process.execPath, path.join(ROOT, "bench", "floor-parse.mjs"), ...shards];
  const oursCmd = [process.execPath, BIN, "--json", dir];
  runOnce(floorCmd);
  runOnce(oursCmd);
  const runs = 9;
  const floors: Run[] = [];
  const ours: Run[] = [];
  for (let i = 0; i < runs; i++) {
    floors.push(runOnce(floorCmd));
    ours.push(runOnce(oursCmd));
  }
  const ratios = ours.map((r, i) => r.ms / floors[i]!.ms);
  const timeRatio = median(ratios);
  const floorMs = median(floors.map((r) => r.ms));
  const oursMs = median(ours.map((r) => r.ms));
  const rssMiB = median(ours.map((r) => r.rssKiB)) / 1024;
  say(
    `(f) DeepSeek-V3 layout: ${shards.length} shards, ${layout.tensors.length.toLocaleString("en-US")} tensors, index ${fmt(statSync(path.join(dir, "model.safetensors.index.json")).size / 1e6)} MB, ${runs} alternating pairs`,
  );
  say(
    `    floor: read each 8 + N, JSON.parse  ${fmt(floorMs, 0)} ms, peak RSS ${fmt(median(floors.map((r) => r.rssKiB)) / 1024, 0)} MiB (median)`,
  );
  say(
    `    inspect --json <folder>             ${fmt(oursMs, 0)} ms, peak RSS ${fmt(rssMiB, 0)} MiB (median)`,
  );
  say(
    `    pairs: ${ratios.map((r) => fmt(r, 2)).join(" ")}; median ${fmt(timeRatio, 2)} × floor  target ≤ 1.5 ×  ${verdict(timeRatio <= 1.5)}`,
  );
  say(
    `    peak RSS ${fmt(rssMiB, 0)} MiB  target ≤ 300 MB (286 MiB)  ${verdict(rssMiB * 1024 * 1024 <= 300e6)}`,
  );
  say();
}

// (g) reading before downloading: the DeepSeek-V3 layout on the loopback Hub emulator, served as
// the Hub serves it (the revision API, `resolve` answered by a 302 to a CDN origin, then a
// ranged GET there), 50 ms of latency injected on every request of both origins. The reference
// figures of @huggingface/hub are quoted from issue 9 (measured there against the same layout),
// not run here.
if (want("g")) {
  const dir = path.join(WORK, "deepseek-v3");
  const layout = deepseekV3();
  if (!existsSync(path.join(dir, "model.safetensors.index.json"))) writeLayout(dir, layout);
  const shards = readdirSync(dir).filter((f) => f.endsWith(".safetensors")).length;
  const hub = await HubEmulator.start();
  try {
    hub.addFolder("deepseek-ai/DeepSeek-V3", dir);
    const cache = path.join(WORK, "empty-hf-cache");
    mkdirSync(cache, { recursive: true });
    const env: NodeJS.ProcessEnv = { ...process.env, HF_ENDPOINT: hub.hub, HF_HUB_CACHE: cache };
    delete env.HF_TOKEN;
    delete env.HF_HUB_OFFLINE;
    env.HF_TOKEN_PATH = path.join(cache, "no-token");
    const sizes = (names: string[]) =>
      names.reduce((a, n) => a + statSync(path.join(dir, n)).size, 0);
    let headers = 0;
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".safetensors"))) {
      const fd = openSync(path.join(dir, f), "r");
      const prefix = Buffer.alloc(8);
      readSync(fd, prefix, 0, 8, 0);
      closeSync(fd);
      headers += 8 + Number(prefix.readBigUInt64LE(0));
    }
    const small = sizes(["model.safetensors.index.json", "config.json"]);
    const budget = 2 * (headers + small) + 64 * 1024 * shards;
    // GNU time, when present, gives the CLI's CPU time: what of the wall time was not waiting.
    const useTime = existsSync(TIME);
    const runCli = async (args: string[], cwd?: string) => {
      const cmd = [process.execPath, BIN, ...args];
      const t0 = process.hrtime.bigint();
      const r = await spawnCollect(useTime ? [TIME, "-f", "%U %S", ...cmd] : cmd, env, cwd);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      let cpuMs = NaN;
      if (useTime) {
        const lines = r.stderr.trimEnd().split("\n");
        const [u, s] = lines.pop()!.split(" ").map(Number);
        cpuMs = (u! + s!) * 1000;
        r.stderr = lines.join("\n");
      }
      return { ...r, ms, cpuMs };
    };
    hub.latencyMs = 50;
    await runCli(["--json", "deepseek-ai/DeepSeek-V3"]); // warm-up: page cache, code cache
    const runs = 3;
    const times: number[] = [];
    const cpu: number[] = [];
    let last: { hub: OriginCounters; cdn: OriginCounters; stdout: string } | undefined;
    for (let i = 0; i < runs; i++) {
      hub.resetCounters();
      const r = await runCli(["--json", "deepseek-ai/DeepSeek-V3"]);
      if (r.status !== 0) throw new Error(`inspect exited ${r.status}: ${r.stderr}`);
      times.push(r.ms);
      cpu.push(r.cpuMs);
      last = { hub: hub.counters.hub, cdn: hub.counters.cdn, stdout: r.stdout };
    }
    const c = last!;
    const doc = JSON.parse(c.stdout) as { source: { requests: number; bytesTransferred: number } };
    const dataPerShard = c.cdn.requests / shards;
    const fixed = c.hub.requests - shards;
    const sent = c.hub.bytes + c.cdn.bytes;
    const wall = median(times);
    hub.resetCounters();
    const serial = await runCli(["--json", "--concurrency", "1", "deepseek-ai/DeepSeek-V3"]);
    // Inside the folder, so that file paths read as the repo's ("model-00001-…").
    const local = await runCli(["--json", "."], dir);
    const strip = (s: string) => {
      const o = JSON.parse(s) as Record<string, unknown>;
      delete o.target;
      delete o.source;
      return JSON.stringify(o);
    };
    say(
      `(g) DeepSeek-V3 layout on the loopback Hub emulator: ${shards} shards, 50 ms injected on every request, median of ${runs}`,
    );
    say(
      `    requests: ${c.hub.requests} to the Hub (1 revision API, ${fixed - 1} small files, ${shards} resolve → 302), ${c.cdn.requests} ranged GETs to the CDN`,
    );
    say(
      `    data requests per shard ${fmt(dataPerShard, 3)}  target ≤ 1.05  ${verdict(dataPerShard <= 1.05)}; fixed overhead ${fixed}  target ≤ 4  ${verdict(fixed <= 4)}`,
    );
    say(
      `    bytes sent ${fmt(sent / 1e6, 2)} MB (headers ${fmt(headers / 1e6, 2)} MB, index + config ${fmt(small / 1e6, 2)} MB); budget ${fmt(budget / 1e6, 2)} MB  ${verdict(sent <= budget)}`,
    );
    say(
      `    in flight at most ${c.cdn.maxInFlight} on the CDN  target ≥ 16  ${verdict(c.cdn.maxInFlight >= 16)}`,
    );
    say(
      `    wall time ${fmt(wall, 0)} ms (${times.map((t) => fmt(t, 0)).join(", ")})  target < 2,500 ms  ${verdict(wall < 2500)}; --concurrency 1: ${fmt(serial.ms, 0)} ms`,
    );
    say(
      `    CPU time of the CLI ${fmt(median(cpu), 0)} ms (user + sys); the local read of the same folder: ${fmt(local.ms, 0)} ms wall, ${fmt(local.cpuMs, 0)} ms CPU`,
    );
    say(
      `    report's source: ${doc.source.requests} requests, ${fmt(doc.source.bytesTransferred / 1e6, 2)} MB; JSON identical to the local read apart from target/source: ${strip(c.stdout) === strip(local.stdout) ? "yes" : "NO"}`,
    );
    say(
      `    reference, @huggingface/hub parseSafetensorsMetadata (quoted from issue 9, not run): 3 data requests per file, 658 requests, about 3.8 s at 50 ms`,
    );
    say();
  } finally {
    await hub.close();
  }
}

// (h) a GGUF header with a 256 k-token vocabulary and its merges (~10 MB of strings), in process,
// alternating pairs: the floor (read the bytes, decode every string, no checks), inspect's reader,
// and @huggingface/gguf (a dev dependency of this benchmark only) on the same file.
if (want("h")) {
  const file = path.join(WORK, "vocab-256k.gguf");
  if (!existsSync(file)) {
    const spec = modelSpec({ ...FAMILIES.llama(), vocab: 512 });
    const n = 256_000;
    // Byte-level BPE tokens as GPT-2-style vocabularies spell them, some non-ASCII.
    const syll = [
      "Ġ",
      "an",
      "th",
      "er",
      "in",
      "ç",
      "é",
      "を",
      "的",
      "ing",
      "tion",
      "Ċ",
      "on",
      "re",
    ];
    const token = (i: number) => {
      let t = "";
      for (let x = i + 7; t.length < 3 + (i % 9); x = Math.floor(x / 5) + 3)
        t += syll[x % syll.length];
      return t + i.toString(36);
    };
    const tokens = Array.from({ length: n }, (_, i) => token(i));
    const merges = Array.from({ length: n - 256 }, (_, i) => `${token(i)} ${token(i + 1)}`);
    spec.kv = spec.kv.filter((k) => !String(k.key).startsWith("tokenizer."));
    spec.kv.push(
      { key: "tokenizer.ggml.model", type: "str", value: "gpt2" },
      { key: "tokenizer.ggml.pre", type: "str", value: "llama-bpe" },
      { key: "tokenizer.ggml.tokens", type: "str", array: true, value: tokens },
      { key: "tokenizer.ggml.token_type", type: "i32", array: true, value: tokens.map(() => 1) },
      { key: "tokenizer.ggml.merges", type: "str", array: true, value: merges },
      { key: "tokenizer.ggml.bos_token_id", type: "u32", value: 1 },
      { key: "tokenizer.ggml.eos_token_id", type: "u32", value: 2 },
    );
    const w = writeGguf(spec);
    const tmp = file + ".tmp";
    const fd = openSync(tmp, "w");
    writeSync(fd, w.bytes);
    closeSync(fd);
    renameSync(tmp, file);
  }
  const bytes = statSync(file).size;
  warm(file, true);
  // Resolved from the project (run-ts bundles this script into a temporary folder).
  const hfEntry = createRequire(path.join(ROOT, "package.json")).resolve("@huggingface/gguf");
  const { gguf } = (await import(pathToFileURL(hfEntry).href)) as typeof HfGguf;
  /** The floor: the same bytes in one read, every string decoded, nothing checked. */
  const floor = () => {
    const b = readFileSync(file);
    let p = 24;
    const nt = Number(b.readBigUInt64LE(8));
    const nkv = Number(b.readBigUInt64LE(16));
    const size = [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8];
    let strings = 0;
    const str = () => {
      const n = Number(b.readBigUInt64LE(p));
      const s = b.toString("utf8", p + 8, p + 8 + n);
      p += 8 + n;
      strings += n;
      return s;
    };
    for (let i = 0; i < nkv; i++) {
      str();
      const t = b.readUInt32LE(p);
      p += 4;
      if (t === 8) str();
      else if (t === 9) {
        const it = b.readUInt32LE(p);
        const count = Number(b.readBigUInt64LE(p + 4));
        p += 12;
        if (it === 8) for (let k = 0; k < count; k++) str();
        else p += count * size[it]!;
      } else p += size[t]!;
    }
    for (let i = 0; i < nt; i++) {
      str();
      const dims = b.readUInt32LE(p);
      p += 4 + 8 * dims + 4 + 8;
    }
    return strings;
  };
  const ours = async () => {
    const src = await FileSource.open(file);
    try {
      const g = await readGguf(src);
      if (g.findings.some((f) => f.severity === "error")) throw new Error("bench file has errors");
    } finally {
      await src.close();
    }
  };
  const hf = () => gguf(file, { allowLocalFile: true });
  const time = async (fn: () => unknown) => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };
  for (let i = 0; i < 3; i++) {
    floor();
    await ours();
    await hf();
  }
  const stringBytes = floor();
  const runs = 11;
  const f: number[] = [];
  const o: number[] = [];
  const h: number[] = [];
  for (let i = 0; i < runs; i++) {
    f.push(await time(floor));
    o.push(await time(ours));
    h.push(await time(hf));
  }
  const vsFloor = median(o.map((x, i) => x / f[i]!));
  const vsHf = median(o.map((x, i) => x / h[i]!));
  say(
    `(h) GGUF with a 256,000-token vocabulary and 255,744 merges (${fmt(stringBytes / 1e6)} MB of strings), file ${fmt(bytes / 1e6)} MB, in process, ${runs} alternating rounds`,
  );
  say(`    floor: read, decode every string   ${fmt(median(f), 1)} ms (median)`);
  say(`    inspect's reader                   ${fmt(median(o), 1)} ms (median)`);
  say(`    @huggingface/gguf                  ${fmt(median(h), 1)} ms (median)`);
  say(`    ${fmt(vsFloor, 2)} × floor  target ≤ 1.5 ×  ${verdict(vsFloor <= 1.5)}`);
  say(`    ${fmt(vsHf, 2)} × @huggingface/gguf  target < 1 ×  ${verdict(vsHf < 1)}`);
  say(
    `    load while measuring: ${os
      .loadavg()
      .map((x) => fmt(x, 2))
      .join(" ")} (1, 5, 15 min) on ${availableParallelism()} cores`,
  );
  say();
}
