// Config-aware parameter counting over a whole checkpoint, in the summary's single pass over the
// tensors: `begin` reads config.json and settles the counting rules, `add` takes each tensor
// (no allocation for a tensor outside numbered layers), `finish` turns the per-layer totals into
// total / stored / active / optional counts, the architecture, quantization and MoE facts.

import { finding, type Finding } from "../core/findings.js";
import { MAX_LISTED_ITEMS, U64_MAX } from "../core/limits.js";
import { group, plural } from "../core/text.js";
import { DTYPES } from "../formats/dtypes.js";
import {
  dimAt,
  elementsOf,
  SMALL_VALUE,
  type Arithmetic,
  type TensorTable,
} from "../formats/tensor-table.js";
import { describeArchitecture, type Architecture, type ObservedShape } from "./architecture.js";
import { checkClaims, type ParameterClaim } from "./claims.js";
import { readModelConfig, type ModelConfig } from "../model/model-config.js";
import { analyzeMoe, newLayer, type LayerTally, type MoeFacts } from "./moe.js";
import {
  BOOKKEEPING,
  countingRules,
  exactIn,
  parametersIn,
  WEIGHT,
  type CountingRules,
  type TensorRole,
} from "./parameters.js";
import { schemeFromConfig, schemeFromNames } from "./quantization.js";
import type { OptionalKind, OptionalModule, ParameterCounts, QuantizationFacts } from "./facts.js";
import { FUSED, NameParser, ROUTED, SHARED } from "./tensor-names.js";

/** Where the resident weights sit by layer: what a runtime splitting by layers moves. */
interface LayerWeights {
  /** Bytes of each layer of the main stack, in order. */
  layers: bigint[];
  /** The input embedding. */
  inputBytes: bigint;
  /** Everything else resident (norms, the head), plus the embedding again when the head is tied. */
  outputBytes: bigint;
  residentBytes: bigint;
}

export interface ModelAnalysis {
  parameters: ParameterCounts;
  /** config.json as read (typed, wrong-typed fields left out): the KV-cache estimate's input. */
  config?: ModelConfig;
  architecture?: Architecture;
  quantization?: QuantizationFacts;
  moe?: MoeFacts;
  /** Tensor bytes without optional modules: what the hardware estimate loads. */
  residentBytes: bigint;
  /** Weight bytes read to generate one token: the resident weights less the routed experts a
   * token skips and the input embedding (one row is looked up) when the head is stored apart. */
  bytesPerToken: bigint;
  /** Parameters a prompt token multiplies through (2 FLOPs each): active less the embedding. */
  computeParameters: bigint;
  /** The resident weights by where a layer split puts them; absent unless the main stack's
   * layers are numbered 0…n−1 with none missing. */
  layerWeights?: LayerWeights;
  findings: Finding[];
}

interface AnalysisInput {
  /** config.json as parsed, untrusted. */
  config?: unknown;
  /** The description the weights carry in themselves (GGUF metadata), used without config.json. */
  described?: ModelConfig;
  configPath?: string;
  /**
   * The tensors are part of the model (shards missing, or one shard on its own): config.json is
   * compared only where a part can show it (shapes), never with counts of the whole.
   */
  partial?: boolean;
}

/** Input embeddings and output heads, recognised by the name of the tensor's last modules. */
const EMBEDDINGS = [
  "embed_tokens.weight",
  "wte.weight",
  "word_embeddings.weight",
  "tok_embeddings.weight",
  "embed_in.weight",
  "token_embd.weight",
];
const HEADS = ["lm_head.weight", "embed_out.weight", "output_layer.weight"];
/** DeepSeek-V3 and GLM-4.5 MTP layers project [embedding; hidden state] with `eh_proj`. */
const MTP_MARKER = ".eh_proj.weight";
const isHead = (name: string) => name === "output.weight" || HEADS.some((h) => name.endsWith(h));

