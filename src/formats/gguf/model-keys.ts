// What a GGUF file's metadata says about the model: the `general.*` facts, the architecture keys
// llama.cpp reads (`{arch}.block_count`, `{arch}.attention.head_count` …, prefixed by
// general.architecture; names from llama.cpp `src/llama-arch.cpp`), the tokenizer, and the file
// type. Pure: the metadata in, a description and findings out. Long arrays are counted, never
// copied into the description.

import type { Finding } from "../../core/findings.js";
import { finding } from "../../core/findings.js";
import { excerpt } from "../../core/text.js";
import { fileType, type FileType } from "./file-types.js";
import {
  integerArrayOf,
  integerOf,
  isArray,
  isLongString,
  jsonValue,
  type Entry,
} from "./values.js";

/** A count that llama.cpp accepts as one number or one per layer. */
export type PerLayer = number | number[];

export interface GgufTokenizer {
  /** tokenizer.ggml.model: "llama" (SentencePiece), "gpt2" (BPE), "bert", "t5", "rwkv", "none" … */
  model: string | undefined;
  /** tokenizer.ggml.pre: the pre-tokenizer llama.cpp applies ("llama-bpe", "qwen2" …). */
  pre: string | undefined;
  vocabSize: number | undefined;
  merges: number | undefined;
  bos: { id: number; text: string | undefined } | undefined;
  eos: { id: number; text: string | undefined } | undefined;
  chatTemplate: boolean;
}

export interface GgufModel {
  architecture: string | undefined;
  name: string | undefined;
  fileType: (FileType & { known: true }) | { id: number; known: false } | undefined;
  quantizationVersion: number | undefined;
  blockCount: number | undefined;
  contextLength: number | undefined;
  embeddingLength: number | undefined;
  feedForwardLength: PerLayer | undefined;
  headCount: PerLayer | undefined;
  headCountKv: PerLayer | undefined;
  keyLength: number | undefined;
  valueLength: number | undefined;
  /**
   * K and V head sizes of sliding-window (and chunked) layers where they differ from the others
   * (`attention.key_length_swa` / `value_length_swa`, Gemma 4): llama.cpp reads them for every
   * architecture, each defaulting to the full layers' size (`n_embd_head_k_swa`,
   * `n_embd_head_v_swa` in `llama_model_base::load_hparams`, src/llama-model.cpp).
   */
  keyLengthSwa: number | undefined;
  valueLengthSwa: number | undefined;
  ropeDimensionCount: number | undefined;
  slidingWindow: number | undefined;
  /** Which layers use the sliding window, and where that came from; undefined without a window. */
  slidingLayers: { layers: boolean[]; source: string } | undefined;
  /** Llama 4's chunked attention as llama.cpp runs it (`LLAMA_SWA_TYPE_CHUNKED`): the chunk and
   * which layers are chunked; undefined for other architectures, or with sliding_window 0. */
  chunkedLayers: { chunk: number; layers: boolean[]; source: string } | undefined;
  /**
   * How many layers, from the first, hold a KV cache of their own, when the others reuse an
   * earlier layer's (`hparams.n_layer_kv_from_start`): 20 for Gemma 3n
   * (`llama_model_gemma3n::load_arch_hparams`), block_count − `attention.shared_kv_layers` for
   * Gemma 4 (`llama_model_gemma4::load_arch_hparams`); undefined when every layer has one.
   */
  kvLayers: { count: number; source: string } | undefined;
  expertCount: number | undefined;
  expertUsedCount: number | undefined;
  expertSharedCount: number | undefined;
  expertFeedForwardLength: number | undefined;
  leadingDenseBlockCount: number | undefined;
  kvLoraRank: number | undefined;
  qLoraRank: number | undefined;
  /**
   * MLA head sizes after decompression (`attention.key_length_mla` / `value_length_mla`): their
   * presence makes llama.cpp cache the latent (key_length wide, one KV head) and no V
   * (`hparams.is_mla()`, `src/llama-hparams.cpp`); files converted before they existed cache
   * the decompressed K and V.
   */
  keyLengthMla: number | undefined;
  valueLengthMla: number | undefined;
  tokenizer: GgufTokenizer;
  /** general.* keys (name, license, base model, quantized by …), JSON-safe, arrays summarised. */
  general: Record<string, unknown>;
}

