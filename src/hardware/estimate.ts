// What can run the weights (docs/memory-model.md):
//   required = resident weights + KV cache(context, batch, cache dtype, attention kind)
//              + activation workspace (5 % of the weights) + runtime reserve (1 GiB per device)
// On n devices (tensor parallel) each holds 1/n of the rest plus its own reserve. Pure: the
// machine's own memory, when asked for, is measured by the CLI and passed in as a target.

import type { ModelConfig } from "../model/model-config.js";
import {
  BIG_NODE_GPUS,
  DEFAULT_REFERENCE_GPU,
  DEVICES,
  GPUS_PER_NODE,
  REFERENCE_LAPTOP,
  shareOf,
  TP_SIZES,
  usableBytes,
  type Device,
  type Share,
} from "./catalog.js";
import type { Remark } from "./remarks.js";
import {
  configCacheDtype,
  DEFAULT_CACHE_DTYPE,
  findCacheDtype,
  fullCells,
  ubatchOf,
  kvBytesPerToken,
  kvCacheBytes,
  kvLayout,
  layerBreakdown,
  layerCacheBytes,
  padValueRows,
  type CacheDtype,
  type KvLayout,
  type LayerBreakdown,
} from "./kv-cache.js";
import {
  DEFAULT_FLASH_ATTENTION,
  flashAttentionUsed,
  layerSplit,
  llamaCppBuffers,
  type FlashAttentionSetting,
  type LayerPlan,
  type LayerSplit,
  type LayerWeights,
  type LlamaCppBuffers,
} from "./llama-cpp.js";
import {
  estimateSpeed,
  SPEED_CLASSES,
  TP_SCALING_PER_DOUBLING,
  USABLE_DECODE_TOKENS_PER_SECOND,
  type SpeedClass,
  type SpeedInput,
} from "./speed.js";

const GiB = 1n << 30n;

/** Activation workspace as a share of the weights (huggingface.js gguf-view uses 5 %). */
export const ACTIVATION_PERCENT = 5n;
/** Without config.json the KV cache is unknown; this share of the weights stands in for it. */
export const UNKNOWN_KV_PERCENT = 10n;
/** Per device: llama.cpp's --fit margin, about one CUDA context. */
export const RESERVE_PER_DEVICE = GiB;
/** Tokens per sequence when not told: Ollama's default below 23 GiB, and a common serving size. */
export const DEFAULT_CONTEXT = 4096;
export const DEFAULT_BATCH = 1;
/** Largest context searched when the config gives no max_position_embeddings. */
const CONTEXT_SEARCH_CAP = 10_000_000;

export type Tier = "laptop" | "single-server" | "cluster";

/** What the analysis knows about the weights that load. */
export interface ModelFootprint {
  /** Bytes of the weights that must be resident: optional modules (MTP) excluded. */
  residentBytes: bigint;
  /** Logical parameters of those weights, for the precision what-ifs. */
  residentParameters: bigint;
  /** Of which stored as MXFP4 already (4.25 bits each, what they stay at when quantized). */
  mxfp4Parameters?: bigint;
  /** Modules left out of the resident weights, listed in the report. */
  optional?: OptionalWeights[];
  /** Weight bytes read per generated token (active weights, input embedding left out). */
  bytesPerToken?: bigint;
  /** Parameters each prompt token multiplies through. */
  computeParameters?: bigint;
  config?: ModelConfig;
  /** Bytes of each repeating layer, the input embedding and the output layer: what a runtime
   * that splits by layers (llama.cpp's -ngl) moves between a GPU and system RAM. */
  layerWeights?: LayerWeights;
  /**
   * Not a transformer language model (a batch-norm layer, an MNIST net, a filterbank): why. The
   * estimate is then the weights alone: no KV cache, no activation workspace.
   */
  weightsOnly?: "no-architecture";
}

/** A module counted in the parameters but left out of the resident weights. */
export interface OptionalWeights {
  /** "multi-token-prediction", "vision-tower", "audio-tower", "multimodal-projector", "draft-head". */
  kind: string;
  name: string;
  parameters: bigint;
  bytes: bigint;
}

/** "Does it fit on mine?": a memory budget, or n devices of a kind. */
/** What every kind of fit target may say of itself. */
interface TargetOrigin {
  /** Measured on the machine inspect runs on (--memory auto), not named by the user. */
  thisMachine?: true;
}

