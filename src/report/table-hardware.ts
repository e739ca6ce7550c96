// The table's hardware section: the requirement broken down with the assumptions behind it, the
// precision what-ifs, the smallest setup per GPU kind, and the answer for the user's machine.

import { group } from "../core/text.js";
import { displayName, type DeviceRow, type HardwareEstimate } from "../hardware/estimate.js";
import { escapeForTerminal as esc } from "../core/escape.js";
import type { LayerSplit } from "../hardware/llama-cpp.js";
import type { ColumnOptions } from "./columns.js";
import {
  alternativesText,
  bitsText,
  laptopText,
  notesOf,
  partlyOffloaded,
  perDeviceText,
  serverText,
  shareText,
  weightsOnlyText,
} from "./hardware-words.js";
import type { Style } from "./style.js";
import { keep, wrapLines, wrapStyled } from "./wrap.js";

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

type Grid = (
  head: string[],
  rows: Iterable<readonly string[]>,
  right: number[],
  options?: ColumnOptions,
) => string;

/** "  · note", wrapped under itself and dimmed (or coloured by `colour`). */
const note = (st: Style, text: string, colour: (s: string) => string = st.dim) =>
  wrapStyled("· " + text, st.width, "  ", "    ", colour);

/** "~45 tok/s", or "~3 tok/s, too slow" below the usable speed. */
function speed(d: { decodeTokensPerSecond?: number; usable?: boolean }): string {
  const v = d.decodeTokensPerSecond;
  if (v === undefined) return "";
  const shown = v >= 10 ? Math.round(v).toString() : v.toFixed(1);
  return d.usable === false ? ` ~${shown} tok/s, too slow` : ` ~${shown} tok/s`;
}

/** One device in the "smallest setup" list: glued, a line never breaks inside it. */
function setup(d: DeviceRow): string {
  const name = d.label;
  if (d.count !== undefined && d.fits) return keep(`${name} ×${d.count}${speed(d)}`);
  if (d.nodes !== undefined) return keep(`${name}: ${d.nodes} nodes of 8`);
  return keep(`${name}: no`);
}

/** "36 chunked-attention ≤ 8,192 tokens: 1.13 GiB", "27 mamba2 state: 69.40 MiB per sequence". */
function layerText(
  g: NonNullable<HardwareEstimate["breakdown"]["layers"]>[number],
  st: Style,
): string {
  const head = `${g.count} ${g.kind}`;
  if (g.kind === "no-cache") return `${head} (none)`;
  if (g.fixedBytes !== undefined) return `${head} state: ${st.bytes(g.fixedBytes)} per sequence`;
  const w = g.window !== undefined ? ` ≤ ${group(g.window)} tokens` : "";
  const cells = g.cells !== undefined ? `, ${group(g.cells)} cells` : "";
  return `${head}${w}${cells}: ${st.bytes(g.bytes)}`;
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
  const server = keep(hw.reference.server);
  switch (hw.tier) {
    case "laptop":
      return `laptop tier, fits one device (a ${hw.reference.laptop})`;
    case "single-server":
      return `single-server tier, fits one node of ${server}`;
    case "cluster":
      return `cluster tier, more than one node of ${server}${hw.cluster ? ` (${hw.cluster.nodes} nodes)` : ""}`;
  }
}

