// The model facts analysis reports: parameter counts and quantization. Records, not
// accumulators: model-tally.ts fills them, the report renders them.

/** What an optional module is for. */
export type OptionalKind =
  "multi-token-prediction" | "vision-tower" | "audio-tower" | "multimodal-projector" | "draft-head";

/**
 * A module stored in the checkpoint but not loaded for text generation: MTP layers and draft
 * heads serve speculative decoding only; vision and audio towers and their projectors are
 * resident when the model serves images or audio, and a text-only runtime leaves them out.
 */
export interface OptionalModule {
  kind: OptionalKind;
  /** The prefix its tensors share, e.g. "model.layers.61.", "mtp." or "vision_tower.". */
  name: string;
  parameters: bigint;
  bytes: bigint;
  tensors: number;
}

export interface ParameterCounts {
  /** Logical parameters of every tensor: packed weights unpacked, bookkeeping 0. */
  total: bigint;
  /** Elements as stored, when that differs from total. */
  stored?: bigint;
  /** Parameters a token passes through (optional modules excluded): set for mixtures of
   * experts, and for any model with optional modules. */
  active?: bigint;
  /** Counted in total, but not resident for ordinary inference. */
  optional?: { parameters: bigint; bytes: bigint; modules: OptionalModule[] };
}

export interface QuantizationFacts {
  /** "fp8", "mxfp4", "gptq", "awq", "bitsandbytes", "compressed-tensors", "nvfp4", "mlx", or the
   * config's own name for a method inspect does not count. */
  method: string;
  source: "config" | "tensor names";
  /** False when the method is unknown: its tensors count as stored elements. */
  counted: boolean;
  bits?: number;
  groupSize?: number;
  format?: string;
  blockSize?: number[];
  /** Tensors whose elements are multiplied (packed containers). */
  packedTensors: number;
  /** Parameters those packed tensors hold (for MXFP4, the weights already at 4.25 bits). */
  packedParameters: bigint;
  /** Scales, zero points, group indices: 0 parameters, but memory. */
  bookkeepingTensors: number;
  bookkeepingElements: bigint;
  bookkeepingBytes: bigint;
  notes: string[];
}
