// What the weights say about the model: files, tensors, parameters, bytes, architecture,
// quantization, MoE, in one pass over the tensor tables. Model facts only: the report around
// them (hardware, verification, --strict, ok) is built in inspection.ts. Pure: no I/O.

import type { Checkpoint, PartialFacts } from "../checkpoint/checkpoint.js";
import { capPerCode } from "../core/finding-sink.js";
import { mergeAcrossFiles, type Finding } from "../core/findings.js";
import { LARGEST_TENSORS } from "../core/limits.js";
import { DTYPES } from "../formats/dtypes.js";
import type { WeightsFormat } from "../formats/dtypes.js";
import {
  declaredBytesOf,
  headerBytesOf,
  headerPaddingOf,
  metadataOf,
  tensorsOf,
  type WeightsFile,
} from "../formats/weights.js";
import {
  BIGINTS,
  bytesOf,
  NUMBERS,
  offsetAt,
  shapeOf,
  type Arithmetic,
  type TensorTable,
} from "../formats/tensor-table.js";
import type { SourceInfo } from "../checkpoint/checkpoint.js";
import type { Architecture } from "./architecture.js";
import { parametersFromConfig } from "./config-parameters.js";
import type { ParameterClaim } from "./claims.js";
import {
  elementsWithin,
  ModelTally,
  Total,
  withinColumn,
  type ModelAnalysis,
} from "./model-tally.js";
import type { ParameterCounts, QuantizationFacts } from "./facts.js";
import { ggufFactsOf, modelConfigOf, type GgufFacts } from "../model/gguf-config.js";
import type { ModelConfig } from "../model/model-config.js";
import type { MoeFacts } from "./moe.js";
import { parametersOf, type CountingRules } from "./parameters.js";

export interface FileFacts {
  path: string;
  /** Apparent size; for a stream, what the header declares. */
  bytes: bigint;
  /** False when read from a pipe: `bytes` is then the declared size. */
  sizeChecked: boolean;
  /** N, without the 8-byte prefix; 0 when the prefix could not be read. */
  headerBytes: bigint;
  headerPaddingBytes: bigint;
  tensorCount: number;
}

export interface DtypeTotals {
  dtype: string;
  tensors: number;
  parameters: bigint;
  bytes: bigint;
}

export interface TensorRow {
  name: string;
  dtype: string;
  shape: bigint[];
  parameters: bigint;
  bytes: bigint;
  offsets: [bigint, bigint];
  file: string;
}

export interface ModelSummary {
  target: string;
  /** Where the bytes came from: a local file or folder, the cache, the Hub, a URL, stdin. */
  source?: SourceInfo;
  /** The weights files' format (the first readable file's, for a folder). */
  format: WeightsFormat;
  /** What the target resolved to: one file, a stream, shards with an index, a folder… */
  checkpoint: {
    kind: Checkpoint["kind"];
    root?: string;
    /** Components that are alternatives (one GGUF per quantization), not loaded together. */
    alternatives?: boolean;
    index?: { path: string; totalSize?: bigint; shards: number; tensorCount: number };
  };
  files: FileFacts[];
  /** Whether any file's header could be read: something to base estimates on. */
  readable: boolean;
  tensorCount: number;
  parameters: ParameterCounts;
  bytes: { total: bigint; headers: bigint; headerPadding: bigint; tensors: bigint };
  /**
   * Tensor bytes × 8 per parameter, to 4 decimals: what a weight costs as stored (16 for BF16,
   * 4.89 for a usual Q4_K_M mix). Absent without parameters.
   */
  bitsPerWeight?: number;
  /** GGUF `general.file_type`: the quantization mix by llama.cpp's name. */
  fileType?: GgufFacts["fileType"];
  /** GGUF: the tokenizer the file carries (model, vocabulary, BOS/EOS, chat template). */
  tokenizer?: GgufFacts["tokenizer"];
  /** Tensor bytes without optional modules (multi-token prediction): what must be loaded. */
  residentBytes: bigint;
  /** What one generated token reads and one prompt token multiplies (one model, not a folder
   * of several): the speed estimate's input. */
  perToken?: { weightBytes: bigint; computeParameters: bigint };
  /** The resident weights by layer, input embedding and output layer (one model, layers 0…n−1
   * all present): what a runtime that splits by layers moves. */
  layerWeights?: ModelAnalysis["layerWeights"];
  /** From config.json, completed from tensor names; absent when nothing is known. */
  architecture?: Architecture;
  quantization?: QuantizationFacts;
  moe?: MoeFacts;
  /** config.json as read, typed; absent without one (or when it is not an object). */
  modelConfig?: ModelConfig;
  /** Sorted by bytes, largest first. */
  dtypes: DtypeTotals[];
  metadata: Array<[string, string]>;
  largest: TensorRow[];
  /**
   * Set when the files read are not the whole model (shards missing or not safetensors, or one
   * shard named on its own): every total above is then partial. `promised` is what the index
   * says the whole model holds.
   */
  partial?: PartialSummary;
  /**
   * Set when the weights are not a transformer language model (why): the hardware estimate is
   * then the weights alone.
   */
  weightsOnlyCause?: "no-architecture";
  /** A folder of several models: each summarised on its own; the totals above are their sums. */
  components?: Array<{ name: string; summary: ModelSummary }>;
  /** As found: the checkpoint's, its files' and the analysis's (for components, theirs). */
  findings: Finding[];
  /** Every tensor, in data order, file by file; computed on demand. */
  tensors: () => Iterable<TensorRow>;
}