/**
 * Modules a text-only runtime does not load, by the name of the module that holds them: vision
 * and audio encoders (Gemma 3 `vision_tower`, Llama 4 `vision_model`, Qwen2-VL `visual`,
 * Qwen2-Audio `audio_tower`), their projectors into the language model (`multi_modal_projector`,
 * LLaVA's `mm_projector`, Gemma 3n's `embed_vision`/`embed_audio`), and draft heads (Medusa).
 */
const OPTIONAL_MODULE =
  /(?:^|\.)(vision_tower|vision_model|visual|vision_encoder|image_encoder|audio_tower|audio_model|audio_encoder|multi_modal_projector|mm_projector|embed_vision|embed_audio|medusa_heads?|medusa_head|draft_head|draft_model)\./;

function optionalModuleOf(name: string): { prefix: string; kind: OptionalKind } | undefined {
  const m = OPTIONAL_MODULE.exec(name);
  if (!m) return undefined;
  const word = m[1]!;
  const prefix = name.slice(0, m.index + m[0].length);
  const kind: OptionalKind = /^(vision|visual|image)/.test(word)
    ? "vision-tower"
    : /^audio/.test(word)
      ? "audio-tower"
      : /^(medusa|draft)/.test(word)
        ? "draft-head"
        : "multimodal-projector";
  return { prefix, kind };
}

/** Below this a Number adds exactly: two such integers sum to at most 2^53. */
export const EXACT_PART = SMALL_VALUE;

/**
 * An exact running total of non-negative integers, kept in a Number while it stays below 2^52
 * and carried into a BigInt beyond: the summary adds a few numbers per tensor, and a BigInt sum
 * allocates on every addition.
 */
export class Total {
  private n = 0;
  private big = 0n;

  /** `x`: a Number in [0, EXACT_PART) (a SmallTable's values, no BigInt made), or any BigInt. */
  add(x: number | bigint): void {
    if (typeof x === "bigint") {
      this.big += x;
      return;
    }
    const s = this.n + x;
    if (s < EXACT_PART) this.n = s;
    else {
      this.big += BigInt(s); // below 2^53: exact
      this.n = 0;
    }
  }

  get value(): bigint {
    return this.big + BigInt(this.n);
  }
}

/** A layer's LayerTally, accumulated in Totals; made a LayerTally once every tensor is in. */
interface LayerSums {
  parameters: Total;
  bytes: Total;
  tensors: number;
  experts: Map<number, Total> | undefined;
  fused: bigint;
  fusedFirstDims: Set<bigint> | undefined;
  shared: Total;
  mtp: boolean;
  routedBytes: Total;
}

const newLayerSums = (): LayerSums => ({
  parameters: new Total(),
  bytes: new Total(),
  tensors: 0,
  experts: undefined,
  fused: 0n,
  fusedFirstDims: undefined,
  shared: new Total(),
  mtp: false,
  routedBytes: new Total(),
});

function layerTally(l: LayerSums): LayerTally {
  const t = newLayer();
  t.parameters = l.parameters.value;
  t.bytes = l.bytes.value;
  t.tensors = l.tensors;
  if (l.experts) {
    const experts = new Map<number, bigint>();
    // forEach, not for … of: this runs once per expert (15,616 in DeepSeek-V3), mostly before V8
    // optimises it, where each step of an iterator allocates.
    l.experts.forEach((p, e) => experts.set(e, p.value));
    t.experts = experts;
  }
  t.fused = l.fused;
  t.fusedFirstDims = l.fusedFirstDims;
  t.shared = l.shared.value;
  t.mtp = l.mtp;
  t.routedBytes = l.routedBytes.value;
  return t;
}

interface StackTally {
  prefix: string;
  tensors: number;
  layers: Map<number, LayerTally>;
}

interface StackSums {
  prefix: string;
  tensors: number;
  layers: Map<number, LayerSums>;
  /** Set when the stack is a vision or audio encoder's: its tensors go to that module. */
  optional?: { prefix: string; kind: OptionalKind };
}

