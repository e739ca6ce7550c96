// npm run bench: inspect's cost as ratios against floors measured in the same run, so the
// numbers mean the same on any machine. Page cache warm throughout (every input is read once
// before timing). Not part of the tests: nothing here asserts, it reports.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { canonicalHeader, writeSparse, type TensorSpec } from "../test/helpers/safetensors.js";

const ROOT = process.cwd();
const BIN = path.join(ROOT, "bin", "inspect.js");
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

function warm(file: string): void {
  // Reads the header region once so timings start from a warm page cache.
  readFileSync(file, { flag: "r" }).length;
}

mkdirSync(WORK, { recursive: true });
say(`inspect benchmark — ${new Date().toISOString()} — node ${process.version}, page cache warm`);
say();

// (a) start-up: a small file vs bare node
{
  warm(FIXTURE);
  const runs = 20;
  const node = measure([process.execPath, "-e", "0"], runs);
  const json = measure([process.execPath, BIN, "--json", FIXTURE], runs);
  const table = measure([process.execPath, BIN, FIXTURE], runs);
  const ratio = json.ms / node.ms;
  say(`(a) start-up, median of ${runs} fresh processes`);
  say(`    node -e 0                     ${fmt(node.ms)} ms`);
  say(
    `    inspect --json (small file)   ${fmt(json.ms)} ms  = ${fmt(ratio, 2)} × node   target ≤ 1.5 ×  ${verdict(ratio <= 1.5)}`,
  );
  say(
    `    inspect (table)               ${fmt(table.ms)} ms  = ${fmt(table.ms / node.ms, 2)} × node`,
  );
  say();
}

// (b) a 1,000,000-tensor header
{
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
