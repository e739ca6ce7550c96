// What llama.cpp allocates besides the weights and the KV cache, and how it splits a model
// between a GPU and system RAM (docs/memory-model.md §8). Pure: the model description (which
// names llama.cpp as its runtime) and the per-layer sizes in, bytes out.
//
//   output buffer  = n_vocab × 4 bytes × sequences          (llama_context::output_reserve: one
//                    row of F32 logits per sequence; src/llama-context.cpp)
//   compute buffer ≈ mask + max(attention, feed-forward, output)   for one micro-batch of u tokens
//     mask         = u × (cells + window cells) × m           (KQ mask: m = 2, F16, with flash
//                    attention; 4, F32, without; build_attn_inp_kq_mask in src/llama-graph.cpp)
//     attention    = 6 × u × n_embd × 4                       (flash attention: no KQ matrix)
//                    + u × cells × n_head × 4 without it      (the F32 KQ matrix of
//                    llm_graph_context::build_attn_mha, which the softmax overwrites in place)
//     feed-forward = 4 × u × width × 4; width = n_ff, or expert_used × n_ff_exp for MoE layers
//     output       = u × (n_vocab + n_embd) × 4              (the logits of the micro-batch)
// The compute buffer is the peak of ggml's graph allocator, which reuses memory between the
// phases of the graph; the formula is an estimate, checked against the llama.cpp build the
// tests load (test/hardware/llama-cpp-memory.test.ts).

import type { ModelConfig } from "../model/model-config.js";
import { cellsHeld, fullCells, ubatchOf, type KvLayout } from "./kv-cache.js";

const F32 = 4n;
const F16 = 2n;
/** Tensors of one micro-batch alive at once in the attention phase (residual, norm, Q/K/V, out). */
const ATTENTION_ROWS = 6n;
/** Feed-forward tensors alive at once: gate, up, the activation, their product. */
const FFN_ROWS = 4n;

/** llama.cpp's `-fa, --flash-attn on|off|auto` (common/arg.cpp). */
export type FlashAttentionSetting = "on" | "off" | "auto";

/** `common/common.h`: `flash_attn_type = LLAMA_FLASH_ATTN_TYPE_AUTO`. */
export const DEFAULT_FLASH_ATTENTION: FlashAttentionSetting = "auto";

/**
 * Whether llama.cpp computes attention with flash attention. "auto" is resolved when the context
 * reserves its graph (`llama_context::resolve_fused_ops`, src/llama-context.cpp): flash attention
 * stays on when every layer's FLASH_ATTN_EXT runs on the layer's own device, which the CPU backend
 * always does and CUDA, Metal and Vulkan do for the head sizes they have kernels for: "auto" is
 * on. `llama_init_from_model` forces it off for Grok whatever was asked.
 */
export function flashAttentionUsed(setting: FlashAttentionSetting, c: ModelConfig): boolean {
  if (c.modelType === "grok") return false;
  return setting !== "off";
}

export interface LlamaCppBuffers {
  computeBytes: bigint;
  outputBytes: bigint;
  /** The micro-batch the compute buffer is reserved for. */
  ubatch: number;
  /** Cells of a layer without a window; of a window layer, when the model has them. */
  cells: number;
  windowCells?: number;
}