interface Bucket {
  parameters: Total;
  bytes: Total;
  tensors: number;
}

export class ModelTally {
  private readonly stored = new Total();
  private readonly total = new Total();
  private packedTensors = 0;
  private readonly packedParameters = new Total();
  private bookkeepingTensors = 0;
  private readonly bookkeepingElements = new Total();
  private readonly bookkeepingBytes = new Total();
  private inexact: string[] = [];
  private inexactCount = 0;
  private readonly stacks = new Map<string, StackSums>();
  private lastStack: StackSums | undefined;
  /** Optional modules by prefix ("mtp.", "vision_tower."), in order of first tensor. */
  private readonly extras = new Map<string, Bucket & { kind: OptionalKind }>();
  private embeddingBytes = 0n;
  private embedding: ObservedShape["embedding"];
  private head: string | undefined;
  private readonly parser = new NameParser();

  private constructor(
    readonly rules: CountingRules,
    private readonly config: ModelConfig | undefined,
    private readonly configNotes: string[],
    private readonly configPath: string | undefined,
    private readonly configInvalid: boolean,
    private readonly partial: boolean,
  ) {}

  /** Reads config.json and settles the counting rules before the first tensor is added. */
  static begin(tables: readonly TensorTable[], input: AnalysisInput = {}): ModelTally {
    const read =
      input.config === undefined
        ? input.described && { config: input.described, notes: [] }
        : readModelConfig(input.config);
    const config = read?.config;
    const q = config?.quantization;
    // Without a quantization config, only name patterns with a single reading decide.
    const scheme = q ? schemeFromConfig(q) : schemeFromNames(tables);
    return new ModelTally(
      countingRules(scheme),
      config,
      read?.notes ?? [],
      input.configPath,
      read !== undefined && config === undefined,
      input.partial === true,
    );
  }

  /**
   * Counts tensor i of `t`: `elements` (0 when its shape overflows 64 bits of storage) and
   * `bytes` in the table's kind of values, which `A` works in (Numbers for a SmallTable);
   * returns its parameters in that kind.
   */
  add<V extends number | bigint>(
    t: TensorTable,
    i: number,
    elements: V,
    bytes: V,
    A: Arithmetic<V>,
  ): V {
    const name = t.names[i]!;
    const role = this.rules.roleOf(name, t.dtypes[i]!);
    const params = parametersIn(role, elements, A);
    if (role !== WEIGHT && role !== BOOKKEEPING && !exactIn(role, elements, A))
      this.noteInexact(name, A.big(elements), role);
    this.record(t, i, name, role, elements, params, bytes);
    return params;
  }

  private noteInexact(name: string, elements: bigint, role: TensorRole): void {
    if (this.inexactCount++ < MAX_LISTED_ITEMS)
      this.inexact.push(`${name} (${group(elements)} × ${role.num}/${role.den})`);
  }

  /**
   * One tensor into the totals, its layer, expert or module: the one path for both kinds of
   * values (Numbers from a SmallTable, BigInts from a LargeTable).
   */
  private record(
    t: TensorTable,
    i: number,
    name: string,
    role: TensorRole,
    elements: number | bigint,
    params: number | bigint,
    bytes: number | bigint,
  ): void {
    this.stored.add(elements);
    this.total.add(params);
    if (role === BOOKKEEPING) {
      this.bookkeepingTensors++;
      this.bookkeepingElements.add(elements);
      this.bookkeepingBytes.add(bytes);
    } else if (role !== WEIGHT) {
      this.packedTensors++;
      this.packedParameters.add(params);
    }
    const p = this.parser;
    // Qwen3-Next's `mtp.layers.0.…` is numbered like a layer, but belongs to the MTP module.
    if (name.startsWith("mtp.")) this.extra("mtp.", "multi-token-prediction", params, bytes);
    else if (p.parse(name)) {
      const stack = this.stackOf(name, p.stackEnd);
      if (stack.optional)
        return this.extra(stack.optional.prefix, stack.optional.kind, params, bytes);
      const layer = this.layerIn(stack, p);
      layer.parameters.add(params);
      layer.bytes.add(bytes);
      layer.tensors++;
      if (p.expertKind === ROUTED) {
        this.expertOf(layer, p.expert).add(params);
        layer.routedBytes.add(bytes);
      } else if (p.expertKind === FUSED) {
        layer.routedBytes.add(bytes);
        layer.fused += BigInt(params);
        (layer.fusedFirstDims ??= new Set()).add(t.ranks[i]! > 0 ? dimAt(t, t.shapeStart[i]!) : 1n);
      } else if (p.expertKind === SHARED) layer.shared.add(params);
      else if (name.endsWith(MTP_MARKER)) layer.mtp = true;
    } else this.outsideLayers(t, i, name, role, params, bytes);
  }