export type FitTarget = TargetOrigin &
  (
    | {
        kind: "memory";
        label: string;
        memoryBytes: bigint;
        /** The machine's own RAM (no GPU found): nothing to split layers with. */
        systemRam?: boolean;
      }
    | {
        kind: "devices";
        device: Device;
        count: number;
        /** The machine's usable system RAM beside its GPUs (--memory auto): with it, a model whose
         * layers llama.cpp splits between the GPUs and RAM "fits" when the RAM part fits too. */
        systemRamBytes?: bigint;
        /** --tensor-split: llama.cpp's proportions per device instead of their memory. */
        tensorSplit?: number[];
      }
    | {
        /** Devices of different kinds, in the order the runtime numbers them (--gpu a,b). */
        kind: "mixed";
        devices: Device[];
        systemRamBytes?: bigint;
        tensorSplit?: number[];
      }
  );

/** "2 × RTX 4090 24GB + RTX 3060 12GB": runs of one kind counted, in device order. */
function mixedLabel(devices: readonly Device[]): string {
  const runs: Array<{ label: string; n: number }> = [];
  for (const d of devices) {
    const last = runs[runs.length - 1];
    if (last?.label === d.label) last.n++;
    else runs.push({ label: d.label, n: 1 });
  }
  return runs.map((r) => (r.n > 1 ? `${r.n} × ${r.label}` : r.label)).join(" + ");
}

/** The target's name and the memory each of its devices may use, in device order. */
function targetDevices(target: FitTarget): { label: string; usable: bigint[] } {
  switch (target.kind) {
    case "memory":
      return { label: target.label, usable: [target.memoryBytes] };
    case "devices":
      return {
        label: `${target.count} × ${target.device.label}`,
        usable: Array.from({ length: target.count }, () => usableBytes(target.device)),
      };
    case "mixed":
      return { label: mixedLabel(target.devices), usable: target.devices.map(usableBytes) };
  }
}

export interface HardwareOptions {
  context?: number;
  batch?: number;
  /** --kv-dtype; otherwise the config's cache dtype, otherwise 16-bit. */
  kvDtype?: CacheDtype;
  /** --reference-server: the GPU of the 8-GPU node the single-server tier is measured against. */
  referenceGpu?: Device;
  target?: FitTarget;
  /** --precision: the weights' precision the tier, the requirement and the fit use (default as stored). */
  precision?: PrecisionName;
  /** llama.cpp's --flash-attn (default "auto"): a GGUF file's compute buffer. */
  flashAttention?: FlashAttentionSetting;
  /** llama.cpp's --swa-full: sliding-window and chunked layers cache the whole context. */
  swaFull?: boolean;
}

export type PrecisionName = "as stored" | "16-bit" | "8-bit" | "4-bit";

export interface Breakdown {
  weights: bigint;
  /** Attention caches and recurrent state together, every layer group summed. */
  kvCache: bigint;
  activations: bigint;
  /** llama.cpp: activations are its compute buffer (an estimate) plus its output buffer. */
  computeBuffer?: bigint;
  outputBuffer?: bigint;
  reserve: bigint;
  /** kvCache per group of identical layers; absent when the layout is unknown. */
  layers?: LayerBreakdown[];
}

export interface PrecisionRow {
  name: PrecisionName;
  /** Bits per weight of the re-quantized weights (MXFP4 ones excepted); absent for "as stored". */
  weightBits?: number;
  /** Weights already in MXFP4 stay at 4.25 bits in this row. */
  mxfp4Kept?: boolean;
  /** The scheme those bits stand for ("Q4_K_M"), when they stand for one. */
  scheme?: string;
  weightsBytes: bigint;
  requiredBytes: bigint;
  tier: Tier;
  /** Against the fit target, when one was given. */
  fits?: boolean;
}

export interface DeviceRow {
  device: string;
  label: string;
  kind: Device["kind"];
  memoryBytes: bigint;
  usableBytes: bigint;
  /** Devices in one node (tensor parallel), when one node suffices. */
  count?: number;
  /** 8-GPU nodes needed, when one node does not suffice (GPUs only). */
  nodes?: number;
  /** Needed on each device of that setup. */
  perDeviceBytes: bigint;
  fits: boolean;
  /** Peak memory bandwidth (GB/s) and dense FP16 TFLOPS of one device, with their source. */
  bandwidthGBps?: number;
  denseTflops?: number;
  /** One sequence on the setup that fits, at assumptions.speed.context (estimates, 3 figures). */
  decodeTokensPerSecond?: number;
  prefillTokensPerSecond?: number;
  /** False when decode is below assumptions.speed.usableBelow tokens/s. */
  usable?: boolean;
}