/**
 * llama.cpp's sliding-window period per architecture when the file has no pattern key
 * (`hparams.set_swa_pattern(n)` in `src/llama-model.cpp` / `src/models/<arch>.cpp`): layer il
 * uses the window when il % n < n - 1.
 */
const SWA_PERIOD: Readonly<Record<string, number>> = {
  gemma2: 2,
  gemma3: 6,
  "gemma-embedding": 6,
  cohere2: 4,
  "gpt-oss": 2,
  gemma3n: 5,
};

/** Gemma 3n's layers with a cache of their own: a constant of llama.cpp's loader. */
const GEMMA3N_KV_LAYERS = 20;

/**
 * llama.cpp's Llama 4 (`llama_model_llama4::load_arch_hparams`, src/models/llama4.cpp): unless the
 * file sets `llama4.attention.sliding_window` to 0 (a MobileLLM export, every layer global), the
 * layers use chunked attention over a chunk of 8,192 tokens (a constant there, whatever the key
 * says), 3 chunked of every 4 (`set_swa_pattern(4)`) unless a scalar
 * `attention.sliding_window_pattern` gives another period (an array is not read).
 */
const LLAMA4_CHUNK = 8192;
const LLAMA4_CHUNK_PERIOD = 4;

const swaLayers = (period: number, layers: number) =>
  Array.from({ length: layers }, (_, il) => period === 0 || il % period < period - 1);