/** llama.cpp's buffers for `context` tokens × `batch` sequences; undefined when a size is unknown. */
export function llamaCppBuffers(
  c: ModelConfig,
  layout: KvLayout,
  context: number,
  batch: number,
  flashAttention = true,
): LlamaCppBuffers | undefined {
  const policy = layout.policy;
  const vocab = c.vocabSize;
  const embd = c.hiddenSize;
  if (!policy || vocab === undefined || embd === undefined) return undefined;
  const cells = fullCells(context, policy);
  const u = BigInt(ubatchOf(context, policy));
  const windows = layout.groups.filter((g) => g.window !== undefined && g.elementsPerToken);
  const windowCells = windows.length > 0 ? cellsHeld(windows[0]!.window, context, policy) : 0;
  const mask = u * BigInt(cells + windowCells) * (flashAttention ? F16 : F32);
  const dense = c.intermediateSize ?? 0;
  const experts =
    c.experts !== undefined && c.expertsPerToken !== undefined
      ? c.expertsPerToken * (c.moeIntermediateSize ?? dense)
      : 0;
  const width = BigInt(Math.max(dense, experts));
  // Without flash attention each layer builds KQ, n_kv × u × n_head in F32: the widest is the
  // layer with the most cells (a full layer, else a window layer).
  const kqCells = layout.groups.reduce(
    (m, g) =>
      g.elementsPerToken !== undefined ? Math.max(m, cellsHeld(g.window, context, policy)) : m,
    0,
  );
  const kq = flashAttention ? 0n : u * BigInt(kqCells) * BigInt(c.numAttentionHeads ?? 0) * F32;
  const attention = ATTENTION_ROWS * u * BigInt(embd) * F32 + kq;
  const ffn = FFN_ROWS * u * width * F32;
  const output = u * BigInt(vocab + embd) * F32;
  const peak = [attention, ffn, output].reduce((a, b) => (a > b ? a : b));
  return {
    computeBytes: mask + peak,
    outputBytes: BigInt(vocab) * F32 * BigInt(batch),
    ubatch: Number(u),
    cells,
    ...(windowCells > 0 ? { windowCells } : {}),
  };
}

/** Where each part of the weights sits when llama.cpp splits by layers. */
export interface LayerWeights {
  /** Bytes of each repeating layer (blk.N), in order. */
  layers: bigint[];
  /** The token embedding: llama.cpp keeps it in system RAM whatever -ngl says. */
  inputBytes: bigint;
  /** The output layer (output norm and head; with a tied head, the embedding llama.cpp copies to
   * the device that computes the logits). */
  outputBytes: bigint;
  /** The resident weights these parts were measured from (the output layer may add a copy). */
  residentBytes: bigint;
}

/** What one device holds in a layer split. */
export interface DeviceShare {
  /** -ngl units on this device: repeating layers, and the output layer on the device with it. */
  layers: number;
  /** Its layers' weights and cache, plus a compute buffer and the reserve when it holds any. */
  bytes: bigint;
  usableBytes: bigint;
  /** The device that holds the output layer and computes the logits. */
  output: boolean;
}

export interface LayerSplit {
  runtime: "llama.cpp";
  /** What -ngl counts: the repeating layers and the output layer. */
  layers: number;
  /** The largest -ngl whose part fits the target: the output layer first, then the last
   * layers (`i_gpu_start = n_layer + 1 - n_gpu_layers`, src/llama-model.cpp). */
  gpuLayers: number;
  /** The most any device of the target holds (0 when no layer is offloaded). */
  gpuBytes: bigint;
  /** In system RAM: the token embedding, the other layers and their cache, the output buffer
   * (and the output layer and the compute buffer when no layer is offloaded). */
  ramBytes: bigint;
  /** How the offloaded layers are spread over the devices: llama.cpp's default split in
   * proportion to each device's memory, or filled device by device from the last (--fit). */
  distribution: "proportional" | "filled";
  /** Per device, in llama.cpp's device order (the output layer on the last one used). */
  devices: DeviceShare[];
}

/** A split, and what every layer on the devices would take (the whole model offloaded). */
export interface LayerPlan {
  split: LayerSplit;
  /** -ngl all with llama.cpp's default proportional split: what each device would hold. */
  whole: DeviceShare[];
  /** In RAM with every layer offloaded: the token embedding and the output buffer. */
  wholeRamBytes: bigint;
}

/**
 * Which device each of `ngl` offloaded units goes to, as llama.cpp's default layer split decides
 * (src/llama-model.cpp, `llama_model::load_tensors`): the split points are the cumulative shares
 * of `weights` (each device's free memory, or --tensor-split) normalised to 1 in single-precision
 * floats, and unit j of the offloaded ones goes to the first device whose split point is above
 * j / ngl (`std::upper_bound`). Returns the units per device.
 */
export function proportionalCounts(weights: readonly number[], ngl: number): number[] {
  const f = Math.fround;
  const points: number[] = [];
  let sum = 0;
  for (const w of weights) {
    sum = f(sum + f(w));
    points.push(sum);
  }
  const cuts = points.map((p) => f(p / sum));
  const counts = weights.map(() => 0);
  for (let j = 0; j < ngl; j++) {
    const x = f(j / ngl);
    let d = cuts.findIndex((c) => c > x);
    if (d < 0) d = cuts.length - 1;
    counts[d]!++;
  }
  return counts;
}