export interface PartialSummary extends PartialFacts {
  promised?: { tensorCount: number; tensorBytes?: bigint };
  /**
   * No shard could be read: what the index and config.json tell instead. The hardware estimate
   * is then built from the index's total_size and these parameters.
   */
  fromIndex?: { parameters?: bigint; parametersHow?: string };
}

function* rowsOf(file: WeightsFile, rules: CountingRules): Iterable<TensorRow> {
  if (!tensorsOf(file)) return;
  for (const i of file.order) yield rowOf(file, i, rules);
}

/** Parameters by the same rules as the totals, so a listing always adds up to them. */
function rowOf(file: WeightsFile, i: number, rules: CountingRules): TensorRow {
  const t = tensorsOf(file)!;
  const name = t.names[i]!;
  return {
    name,
    dtype: DTYPES[t.dtypes[i]!]!.name,
    shape: shapeOf(t, i),
    parameters: parametersOf(rules.roleOf(name, t.dtypes[i]!), elementsWithin(t, i)),
    bytes: bytesOf(t, i),
    offsets: [offsetAt(t, 2 * i), offsetAt(t, 2 * i + 1)],
    file: file.name,
  };
}

/** `__metadata__.total_parameters` of each file: a claim to check, never a count to use. */
function claimsOf(cp: Checkpoint): ParameterClaim[] {
  const claims: ParameterClaim[] = [];
  for (const f of cp.files) {
    const v = metadataOf(f)?.get("total_parameters");
    if (v !== undefined)
      claims.push({ value: v, source: `__metadata__ of ${f.name}`, file: f.name });
  }
  const indexed = cp.index?.totalParameters;
  if (indexed !== undefined)
    claims.push({ value: indexed, source: "the index's metadata", file: cp.index!.path });
  return claims;
}

/** One dtype's totals while tensors are added. */
interface DtypeSums {
  dtype: string;
  tensors: number;
  parameters: Total;
  bytes: Total;
}

/** The running sums of the summary's one pass over the tensors. */
interface Sums {
  tally: ModelTally;
  /** By dtype id, and the ids in order of first occurrence (the order ties keep when sorted). */
  byDtype: Array<DtypeSums | undefined>;
  dtypeOrder: number[];
  tensorBytes: Total;
  /** Largest tensors: a small sorted buffer, so a million tensors cost one pass. */
  largest: Array<{ file: WeightsFile; i: number; bytes: bigint }>;
  /** The smallest bytes that list holds once it is full, as a Number. */
  floor: number;
}

/** Every tensor of one file into the sums, in the table's kind of values (`A`). */
function addTensors<V extends number | bigint>(
  s: Sums,
  file: WeightsFile,
  t: TensorTable,
  elements: ArrayLike<V>,
  offsets: ArrayLike<V>,
  A: Arithmetic<V>,
): void {
  const { tally, byDtype, largest, tensorBytes } = s;
  for (let i = 0; i < t.count; i++) {
    const id = t.dtypes[i]!;
    let d = byDtype[id];
    if (d === undefined) {
      d = { dtype: DTYPES[id]!.name, tensors: 0, parameters: new Total(), bytes: new Total() };
      byDtype[id] = d;
      s.dtypeOrder.push(id);
    }
    d.tensors++;
    const bytes = A.sub(offsets[2 * i + 1]!, offsets[2 * i]!);
    d.parameters.add(tally.add(t, i, elements[i]!, bytes, A));
    d.bytes.add(bytes);
    tensorBytes.add(bytes);
    // Most tensors are not among the largest: decided without a BigInt (a BigInt span is
    // compared exactly below, not with the floor's rounded Number).
    if (typeof bytes === "number" && largest.length === LARGEST_TENSORS && bytes <= s.floor)
      continue;
    const big = A.big(bytes);
    if (largest.length < LARGEST_TENSORS || big > largest[largest.length - 1]!.bytes) {
      let k = largest.length;
      while (k > 0 && largest[k - 1]!.bytes < big) k--;
      largest.splice(k, 0, { file, i, bytes: big });
      if (largest.length > LARGEST_TENSORS) largest.pop();
      // Exact: a list floor at or above 2^53 only makes the test above send more tensors here.
      if (largest.length === LARGEST_TENSORS) s.floor = Number(largest[LARGEST_TENSORS - 1]!.bytes);
    }
  }
}

