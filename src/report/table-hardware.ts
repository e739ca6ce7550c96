// The table's hardware section: the requirement broken down with the assumptions behind it, the
// precision what-ifs, the smallest setup per GPU kind, and the answer for the user's machine.

import { group } from "../core/text.js";
import { displayName, type DeviceRow, type HardwareEstimate } from "../hardware/estimate.js";
import { escapeForTerminal as esc } from "../core/escape.js";
import {
  alternativesText,
  bitsText,
  laptopText,
  notesOf,
  serverText,
  shareText,
} from "./hardware-words.js";
import type { Style } from "./style.js";
import { bytesBoth, iec } from "./units.js";

/** Devices named in the "smallest setup" line: the common choices of each class. */
const SHOWN_GPUS = [
  "h100",
  "h200",
  "b200",
  "mi300x",
  "a100",
  "rtx-pro-6000",
  "rtx-5090",
  "rtx-4090",
];

type Grid = (head: string[], rows: Iterable<readonly string[]>, right: number[]) => string;

/** "~45 tok/s", or "~3 tok/s, too slow" below the usable speed. */
function speed(d: { decodeTokensPerSecond?: number; usable?: boolean }): string {
  const v = d.decodeTokensPerSecond;
  if (v === undefined) return "";
  const shown = v >= 10 ? Math.round(v).toString() : v.toFixed(1);
  return d.usable === false ? ` ~${shown} tok/s, too slow` : ` ~${shown} tok/s`;
}

function setup(d: DeviceRow): string {
  const name = d.label;
  if (d.count !== undefined && d.fits) return `${name} ×${d.count}${speed(d)}`;
  if (d.nodes !== undefined) return `${name}: ${d.nodes} nodes of 8`;
  return `${name}: no`;
}

/** "36 chunked-attention ≤ 8,192 tokens: 1.13 GiB", "27 mamba2 state: 69.40 MiB per sequence". */
function layerText(g: NonNullable<HardwareEstimate["breakdown"]["layers"]>[number]): string {
  const head = `${g.count} ${g.kind}`;
  if (g.kind === "no-cache") return `${head} (none)`;
  if (g.fixedBytes !== undefined) return `${head} state: ${iec(g.fixedBytes)} per sequence`;
  const w = g.window !== undefined ? ` ≤ ${group(g.window)} tokens` : "";
  const cells = g.cells !== undefined ? `, ${group(g.cells)} cells` : "";
  return `${head}${w}${cells}: ${iec(g.bytes)}`;
}

/** The smallest Mac that holds it, or the largest that does not. */
function macs(devices: readonly DeviceRow[]): string {
  const m = devices.filter((d) => d.kind === "laptop" || d.kind === "desktop");
  const fit = m.find((d) => d.fits);
  if (fit) return `${fit.label}${speed(fit)}`;
  const last = m[m.length - 1];
  return last ? `not even a ${last.label}` : "";
}

/** How the weights are counted: as stored, or re-quantized by --precision. */
function precisionHow(hw: HardwareEstimate): string {
  if (hw.precision === "as stored") return "as stored";
  const row = hw.precisions.find((p) => p.name === hw.precision);
  const scheme = row?.scheme ? `, ${row.scheme}` : "";
  return `at ${hw.precision} (--precision: ${row?.weightBits ?? "?"} bits per weight${scheme})`;
}

/**
 * The tier in words that agree with the total: what it fits on, never "on one device" for a
 * model that needs a node or several.
 */
function tierWords(hw: HardwareEstimate): string {
  const server = hw.reference.server;
  switch (hw.tier) {
    case "laptop":
      return `laptop tier, fits one device (a ${hw.reference.laptop})`;
    case "single-server":
      return `single-server tier, fits one node of ${server}`;
    case "cluster":
      return `cluster tier, more than one node of ${server}${hw.cluster ? ` (${hw.cluster.nodes} nodes)` : ""}`;
  }
}