  /** Adds a tensor to the optional module at `prefix`. */
  private extra(
    prefix: string,
    kind: OptionalKind,
    params: number | bigint,
    bytes: number | bigint,
  ): void {
    let b = this.extras.get(prefix);
    if (!b)
      this.extras.set(
        prefix,
        (b = { kind, parameters: new Total(), bytes: new Total(), tensors: 0 }),
      );
    b.parameters.add(params);
    b.bytes.add(bytes);
    b.tensors++;
  }

  /** A tensor outside numbered layers: part of an optional module, the embedding, or the head. */
  private outsideLayers(
    t: TensorTable,
    i: number,
    name: string,
    role: TensorRole,
    params: number | bigint,
    bytes: number | bigint,
  ): void {
    const o = optionalModuleOf(name);
    if (o) this.extra(o.prefix, o.kind, params, bytes);
    else this.embeddingOrHead(t, i, name, role, bytes);
  }

  private layerIn(stack: StackSums, p: NameParser): LayerSums {
    stack.tensors++;
    let layer = stack.layers.get(p.layer);
    if (!layer) stack.layers.set(p.layer, (layer = newLayerSums()));
    return layer;
  }

  private expertOf(layer: LayerSums, expert: number): Total {
    const experts = (layer.experts ??= new Map());
    let e = experts.get(expert);
    if (!e) experts.set(expert, (e = new Total()));
    return e;
  }

  /** A tensor outside numbered layers and `mtp.`: the input embedding or the output head? */
  private embeddingOrHead(
    t: TensorTable,
    i: number,
    name: string,
    role: TensorRole,
    bytes: number | bigint,
  ): void {
    if (name.charCodeAt(name.length - 1) === 0x74 /* t */) {
      if (this.embedding === undefined && EMBEDDINGS.some((e) => name.endsWith(e))) {
        const s = t.shapeStart[i]!;
        if (t.ranks[i] === 2) {
          const rows = dimAt(t, s);
          this.embedding = { name, rows, cols: dimAt(t, s + 1), plain: role === WEIGHT };
          this.embeddingBytes = BigInt(bytes);
        }
      } else if (this.head === undefined && isHead(name)) this.head = name;
    }
  }

  private stackOf(name: string, end: number): StackSums {
    const last = this.lastStack;
    if (last && last.prefix.length === end && name.startsWith(last.prefix)) return last;
    const prefix = name.slice(0, end);
    let s = this.stacks.get(prefix);
    if (!s) {
      s = { prefix, tensors: 0, layers: new Map() };
      // A vision or audio encoder's own layers: the whole stack belongs to its module.
      const o = optionalModuleOf(prefix);
      if (o) s.optional = o;
      this.stacks.set(prefix, s);
    }
    this.lastStack = s;
    return s;
  }