export function summarize(cp: Checkpoint): ModelSummary {
  const files: FileFacts[] = [];
  let tensorCount = 0;
  let headers = 0n;
  let padding = 0n;
  let fileBytes = 0n;
  const tables = cp.files.flatMap((f) => tensorsOf(f) ?? []);
  const described = modelConfigOf(cp.files.find((f) => tensorsOf(f) !== undefined));
  const tally = ModelTally.begin(tables, {
    config: cp.config,
    ...(described ? { described } : {}),
    configPath: cp.configPath,
    partial: cp.partial !== undefined,
  });
  const sums: Sums = {
    tally,
    byDtype: [],
    dtypeOrder: [],
    tensorBytes: new Total(),
    largest: [],
    floor: -1,
  };

  for (const file of cp.files) {
    const t = tensorsOf(file);
    const n = t?.count ?? 0;
    const headerBytes = headerBytesOf(file);
    const pad = headerPaddingOf(file);
    const declared = declaredBytesOf(file);
    files.push({
      path: file.name,
      bytes: file.fileBytes ?? declared,
      sizeChecked: file.fileBytes !== undefined,
      headerBytes,
      headerPaddingBytes: pad,
      tensorCount: n,
    });
    tensorCount += n;
    headers += headerBytes;
    padding += pad;
    fileBytes += file.fileBytes ?? declared;
    if (!t) continue;
    if (t.small) addTensors(sums, file, t, t.elements, t.offsets, NUMBERS);
    else addTensors(sums, file, t, withinColumn(t), t.offsets, BIGINTS);
  }
  const { byDtype, dtypeOrder, tensorBytes, largest } = sums;

  const model = tally.finish(tensorBytes.value, claimsOf(cp));
  const parts = cp.components?.map((c) => ({ name: c.name, summary: summarize(c.checkpoint) }));
  // Components carry their files' findings and their own cross-checks; a plain checkpoint's are here.
  const own = parts
    ? parts.flatMap((p) => p.summary.findings)
    : [
        ...mergeAcrossFiles(
          cp.files.flatMap((f) => f.findings),
          cp.files.length,
        ),
        ...model.findings,
      ];
  const findings = capPerCode([...cp.findings, ...own]);
  const parameters = parts ? sumCounts(parts.map((p) => p.summary.parameters)) : model.parameters;
  const residentBytes = parts
    ? parts.reduce((a, p) => a + p.summary.residentBytes, 0n)
    : model.residentBytes;
  const first = cp.files.find((f) => tensorsOf(f) !== undefined);
  const readable = first !== undefined;
  const summary: ModelSummary = {
    target: cp.target,
    format: (first ?? cp.files[0])?.format ?? "safetensors",
    checkpoint: checkpointFacts(cp),
    files,
    readable,
    tensorCount,
    parameters,
    bytes: { total: fileBytes, headers, headerPadding: padding, tensors: tensorBytes.value },
    residentBytes,
    dtypes: dtypeOrder
      .map((id) => byDtype[id]!)
      .map((d) => ({
        dtype: d.dtype,
        tensors: d.tensors,
        parameters: d.parameters.value,
        bytes: d.bytes.value,
      }))
      .sort((a, b) => (a.bytes === b.bytes ? 0 : a.bytes > b.bytes ? -1 : 1)),
    metadata: first ? [...(metadataOf(first) ?? [])] : [],
    largest: largest.map(({ file, i }) => rowOf(file, i, tally.rules)),
    findings,
    tensors: function* () {
      for (const f of cp.files) yield* rowsOf(f, tally.rules);
    },
  };
  const bits = bitsPerWeight(tensorBytes.value, parameters.total);
  if (bits !== undefined) summary.bitsPerWeight = bits;
  const gguf = parts ? undefined : ggufFactsOf(first);
  if (gguf?.fileType) summary.fileType = gguf.fileType;
  if (gguf?.tokenizer) summary.tokenizer = gguf.tokenizer;
  if (parts) {
    summary.components = parts;
  } else {
    if (model.architecture) summary.architecture = model.architecture;
    if (model.quantization) summary.quantization = model.quantization;
    if (model.moe) summary.moe = model.moe;
    if (model.config) summary.modelConfig = model.config;
    if (model.layerWeights) summary.layerWeights = model.layerWeights;
    summary.perToken = {
      weightBytes: model.bytesPerToken,
      computeParameters: model.computeParameters,
    };
  }
  const partial = partialOf(cp, parts);
  if (partial) summary.partial = partial;
  // No shard read: parameters from config.json where the architecture fixes every shape.
  if (partial && !readable && !parts && cp.index !== undefined) {
    const computed = parametersFromConfig(model.config);
    partial.fromIndex = computed ? { parameters: computed.total, parametersHow: computed.how } : {};
  }
  if (!parts && notALanguageModel(model.architecture, cp.config))
    summary.weightsOnlyCause = "no-architecture";
  if (cp.source) summary.source = cp.source;
  return summary;
}