/**
 * llama.cpp's split of a model over `usable` (the memory each device may use, in device order)
 * and system RAM (docs/memory-model.md §8). Every layer takes its weights (the `blk.N.` tensors)
 * and its KV cache to its device; every device holding layers also holds a compute buffer and
 * keeps a reserve; the token embedding stays in RAM.
 *
 * 1. llama.cpp's default: every layer offloaded, spread in proportion to the devices' memory
 *    (`proportionalCounts`), or to `tensorSplit` (--tensor-split). When every device holds its
 *    part, that is the split. With a --tensor-split that overflows a device, the largest -ngl
 *    spread in its proportions that fits (llama.cpp's --fit leaves a user's split alone:
 *    common/fit.cpp, "tensor_split already set by user, abort").
 * 2. Otherwise llama.cpp's --fit (on by default; common/fit.cpp, `common_fit_params`, step 3)
 *    fills the devices back to front: the last device takes the output layer and as many of the
 *    last layers as fit, the one before it the layers before those, and so on; the rest stays
 *    in RAM. On one device this is the largest -ngl that fits.
 */
export function layerSplit(
  w: LayerWeights,
  cache: readonly bigint[],
  buffers: LlamaCppBuffers,
  usable: readonly bigint[],
  reserve: bigint,
  tensorSplit?: readonly number[],
): LayerPlan {
  const n = w.layers.length;
  const units = n + 1;
  // Unit i < n is repeating layer i; unit n is the output layer.
  const part = (i: number) => (i < n ? w.layers[i]! + (cache[i] ?? 0n) : w.outputBytes);
  const overhead = buffers.computeBytes + reserve;
  /** Devices holding `counts` units, taken from the end of the model in device order. */
  const place = (counts: readonly number[]): DeviceShare[] => {
    const offloaded = counts.reduce((a, b) => a + b, 0);
    let i = units - offloaded;
    return counts.map((k, d) => {
      let bytes = 0n;
      for (let j = 0; j < k; j++) bytes += part(i + j);
      i += k;
      return {
        layers: k,
        bytes: k > 0 ? bytes + overhead : 0n,
        usableBytes: usable[d]!,
        output: k > 0 && i === units,
      };
    });
  };
  const ramOf = (offloaded: number) => {
    let ram = w.inputBytes + buffers.outputBytes;
    for (let i = 0; i < units - offloaded; i++) ram += part(i);
    return offloaded === 0 ? ram + buffers.computeBytes : ram;
  };
  const holds = (shares: readonly DeviceShare[]) => shares.every((s) => s.bytes <= s.usableBytes);

  const shares = tensorSplit ?? usable.map((u) => Number(u));
  const whole = place(proportionalCounts(shares, units));
  let devices = whole;
  let distribution: LayerSplit["distribution"] = "proportional";
  if (tensorSplit && !holds(whole)) {
    // A --tensor-split the user set is kept (--fit gives up rather than change it): the largest
    // -ngl whose units, spread in those proportions, every device holds.
    let ngl = units - 1;
    while (ngl > 0 && !holds(place(proportionalCounts(shares, ngl)))) ngl--;
    devices = place(proportionalCounts(shares, ngl));
  } else if (!holds(whole)) {
    distribution = "filled";
    const counts = usable.map(() => 0);
    let next = units; // the units before this index are not placed yet
    for (let d = usable.length - 1; d >= 0 && next > 0; d--) {
      let bytes = overhead;
      let k = 0;
      while (next - k > 0 && bytes + part(next - k - 1) <= usable[d]!) {
        bytes += part(next - k - 1);
        k++;
      }
      counts[d] = k;
      next -= k;
    }
    devices = place(counts);
  }
  const gpuLayers = devices.reduce((a, s) => a + s.layers, 0);
  return {
    split: {
      runtime: "llama.cpp",
      layers: units,
      gpuLayers,
      gpuBytes: devices.reduce((a, s) => (s.bytes > a ? s.bytes : a), 0n),
      ramBytes: ramOf(gpuLayers),
      distribution,
      devices,
    },
    whole,
    wholeRamBytes: ramOf(units),
  };
}