export function hardwareLines(hw: HardwareEstimate, st: Style, grid: Grid): string[] {
  const a = hw.assumptions;
  const b = hw.breakdown;
  const out: string[] = [];
  const tokens = a.runtime
    ? `${group(a.runtime.cells)} cells (${a.runtime.name})`
    : `${group(a.context)} tokens`;
  const kvWhat = a.kvCacheKnown
    ? `${group(a.kvBytesPerToken ?? 0n)} B/token in ${a.kvCacheDtype}${a.kvCacheDtypeFrom === "config" ? " (from config.json)" : a.kvCacheDtypeFrom === "option" ? " (--kv-dtype)" : ""} × ${tokens} × ${a.batch}${a.runtime?.windowCells !== undefined ? ", window layers fewer" : ""}`
    : "unknown without config.json: 10 % of the weights";
  out.push(
    st.bold(
      `  Hardware  needs ${bytesBoth(hw.requiredBytes)} in total (${group(a.context)} tokens × ${a.batch} sequence${a.batch === 1 ? "" : "s"}): ${tierWords(hw)}`,
    ),
  );
  out.push(
    grid(
      ["", "bytes", "how"],
      [
        [
          "weights",
          bytesBoth(b.weights),
          `${precisionHow(hw)}${hw.optional.length > 0 ? `, without ${hw.optional.map((o) => esc(displayName(o.name))).join(", ")}` : ""}`,
        ],
        ["KV cache", bytesBoth(b.kvCache), kvWhat],
        ["activations", bytesBoth(b.activations), activationsHow(hw)],
        ["reserve", bytesBoth(b.reserve), "per device (runtime, CUDA context)"],
      ],
      [1],
    ),
  );
  const groups = b.layers ?? [];
  if (groups.length > 1 || groups.some((g) => g.fixedBytes !== undefined || g.window !== undefined))
    out.push(`  ${st.dim("· KV by layer: " + groups.map(layerText).join(" · "))}`);
  const runtime = runtimeLine(hw);
  if (runtime) out.push(`  ${st.dim("· " + runtime)}`);
  for (const note of notesOf(hw)) out.push(`  ${st.dim("· " + esc(note))}`);
  const server = serverText(a.serverReference);
  const tiers = `laptop ≤ ${bytesBoth(hw.thresholds.laptopBytes)} (${laptopText(a.laptopReference)}); single server ≤ ${bytesBoth(hw.thresholds.singleServerBytes)} (${server}, ${shareText(a.serverReference.usableShare)})`;
  out.push(`  ${st.dim("· tiers: " + tiers)}`);
  if (hw.cluster) {
    const alt = alternativesText(hw);
    out.push(
      `  ${st.yellow("· cluster:")} ${hw.cluster.nodes} nodes of ${server}${alt.length > 0 ? `; one ${alt.join(" or one ")} node would hold it` : ""}`,
    );
  }

  if (hw.precisions.length > 1) {
    const withFit = hw.precisions.some((p) => p.fits !== undefined);
    const head = ["precision", "bits/weight", "weights", "needs", "tier"];
    if (withFit) head.push(hw.fit?.target ?? "fits");
    out.push("");
    out.push(
      grid(
        head,
        hw.precisions.map((p) => {
          const row = [
            p.name,
            bitsText(p) ?? "",
            bytesBoth(p.weightsBytes),
            bytesBoth(p.requiredBytes),
            p.tier,
          ];
          if (withFit) row.push(p.fits ? st.green("fits") : st.red("does not fit"));
          return row;
        }),
        [2, 3],
      ),
    );
  }

  const gpus = SHOWN_GPUS.flatMap((id) => hw.devices.filter((d) => d.device === id));
  out.push("");
  out.push(`  ${st.dim("smallest setup:")} ${gpus.map(setup).join(" · ")}`);
  if (hw.speed)
    out.push(
      `  ${st.dim(`· tok/s: one sequence generating at ${group(hw.speed.context)} tokens of context, estimated from bandwidth (docs/memory-model.md)`)}`,
    );
  const mac = macs(hw.devices);
  if (mac) out.push(`  ${st.dim("on a Mac:")} ${mac}`);

  const fit = fitLine(hw, st);
  if (fit) out.push(fit);
  return out;
}

