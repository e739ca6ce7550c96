// The speed estimate against published llama.cpp llama-bench results: each row is a measured
// decode (tg) and prefill (pp) rate, with its source; the test recomputes the estimate with the
// catalogue's figures and the calibrated class efficiencies, prints measured/estimated, and
// holds decode within 0.67–1.5×. Not timed: these are arithmetic on published numbers.
// The same table, with the derivations, is docs/memory-model.md §7.

import { describe, expect, it } from "vitest";
import { DEVICES, findDevice } from "../../src/hardware/catalog.js";
import { estimateSpeed, SPEED_CLASSES } from "../../src/hardware/speed.js";

const GiB = 2 ** 30;

/** A model file as llama-bench reports it, and what one generated token reads of it. */
interface BenchModel {
  name: string;
  /** "model size" as llama-bench prints it, GiB. */
  sizeGiB: number;
  /** Input embedding: rows × hidden at its bits per weight; looked up, not read whole. */
  embedding: { rows: number; hidden: number; bits: number };
  /** Parameters outside the input embedding (2 FLOPs each per prompt token). */
  computeParameters: number;
  /** KV bytes per token of context, F16 cache. */
  kvPerToken: number;
}

const L3_8B = { rows: 128256, hidden: 4096 };
const L3_70B = { rows: 128256, hidden: 8192 };
const L2_7B = { rows: 32000, hidden: 4096 };
const L2_70B = { rows: 32000, hidden: 8192 };
const M = {
  l3_8b_q4km: {
    name: "Llama 3 8B Q4_K_M",
    sizeGiB: 4.58,
    embedding: { ...L3_8B, bits: 4.5 },
    computeParameters: 8_030_261_248 - 128256 * 4096,
    kvPerToken: 131_072,
  },
  l3_8b_f16: {
    name: "Llama 3 8B F16",
    sizeGiB: 14.96,
    embedding: { ...L3_8B, bits: 16 },
    computeParameters: 8_030_261_248 - 128256 * 4096,
    kvPerToken: 131_072,
  },
  l3_70b_q4km: {
    name: "Llama 3 70B Q4_K_M",
    sizeGiB: 39.59,
    embedding: { ...L3_70B, bits: 4.5 },
    computeParameters: 70_553_706_496 - 128256 * 8192,
    kvPerToken: 327_680,
  },
  l3_70b_f16: {
    name: "Llama 3 70B F16",
    sizeGiB: 131.42,
    embedding: { ...L3_70B, bits: 16 },
    computeParameters: 70_553_706_496 - 128256 * 8192,
    kvPerToken: 327_680,
  },
  l2_7b_q40: {
    name: "Llama 2 7B Q4_0",
    sizeGiB: 3.56,
    embedding: { ...L2_7B, bits: 4.5 },
    computeParameters: 6_738_415_616 - 32000 * 4096,
    kvPerToken: 524_288,
  },
  l2_7b_f16: {
    name: "Llama 2 7B F16",
    sizeGiB: 12.55,
    embedding: { ...L2_7B, bits: 16 },
    computeParameters: 6_738_415_616 - 32000 * 4096,
    kvPerToken: 524_288,
  },
  l2_70b_q40: {
    name: "Llama 2 70B Q4_0",
    sizeGiB: 36.2,
    embedding: { ...L2_70B, bits: 4.5 },
    computeParameters: 68_976_648_192 - 32000 * 8192,
    kvPerToken: 327_680,
  },
} satisfies Record<string, BenchModel>;

interface Row {
  device: string;
  model: BenchModel;
  /** Average tokens in the cache while generating: half the tg length, plus any depth. */
  context: number;
  tg: number;
  pp?: number;
  source: string;
}

const XD = "XiongjieDai/GPU-Benchmarks-on-LLM-Inference README.md";
const XD3 = `${XD}, LLaMA 3 tables (llama-bench tg512/tg8192, pp512; May 2024)`;
const XD2 = `${XD}, Overview tables for LLaMA 2 (mean TG / PP, Dec 2023)`;
const PR26284 = "ggml-org/llama.cpp#26284 (llama-bench ROCm, tg64, tg64@d4096, pp2048)";

