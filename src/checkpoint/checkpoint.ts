import type { Finding } from "../core/findings.js";
import type { WeightsFile } from "../formats/weights.js";
import type { TargetScope } from "../store/scope.js";

export type CheckpointKind =
  /** One .safetensors file named on the command line. */
  | "file"
  /** Standard input. */
  | "stream"
  /** Shards listed by a model.safetensors.index.json. */
  | "sharded"
  /** A folder of .safetensors files without an index. */
  | "files"
  /** A folder of several models (diffusers: unet/, vae/, text_encoder/…). */
  | "components"
  /** A GGUF split set (`name-00001-of-00003.gguf` …), from any part or its folder. */
  | "split";

export interface IndexFacts {
  path: string;
  /** metadata.total_size: the tensor bytes the index claims (untrusted). */
  totalSize?: bigint;
  /** metadata.total_parameters, when an index carries it (untrusted). */
  totalParameters?: bigint;
  /** Distinct shard names in weight_map, in first-seen order. */
  shards: string[];
  tensorCount: number;
}

/** Where a checkpoint's bytes came from (the JSON `source`). */
export interface SourceInfo {
  kind: "file" | "folder" | "cache" | "hub" | "url" | "stdin" | "ollama";
  /** hub: the endpoint ($HF_ENDPOINT). */
  endpoint?: string;
  /** hub, cache: org/name; ollama: the model's name (`library/llama3.1:8b`). */
  repo?: string;
  /** ollama: the store read (OLLAMA_MODELS, else ~/.ollama/models). */
  root?: string;
  /** hub, cache: the branch, tag or commit asked for. */
  revision?: string;
  /** hub, cache: the commit read. */
  commit?: string;
  /** hub, url: HTTP requests made (each once, whatever its redirects and retries). */
  requests?: number;
  /** hub, url: response body bytes received. */
  bytesTransferred?: number;
}

/**
 * The files read are not the whole model: shards the index (or the `-of-N` names) promise were
 * not read, or one shard of a set was named on its own. Totals computed from them are partial.
 */
export interface PartialFacts {
  /** Shards the set promises, and how many of them were not read. */
  shards: number;
  missingCount: number;
  /** Names of the shards not read, when known (missing, not safetensors, unreadable, refused). */
  missing: string[];
  /** The target is one shard of the set (its number as named), inspected on its own. */
  alone?: { shard: number; name: string };
  /** The set is a GGUF split set: its files are "parts" in what the report writes. */
  gguf?: true;
}

/** A file's SHA-256 as its store records it. */
export interface KnownDigest {
  path: string;
  /** Lower-case hex. */
  sha256: string;
  size?: bigint;
  /** For messages: "the Ollama manifest of library/llama3.1:8b". */
  origin: string;
  /**
   * Set for a blob of the store that is not one of the checkpoint's files (a manifest's config,
   * template, parameters… layer): its media type. Never read for the summary; --verify hashes it
   * when its size is `size`.
   */
  layer?: string;
}

/** Everything read for one target: its weight files and what was found about them as a set. */
export interface Checkpoint {
  /** As given on the command line. */
  target: string;
  kind: CheckpointKind;
  /** The folder the target resolved to, for folders, index files and cache entries. */
  root?: string;
  /** What the target may read (its tree, a snapshot's blobs/): verification reads no further. */
  scope?: TargetScope;
  /** Every weight file read, in index or name order (for components: all of them). */
  files: WeightsFile[];
  index?: IndexFacts;
  /** config.json beside the weights, parsed but untrusted. */
  config?: unknown;
  configPath?: string;
  /** For kind "components": one checkpoint per sub-model, named by its folder. */
  components?: Array<{ name: string; checkpoint: Checkpoint }>;
  /**
   * For kind "components": the models are alternatives, not parts loaded together (a folder of
   * GGUF files, one per quantization; an LM Studio library): each gets its own estimate.
   */
  alternatives?: boolean;
  /** Set when the files read are not the whole model. */
  partial?: PartialFacts;
  /** Findings about the target as a whole (cannot open it, cross-checks); files carry their own. */
  findings: Finding[];
  /** Where the bytes came from; set by the loader of the target (checkpoint/targets.ts). */
  source?: SourceInfo;
  /**
   * Digests the store itself states for files of the checkpoint (Ollama's manifest): what
   * --verify compares them with when it is given nothing more explicit.
   */
  known?: KnownDigest[];
}