export interface FitResult {
  target: string;
  devices: number;
  usableBytes: bigint;
  /** Needed across those devices (weights + KV + activations + a reserve each). */
  requiredBytes: bigint;
  perDeviceBytes: bigint;
  fits: boolean;
  /** Usable minus needed, per device; negative when it does not fit. */
  marginBytes: bigint;
  /** The longest context (tokens per sequence, at the batch given) that would fit; null if unknown. */
  maxContext: number | null;
  /** On catalogue devices: one sequence's speed, as for the device rows. */
  decodeTokensPerSecond?: number;
  prefillTokensPerSecond?: number;
  usable?: boolean;
  /**
   * llama.cpp: how many layers fit on the target (-ngl) and the RAM the rest needs. When present,
   * `fits` and the per-device figures follow it (docs/memory-model.md §8, "The verdict").
   */
  layerSplit?: LayerSplit;
  /** With layerSplit: the usable system RAM counted for the layers left there (--memory auto). */
  systemRamBytes?: bigint;
  /** The target is the machine inspect ran on, measured (--memory auto). */
  thisMachine?: boolean;
  /**
   * Devices of different kinds (--gpu a,b): their catalogue ids in device order. usableBytes,
   * perDeviceBytes and marginBytes are then the tightest device's.
   */
  mixedDevices?: string[];
}

/** What the speed figures assume. */
export interface SpeedAssumptions {
  /** Tokens already in the cache when a token is generated. */
  context: number;
  sequences: 1;
  /** Weight bytes read per generated token; KV bytes read at the context. */
  weightBytesPerToken: bigint;
  kvBytesPerToken: bigint;
  computeParameters: bigint;
  usableBelow: number;
  tensorParallelScalingPerDoubling: number;
  classes: SpeedClass[];
}

/** A catalogue device and the share of its memory a runtime may use. */
export interface ReferenceDevice {
  device: string;
  label: string;
  memoryBytes: bigint;
  usableShare: { numerator: number; denominator: number; rule: Share["rule"] };
}

const referenceOf = (d: Device): ReferenceDevice => {
  const s = shareOf(d);
  return {
    device: d.id,
    label: d.label,
    memoryBytes: d.memoryBytes,
    usableShare: {
      numerator: Number(s.numerator),
      denominator: Number(s.denominator),
      rule: s.rule,
    },
  };
};

/** llama.cpp's allocation (docs/memory-model.md §8): what the figures assume. */
export interface RuntimeAssumptions {
  name: "llama.cpp";
  /** Cache cells per sequence: the context rounded up to cellPadding. */
  cells: number;
  cellPadding: number;
  /** Cells of sliding-window layers: the window plus one micro-batch, rounded to cellPadding. */
  windowCells?: number;
  /** Tokens of the micro-batch the compute buffer is reserved for (n_ubatch). */
  ubatch: number;
  /** Whether the compute buffer assumes flash attention (llama.cpp's "auto" turns it on where the
   * backend has it: the CPU and the GPU backends). */
  flashAttention: boolean;
  /** What was asked (--flash-attn; llama.cpp's default "auto"), which flashAttention resolves. */
  flashAttentionSetting: FlashAttentionSetting;
  /** --swa-full: window layers hold the full context's cells (llama.cpp's default false). */
  swaFull: boolean;
  /** One KV stream per sequence (kv_unified false, llama.cpp's default). */
  unifiedCache: boolean;
  /** What is cached per token of an MLA layer: the latent, or decompressed K and V. */
  mlaCache?: "latent" | "decompressed";
}