export const CALIBRATION: readonly Row[] = [
  { device: "rtx-3090", model: M.l3_8b_q4km, context: 256, tg: 115.42, pp: 4030.4, source: XD3 },
  { device: "rtx-3090", model: M.l3_8b_f16, context: 256, tg: 47.4, pp: 4444.65, source: XD3 },
  { device: "rtx-3090", model: M.l3_8b_q4km, context: 4096, tg: 87.49, source: `${XD3}, tg8192` },
  { device: "rtx-4090", model: M.l3_8b_q4km, context: 256, tg: 130.58, pp: 7138.99, source: XD3 },
  { device: "rtx-4090", model: M.l3_8b_f16, context: 256, tg: 54.84, pp: 9382.0, source: XD3 },
  { device: "rtx-4090", model: M.l3_8b_q4km, context: 4096, tg: 110.66, source: `${XD3}, tg8192` },
  { device: "rtx-a6000", model: M.l2_7b_q40, context: 64, tg: 111.57, pp: 2979.12, source: XD2 },
  { device: "rtx-a6000", model: M.l2_7b_f16, context: 64, tg: 44.01, pp: 3707.88, source: XD2 },
  { device: "rtx-a6000", model: M.l2_70b_q40, context: 64, tg: 15.18, pp: 405.97, source: XD2 },
  { device: "rtx-6000-ada", model: M.l2_7b_q40, context: 64, tg: 127.45, pp: 3911.18, source: XD2 },
  { device: "rtx-6000-ada", model: M.l2_7b_f16, context: 64, tg: 50.56, pp: 5403.6, source: XD2 },
  { device: "rtx-6000-ada", model: M.l2_70b_q40, context: 64, tg: 17.02, pp: 480.93, source: XD2 },
  { device: "h100-pcie", model: M.l2_7b_q40, context: 64, tg: 133.77, pp: 4868.59, source: XD2 },
  { device: "h100-pcie", model: M.l2_7b_f16, context: 64, tg: 83.32, pp: 7367, source: XD2 },
  { device: "h100-pcie", model: M.l2_70b_q40, context: 64, tg: 25.88, pp: 855.73, source: XD2 },
  { device: "a100", model: M.l2_7b_q40, context: 64, tg: 136.24, pp: 3443.98, source: XD2 },
  { device: "a100", model: M.l2_7b_f16, context: 64, tg: 73.83, pp: 5105.77, source: XD2 },
  { device: "a100", model: M.l2_70b_q40, context: 64, tg: 25.68, pp: 612.41, source: XD2 },
  { device: "m1-max-64", model: M.l3_8b_q4km, context: 256, tg: 35.73, pp: 408.23, source: XD3 },
  { device: "m1-max-64", model: M.l3_8b_f16, context: 256, tg: 18.75, pp: 517.34, source: XD3 },
  { device: "m1-max-64", model: M.l3_70b_q4km, context: 256, tg: 4.34, pp: 34.96, source: XD3 },
  { device: "m2-ultra-192", model: M.l3_8b_q4km, context: 256, tg: 78.81, pp: 994.04, source: XD3 },
  { device: "m2-ultra-192", model: M.l3_8b_f16, context: 256, tg: 36.9, pp: 1175.4, source: XD3 },
  {
    device: "m2-ultra-192",
    model: M.l3_70b_q4km,
    context: 256,
    tg: 12.48,
    pp: 118.79,
    source: XD3,
  },
  { device: "m2-ultra-192", model: M.l3_70b_f16, context: 256, tg: 4.76, pp: 147.58, source: XD3 },
  {
    device: "m2-ultra-192",
    model: M.l3_8b_q4km,
    context: 4096,
    tg: 54.13,
    source: `${XD3}, tg8192`,
  },
  { device: "m3-max-64", model: M.l3_8b_q4km, context: 256, tg: 48.97, pp: 693.32, source: XD3 },
  { device: "m3-max-64", model: M.l3_8b_f16, context: 256, tg: 22.04, pp: 769.84, source: XD3 },
  { device: "m3-max-64", model: M.l3_70b_q4km, context: 256, tg: 7.65, pp: 70.19, source: XD3 },
  {
    device: "rx-7900-xtx",
    model: M.l3_8b_q4km,
    context: 32,
    tg: 105.75,
    pp: 3189.36,
    source: PR26284,
  },
  { device: "rx-7900-xtx", model: M.l3_8b_q4km, context: 4128, tg: 98.67, source: PR26284 },
];