/** How the activations are charged: a share of the weights, or llama.cpp's buffers. */
function activationsHow(hw: HardwareEstimate): string {
  const b = hw.breakdown;
  const a = hw.assumptions;
  if (a.activationsFrom !== "llama.cpp-buffers" || b.computeBuffer === undefined)
    return `${a.activationsPercent} % of the weights`;
  return `llama.cpp compute buffer ${iec(b.computeBuffer)} (estimated) + output buffer ${iec(b.outputBuffer ?? 0n)}`;
}

/** "llama.cpp: 4,096 cells per sequence (…)": the runtime's allocation rules, when they apply. */
function runtimeLine(hw: HardwareEstimate): string | undefined {
  const r = hw.assumptions.runtime;
  if (!r) return undefined;
  const parts = [
    `${group(r.cells)} cells per sequence (the context rounded up to ${r.cellPadding})`,
  ];
  if (r.windowCells !== undefined)
    parts.push(`window layers ${group(r.windowCells)} (window + a ${r.ubatch}-token micro-batch)`);
  if (r.mlaCache === "latent") parts.push("MLA caches the latent, no V");
  if (r.mlaCache === "decompressed")
    parts.push("MLA decompressed: K and V per head (a file converted before key_length_mla)");
  parts.push(`compute buffer for ${r.ubatch}-token micro-batches with flash attention`);
  return `${r.name}: ${parts.join("; ")}`;
}

/** "-ngl 20 of 33 on the GPU (14.20 GB each), the other 13 in RAM: 6.10 GB": llama.cpp's split. */
export function splitWords(
  s: NonNullable<NonNullable<HardwareEstimate["fit"]>["layerSplit"]>,
): string {
  const ram = `${bytesBoth(s.ramBytes)} of RAM`;
  if (s.gpuLayers === 0) return `-ngl 0: nothing fits on it, everything in RAM (${ram})`;
  const rest = s.layers - s.gpuLayers;
  const on = `-ngl ${s.gpuLayers} of ${s.layers} (${bytesBoth(s.gpuBytes)} on each device)`;
  return rest === 0
    ? `${on}, all layers; the token embedding stays in RAM (${ram})`
    : `${on}, the other ${rest} in RAM (${ram})`;
}

/** The answer for the user's machine (--memory, --gpu), when asked. */
function fitLine(hw: HardwareEstimate, st: Style): string | undefined {
  const f = hw.fit;
  if (!f) return undefined;
  const verdict = f.fits ? st.green("fits") : st.red("does not fit");
  const margin =
    f.marginBytes >= 0n
      ? `${bytesBoth(f.marginBytes)} to spare`
      : `${bytesBoth(-f.marginBytes)} short`;
  const per = f.devices > 1 ? " per device" : "";
  const context = !hw.languageModel
    ? ""
    : f.maxContext === null
      ? "; longest context unknown without config.json"
      : f.maxContext === 0
        ? "; not even one token of context fits"
        : `; longest context that fits: ${group(f.maxContext)} tokens`;
  const split = f.layerSplit ? `\n  ${st.bold("llama.cpp")} ${splitWords(f.layerSplit)}` : "";
  return `  ${st.bold("fit")} ${esc(f.target)}: ${verdict} (needs ${bytesBoth(f.perDeviceBytes)}${per}, ${bytesBoth(f.usableBytes)} usable, ${margin})${context}${f.fits ? speed(f) : ""}${split}`;
}

/**
 * Weights that are not a language model: the memory to hold them, and why nothing more is shown
 * (a KV cache, tiers and data-centre GPUs would be noise for an MNIST net).
 */
export function weightsOnlyLines(hw: HardwareEstimate, st: Style): string[] {
  const out = [
    st.bold(`  Memory  ${bytesBoth(hw.breakdown.weights)} to hold the weights`),
    `  ${st.dim("· weights only: " + esc(hw.weightsOnlyReason ?? "not a transformer language model"))}`,
  ];
  const fit = fitLine(hw, st);
  if (fit) out.push(fit);
  return out;
}