export function describeGguf(meta: ReadonlyMap<string, Entry>): {
  model: GgufModel;
  findings: Finding[];
} {
  const findings: Finding[] = [];
  const wrong = (e: Entry, want: string) =>
    findings.push(
      finding("GGUF_KEY_WRONG_TYPE", `${e.key} is of type ${e.type}, not ${want}: ignored`, {
        offset: BigInt(e.offset),
      }),
    );
  const str = (key: string): string | undefined => {
    const e = meta.get(key);
    if (e === undefined) return undefined;
    if (typeof e.value === "string") return e.value;
    if (isLongString(e.value)) return e.value.start;
    wrong(e, "a string");
    return undefined;
  };
  const int = (key: string): number | undefined => {
    const e = meta.get(key);
    if (e === undefined) return undefined;
    const n = integerOf(e.value);
    if (n === undefined) wrong(e, "an integer");
    return n;
  };
  const perLayer = (key: string): PerLayer | undefined => {
    const e = meta.get(key);
    if (e === undefined) return undefined;
    const n = isArray(e.value) ? integerArrayOf(e.value) : integerOf(e.value);
    if (n === undefined) wrong(e, "an integer or an array of integers");
    return n;
  };

  const arch = str("general.architecture");
  const k = (suffix: string) => `${arch ?? "?"}.${suffix}`;
  const ft = int("general.file_type");
  const named = ft === undefined ? undefined : fileType(ft);
  if (ft !== undefined && named === undefined)
    findings.push(
      finding(
        "GGUF_FILE_TYPE_UNKNOWN",
        `general.file_type is ${ft}, which llama.cpp does not name`,
      ),
    );
  const blockCount = int(k("block_count"));

  const slidingWindow = int(k("attention.sliding_window"));
  let slidingLayers: GgufModel["slidingLayers"];
  let chunkedLayers: GgufModel["chunkedLayers"];
  if (arch === "llama4") {
    if (slidingWindow !== 0 && blockCount !== undefined) {
      const e = meta.get(k("attention.sliding_window_pattern"));
      const period = e !== undefined && !isArray(e.value) ? integerOf(e.value) : undefined;
      chunkedLayers = {
        chunk: LLAMA4_CHUNK,
        layers: swaLayers(period ?? LLAMA4_CHUNK_PERIOD, blockCount),
        source:
          period !== undefined
            ? `${e!.key} = ${period}`
            : `llama.cpp's llama4 default: ${LLAMA4_CHUNK_PERIOD - 1} of every ${LLAMA4_CHUNK_PERIOD} layers`,
      };
    }
  } else if (slidingWindow !== undefined && slidingWindow > 0 && blockCount !== undefined) {
    const e = meta.get(k("attention.sliding_window_pattern"));
    if (e !== undefined && isArray(e.value) && e.value.itemType === "bool") {
      slidingLayers = {
        layers: Array.from(e.value.items as boolean[]),
        source: `${e.key} (one flag per layer)`,
      };
    } else if (e !== undefined && integerOf(e.value) !== undefined) {
      const period = integerOf(e.value)!;
      slidingLayers = { layers: swaLayers(period, blockCount), source: `${e.key} = ${period}` };
    } else if (arch !== undefined && SWA_PERIOD[arch] !== undefined) {
      const period = SWA_PERIOD[arch];
      slidingLayers = {
        layers: swaLayers(period, blockCount),
        source: `llama.cpp's ${arch} default: ${period - 1} of every ${period} layers`,
      };
    } else {
      slidingLayers = { layers: swaLayers(0, blockCount), source: "every layer (no pattern key)" };
    }
  }

  let kvLayers: GgufModel["kvLayers"];
  if (arch === "gemma3n" && blockCount !== undefined && blockCount > GEMMA3N_KV_LAYERS)
    kvLayers = { count: GEMMA3N_KV_LAYERS, source: "llama.cpp's gemma3n loader" };
  const shared = arch === "gemma4" ? int(k("attention.shared_kv_layers")) : undefined;
  if (shared !== undefined && shared > 0 && blockCount !== undefined && shared < blockCount)
    kvLayers = { count: blockCount - shared, source: k("attention.shared_kv_layers") };

  const tokens = meta.get("tokenizer.ggml.tokens");
  const tokenText = (id: number | undefined): string | undefined => {
    if (id === undefined || tokens === undefined || !isArray(tokens.value)) return undefined;
    const t = (tokens.value.items as ArrayLike<unknown>)[id];
    return typeof t === "string" ? excerpt(t) : undefined;
  };
  const special = (key: string) => {
    const id = int(key);
    return id === undefined ? undefined : { id, text: tokenText(id) };
  };
  const count = (key: string): number | undefined => {
    const e = meta.get(key);
    return e !== undefined && isArray(e.value) ? e.value.count : undefined;
  };

  // fromEntries defines own properties: a key named "__proto__" stays data.
  const general: Record<string, unknown> = Object.fromEntries(
    [...meta]
      .filter(([key]) => key.startsWith("general."))
      .map(([key, e]) => [key.slice(8), jsonValue(e.value)]),
  );

  const model: GgufModel = {
    architecture: arch,
    name: str("general.name"),
    fileType:
      ft === undefined ? undefined : named ? { ...named, known: true } : { id: ft, known: false },
    quantizationVersion: int("general.quantization_version"),
    blockCount,
    contextLength: int(k("context_length")),
    embeddingLength: int(k("embedding_length")),
    feedForwardLength: perLayer(k("feed_forward_length")),
    headCount: perLayer(k("attention.head_count")),
    headCountKv: perLayer(k("attention.head_count_kv")),
    keyLength: int(k("attention.key_length")),
    valueLength: int(k("attention.value_length")),
    keyLengthSwa: int(k("attention.key_length_swa")),
    valueLengthSwa: int(k("attention.value_length_swa")),
    ropeDimensionCount: int(k("rope.dimension_count")),
    slidingWindow,
    slidingLayers,
    chunkedLayers,
    kvLayers,
    expertCount: int(k("expert_count")),
    expertUsedCount: int(k("expert_used_count")),
    expertSharedCount: int(k("expert_shared_count")),
    expertFeedForwardLength: int(k("expert_feed_forward_length")),
    leadingDenseBlockCount: int(k("leading_dense_block_count")),
    kvLoraRank: int(k("attention.kv_lora_rank")),
    qLoraRank: int(k("attention.q_lora_rank")),
    keyLengthMla: int(k("attention.key_length_mla")),
    valueLengthMla: int(k("attention.value_length_mla")),
    tokenizer: {
      model: str("tokenizer.ggml.model"),
      pre: str("tokenizer.ggml.pre"),
      vocabSize: count("tokenizer.ggml.tokens"),
      merges: count("tokenizer.ggml.merges"),
      bos: special("tokenizer.ggml.bos_token_id"),
      eos: special("tokenizer.ggml.eos_token_id"),
      chatTemplate: meta.has("tokenizer.chat_template"),
    },
    general,
  };
  return { model, findings };
}