/** What one generated token reads: the file less all but one row of the input embedding. */
function bytesPerToken(m: BenchModel): bigint {
  const embedding = (m.embedding.rows * m.embedding.hidden * m.embedding.bits) / 8;
  return BigInt(Math.round(m.sizeGiB * GiB - embedding));
}

function ratios(r: Row) {
  const device = findDevice(r.device);
  if (!device?.speed) throw new Error(`${r.device} is not in the catalogue with speed figures`);
  const e = estimateSpeed(
    {
      weightBytesPerToken: bytesPerToken(r.model),
      kvBytesAtContext: BigInt(r.model.kvPerToken * r.context),
      activeParameters: BigInt(r.model.computeParameters),
    },
    device.speed,
  );
  return {
    decode: r.tg / e.decodeTokensPerSecond,
    prefill: r.pp === undefined ? undefined : r.pp / e.prefillTokensPerSecond,
    estimate: e,
  };
}

describe("speed estimate against llama-bench (measured / estimated)", () => {
  it("every catalogue entry has bandwidth and dense TFLOPS with a source", () => {
    for (const d of DEVICES) {
      expect(d.speed, d.id).toBeDefined();
      expect(d.speed!.bandwidthGBps, d.id).toBeGreaterThan(0);
      expect(d.speed!.denseTflops, d.id).toBeGreaterThan(0);
      expect(d.speed!.source.length, d.id).toBeGreaterThan(10);
    }
    // Same memory, twice the bandwidth: the chip matters, not the size.
    expect(findDevice("m4-max-48")!.speed!.bandwidthGBps).toBe(546);
    expect(findDevice("m4-pro-48")!.speed!.bandwidthGBps).toBe(273);
    expect(findDevice("h100")!.speed!.bandwidthGBps).toBe(3350);
    expect(findDevice("h100-pcie")!.speed!.bandwidthGBps).toBe(2000);
    expect(findDevice("mac-32gb")!.id).toBe("m4-32");
  });

  it.each(CALIBRATION.map((r) => [`${r.device} ${r.model.name} @${r.context}`, r] as const))(
    "%s",
    (_label, r) => {
      const { decode, prefill, estimate } = ratios(r);
      console.log(
        `${r.device.padEnd(13)} ${r.model.name.padEnd(19)} ctx ${String(r.context).padStart(4)}: tg ${r.tg} / ${estimate.decodeTokensPerSecond} = ${decode.toFixed(2)}` +
          (prefill === undefined
            ? ""
            : `; pp ${r.pp} / ${estimate.prefillTokensPerSecond} = ${prefill.toFixed(2)}`),
      );
      expect(decode).toBeGreaterThanOrEqual(0.67);
      expect(decode).toBeLessThanOrEqual(1.5);
      // Prefill is coarser (docs/memory-model.md §7 lists the rows outside 0.67–1.5×).
      if (prefill !== undefined) {
        expect(prefill).toBeGreaterThanOrEqual(0.33);
        expect(prefill).toBeLessThanOrEqual(3);
      }
    },
  );

  it("the per-token cost dominates small models; the bandwidth term large ones", () => {
    const h100 = findDevice("h100")!.speed!;
    const tiny = estimateSpeed(
      { weightBytesPerToken: 1_000_000n, kvBytesAtContext: 0n, activeParameters: 500_000n },
      h100,
    );
    // At most 1 / 1 ms on CUDA, however small the model.
    expect(tiny.decodeTokensPerSecond).toBeLessThanOrEqual(1000);
    expect(tiny.decodeTokensPerSecond).toBeGreaterThan(990);
    const big = estimateSpeed(
      { weightBytesPerToken: 700_000_000_000n, kvBytesAtContext: 0n, activeParameters: 1n },
      findDevice("m4-32")!.speed!,
    );
    expect(big.usable).toBe(false);
    expect(SPEED_CLASSES.apple.perTokenMs).toBeGreaterThan(
      SPEED_CLASSES["nvidia-consumer"].perTokenMs,
    );
  });
});