export interface HardwareEstimate {
  /**
   * False for weights that are not a transformer language model: the estimate is then the
   * weights alone (kvCache and activations 0), and weightsOnlyCause says why.
   */
  languageModel: boolean;
  /** "no-architecture": no config.json, and no layer stack or token embedding among the names. */
  weightsOnlyCause?: "no-architecture";
  /** The weights' precision this estimate (tier, requirement, fit) is for: --precision. */
  precision: PrecisionName;
  tier: Tier;
  /** On one device: weights + KV cache + activations + one reserve. */
  requiredBytes: bigint;
  breakdown: Breakdown;
  assumptions: {
    context: number;
    batch: number;
    kvCacheDtype: string;
    /** "config", "option", or "default". */
    kvCacheDtypeFrom: string;
    /** False when config.json did not say enough: kvCache is then a 10 % margin. */
    kvCacheKnown: boolean;
    kvBytesPerToken: bigint | null;
    attention: string | null;
    activationsPercent: number;
    reservePerDeviceBytes: bigint;
    /** How the activations are charged: a share of the weights, or llama.cpp's buffers. */
    activationsFrom: "share-of-weights" | "llama.cpp-buffers";
    /** The runtime whose allocation rules the estimate follows, when the weights name one. */
    runtime?: RuntimeAssumptions;
    /** The laptop the laptop tier is measured against, and the share of its memory usable. */
    laptopReference: ReferenceDevice;
    /** One GPU of the 8-GPU node the single-server tier is measured against. */
    serverReference: ReferenceDevice & { gpus: number };
    /** What the estimate assumed or noticed, as data (the report writes the sentences). */
    remarks: Remark[];
  };
  thresholds: { laptopBytes: bigint; singleServerBytes: bigint };
  reference: { laptop: string; server: string };
  /** For the cluster tier: reference nodes needed, and bigger nodes that would hold it alone. */
  cluster?: {
    nodes: number;
    /** Catalogue ids of GPUs whose 8-GPU node would hold it alone. */
    singleNodeAlternativeDevices: string[];
  };
  precisions: PrecisionRow[];
  devices: DeviceRow[];
  optional: OptionalWeights[];
  /** What devices[].decodeTokensPerSecond and prefillTokensPerSecond assume; absent when the
   * weights read per token are unknown (a folder of several models). */
  speed?: SpeedAssumptions;
  fit?: FitResult;
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/** A module's tensor prefix ("model.layers.61.") as a name ("model.layers.61"). */
export const displayName = (prefix: string) => prefix.replace(/\.$/, "");
const percentOf = (a: bigint, p: bigint) => ceilDiv(a * p, 100n);

interface Model {
  weights: bigint;
  /** Weights alone: no KV cache or activations (not a language model). */
  weightsOnly: boolean;
  layout: KvLayout | undefined;
  dtype: CacheDtype;
  batch: number;
  /** The runtime's buffers for a context, when it names them (llama.cpp). */
  buffers?: (context: number) => LlamaCppBuffers | undefined;
}

interface Shared {
  kv: bigint;
  activations: bigint;
  total: bigint;
  buffers?: LlamaCppBuffers;
}

/** Everything but the reserve, for `context` tokens: what is split across devices. */
function shared(m: Model, context: number): Shared {
  if (m.weightsOnly) return { kv: 0n, activations: 0n, total: m.weights };
  const kv = m.layout
    ? kvCacheBytes(m.layout, context, m.batch, m.dtype)
    : percentOf(m.weights, UNKNOWN_KV_PERCENT);
  const buffers = m.buffers?.(context);
  const activations = buffers
    ? buffers.computeBytes + buffers.outputBytes
    : percentOf(m.weights, ACTIVATION_PERCENT);
  return { kv, activations, total: m.weights + kv + activations, ...(buffers ? { buffers } : {}) };
}

const perDevice = (sharedBytes: bigint, n: number) =>
  ceilDiv(sharedBytes, BigInt(n)) + RESERVE_PER_DEVICE;

/**
 * `sharedBytes` is everything but the reserves. A laptop is one device with one reserve; a
 * server node spreads the rest over its GPUs and every GPU keeps its own reserve, exactly as
 * the per-GPU setups below count it, so the tier never contradicts them.
 */
function tierOf(sharedBytes: bigint, laptop: bigint, server: bigint): Tier {
  if (sharedBytes + RESERVE_PER_DEVICE <= laptop) return "laptop";
  return sharedBytes + BigInt(GPUS_PER_NODE) * RESERVE_PER_DEVICE <= server
    ? "single-server"
    : "cluster";
}

/** The smallest setup of `device` that holds the model: 1, 2, 4 or 8 of them, or whole nodes. */
/** Speed figures of `count` × `device`, when both the device and the model allow them. */
function speedOf(device: Device, count: number, input: SpeedInput | undefined) {
  if (!device.speed || !input) return {};
  const s = estimateSpeed(input, device.speed, count);
  return {
    decodeTokensPerSecond: s.decodeTokensPerSecond,
    prefillTokensPerSecond: s.prefillTokensPerSecond,
    usable: s.usable,
  };
}

function setupFor(
  device: Device,
  sharedBytes: bigint,
  heads: number | undefined,
  speed: SpeedInput | undefined,
  split?: (usable: bigint[]) => LayerPlan | undefined,
): DeviceRow {
  const usable = usableBytes(device);
  const base = {
    device: device.id,
    label: device.label,
    kind: device.kind,
    memoryBytes: device.memoryBytes,
    usableBytes: usable,
    ...(device.speed
      ? { bandwidthGBps: device.speed.bandwidthGBps, denseTflops: device.speed.denseTflops }
      : {}),
  };
  const gpu = device.kind.endsWith("gpu");
  // llama.cpp splits by layers (§8): the smallest count that holds every layer, the fit's rule.
  // No heads to divide, and the layers run one device after the other: one device's speed.
  const one = split?.([usable]);
  const byLayers = one !== undefined;
  if (byLayers)
    for (const n of gpu ? TP_SIZES : [1]) {
      const plan = split!(Array.from({ length: n }, () => usable))!;
      if (plan.split.gpuLayers === plan.split.layers)
        return {
          ...base,
          count: n,
          perDeviceBytes: plan.split.gpuBytes,
          fits: true,
          ...speedOf(device, 1, speed),
        };
    }
  for (const n of byLayers ? [] : gpu ? TP_SIZES : [1]) {
    // vLLM splits attention heads across tensor-parallel ranks: the count must divide them.
    if (heads !== undefined && heads % n !== 0) continue;
    const need = perDevice(sharedBytes, n);
    if (need <= usable)
      return {
        ...base,
        count: n,
        perDeviceBytes: need,
        fits: true,
        ...speedOf(device, n, speed),
      };
  }
  if (!gpu || usable <= RESERVE_PER_DEVICE) {
    const need = one ? one.whole[0]!.bytes : perDevice(sharedBytes, 1);
    return { ...base, count: 1, perDeviceBytes: need, fits: false };
  }
  const perNode = BigInt(GPUS_PER_NODE) * (usable - RESERVE_PER_DEVICE);
  const nodes = Number(ceilDiv(sharedBytes, perNode));
  return {
    ...base,
    nodes,
    perDeviceBytes: perDevice(sharedBytes, nodes * GPUS_PER_NODE),
    fits: false,
  };
}

function fitOn(
  m: Model,
  target: FitTarget,
  context: number,
  maxPosition: number | undefined,
  speed?: SpeedInput,
  layers?: LayerWeights,
): FitResult {
  const { label, usable: each } = targetDevices(target);
  const devices = each.length;
  // Tensor-parallel shards are equal: the device with the least memory bounds them.
  const usable = each.reduce((a, b) => (b < a ? b : a));
  // This machine's RAM alone (no GPU): nothing to split the layers with.
  const plan = (c: number) =>
    target.kind === "memory" && target.systemRam
      ? undefined
      : planOn(m, c, layers, each, target.kind === "memory" ? undefined : target.tensorSplit);
  const here = plan(context);
  if (here) return splitFit(here, plan, target, label, maxPosition, speed);
  const need = (c: number) => perDevice(shared(m, c).total, devices);
  const required = shared(m, context).total + BigInt(devices) * RESERVE_PER_DEVICE;
  const perDev = need(context);
  const maxContext = m.layout ? longestContext((c) => need(c) <= usable, maxPosition) : null;
  return {
    target: label,
    devices,
    usableBytes: usable,
    requiredBytes: required,
    perDeviceBytes: perDev,
    fits: perDev <= usable,
    marginBytes: usable - perDev,
    maxContext,
    ...(target.kind === "devices" ? speedOf(target.device, target.count, speed) : {}),
    ...mixedOf(target),
  };
}

/** The fields of a fit that only say what the target is. */
const mixedOf = (target: FitTarget) => ({
  ...(target.kind === "mixed" ? { mixedDevices: target.devices.map((d) => d.id) } : {}),
  ...(target.thisMachine ? { thisMachine: true } : {}),
});

/** The longest context for which `fits` holds (it fails from some context on): binary search. */
function longestContext(fits: (context: number) => boolean, maxPosition: number | undefined) {
  let lo = 0;
  let hi = maxPosition ?? CONTEXT_SEARCH_CAP;
  if (!fits(0)) return 0;
  if (fits(hi)) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Whether a llama.cpp split runs on the target: every layer on the devices; or, when the
 * target counts the system RAM (--memory auto beside GPUs), the rest in that RAM.
 */
const splitRuns = (s: LayerSplit, ram: bigint | undefined) =>
  (s.gpuLayers === s.layers || ram !== undefined) && (ram === undefined || s.ramBytes <= ram);

/** The fit of a model llama.cpp splits by layers: the verdict, needs and margin follow the split. */
function splitFit(
  here: LayerPlan,
  plan: (context: number) => LayerPlan | undefined,
  target: FitTarget,
  label: string,
  maxPosition: number | undefined,
  speed: SpeedInput | undefined,
): FitResult {
  const ram = target.kind === "memory" ? undefined : target.systemRamBytes;
  const s = here.split;
  const allOnDevices = s.gpuLayers === s.layers;
  // What each device needs for every layer: the split itself when it offloads them all.
  const whole = allOnDevices ? s.devices : here.whole;
  // The device with the least to spare speaks for the target (all alike when they are equal).
  const tightest = whole.reduce((a, d) =>
    d.usableBytes - d.bytes < a.usableBytes - a.bytes ? d : a,
  );
  return {
    target: label,
    devices: whole.length,
    usableBytes: tightest.usableBytes,
    requiredBytes: whole.reduce((a, d) => a + d.bytes, here.wholeRamBytes),
    perDeviceBytes: tightest.bytes,
    fits: splitRuns(s, ram),
    marginBytes: tightest.usableBytes - tightest.bytes,
    maxContext: longestContext((c) => {
      const p = plan(c);
      return p !== undefined && splitRuns(p.split, ram);
    }, maxPosition),
    // The devices' speed holds only for a model that is on them entirely. The layers run one
    // device after the other, so a token reads every weight at one device's bandwidth.
    ...(target.kind === "devices" && allOnDevices ? speedOf(target.device, 1, speed) : {}),
    layerSplit: s,
    ...(ram !== undefined ? { systemRamBytes: ram } : {}),
    ...mixedOf(target),
  };
}

/** llama.cpp's -ngl on the target: only for a runtime that splits by layers, onto an accelerator. */
function planOn(
  m: Model,
  context: number,
  layers: LayerWeights | undefined,
  usable: readonly bigint[],
  tensorSplit?: readonly number[],
): LayerPlan | undefined {
  const buffers = m.buffers?.(context);
  if (!layers || !m.layout || !buffers) return undefined;
  // The layer sizes are the weights as stored; a re-quantized what-if scales them alike.
  const scaled = m.weights === layers.residentBytes ? layers : scaleWeights(layers, m.weights);
  const cache = layerCacheBytes(m.layout, context, m.batch, m.dtype);
  return layerSplit(scaled, cache, buffers, usable, RESERVE_PER_DEVICE, tensorSplit);
}

/** The parts in proportion to a new total (the weights at another precision). */
function scaleWeights(w: LayerWeights, total: bigint): LayerWeights {
  const old = w.residentBytes;
  if (old === 0n) return w;
  const at = (b: bigint) => (b * total) / old;
  return {
    layers: w.layers.map(at),
    inputBytes: at(w.inputBytes),
    outputBytes: at(w.outputBytes),
    residentBytes: total,
  };
}

const BITS: Record<
  Exclude<PrecisionName, "as stored">,
  { num: bigint; den: bigint; bits: number; scheme?: string }
> = {
  "16-bit": { num: 16n, den: 1n, bits: 16 },
  "8-bit": { num: 8n, den: 1n, bits: 8 },
  // What Q4_K_M really takes: Llama-3.1-8B loads as "4.58 GiB (4.89 BPW)".
  "4-bit": { num: 489n, den: 100n, bits: 4.89, scheme: "Q4_K_M" },
};
/** MXFP4: 16 bytes of values plus one scale byte per 32 weights. */
const MXFP4_BITS = { num: 17n, den: 4n };

export function estimateHardware(f: ModelFootprint, o: HardwareOptions = {}): HardwareEstimate {
  const maxPosition = f.config?.maxPositionEmbeddings;
  // The default never asks for more than the model supports (GPT-2: 1,024 tokens).
  const capped =
    o.context === undefined &&
    maxPosition !== undefined &&
    maxPosition > 0 &&
    maxPosition < DEFAULT_CONTEXT;
  const context = o.context ?? (capped ? maxPosition : DEFAULT_CONTEXT);
  const batch = o.batch ?? DEFAULT_BATCH;
  const configDtype = configCacheDtype(f.config);
  const modelLayout = kvLayout(f.config);
  const flashSetting = o.flashAttention ?? DEFAULT_FLASH_ATTENTION;
  const flash = f.config ? flashAttentionUsed(flashSetting, f.config) : true;
  // llama.cpp's options change how it allocates, not the model: --swa-full the window layers'
  // cells, flash attention off the V rows (padded to the widest layer's).
  let layout = modelLayout;
  if (modelLayout?.policy) {
    layout = { ...modelLayout, policy: { ...modelLayout.policy, swaFull: o.swaFull === true } };
    if (!flash) layout = padValueRows(layout);
  }
  const runtimeDtype = layout?.policy ? findCacheDtype(layout.policy.cacheDtype) : undefined;
  const dtype = o.kvDtype ?? configDtype ?? runtimeDtype ?? DEFAULT_CACHE_DTYPE;
  const refGpu = o.referenceGpu ?? DEFAULT_REFERENCE_GPU;
  const laptopBytes = usableBytes(REFERENCE_LAPTOP);
  const singleServerBytes = BigInt(GPUS_PER_NODE) * usableBytes(refGpu);
  const heads = f.config?.numAttentionHeads;

  const weightsOnly = f.weightsOnly !== undefined;
  const config = f.config;
  const buffers =
    layout?.policy && config && !weightsOnly
      ? (c: number) => llamaCppBuffers(config, layout, c, batch, flash)
      : undefined;
  const model = (weights: bigint): Model => ({
    weights,
    weightsOnly,
    layout,
    dtype,
    batch,
    ...(buffers ? { buffers } : {}),
  });

  /** The resident weights re-quantized to `name`; MXFP4 weights stay MXFP4 at 4 bits. */
  const requantized = (name: Exclude<PrecisionName, "as stored">) => {
    const b = BITS[name];
    const mx = f.mxfp4Parameters ?? 0n;
    const keep = name === "4-bit" ? mx : 0n;
    const bits =
      (f.residentParameters - keep) * b.num * MXFP4_BITS.den + keep * MXFP4_BITS.num * b.den;
    return { weights: ceilDiv(bits, 8n * b.den * MXFP4_BITS.den), keep };
  };
  // --precision without parameters to re-quantize (nothing readable) falls back to as stored.
  const precision: PrecisionName =
    o.precision !== undefined && o.precision !== "as stored" && f.residentParameters > 0n
      ? o.precision
      : "as stored";
  const weightsUsed = precision === "as stored" ? f.residentBytes : requantized(precision).weights;
  const m = model(weightsUsed);
  const s = shared(m, context);
  const requiredBytes = s.total + RESERVE_PER_DEVICE;
  const tier = tierOf(s.total, laptopBytes, singleServerBytes);

  let cluster: HardwareEstimate["cluster"];
  if (tier === "cluster") {
    const perNode = BigInt(GPUS_PER_NODE) * (usableBytes(refGpu) - RESERVE_PER_DEVICE);
    cluster = {
      nodes: Number(ceilDiv(s.total, perNode)),
      singleNodeAlternativeDevices: BIG_NODE_GPUS.filter(
        (g) => g !== refGpu && perDevice(s.total, GPUS_PER_NODE) <= usableBytes(g),
      ).map((g) => g.id),
    };
  }

  const fitTarget = (weights: bigint) =>
    o.target
      ? fitOn(model(weights), o.target, context, maxPosition, undefined, f.layerWeights).fits
      : undefined;
  const precisions: PrecisionRow[] = [];
  const row = (
    name: PrecisionName,
    weights: bigint,
    bits?: { bits: number; scheme?: string; mxfp4Kept: boolean },
  ) => {
    const total = shared(model(weights), context).total;
    const req = total + RESERVE_PER_DEVICE;
    const fits = fitTarget(weights);
    precisions.push({
      name,
      ...(bits
        ? {
            weightBits: bits.bits,
            ...(bits.mxfp4Kept ? { mxfp4Kept: true } : {}),
            ...(bits.scheme ? { scheme: bits.scheme } : {}),
          }
        : {}),
      weightsBytes: weights,
      requiredBytes: req,
      tier: tierOf(total, laptopBytes, singleServerBytes),
      ...(fits !== undefined ? { fits } : {}),
    });
  };
  row("as stored", f.residentBytes);
  if (f.residentParameters > 0n) {
    for (const name of Object.keys(BITS) as Array<Exclude<PrecisionName, "as stored">>) {
      const b = BITS[name];
      const { weights, keep } = requantized(name);
      row(name, weights, {
        bits: b.bits,
        mxfp4Kept: keep > 0n,
        ...(b.scheme ? { scheme: b.scheme } : {}),
      });
    }
  }

  const notes: Remark[] = [...(layout?.remarks ?? [])];
  const layers = layout ? layerBreakdown(layout, context, batch, dtype) : undefined;
  for (const l of layers ?? [])
    if (l.fullLengthBytes !== undefined && l.fullLengthBytes !== l.bytes)
      notes.push({
        kind: "chunked-full-length",
        window: l.window ?? 0,
        extraBytes: l.fullLengthBytes - l.bytes,
      });
  if (weightsOnly) notes.push({ kind: "weights-only" });
  else if (!layout) {
    const impossible = f.config?.impossible;
    notes.push({
      kind: "kv-unknown",
      cause:
        f.config === undefined
          ? "no-config"
          : impossible !== undefined
            ? "config-impossible"
            : "config-incomplete",
      ...(impossible !== undefined ? { impossible } : {}),
      percent: Number(UNKNOWN_KV_PERCENT),
    });
  }
  if (configDtype && o.kvDtype)
    notes.push({ kind: "kv-dtype-override", option: o.kvDtype.name, config: configDtype.name });
  if (!layout && o.kvDtype) notes.push({ kind: "kv-dtype-unused", option: o.kvDtype.name });
  if (!layout?.policy) {
    // llama.cpp's own options change nothing for weights that do not run in llama.cpp.
    if (o.flashAttention !== undefined)
      notes.push({ kind: "llama-cpp-option-unused", option: "--flash-attn" });
    if (o.swaFull) notes.push({ kind: "llama-cpp-option-unused", option: "--swa-full" });
  } else if (config) {
    if (o.flashAttention === "on" && !flash)
      notes.push({ kind: "flash-attention-forced-off", architecture: config.modelType ?? "" });
    // llama_init_from_model refuses a quantized V cache without flash attention.
    if (!flash && dtype.denominator !== 1n)
      notes.push({ kind: "quantized-cache-needs-flash-attention", cacheDtype: dtype.name });
  }
  // The key the model's maximum context came from: config.json's or the GGUF file's own.
  const field = f.config?.from.get("maxPositionEmbeddings") ?? "max_position_embeddings";
  if (capped) notes.push({ kind: "context-capped", context, default: DEFAULT_CONTEXT, field });
  if (maxPosition !== undefined && context > maxPosition)
    notes.push({ kind: "context-over-max", context, max: maxPosition, field });
  const n =
    o.target?.kind === "devices"
      ? o.target.count
      : o.target?.kind === "mixed"
        ? o.target.devices.length
        : 1;
  if (n > 1 && heads !== undefined && heads % n !== 0)
    notes.push({ kind: "heads-indivisible", heads, gpus: n });
  const optional = f.optional ?? [];
  for (const opt of optional)
    notes.push(
      opt.kind === "multi-token-prediction" || opt.kind === "draft-head"
        ? { kind: "optional-not-resident", module: displayName(opt.name) }
        : {
            kind: "optional-for-input",
            module: displayName(opt.name),
            moduleKind: opt.kind,
            bytes: opt.bytes,
          },
    );
  const speedInput: SpeedInput | undefined =
    f.bytesPerToken !== undefined && f.computeParameters !== undefined
      ? {
          weightBytesPerToken: f.bytesPerToken,
          kvBytesAtContext: layout ? kvCacheBytes(layout, context, 1, dtype) : 0n,
          activeParameters: f.computeParameters,
        }
      : undefined;
  if (o.precision !== undefined && o.precision !== "as stored" && precision === "as stored")
    notes.push({ kind: "precision-unavailable", precision: o.precision });

  return {
    languageModel: !weightsOnly,
    ...(f.weightsOnly !== undefined ? { weightsOnlyCause: f.weightsOnly } : {}),
    precision,
    tier,
    requiredBytes,
    breakdown: {
      weights: weightsUsed,
      kvCache: s.kv,
      activations: s.activations,
      ...(s.buffers
        ? { computeBuffer: s.buffers.computeBytes, outputBuffer: s.buffers.outputBytes }
        : {}),
      reserve: RESERVE_PER_DEVICE,
      ...(layers ? { layers } : {}),
    },
    assumptions: {
      context,
      batch,
      kvCacheDtype: dtype.name,
      kvCacheDtypeFrom: o.kvDtype ? "option" : configDtype ? "config" : "default",
      kvCacheKnown: layout !== undefined,
      kvBytesPerToken: layout ? kvBytesPerToken(layout, dtype) : null,
      attention: layout ? layout.kind : null,
      activationsPercent: Number(ACTIVATION_PERCENT),
      reservePerDeviceBytes: RESERVE_PER_DEVICE,
      activationsFrom: s.buffers ? "llama.cpp-buffers" : "share-of-weights",
      ...(layout?.policy
        ? {
            runtime: {
              name: layout.policy.runtime,
              cells: fullCells(context, layout.policy),
              cellPadding: layout.policy.padding,
              ...(s.buffers?.windowCells !== undefined
                ? { windowCells: s.buffers.windowCells }
                : {}),
              ubatch: ubatchOf(context, layout.policy),
              flashAttention: flash,
              flashAttentionSetting: flashSetting,
              swaFull: layout.policy.swaFull,
              unifiedCache: false,
              ...(config?.kvLoraRank !== undefined
                ? { mlaCache: config.latentCache === false ? "decompressed" : "latent" }
                : {}),
            } satisfies RuntimeAssumptions,
          }
        : {}),
      laptopReference: referenceOf(REFERENCE_LAPTOP),
      serverReference: { ...referenceOf(refGpu), gpus: GPUS_PER_NODE },
      remarks: notes,
    },
    thresholds: { laptopBytes, singleServerBytes },
    reference: { laptop: REFERENCE_LAPTOP.label, server: `${GPUS_PER_NODE} × ${refGpu.label}` },
    ...(cluster ? { cluster } : {}),
    precisions,
    devices: DEVICES.map((d) =>
      setupFor(d, s.total, heads, speedInput, (usable) =>
        planOn(m, context, f.layerWeights, usable),
      ),
    ),
    optional,
    ...(speedInput
      ? {
          speed: {
            context,
            sequences: 1 as const,
            weightBytesPerToken: speedInput.weightBytesPerToken,
            kvBytesPerToken: speedInput.kvBytesAtContext,
            computeParameters: speedInput.activeParameters,
            usableBelow: USABLE_DECODE_TOKENS_PER_SECOND,
            tensorParallelScalingPerDoubling: TP_SCALING_PER_DOUBLING,
            classes: Object.values(SPEED_CLASSES),
          },
        }
      : {}),
    ...(o.target
      ? { fit: fitOn(m, o.target, context, maxPosition, speedInput, f.layerWeights) }
      : {}),
  };
}