/** bytes × 8 / parameters, rounded half up to 4 decimals; exact in BigInt before the division. */
function bitsPerWeight(bytes: bigint, parameters: bigint): number | undefined {
  if (parameters === 0n) return undefined;
  const tenThousandths = (bytes * 8n * 20000n + parameters) / (2n * parameters);
  return Number(tenThousandths) / 10000;
}

/**
 * Weights that are not a transformer language model: no config.json and nothing among the tensor
 * names (a numbered layer stack, a token embedding) that the architecture could be read from.
 * An MNIST net, a batch-norm layer or a mel filterbank needs no KV cache, tier or GPU list.
 */
function notALanguageModel(architecture: Architecture | undefined, config: unknown): boolean {
  return architecture === undefined && config === undefined;
}

/** The checkpoint's own gaps, or its components' added up. */
function partialOf(
  cp: Checkpoint,
  parts: Array<{ summary: ModelSummary }> | undefined,
): PartialSummary | undefined {
  if (cp.partial) {
    const ix = cp.index;
    return {
      ...cp.partial,
      ...(ix
        ? {
            promised: {
              tensorCount: ix.tensorCount,
              ...(ix.totalSize !== undefined ? { tensorBytes: ix.totalSize } : {}),
            },
          }
        : {}),
    };
  }
  const gaps = (parts ?? []).flatMap((p) => (p.summary.partial ? [p.summary.partial] : []));
  if (gaps.length === 0) return undefined;
  return {
    shards: gaps.reduce((a, g) => a + g.shards, 0),
    missingCount: gaps.reduce((a, g) => a + g.missingCount, 0),
    missing: gaps.flatMap((g) => g.missing),
    ...(gaps.every((g) => g.gguf) ? { gguf: true as const } : {}),
  };
}

function checkpointFacts(cp: Checkpoint): ModelSummary["checkpoint"] {
  const ix = cp.index;
  return {
    kind: cp.kind,
    ...(cp.root !== undefined ? { root: cp.root } : {}),
    ...(cp.alternatives ? { alternatives: true } : {}),
    ...(ix
      ? {
          index: {
            path: ix.path,
            ...(ix.totalSize !== undefined ? { totalSize: ix.totalSize } : {}),
            shards: ix.shards.length,
            tensorCount: ix.tensorCount,
          },
        }
      : {}),
  };
}

function sumCounts(all: ParameterCounts[]): ParameterCounts {
  const sum = (f: (c: ParameterCounts) => bigint) => all.reduce((a, c) => a + f(c), 0n);
  const out: ParameterCounts = { total: sum((c) => c.total) };
  if (all.some((c) => c.stored !== undefined)) out.stored = sum((c) => c.stored ?? c.total);
  if (all.some((c) => c.active !== undefined)) out.active = sum((c) => c.active ?? c.total);
  const modules = all.flatMap((c) => c.optional?.modules ?? []);
  if (modules.length > 0) {
    out.optional = {
      parameters: sum((c) => c.optional?.parameters ?? 0n),
      bytes: sum((c) => c.optional?.bytes ?? 0n),
      modules,
    };
  }
  return out;
}