  /** `tensorBytes`: every tensor's bytes, as the summary summed them. */
  finish(tensorBytes: bigint, claims: readonly ParameterClaim[] = []): ModelAnalysis {
    const findings: Finding[] = [];
    const file = this.configPath;
    const config = this.config;
    if (this.configInvalid)
      findings.push(
        finding("CONFIG_INVALID", this.configNotes[0] ?? "config.json ignored", { file }),
      );
    else
      for (const note of this.configNotes.slice(0, MAX_LISTED_ITEMS))
        findings.push(finding("CONFIG_FIELD_IGNORED", `config.json: ${note}`, { file }));
    for (const why of config?.impossible ?? [])
      findings.push(
        finding("CONFIG_IMPOSSIBLE", `config.json: ${why}; not used`, {
          file,
          hint: "no model has such a shape (transformers refuses it); the estimate leaves the value out",
        }),
      );

    // The main stack is the one with the most tensors: a vision tower's layers are not it.
    let mainSums: StackSums | undefined;
    for (const s of this.stacks.values())
      if (!s.optional && (!mainSums || s.tensors > mainSums.tensors)) mainSums = s;
    const main: StackTally | undefined = mainSums && {
      prefix: mainSums.prefix,
      tensors: mainSums.tensors,
      layers: new Map(),
    };
    if (main) for (const [i, l] of mainSums!.layers) main.layers.set(i, layerTally(l));
    const total = this.total.value;
    const stored = this.stored.value;

    const mtpInferred: string[] = [];
    const modules = mtpModules(main, config, file, this.partial ? [] : findings, mtpInferred);
    for (const [prefix, b] of this.extras)
      modules.list.push({
        kind: b.kind,
        name: prefix,
        parameters: b.parameters.value,
        bytes: b.bytes.value,
        tensors: b.tensors,
      });
    let optionalParams = 0n;
    let optionalBytes = 0n;
    for (const m of modules.list) {
      optionalParams += m.parameters;
      optionalBytes += m.bytes;
    }
    const mainParams = total - optionalParams;

    const mainLayers = new Map<number, LayerTally>();
    for (const [i, l] of main?.layers ?? []) if (!modules.layers.has(i)) mainLayers.set(i, l);
    const moe = analyzeMoe(mainLayers, mainParams, config, file, this.partial);
    for (const f of moe.findings) findings.push(f);

    const arch = describeArchitecture(
      config,
      {
        layers: [...mainLayers.keys()].sort((a, b) => a - b),
        stack: main?.prefix,
        mtpLayers: modules.layers.size,
        ...(this.embedding ? { embedding: this.embedding } : {}),
        ...(this.head !== undefined ? { head: this.head } : {}),
      },
      file,
      this.partial,
    );
    for (const f of arch.findings) findings.push(f);
    const architecture = arch.architecture;
    for (const x of [...mtpInferred, ...moe.inferred]) architecture?.inferred.push(x);

    const quantization = this.quantizationFacts(findings, file);
    // A part's total is not the model's: a claim about the whole cannot be checked against it.
    if (!this.partial)
      for (const f of checkClaims(claims, total, mainParams, stored)) findings.push(f);

    const parameters: ParameterCounts = { total };
    if (stored !== total) parameters.stored = stored;
    if (moe.active !== undefined) parameters.active = moe.active;
    else if (
      modules.list.length > 0 &&
      ![...mainLayers.values()].some((l) => l.experts !== undefined || l.fused > 0n)
    )
      parameters.active = mainParams;
    if (modules.list.length > 0)
      parameters.optional = {
        parameters: optionalParams,
        bytes: optionalBytes,
        modules: modules.list,
      };
    const result: ModelAnalysis = {
      parameters,
      residentBytes: tensorBytes - optionalBytes,
      ...this.perToken(tensorBytes - optionalBytes, mainParams, mainLayers, moe, config),
      findings,
    };
    const split = this.layerWeights(mainLayers, tensorBytes - optionalBytes);
    if (split) result.layerWeights = split;
    if (config) result.config = config;
    if (architecture) result.architecture = architecture;
    if (quantization) result.quantization = quantization;
    if (moe.facts) result.moe = moe.facts;
    return result;
  }

