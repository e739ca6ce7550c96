// The GGUF memory estimate against llama.cpp itself (the build node-llama-cpp ships): for each
// tiny model the writer makes, llama.cpp creates a context and logs what it allocated. The KV
// cache must agree exactly (cells, and K and V in MiB to the two decimals llama.cpp prints); the
// output buffer too; the compute buffer is an estimate and must fall within 0.8-1.25 of it.
// Skipped, with the reason, when the prebuilt binary cannot run on this machine.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../../src/checkpoint/load.js";
import { buildReport } from "../../src/inspection.js";
import { FAMILIES, familyFile, type Family } from "../helpers/gguf.js";

interface Allocated {
  file: string;
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

/** 1,000 tokens: 1,024 cells; 5,000: 5,120, where a 128-token window keeps 768. */
const CONTEXTS = [1000, 5000];
const allocated = new Map<string, Allocated>();
let unavailable: string | undefined;
for (const context of CONTEXTS) {
  const r = spawnSync(process.execPath, [HELPER, String(context), ...files.values()], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
    timeout: 120_000,
  });
  for (const line of r.stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const msg = JSON.parse(line) as Allocated;
    if (msg.unavailable !== undefined) unavailable = msg.unavailable;
    else allocated.set(`${context} ${msg.file}`, msg);
  }
  if (r.status !== 0 && unavailable === undefined) unavailable = `exit ${r.status ?? r.signal}`;
}
if (unavailable) console.warn(`llama.cpp memory reference skipped: ${unavailable}`);

const MiB = 1024 * 1024;
const mib = (b: bigint | number) => Math.round((Number(b) / MiB) * 100) / 100;

const cases = CONTEXTS.flatMap((context) => families.map((family) => ({ context, family })));

describe.skipIf(unavailable !== undefined)("the GGUF estimate agrees with llama.cpp", () => {
  it.each(cases)("$family at $context tokens", async ({ context, family }) => {
    const file = files.get(family)!;
    const got = allocated.get(`${context} ${file}`)!;
    expect(got.error).toBeUndefined();
    const report = buildReport(await loadCheckpoint(file), { hardware: { context } });
    const hw = report.hardware!;
    expect(hw.assumptions.runtime?.name).toBe("llama.cpp");
    const groups = (hw.breakdown.layers ?? []).filter((g) => g.cells !== undefined);
    // One llama.cpp cache per cell count (the iSWA cache is two: full layers, window layers).
    const byCells = new Map<number, { layers: number; bytes: bigint }>();
    for (const g of groups) {
      const c = byCells.get(g.cells!) ?? { layers: 0, bytes: 0n };
      c.layers += g.count;
      c.bytes += g.bytes;
      byCells.set(g.cells!, c);
    }
    expect([...byCells.keys()].sort()).toEqual(got.caches!.map((c) => c.cells).sort());
    for (const c of got.caches!) {
      const ours = byCells.get(c.cells)!;
      expect(ours.layers).toBe(c.layers);
      expect(mib(ours.bytes)).toBeCloseTo(c.kMiB + c.vMiB, 1);
    }
    expect(mib(hw.breakdown.kvCache)).toBeCloseTo(
      got.caches!.reduce((a, c) => a + c.kMiB + c.vMiB, 0),
      1,
    );
    expect(mib(hw.breakdown.outputBuffer!)).toBe(got.outputMiB);
    const ratio = Number(hw.breakdown.computeBuffer!) / MiB / got.computeMiB!;
    expect(ratio).toBeGreaterThanOrEqual(0.8);
    expect(ratio).toBeLessThanOrEqual(1.25);
  });
});
