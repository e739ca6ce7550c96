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
  /** Whether the compute buffer was sized for flash attention. */
  flashAttention: boolean;
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
    flashAttention,
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

export interface LayerSplit {
  runtime: "llama.cpp";
  /** What -ngl counts: the repeating layers and the output layer. */
  layers: number;
  /** The largest -ngl whose part fits the target: the output layer first, then the last
   * layers (`i_gpu_start = n_layer + 1 - n_gpu_layers`, src/llama-model.cpp). */
  gpuLayers: number;
  /** On the target, per device: its layers' weights and cache, the compute buffer, the reserve. */
  gpuBytes: bigint;
  /** In system RAM: the token embedding, the other layers and their cache, the output buffer
   * (and the compute buffer when no layer is offloaded). */
  ramBytes: bigint;
}

/**
 * The split for `devices` devices of `usable` bytes each (llama.cpp's default split mode puts
 * whole layers on each GPU; every device holds a compute buffer and a reserve).
 */
export function layerSplit(
  w: LayerWeights,
  cache: readonly bigint[],
  buffers: LlamaCppBuffers,
  devices: number,
  usable: bigint,
  reserve: bigint,
): LayerSplit {
  const n = w.layers.length;
  const part = (i: number) => w.layers[i]! + (cache[i] ?? 0n);
  const d = BigInt(devices);
  // gpu(N): the layers from n + 1 - N on, the output layer when N >= 1.
  const sides = (ngl: number) => {
    const start = Math.max(n + 1 - ngl, 0);
    let gpu = 0n;
    let ram = w.inputBytes + buffers.outputBytes;
    for (let i = 0; i < n; i++)
      if (i >= start) gpu += part(i);
      else ram += part(i);
    if (ngl >= 1) gpu += w.outputBytes + d * buffers.computeBytes;
    else ram += w.outputBytes + buffers.computeBytes;
    return { gpu, ram };
  };
  const budget = d * usable;
  let best = 0;
  for (let ngl = n + 1; ngl >= 1; ngl--) {
    if (sides(ngl).gpu + d * reserve <= budget) {
      best = ngl;
      break;
    }
  }
  const s = sides(best);
  const perDevice = best === 0 ? 0n : (s.gpu + d - 1n) / d + reserve;
  return {
    runtime: "llama.cpp",
    layers: n + 1,
    gpuLayers: best,
    gpuBytes: perDevice,
    ramBytes: s.ram,
  };
}