  /**
   * Each main layer's bytes, the input embedding, and the rest (norms, the output head): a
   * model stored without a head (tied) computes its logits from the embedding, which llama.cpp
   * copies to the device of the output layer, so the output layer then weighs the embedding.
   */
  private layerWeights(
    layers: ReadonlyMap<number, LayerTally>,
    resident: bigint,
  ): LayerWeights | undefined {
    const n = layers.size;
    if (n === 0) return undefined;
    const bytes: bigint[] = [];
    for (let i = 0; i < n; i++) {
      const l = layers.get(i);
      if (l === undefined) return undefined;
      bytes.push(l.bytes);
    }
    const input = this.embedding ? this.embeddingBytes : 0n;
    const rest = resident - input - bytes.reduce((a, b) => a + b, 0n);
    if (rest < 0n) return undefined;
    const tied = this.head === undefined ? input : 0n;
    return { layers: bytes, inputBytes: input, outputBytes: rest + tied, residentBytes: resident };
  }

  /**
   * Bytes read and parameters multiplied per token: a token skips (E − k)/E of the routed
   * experts, and reads one row of an input embedding that is not also the output head.
   */
  private perToken(
    resident: bigint,
    mainParams: bigint,
    layers: ReadonlyMap<number, LayerTally>,
    moe: ReturnType<typeof analyzeMoe>,
    config: ModelConfig | undefined,
  ): { bytesPerToken: bigint; computeParameters: bigint } {
    let bytes = resident;
    const f = moe.facts;
    if (f && f.topK !== undefined && f.experts > 0) {
      let routed = 0n;
      for (const l of layers.values()) routed += l.routedBytes;
      bytes -= routed - (routed * BigInt(f.topK)) / BigInt(f.experts);
    }
    let params = moe.active ?? mainParams;
    const e = this.embedding;
    if (e && this.head !== undefined && config?.tieWordEmbeddings !== true) {
      bytes -= this.embeddingBytes;
      if (e.plain) params -= e.rows * e.cols;
    }
    return { bytesPerToken: bytes, computeParameters: params };
  }

  private quantizationFacts(
    findings: Finding[],
    file: string | undefined,
  ): QuantizationFacts | undefined {
    const s = this.rules.scheme;
    if (this.inexactCount > 0)
      findings.push(
        finding(
          "PACKED_COUNT_INEXACT",
          `${plural(this.inexactCount, "packed tensor")} do not hold a whole number of weights at ${s?.bits ?? "?"} bits: ${this.inexact.join(", ")}${this.inexactCount > MAX_LISTED_ITEMS ? ", …" : ""}`,
          {
            hint: "counted rounded down; the bits in the quantization config may not match the tensors",
          },
        ),
      );
    if (!s) return undefined;
    const facts: QuantizationFacts = {
      method: s.method,
      source: s.source,
      counted: s.counting !== undefined,
      packedTensors: this.packedTensors,
      packedParameters: this.packedParameters.value,
      bookkeepingTensors: this.bookkeepingTensors,
      bookkeepingElements: this.bookkeepingElements.value,
      bookkeepingBytes: this.bookkeepingBytes.value,
      notes: s.notes,
    };
    if (s.bits !== undefined) facts.bits = s.bits;
    if (s.groupSize !== undefined) facts.groupSize = s.groupSize;
    if (s.format !== undefined) facts.format = s.format;
    if (s.blockSize !== undefined) facts.blockSize = s.blockSize;
    if (s.source === "tensor names")
      findings.push(
        finding(
          "QUANTIZATION_FROM_NAMES",
          `${s.method}${s.bits !== undefined && s.counting !== "fp8" ? ` ${s.bits}-bit` : ""} quantization recognised from tensor names (no quantization config): ${this.packedTensors > 0 ? `${plural(this.packedTensors, "packed tensor")} unpacked, ` : ""}${plural(this.bookkeepingTensors, "bookkeeping tensor")} counted as 0`,
          { hint: s.notes.length > 0 ? s.notes.join("; ") : undefined },
        ),
      );
    else if (!facts.counted)
      findings.push(
        finding(
          "QUANTIZATION_UNKNOWN",
          `config.json names quantization "${s.method}", which inspect does not count: parameters are the stored elements`,
          { file, hint: s.notes.length > 0 ? s.notes.join("; ") : undefined },
        ),
      );
    else if (this.packedTensors === 0 && this.bookkeepingTensors === 0 && !this.partial)
      findings.push(
        finding(
          "CONFIG_MISMATCH",
          `config.json names ${s.method} quantization, but no tensor is stored that way: parameters are the stored elements`,
          { file },
        ),
      );
    return facts;
  }
}

