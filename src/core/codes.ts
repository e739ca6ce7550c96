// The closed set of finding codes. Codes are part of the JSON contract: add, never rename.
// `severity` is the default; a finding may carry another (e.g. `--strict`, or context that
// turns an oddity into a problem). `exit: "target"` marks codes that mean the target named on
// the command line could not be opened at all (exit code 2 rather than 1).

export type Severity = "error" | "warning" | "info";

export interface CodeInfo {
  readonly severity: Severity;
  readonly exit?: "target";
  readonly summary: string;
  /**
   * GGUF codes: what llama.cpp (the reference loader) does with such a file: refuses it, aborts
   * the process (an assertion), accepts it, or accepts it and loads the wrong bytes.
   */
  readonly llamaCpp?: "refuses" | "crashes" | "accepts" | "misreads";
}

export const CODES = {
  // The command line and the target itself
  USAGE: { severity: "error", exit: "target", summary: "the command line is wrong" },
  TARGET_NOT_FOUND: { severity: "error", exit: "target", summary: "no such file" },
  TARGET_UNREADABLE: { severity: "error", exit: "target", summary: "the file cannot be read" },
  TARGET_IS_DIRECTORY: {
    severity: "error",
    exit: "target",
    summary: "a directory with no safetensors weights in it",
  },
  TARGET_UNSUPPORTED: {
    severity: "error",
    exit: "target",
    summary: "not a file, directory or readable stream",
  },
  TARGET_NO_WEIGHTS: {
    severity: "error",
    exit: "target",
    summary: "a directory with no .safetensors or .gguf weights in it",
  },
  TARGET_NOT_CACHED: {
    severity: "error",
    exit: "target",
    summary: "a repo id that is not in the local Hugging Face cache",
  },

  OLLAMA_NOT_FOUND: {
    severity: "error",
    exit: "target",
    summary: "an ollama:// model with no manifest in the Ollama store",
  },
  OLLAMA_MANIFEST_INVALID: {
    severity: "error",
    exit: "target",
    summary:
      "an Ollama manifest that is not JSON, too large, or without one model layer named by a SHA-256",
  },
  OLLAMA_BLOB_MISSING: {
    severity: "error",
    exit: "target",
    summary: "the blob an Ollama manifest names for the model is not in the store",
  },
  OLLAMA_BLOB_SIZE_MISMATCH: {
    severity: "error",
    summary:
      "an Ollama blob (the model's; with --verify, any layer's) whose size is not the one its manifest states",
  },
  OLLAMA_LAYER_INVALID: {
    severity: "error",
    summary:
      "an Ollama manifest's layer (not the model's) or config named by no sha256:<64 hex> digest: it names no blob",
  },

  // What a target may read: its own tree (and a cache snapshot's blobs), regular files only
  LINK_OUTSIDE_TARGET: {
    severity: "error",
    summary: "a symbolic link leads outside the target: not read (--follow-symlinks reads it)",
  },
  LINK_LOOP: { severity: "error", summary: "symbolic links that lead to each other in a circle" },

  // Remote targets: the Hugging Face Hub and HTTP(S) URLs
  HUB_AUTH_REQUIRED: {
    severity: "error",
    exit: "target",
    summary: "the Hub answers 401 without a token: a private, gated or missing repo",
  },
  HUB_GATED: {
    severity: "error",
    exit: "target",
    summary: "a gated repo whose licence has not been accepted with this token",
  },
  HUB_ACCESS_DENIED: {
    severity: "error",
    exit: "target",
    summary: "the Hub refuses the token: invalid, or without access to the repo",
  },
  HUB_REPO_NOT_FOUND: { severity: "error", exit: "target", summary: "no such repo on the Hub" },
  HUB_REVISION_NOT_FOUND: {
    severity: "error",
    exit: "target",
    summary: "no such branch, tag or commit in the repo",
  },
  HUB_FILE_NOT_FOUND: {
    severity: "error",
    exit: "target",
    summary: "no such file in the repo at that revision",
  },
  REMOTE_UNREACHABLE: {
    severity: "error",
    exit: "target",
    summary: "the host could not be reached: DNS, connection, TLS or timeouts after retries",
  },
  REMOTE_HTTP_ERROR: {
    severity: "error",
    exit: "target",
    summary: "the server answered with an HTTP error (after retries for 429 and 5xx)",
  },
  REMOTE_OFFLINE: {
    severity: "error",
    exit: "target",
    summary: "a URL while offline (--offline, HF_HUB_OFFLINE=1)",
  },
  REMOTE_RESPONSE_INVALID: {
    severity: "error",
    exit: "target",
    summary: "the server's answer breaks the protocol (ranges, sizes, the API's JSON)",
  },

  // Something other than safetensors, named before any length error
  LFS_POINTER: { severity: "error", summary: "a Git LFS pointer: the weights were never fetched" },
  HTML_DOCUMENT: { severity: "error", summary: "an HTML page saved in place of the weights" },
  JSON_DOCUMENT: { severity: "error", summary: "a JSON document saved in place of the weights" },
  GGUF_FILE: { severity: "error", summary: "a GGUF file, not safetensors" },
  SAFETENSORS_FILE: { severity: "error", summary: "a safetensors file, not GGUF" },
  PYTORCH_ZIP: { severity: "error", summary: "a PyTorch zip checkpoint (torch.save)" },
  PYTORCH_PICKLE: { severity: "error", summary: "a Python pickle (legacy PyTorch checkpoint)" },
  FOREIGN_FORMAT: { severity: "error", summary: "another known file format" },

  // GGUF files (llama.cpp ggml/src/gguf.cpp and src/llama-model-loader.cpp; docs/gguf.md)
  GGUF_BAD_MAGIC: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "the file does not start with the GGUF magic",
  },
  GGUF_TRUNCATED_HEADER: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "the file ends inside the GGUF header",
  },
  GGUF_VERSION_OBSOLETE: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "GGUF version 1, which llama.cpp no longer reads",
  },
  GGUF_VERSION_UNSUPPORTED: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "a GGUF version other than 2 and 3",
  },
  GGUF_BIG_ENDIAN: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "a big-endian GGUF file: llama.cpp on a little-endian machine refuses it",
  },
  GGUF_COUNT_TOO_LARGE: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "a tensor or key count larger than the file could hold",
  },
  GGUF_STRING_TOO_LONG: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "a string longer than the bytes that remain or than 1 GiB",
  },
  GGUF_ARRAY_TOO_LONG: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "an array longer than the bytes that remain or than 2^30 elements",
  },
  GGUF_VALUE_TYPE_INVALID: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "a metadata value type GGUF does not define",
  },
  GGUF_NESTED_ARRAY: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "an array of arrays: the spec allows it, llama.cpp refuses it",
  },
  GGUF_EMPTY_KEY: { severity: "error", llamaCpp: "refuses", summary: "an empty metadata key" },
  GGUF_DUPLICATE_KEY: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "a metadata key repeated",
  },
  GGUF_ALIGNMENT_INVALID: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "general.alignment is not a u32 power of two",
  },
  GGUF_ALIGNMENT_CRASH: {
    severity: "error",
    llamaCpp: "crashes",
    summary: "tensor data not on 32 bytes: llama.cpp's default (mmap) load aborts",
  },
  GGUF_ALIGNMENT_SMALL: {
    severity: "warning",
    llamaCpp: "accepts",
    summary: "general.alignment below 32: loads only while the data happens to fall on 32 bytes",
  },
  GGUF_NAME_TOO_LONG: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "a tensor name of 64 bytes or more",
  },
  GGUF_DUPLICATE_TENSOR: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "two tensor infos with the same name",
  },
  GGUF_TOO_MANY_DIMS: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "a tensor with more than 4 dimensions",
  },
  GGUF_DIM_NEGATIVE: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "a dimension of 2^63 or more (negative as llama.cpp reads it)",
  },
  GGUF_SHAPE_OVERFLOW: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "a shape whose element or byte count overflows 64 bits",
  },
  GGUF_TYPE_UNKNOWN: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "a ggml type id llama.cpp does not define (or removed)",
  },
  GGUF_ROW_NOT_BLOCKS: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "a row length that is not a multiple of the type's block size",
  },
  GGUF_OFFSET_MISALIGNED: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "a tensor offset not a multiple of the alignment",
  },
  GGUF_TENSOR_OVERLAP: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "two tensors share bytes",
  },
  GGUF_NOT_CONTIGUOUS: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "tensor data not laid out in info order without gaps",
  },
  GGUF_DATA_TRUNCATED: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "the file ends before the last tensor's data",
  },
  GGUF_TENSOR_COUNT_SHORT: {
    severity: "error",
    llamaCpp: "misreads",
    summary:
      "more tensor infos follow than the header counts: llama.cpp reads data from the wrong place",
  },
  GGUF_NO_ARCHITECTURE: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "no general.architecture key",
  },
  GGUF_TRAILING_BYTES: {
    severity: "warning",
    llamaCpp: "accepts",
    summary: "bytes after the last tensor's padded data",
  },
  GGUF_BOOL_INVALID: {
    severity: "warning",
    llamaCpp: "accepts",
    summary: "a bool stored as a byte other than 0 and 1",
  },
  GGUF_INVALID_UTF8: {
    severity: "warning",
    llamaCpp: "accepts",
    summary: "a key, string or tensor name that is not valid UTF-8",
  },
  GGUF_PADDING_NONZERO: {
    severity: "warning",
    llamaCpp: "accepts",
    summary: "non-zero bytes in the padding before the tensor data",
  },
  GGUF_KEY_WRONG_TYPE: {
    severity: "warning",
    summary: "a well-known key with a value of the wrong type, ignored",
  },
  GGUF_FINAL_PADDING_MISSING: {
    severity: "info",
    llamaCpp: "accepts",
    summary: "the file ends after the last tensor without its alignment padding",
  },
  GGUF_STRING_NOT_DECODED: {
    severity: "info",
    summary: "a string or array too long to keep whole: only its start is shown",
  },
  GGUF_SPLIT_KEY_INVALID: {
    severity: "error",
    llamaCpp: "refuses",
    summary:
      "a part of a GGUF split set without split.no, split.count or split.tensors.count, or with one of the wrong type",
  },
  GGUF_SPLIT_MISMATCH: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "a GGUF split part whose split.no or split.count disagrees with its file name",
  },
  GGUF_SPLIT_TENSOR_COUNT: {
    severity: "error",
    llamaCpp: "refuses",
    summary: "split.tensors.count is not the number of tensors the parts hold",
  },
  GGUF_NO_TENSORS: { severity: "info", summary: "a GGUF file without tensors (vocabulary only?)" },
  GGUF_FILE_TYPE_UNKNOWN: {
    severity: "info",
    summary: "general.file_type is a number llama.cpp does not name",
  },

  // Framing (reference steps 1-5)
  HEADER_TOO_SMALL: { severity: "error", summary: "file shorter than the 8-byte length prefix" },
  HEADER_TOO_LARGE: { severity: "error", summary: "header length above 100,000,000 bytes" },
  INVALID_HEADER_LENGTH: { severity: "error", summary: "header runs past the end of the file" },

  // Header bytes (reference steps 6-7)
  INVALID_UTF8: { severity: "error", summary: "header is not valid UTF-8" },
  JSON_BOM: { severity: "error", summary: "header starts with a byte-order mark" },
  JSON_EMPTY: { severity: "error", summary: "header is empty or only whitespace" },
  JSON_SYNTAX: { severity: "error", summary: "header is not valid JSON" },
  JSON_TRAILING_CHARACTERS: {
    severity: "error",
    summary: "something other than whitespace after the header's closing brace",
  },
  JSON_CONTROL_CHARACTER: { severity: "error", summary: "raw control character in a string" },
  JSON_LONE_SURROGATE: { severity: "error", summary: "unpaired UTF-16 surrogate escape" },
  JSON_TOO_DEEP: { severity: "error", summary: "nesting of 128 levels or more" },
  JSON_NUMBER_OUT_OF_RANGE: { severity: "error", summary: "number too large for a double" },

  // Structure (reference step 7)
  HEADER_NOT_OBJECT: { severity: "error", summary: "header is not a JSON object" },
  METADATA_INVALID: { severity: "error", summary: "__metadata__ is not a map of strings" },
  TENSOR_ENTRY_INVALID: {
    severity: "error",
    summary: "tensor entry is not an object with dtype, shape and data_offsets",
  },
  DTYPE_UNKNOWN: { severity: "error", summary: "dtype is not one the format defines" },
  SHAPE_INVALID: { severity: "error", summary: "shape is not an array of u64 integers" },
  OFFSETS_INVALID: { severity: "error", summary: "data_offsets is not two u64 integers" },
  DUPLICATE_TENSOR: { severity: "error", summary: "two entries with the same tensor name" },
  DUPLICATE_METADATA_KEY: { severity: "error", summary: "a key repeated inside __metadata__" },

  // Layout (reference steps 8-9)
  INVALID_OFFSET: {
    severity: "error",
    summary: "tensor does not start where the previous one ends",
  },
  SHAPE_OVERFLOW: { severity: "error", summary: "shape × dtype overflows 64 bits" },
  MISALIGNED_SLICE: { severity: "error", summary: "sub-byte tensor does not end on a byte" },
  TENSOR_SIZE_MISMATCH: { severity: "error", summary: "byte span differs from dtype × shape" },
  FILE_TRUNCATED: { severity: "error", summary: "file ends before the last tensor" },
  TRAILING_BYTES: { severity: "error", summary: "bytes after the last tensor" },

  // Oddities the reference accepts
  LEADING_WHITESPACE: { severity: "warning", summary: "whitespace before the opening brace" },
  UNKNOWN_FIELD: { severity: "warning", summary: "tensor entry has fields the format ignores" },
  EMPTY_NAME: { severity: "warning", summary: "a tensor with an empty name" },
  NAME_CONTROL_CHARACTERS: {
    severity: "warning",
    summary: "tensor name contains control characters",
  },
  LONG_NAME: { severity: "warning", summary: "tensor name longer than 64 KiB" },
  HIGH_RANK: { severity: "warning", summary: "tensor with more than 64 dimensions" },
  EMPTY_TENSOR_HUGE_DIMS: {
    severity: "warning",
    summary: "empty tensor with an absurd dimension",
  },
  ZERO_SIZE_PILEUP: { severity: "warning", summary: "many zero-size tensors on one offset" },
  HEADER_MOSTLY_PADDING: { severity: "warning", summary: "header is mostly padding" },
  HEADER_OVER_HUB_LIMIT: {
    severity: "warning",
    summary: "header above 25,000,000 bytes: Hugging Face tooling refuses it",
  },
  METADATA_FORMAT: {
    severity: "info",
    summary: "__metadata__ without a format transformers recognises",
  },

  // Facts worth knowing
  METADATA_ABSENT: { severity: "info", summary: "no __metadata__" },
  METADATA_NULL: { severity: "info", summary: "__metadata__ is null" },
  DATA_UNALIGNED: { severity: "info", summary: "data section does not start on 8 bytes" },
  TENSORS_UNALIGNED: { severity: "info", summary: "tensors not aligned to their element size" },
  ZERO_SIZE_TENSORS: { severity: "info", summary: "tensors with zero elements" },
  SCALAR_TENSORS: { severity: "info", summary: "0-dimensional tensors" },
  MIN_READER_VERSION: { severity: "info", summary: "dtypes that need a recent reader" },
  SIZE_UNCHECKED: {
    severity: "info",
    summary: "read from a stream: truncation and trailing bytes not checked",
  },

  // Checkpoints of several files: the index against the shards
  INDEX_INVALID: { severity: "error", summary: "the shard index is not a valid index file" },
  SHARD_NAME_UNSAFE: {
    severity: "error",
    summary: "a shard name in the index escapes the checkpoint folder",
  },
  SHARD_MISSING: { severity: "error", summary: "a shard named by the index is missing" },
  TENSOR_MISSING_FROM_SHARD: {
    severity: "error",
    summary: "a tensor the index lists is absent from its shard",
  },
  TENSOR_IN_TWO_SHARDS: { severity: "error", summary: "a tensor stored in two files" },
  TENSOR_NOT_IN_INDEX: { severity: "warning", summary: "a shard holds a tensor the index omits" },
  TOTAL_SIZE_MISMATCH: {
    severity: "warning",
    summary: "the index's total_size differs from the tensor bytes",
  },
  SHARD_COUNT_MISMATCH: {
    severity: "warning",
    summary: "shard names say -of-N but another number is present",
  },
  UNREFERENCED_WEIGHTS: {
    severity: "warning",
    summary: "a .safetensors file in the folder that the index does not name",
  },
  SHARD_METADATA_DIFFERS: { severity: "info", summary: "shards carry different __metadata__" },
  SHARD_ALONE: {
    severity: "info",
    summary: "one shard of a set inspected on its own: its totals are the shard's",
  },
  CONFIG_INVALID: { severity: "warning", summary: "config.json could not be used" },
  DUPLICATE_KEY: {
    severity: "error",
    summary: "a key repeated in an object of the index or config.json",
  },
  CONFIG_PYTHON_JSON: {
    severity: "info",
    summary: "config.json holds Infinity or NaN as Python writes them (accepted)",
  },
  CACHE_SNAPSHOT: { severity: "info", summary: "which Hugging Face cache snapshot was read" },

  // The model: config.json against the tensors, quantization, experts, self-reported totals
  CONFIG_FIELD_IGNORED: {
    severity: "info",
    summary: "a config.json field of the wrong type was ignored",
  },
  CONFIG_MISMATCH: { severity: "warning", summary: "config.json disagrees with the tensors" },
  CONFIG_IMPOSSIBLE: {
    severity: "error",
    summary: "config.json holds a value no model can have (0 heads, layers below 1, …)",
  },
  QUANTIZATION_FROM_NAMES: {
    severity: "info",
    summary: "quantization recognised from tensor names, without a quantization config",
  },
  QUANTIZATION_UNKNOWN: {
    severity: "info",
    summary: "a quantization method inspect does not count: stored elements counted",
  },
  PACKED_COUNT_INEXACT: {
    severity: "warning",
    summary: "a packed tensor does not hold a whole number of weights at the stated bits",
  },
  EXPERTS_INCOMPLETE: {
    severity: "warning",
    summary: "expert numbers of a layer do not cover 0 to E-1",
  },
  EXPERTS_UNEQUAL: { severity: "warning", summary: "experts of one layer differ in size" },
  PARAMETERS_CLAIM_MISMATCH: {
    severity: "warning",
    summary: "a self-reported parameter total differs from the count from the shapes",
  },

  // Integrity: digests against expected ones, and a scan of the values (--verify, --scan)
  HASH_MISMATCH: { severity: "error", summary: "a file's digest differs from the expected one" },
  HASH_UNCHECKED: {
    severity: "info",
    summary: "no expected digest: the SHA-256 is reported so that it can be pinned",
  },
  VERIFY_FILE_MISSING: { severity: "error", summary: "a file with an expected digest is missing" },
  VERIFY_FILE_EXTRA: {
    severity: "error",
    summary: "a file in the folder that the Hub revision of --against does not have",
  },
  VERIFY_READ_FAILED: { severity: "error", summary: "a file could not be read to its end" },
  FILE_CHANGED: {
    severity: "error",
    summary: "a file changed while it was hashed: the size at open was hashed",
  },
  NOTHING_VERIFIED: {
    severity: "error",
    summary: "asked to verify against expected digests, but none could be used",
  },
  LFS_POINTER_INVALID: { severity: "error", summary: "a Git LFS pointer file is malformed" },
  CHECKSUMS_UNREADABLE: {
    severity: "error",
    exit: "target",
    summary: "the checksums file cannot be read",
  },
  CHECKSUMS_MALFORMED: { severity: "warning", summary: "a checksums line is not <sha256>  <name>" },
  DOWNLOAD_INCOMPLETE: {
    severity: "warning",
    summary: "an interrupted Hugging Face download left a partial blob",
  },
  NAN_VALUES: { severity: "error", summary: "a tensor holds NaN values" },
  INF_VALUES: { severity: "error", summary: "a tensor holds infinite values" },
  ZERO_TENSOR: { severity: "warning", summary: "every value of a tensor is zero" },
  BOOL_INVALID: { severity: "error", summary: "a BOOL tensor holds bytes other than 0 and 1" },
  SCAN_SKIPPED: { severity: "warning", summary: "a file's values could not be scanned" },
  INTERRUPTED: { severity: "error", summary: "verification was interrupted before the end" },
} as const satisfies Record<string, CodeInfo>;

export type FindingCode = keyof typeof CODES;

export const ALL_CODES = Object.keys(CODES) as FindingCode[];
