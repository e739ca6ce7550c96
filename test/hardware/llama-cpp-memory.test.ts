// The GGUF memory estimate against llama.cpp itself (the build node-llama-cpp ships): for each
// tiny model the writer makes, llama.cpp creates contexts and logs what it allocated. The KV
// cache must agree exactly (cells, and K and V in MiB to the two decimals llama.cpp prints); the
// output buffer too; the compute buffer is an estimate and must fall within 0.8-1.25 of it, with
// flash attention ("auto", llama.cpp's default, which it turns on for the CPU) and without, and
// with --swa-full; gemma4's window layers have heads of their own size (key_length_swa), llama4's
// chunked layers the chunk's cells. Skipped, with the reason, when the prebuilt binary cannot run on this machine.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../helpers/load.js";
import type { FlashAttentionSetting } from "../../src/hardware/llama-cpp.js";
import { buildReport } from "../../src/inspection.js";
import { FAMILIES, familyFile, type Family } from "../helpers/gguf.js";

interface Allocated {
  file: string;
  context: number;
  setting: FlashAttentionSetting;
  swaFull: boolean;
  flashAttention?: boolean;
  caches?: Array<{ cells: number; layers: number; kMiB: number; vMiB: number }>;
  computeMiB?: number;
  outputMiB?: number;
  error?: string;
  unavailable?: string;
}

const HELPER = path.resolve("test/helpers/llama-context.mjs");
const dir = mkdtempSync(path.join(tmpdir(), "inspect-llama-memory-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const families = Object.keys(FAMILIES) as Family[];
const files = new Map<Family, string>();
for (const f of families) {
  const file = path.join(dir, `${f}.gguf`);
  writeFileSync(file, familyFile(f).bytes);
  files.set(f, file);
}

interface Case {
  family: Family;
  /** 1,000 tokens: 1,024 cells; 5,000: 5,120, where a 128-token window keeps 768. */
  context: number;
  flash: FlashAttentionSetting;
  swaFull: boolean;
}
const windowed: Family[] = ["gemma2", "gemma3", "gemma4"];
const cases: Case[] = [
  ...[1000, 5000].flatMap((context) =>
    (["auto", "off"] as const).flatMap((flash) =>
      families.map((family) => ({ family, context, flash, swaFull: false })),
    ),
  ),
  ...(["auto", "off"] as const).flatMap((flash) =>
    windowed.map((family) => ({ family, context: 5000, flash, swaFull: true })),
  ),
  // Llama 4's chunk is 8,192 tokens: at 10,000 the chunked layers hold 8,704 cells of 10,240.
  { family: "llama4", context: 10000, flash: "auto", swaFull: false },
  { family: "llama4", context: 10000, flash: "off", swaFull: false },
  { family: "llama4", context: 10000, flash: "auto", swaFull: true },
];
const key = (file: string, context: number, flash: string, swaFull: boolean) =>
  `${file} ${context} ${flash} ${swaFull}`;

// One process for every context: loading the addon is what takes the time.
const args = cases.flatMap((c) => [
  `--context=${c.context}`,
  `--flash-attn=${c.flash}`,
  `--swa-full=${c.swaFull ? "yes" : "no"}`,
  files.get(c.family)!,
]);
const allocated = new Map<string, Allocated>();
let unavailable: string | undefined;
const r = spawnSync(process.execPath, [HELPER, ...args], {
  encoding: "utf8",
  maxBuffer: 1 << 24,
  timeout: 120_000,
});
for (const line of r.stdout.split("\n")) {
  if (!line.startsWith("{")) continue;
  const msg = JSON.parse(line) as Allocated;
  if (msg.unavailable !== undefined) unavailable = msg.unavailable;
  else allocated.set(key(msg.file, msg.context, msg.setting, msg.swaFull), msg);
}
if (r.status !== 0 && unavailable === undefined) unavailable = `exit ${r.status ?? r.signal}`;
if (unavailable) console.warn(`llama.cpp memory reference skipped: ${unavailable}`);

const MiB = 1024 * 1024;
const mib = (b: bigint | number) => Math.round((Number(b) / MiB) * 100) / 100;

describe.skipIf(unavailable !== undefined)("the GGUF estimate agrees with llama.cpp", () => {
  it.each(cases)(
    "$family at $context tokens, --flash-attn $flash, swa-full $swaFull",
    async ({ family, context, flash, swaFull }) => {
      const file = files.get(family)!;
      const got = allocated.get(key(file, context, flash, swaFull))!;
      expect(got.error).toBeUndefined();
      const report = buildReport(await loadCheckpoint(file), {
        hardware: { context, ...(flash === "off" ? { flashAttention: flash } : {}), swaFull },
      });
      const hw = report.hardware!;
      const runtime = hw.assumptions.runtime!;
      expect(runtime.name).toBe("llama.cpp");
      // "auto" resolves as llama.cpp resolved it on this CPU: on.
      expect(runtime.flashAttention).toBe(got.flashAttention);
      expect(runtime.flashAttentionSetting).toBe(flash);
      // llama.cpp keeps window layers in a cache of their own (llama_kv_cache_iswa), even when
      // --swa-full gives it as many cells as the other.
      const ours = new Map<string, { cells: number; layers: number; bytes: bigint }>();
      for (const g of hw.breakdown.layers ?? []) {
        if (g.cells === undefined) continue;
        const k = g.window !== undefined ? "swa" : "base";
        const c = ours.get(k) ?? { cells: g.cells, layers: 0, bytes: 0n };
        c.layers += g.count;
        c.bytes += g.bytes;
        ours.set(k, c);
      }
      const order = (a: { cells: number; layers: number }, b: { cells: number; layers: number }) =>
        a.cells - b.cells || a.layers - b.layers;
      const mine = [...ours.values()].sort(order);
      const theirs = [...got.caches!].sort(order);
      expect(mine.map((c) => [c.cells, c.layers])).toEqual(theirs.map((c) => [c.cells, c.layers]));
      // K and V are rounded apart in llama.cpp's line: the sum is within 0.01 MiB.
      mine.forEach((c, i) =>
        expect(mib(c.bytes)).toBeCloseTo(theirs[i]!.kMiB + theirs[i]!.vMiB, 1),
      );
      expect(mib(hw.breakdown.kvCache)).toBeCloseTo(
        got.caches!.reduce((a, c) => a + c.kMiB + c.vMiB, 0),
        1,
      );
      expect(mib(hw.breakdown.outputBuffer!)).toBe(got.outputMiB);
      const ratio = Number(hw.breakdown.computeBuffer!) / MiB / got.computeMiB!;
      expect(ratio).toBeGreaterThanOrEqual(0.8);
      expect(ratio).toBeLessThanOrEqual(1.25);
    },
  );
});
