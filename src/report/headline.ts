// The headline: the answer to the question people bring ("how big, and will it run on mine, on
// what?") in a few lines before the details. `--brief` prints only this. Every figure is one the
// report below states in full; the headline only chooses and words them.

import { cutText } from "../core/escape.js";
import { TABLE_CELL_CHARS } from "../core/limits.js";
import { group, plural } from "../core/text.js";
import type { DeviceRow, HardwareEstimate } from "../hardware/estimate.js";
import type { Report } from "./report.js";
import type { Style } from "./style.js";
import { alternativesText, partlyOffloaded, perDeviceText } from "./hardware-words.js";
import { splitWords } from "./table-hardware.js";
import { countShort } from "./units.js";
import { keep, wrapLines } from "./wrap.js";

/** Escaped for the terminal and cut when absurdly long, like every table cell. */
const esc = (s: string) => cutText(s, TABLE_CELL_CHARS);
/** The headline's lines, the first being the target and its verdict. */
export function headlineLines(s: Report, st: Style): string[] {
  const lines: string[] = wrapLines(`${st.bold(esc(s.target))}  ${verdict(s, st)}`, st.width, "");
  const kv = (k: string, v: string) =>
    lines.push(...wrapLines(v, st.width, `  ${st.dim(k.padEnd(12))} `, " ".repeat(15)));
  const model = modelName(s);
  if (model) kv("model", model);
  // Alternatives (one GGUF per quantization) add up to no model: the rows below compare them.
  const alternatives = s.checkpoint.alternatives === true;
  if (alternatives)
    kv("models", `${plural(s.components?.length ?? 0, "alternative")}, one row each below`);
  const params = alternatives ? undefined : parameters(s);
  if (params) kv("parameters", params);
  if (s.files.length > 0) {
    const part = s.partial ? st.yellow(" (partial)") : "";
    kv("size", `${st.bytes(s.bytes.total)} on disk${part}`);
  } else if (s.partial?.promised?.tensorBytes !== undefined) {
    kv("size", `${st.bytes(s.partial.promised.tensorBytes)} of tensors (from the index)`);
  }
  const hw = s.hardware;
  if (hw) {
    if (!hw.languageModel) kv("memory", `${st.bytes(hw.breakdown.weights)} to hold the weights`);
    else {
      kv("needs", needs(hw, st));
      const on = smallestSetup(hw);
      if (on) kv("runs on", on);
    }
    // "this machine" only for the one measured (--memory auto); --gpu and --memory SIZE name one.
    if (hw.fit) kv(hw.fit.thisMachine ? "this machine" : "your setup", fit(hw, st));
  }
  return lines;
}

/** "ok", "ok, 2 warnings", "3 errors, 1 warning". */
function verdict(s: Report, st: Style): string {
  const errors = s.findings.filter((f) => f.severity === "error").length;
  const warnings = s.findings.filter((f) => f.severity === "warning").length;
  const w = warnings > 0 ? `, ${plural(warnings, "warning")}` : "";
  return errors > 0 ? st.red(`${plural(errors, "error")}${w}`) : st.green("ok") + w;
}

/** "llama (LlamaForCausalLM)", with the repo when the source names one. */
function modelName(s: Report): string | undefined {
  const a = s.architecture;
  const name = [a?.modelType, a?.architectures?.[0] && `(${a.architectures[0]})`]
    .filter(Boolean)
    .join(" ");
  const repo = s.source?.repo;
  const parts = [repo, name].filter((x): x is string => !!x);
  return parts.length > 0 ? esc(parts.join(": ")) : undefined;
}

/**
 * "8.03 B", "46.70 B total, 12.88 B active (MoE)", "671.03 B without the optional MTP layer
 * (684.49 B with it), 37.6 B active": the familiar figure first when optional modules exist.
 */
function parameters(s: Report): string | undefined {
  const p = s.parameters;
  const fromIndex = s.partial?.fromIndex;
  if (s.files.length === 0 || !s.readable) {
    return fromIndex?.parameters !== undefined
      ? `${keep(countShort(fromIndex.parameters))} (from config.json)`
      : undefined;
  }
  const part = s.partial ? " (partial)" : "";
  let text: string;
  if (p.optional && p.optional.parameters > 0n) {
    const without = p.total - p.optional.parameters;
    text = `${keep(countShort(without))} without the optional modules (${keep(countShort(p.total))} with them)`;
  } else text = keep(countShort(p.total));
  if (s.moe && p.active !== undefined) text += `, ${keep(countShort(p.active))} active (MoE)`;
  return text + part;
}

function needs(hw: HardwareEstimate, st: Style): string {
  const a = hw.assumptions;
  const at = hw.precision === "as stored" ? "" : ` at ${hw.precision}`;
  const tokens = `${group(a.context)} tokens${a.batch > 1 ? ` × ${a.batch}` : ""}`;
  const tier =
    hw.tier === "laptop"
      ? `laptop tier (≤ ${st.bytes(hw.thresholds.laptopBytes)} usable on a ${keep(hw.reference.laptop)})`
      : hw.tier === "single-server"
        ? `single-server tier (one ${keep(hw.reference.server)} node)`
        : `cluster tier (${hw.cluster ? plural(hw.cluster.nodes, "node") : "several nodes"} of ${keep(hw.reference.server)})`;
  return `${keep(st.bytes(hw.requiredBytes))} in total${at} for ${keep(tokens)}: ${tier}`;
}

const isGpu = (d: DeviceRow) => d.kind.endsWith("gpu");

/** The setup with the least memory in all that holds it: GPUs in one node, else a Mac. */
function smallestSetup(hw: HardwareEstimate): string | undefined {
  const fits = hw.devices.filter((d) => d.fits && d.count !== undefined);
  const total = (d: DeviceRow) => d.memoryBytes * BigInt(d.count ?? 1);
  const gpu = fits
    .filter(isGpu)
    .sort((a, b) => (total(a) === total(b) ? 0 : total(a) < total(b) ? -1 : 1))[0];
  const mac = fits.find((d) => !isGpu(d));
  const out: string[] = [];
  if (gpu) out.push(keep(`${gpu.count} × ${gpu.label}`));
  if (mac) out.push(keep(`a ${mac.label}`));
  if (out.length === 0 && hw.cluster) {
    const alt = alternativesText(hw);
    out.push(
      alt.length > 0
        ? `one node of ${alt[0]}`
        : `${plural(hw.cluster.nodes, "node")} of ${hw.reference.server}`,
    );
  }
  return out.length > 0 ? out.join(", or ") : undefined;
}

function fit(hw: HardwareEstimate, st: Style): string {
  const f = hw.fit!;
  const per = perDeviceText(f, " each");
  // llama.cpp splits by layers: when the whole model is not on the GPU, say how much is.
  const split = f.layerSplit ? `; llama.cpp ${splitWords(f.layerSplit, st, f.systemRamBytes)}` : "";
  if (f.fits && partlyOffloaded(f))
    return `${st.yellow("runs partly from RAM")} on ${keep(esc(f.target))}${split}`;
  return f.fits
    ? `${st.green("fits")} ${keep(esc(f.target))}, ${keep(st.bytes(f.marginBytes))} to spare${per}`
    : `${st.red("does not fit")} ${keep(esc(f.target))}: needs ${keep(st.bytes(f.perDeviceBytes))}${per}, ${keep(st.bytes(f.usableBytes))} usable${split}`;
}