/** `tiers`: show the tier thresholds (false once a run has shown them: they are the same). */
export function hardwareLines(hw: HardwareEstimate, st: Style, grid: Grid, tiers = true): string[] {
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
    ...wrapStyled(
      `Hardware  needs ${keep(st.bytes(hw.requiredBytes))} in total (${group(a.context)} tokens × ${a.batch} sequence${a.batch === 1 ? "" : "s"}): ${tierWords(hw)}`,
      st.width,
      "  ",
      "    ",
      st.bold,
    ),
  );
  out.push(
    grid(
      ["", "bytes", "how"],
      [
        [
          "weights",
          st.bytes(b.weights),
          `${precisionHow(hw)}${hw.optional.length > 0 ? `, without ${hw.optional.map((o) => esc(displayName(o.name))).join(", ")}` : ""}`,
        ],
        ["KV cache", st.bytes(b.kvCache), kvWhat],
        ["activations", st.bytes(b.activations), activationsHow(hw, st)],
        ["reserve", st.bytes(b.reserve), "per device (runtime, CUDA context)"],
      ],
      [1],
      { wrap: 2 },
    ),
  );
  const groups = b.layers ?? [];
  if (groups.length > 1 || groups.some((g) => g.fixedBytes !== undefined || g.window !== undefined))
    out.push(...note(st, "KV by layer: " + groups.map((g) => keep(layerText(g, st))).join(" · ")));
  const runtime = runtimeLine(hw);
  if (runtime) out.push(...note(st, runtime));
  for (const n of notesOf(hw)) out.push(...note(st, esc(n)));
  const server = keep(serverText(a.serverReference));
  if (tiers)
    out.push(
      ...note(
        st,
        `tiers: laptop ≤ ${keep(st.bytes(hw.thresholds.laptopBytes))} (${laptopText(a.laptopReference)}); single server ≤ ${keep(st.bytes(hw.thresholds.singleServerBytes))} (${server}, ${shareText(a.serverReference.usableShare)})`,
      ),
    );
  if (hw.cluster) {
    const alt = alternativesText(hw);
    out.push(
      ...note(
        st,
        `cluster: ${hw.cluster.nodes} nodes of ${server}${alt.length > 0 ? `; one ${alt.map(keep).join(" or one ")} node would hold it` : ""}`,
        st.yellow,
      ),
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
            st.bytes(p.weightsBytes),
            st.bytes(p.requiredBytes),
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
  out.push(
    ...wrapLines(
      `${st.dim("smallest setup:")} ${gpus.map(setup).join(" · ")}`,
      st.width,
      "  ",
      "    ",
    ),
  );
  if (hw.speed)
    out.push(
      ...note(
        st,
        `tok/s: one sequence generating at ${group(hw.speed.context)} tokens of context, estimated from bandwidth (docs/memory-model.md)`,
      ),
    );
  const mac = macs(hw.devices);
  if (mac) out.push(...wrapLines(`${st.dim("on a Mac:")} ${mac}`, st.width, "  ", "    "));

  out.push(...fitLines(hw, st));
  return out;
}

/** How the activations are charged: a share of the weights, or llama.cpp's buffers. */
function activationsHow(hw: HardwareEstimate, st: Style): string {
  const b = hw.breakdown;
  const a = hw.assumptions;
  if (a.activationsFrom !== "llama.cpp-buffers" || b.computeBuffer === undefined)
    return `${a.activationsPercent} % of the weights`;
  return `llama.cpp compute buffer ${st.bytes(b.computeBuffer)} (estimated) + output buffer ${st.bytes(b.outputBuffer ?? 0n)}`;
}

/** "llama.cpp: 4,096 cells per sequence (…)": the runtime's allocation rules, when they apply. */
function runtimeLine(hw: HardwareEstimate): string | undefined {
  const r = hw.assumptions.runtime;
  if (!r) return undefined;
  const parts = [
    `${group(r.cells)} cells per sequence (the context rounded up to ${r.cellPadding})`,
  ];
  if (r.windowCells !== undefined)
    parts.push(
      r.swaFull
        ? `window layers ${group(r.windowCells)} as well (--swa-full)`
        : `window layers ${group(r.windowCells)} (window + a ${r.ubatch}-token micro-batch)`,
    );
  if (r.mlaCache === "latent") parts.push("MLA caches the latent, no V");
  if (r.mlaCache === "decompressed")
    parts.push("MLA decompressed: K and V per head (a file converted before key_length_mla)");
  const fa = r.flashAttention
    ? `with flash attention${r.flashAttentionSetting === "auto" ? " (--flash-attn auto)" : ""}`
    : "without flash attention (the KQ matrix included)";
  parts.push(`compute buffer for ${r.ubatch}-token micro-batches ${fa}`);
  return `${r.name}: ${parts.join("; ")}`;
}

/**
 * "-ngl 20 of 33 (14.20 GB on the GPU); the other 13 in RAM (6.10 GB of RAM)", and over several
 * devices the layers and bytes of each: llama.cpp's split.
 */
export function splitWords(s: LayerSplit, st: Style, ramUsable?: bigint): string {
  const ram = `${st.bytes(s.ramBytes)} of RAM${ramUsable !== undefined ? `, ${st.bytes(ramUsable)} usable` : ""}`;
  if (s.gpuLayers === 0) return `-ngl 0: nothing fits on it, everything in RAM (${ram})`;
  const rest = s.layers - s.gpuLayers;
  const head = `-ngl ${s.gpuLayers} of ${s.layers}`;
  const on =
    s.devices.length === 1
      ? `${head} (${st.bytes(s.gpuBytes)} on the GPU)`
      : `${head} over ${s.devices.length} devices, ${
          s.distribution === "proportional"
            ? "in proportion to their memory (llama.cpp's default)"
            : `filled from the last (llama.cpp's --fit; --tensor-split ${s.devices.map((d) => d.layers).join(",")})`
        }: ${s.devices.map((d) => keep(`${d.layers}${d.output ? " with the output" : ""} (${st.bytes(d.bytes)})`)).join(" · ")}`;
  return rest === 0
    ? `${on}; all layers, the token embedding stays in RAM (${ram})`
    : `${on}; the other ${rest} in RAM (${ram})`;
}

/** The answer for the user's machine (--memory, --gpu), when asked. */
function fitLines(hw: HardwareEstimate, st: Style): string[] {
  const f = hw.fit;
  if (!f) return [];
  const partly = partlyOffloaded(f);
  const verdict = !f.fits
    ? st.red("does not fit")
    : partly
      ? st.yellow("runs partly from RAM")
      : st.green("fits");
  const margin =
    f.marginBytes >= 0n
      ? `${keep(st.bytes(f.marginBytes))} to spare`
      : `${keep(st.bytes(-f.marginBytes))} short`;
  const per = perDeviceText(f);
  const needs = partly ? "all layers need" : "needs";
  const context = !hw.languageModel
    ? ""
    : f.maxContext === null
      ? "; longest context unknown without config.json"
      : f.maxContext === 0
        ? "; not even one token of context fits"
        : `; longest context that ${partly && f.fits ? "runs" : "fits"}: ${group(f.maxContext)} tokens`;
  const lines = wrapLines(
    `${st.bold("fit")} ${keep(esc(f.target))}: ${verdict} (${needs} ${keep(st.bytes(f.perDeviceBytes))}${per}, ${keep(st.bytes(f.usableBytes))} usable, ${margin})${context}${f.fits ? speed(f) : ""}`,
    st.width,
    "  ",
    "    ",
  );
  if (f.layerSplit)
    lines.push(
      ...wrapLines(
        `${st.bold("llama.cpp")} ${splitWords(f.layerSplit, st, f.systemRamBytes)}`,
        st.width,
        "  ",
        "    ",
      ),
    );
  return lines;
}

/**
 * Weights that are not a language model: the memory to hold them, and why nothing more is shown
 * (a KV cache, tiers and data-centre GPUs would be noise for an MNIST net).
 */
export function weightsOnlyLines(hw: HardwareEstimate, st: Style): string[] {
  return [
    ...wrapStyled(
      `Memory  ${st.bytes(hw.breakdown.weights)} to hold the weights`,
      st.width,
      "  ",
      "    ",
      st.bold,
    ),
    ...note(st, "weights only: " + weightsOnlyText(hw.weightsOnlyCause)),
    ...fitLines(hw, st),
  ];
}