interface OptionalLayers {
  list: OptionalModule[];
  layers: Set<number>;
}

/**
 * Multi-token-prediction layers (docs/counting.md §2), loaded only for speculative decoding:
 * those numbered at or past num_hidden_layers when num_nextn_predict_layers declares them
 * (DeepSeek-V3's layer 61), and any layer holding an `eh_proj`, which only MTP layers have.
 */
function mtpModules(
  main: StackTally | undefined,
  config: ModelConfig | undefined,
  file: string | undefined,
  findings: Finding[],
  inferred: string[],
): OptionalLayers {
  const out: OptionalLayers = { list: [], layers: new Set() };
  if (!main) return out;
  const n = config?.numHiddenLayers;
  const declared = config?.numNextnPredictLayers;
  const byConfig = n !== undefined && declared !== undefined && declared > 0;
  const ids = [...main.layers.keys()].sort((a, b) => a - b);
  const extra = ids.filter((i) => (byConfig && i >= n) || main.layers.get(i)!.mtp);
  for (const i of extra) {
    const l = main.layers.get(i)!;
    out.layers.add(i);
    out.list.push({
      kind: "multi-token-prediction",
      name: `${main.prefix}${i}.`,
      parameters: l.parameters,
      bytes: l.bytes,
      tensors: l.tensors,
    });
  }
  if (!byConfig && extra.length > 0)
    inferred.push(
      `layer${extra.length > 1 ? "s" : ""} ${extra.join(", ")}: multi-token prediction (it holds eh_proj)`,
    );
  if (declared !== undefined && extra.length !== declared)
    findings.push(
      finding(
        "CONFIG_MISMATCH",
        `config.json declares ${plural(declared, "multi-token-prediction layer")} (num_nextn_predict_layers); ${extra.length === 0 ? "none is stored" : `the tensors have ${extra.length} (${extra.join(", ")})`}`,
        { file, severity: extra.length === 0 ? "info" : "warning" },
      ),
    );
  return out;
}

/** Per dtype id: an element count above U64_MAX × this / BLOCK_BYTES overflows 64 bits of storage. */
const BLOCK_ELEMENTS = DTYPES.map((d) => BigInt(d.blockElements));
const BLOCK_BITS = DTYPES.map((d) => 8n * BigInt(d.blockBytes));

/**
 * Elements of tensor i, or 0 when dtype × shape overflows what 64 bits address (an error the
 * layout check reports): such a count is not a fact about the weights. A SmallTable's counts
 * never overflow (below 2^44, at most 64 bits each).
 */
export function elementsWithin(t: TensorTable, i: number): bigint {
  const e = elementsOf(t, i);
  if (t.small) return e;
  const id = t.dtypes[i]!;
  return e * BLOCK_BITS[id]! > U64_MAX * BLOCK_ELEMENTS[id]! ? 0n : e;
}

/** elementsWithin of every tensor of a LargeTable: its elements column, as a SmallTable has one. */
export function withinColumn(t: TensorTable): bigint[] {
  return Array.from({ length: t.count }, (_, i) => elementsWithin(t, i));
}
