// Every limit in one place, each with the reason for its value.

/** 2^64 − 1: header integers are u64 in the reference loader; larger ones are rejected. */
export const U64_MAX = (1n << 64n) - 1n;

/** The reference loader refuses longer headers (safetensors #26); we never allocate more. */
export const MAX_HEADER_BYTES = 100_000_000n;

/** huggingface_hub and huggingface.js refuse headers above this, though the reference loads them. */
export const HUB_MAX_HEADER_BYTES = 25_000_000n;

/** serde_json's recursion limit: 128 nested containers fail, the top-level object counting as one. */
export const MAX_JSON_DEPTH = 128;

/** Longer names are legal but appear only in abuse attempts; warn. */
export const LONG_NAME_BYTES = 65_536;

/** More dimensions are legal, but no framework writes them; warn. */
export const HIGH_RANK = 64;

/** A dimension this large inside an empty tensor is legal nonsense (the product is still 0); warn. */
export const ABSURD_EMPTY_DIM = 1n << 32n;

/** This many zero-size tensors on a single offset look like padding abuse; warn. */
export const ZERO_SIZE_PILEUP = 1024;

/** A header whose whitespace padding is above this share (and above PADDING_FLOOR) is odd; warn. */
export const PADDING_SHARE = 0.5;

/** Writers pad to a multiple of 8, so small headers are legitimately mostly padding. */
export const PADDING_FLOOR = 4096;

/** Bytes read from the start of a file that is not safetensors, to name what it is instead. */
export const SNIFF_BYTES = 1024;

/** Bytes read after the last tensor, to say what trailing bytes look like. */
export const TRAILING_SNIFF_BYTES = 512;

/** Per-tensor findings of one code beyond this are summarised, so a broken header stays readable. */
export const MAX_FINDINGS_PER_CODE = 20;

/** How many of the largest tensors the summary names. */
export const LARGEST_TENSORS = 10;

/** Longest excerpt of untrusted text (a token, a title) quoted in a message. */
export const QUOTE_CHARS = 60;

/** Errors printed to stderr per target; the rest are in the table or the JSON. */
export const MAX_STDERR_ERRORS = 10;

/** Shard headers read at once: enough to hide latency, few enough to stay under fd limits. */
export const SHARD_CONCURRENCY = 16;

/**
 * Shards of a checkpoint whose index is at least this large (about 20,000 tensors) are read one
 * after another with blocking calls: parsing is then what takes the time, and promise-based reads
 * of page-cached headers cost DeepSeek-V3's 163 shards ~60 ms more on the 2-core development
 * machine (the I/O threads compete with the parser). Smaller checkpoints keep concurrent reads.
 */
export const SHARD_SYNC_MIN_INDEX_BYTES = 2_000_000;

/**
 * A header at least this large (about 10,000 tensors) finds duplicate names from keyed hashes of
 * their bytes rather than a Map of every name: the Map costs ~0.7 µs a name (string hashing and
 * cache misses; a third of a 1,000,000-tensor header's time), the key ~1 ms of every run (drawn
 * from the system's random source, which loads Web Crypto). Below it the Map is cheaper.
 */
export const HASHED_NAMES_MIN_BYTES = 1 << 20;

/** config.json above this is not a model config; refuse rather than read it into memory. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** huggingface.js's cap on index files; Kimi-K3's real index is 59.8 MB. */
export const MAX_INDEX_BYTES = 250_000_000;

/** Percent-decoding rounds when checking shard names, as huggingface.js does (2.17). */
export const SHARD_NAME_DECODE_ROUNDS = 5;

/** Hash read size: 2–8 MiB with reads overlapped measured fastest here (1.75–1.8 GB/s); 16 MiB no better. */
export const HASH_BLOCK_BYTES = 4 * 1024 * 1024;

/** Hashing threads at most: 8 streams of ~1.8 GB/s outrun the fastest disks; more only add memory. */
export const MAX_HASH_WORKERS = 8;

/** How often a hashing worker reports its progress: fine enough for a 10 Hz display. */
export const HASH_PROGRESS_MS = 50;

/**
 * After Ctrl-C, how long the pool waits for each busy worker to say how far it got before
 * terminating it. A worker answers between two block reads (milliseconds, even at 4 MiB blocks
 * from a slow disk); past this the last periodic progress report is used instead.
 */
export const HASH_STOP_REPLY_MS = 250;

/** The progress line is redrawn at most this often (10 Hz): smooth, and cheap on slow terminals. */
export const PROGRESS_REDRAW_MS = 100;

/** No progress line for work that ends sooner: a line that flashes and vanishes is noise. */
export const PROGRESS_DELAY_MS = 500;

/** Git LFS spec: a pointer file is smaller than 1024 bytes, so larger files are never pointers. */
export const LFS_POINTER_MAX_BYTES = 1024;

/** A sha256sum file for a million files is ~90 MB; refuse larger ones rather than read them. */
export const MAX_CHECKSUMS_BYTES = 128 * 1024 * 1024;

/** Files visited in one Hugging Face snapshot; the largest real repos hold a few thousand. */
export const MAX_SNAPSHOT_FILES = 100_000;

/** A huggingface_hub local-dir .metadata file is three short lines. */
export const MAX_HF_METADATA_BYTES = 4096;

/** Layer and expert numbers have at most this many digits; longer ones are not indices. */
export const MAX_INDEX_DIGITS = 9;

/** Layers, experts or tensors named in one finding; the rest are counted, not listed. */
export const MAX_LISTED_ITEMS = 10;

/** config.json `re:` targets longer than this are not run: real ones are under 100 characters. */
export const MAX_CONFIG_PATTERN_CHARS = 512;

/** Files probed at once for expected digests (links, pointers, metadata): hides latency, bounds fds. */
export const PROBE_CONCURRENCY = 16;

/**
 * Rows a table lays out; the rest are counted on one line pointing to --json. Nobody reads more
 * on a terminal, and 1,000 rows render in milliseconds whatever the checkpoint holds.
 */
export const TABLE_MAX_ROWS = 1000;

/**
 * Characters of one untrusted name or value shown in the table (real tensor names are under 200);
 * longer ones are cut with a marker saying how much was left out. A 50 MB name printed 150 MB.
 */
export const TABLE_CELL_CHARS = 256;

/**
 * Line width of the table and --help when neither the terminal (stdout is not one) nor COLUMNS
 * says: the classic terminal width, and what a pipe into `less` or a CI log shows whole.
 */
export const DEFAULT_WIDTH = 80;

/**
 * Narrowest width laid out (a smaller COLUMNS counts as this): below it a sentence wraps every
 * few words and the tables are records of one field a line.
 */
export const MIN_WIDTH = 40;

/** Metadata entries shown on the table's metadata line; --json lists all. */
export const TABLE_METADATA_ENTRIES = 20;

/** Characters of a finding's message or hint shown in the table and on stderr; --json has all. */
export const MESSAGE_CHARS = 2000;

/** A ref in the Hugging Face cache holds a 40-digit commit hash; anything much longer is not one. */
export const MAX_REF_BYTES = 1024;

// GGUF (llama.cpp ggml/src/gguf.cpp, ggml/include/ggml.h; docs/gguf.md)

/** llama.cpp's GGUF_MAX_STRING_LENGTH: longer strings make its reader refuse the file. */
export const GGUF_MAX_STRING_BYTES = 1024 * 1024 * 1024;

/** llama.cpp's GGUF_MAX_ARRAY_ELEMENTS: longer arrays make its reader refuse the file. */
export const GGUF_MAX_ARRAY_ELEMENTS = 1024 * 1024 * 1024;

/** GGML_MAX_DIMS: llama.cpp refuses tensors of higher rank. */
export const GGUF_MAX_DIMS = 4;

/** GGML_MAX_NAME: tensor names must be shorter (the C struct holds 63 bytes and a NUL). */
export const GGUF_MAX_NAME_BYTES = 64;

/** GGUF_DEFAULT_ALIGNMENT, when general.alignment is absent. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/**
 * TENSOR_ALIGNMENT in ggml: the CPU backend asserts that a buffer made from the mmapped file starts
 * on this many bytes, so tensor data off this boundary aborts llama.cpp's default load.
 */
export const GGML_TENSOR_ALIGNMENT = 32;

/**
 * Bytes read from a GGUF file at a time while walking its header. Metadata reaches ~20 MB
 * (vocabularies of 256 k tokens with merges); 1 MiB reads keep calls few and memory flat.
 */
export const GGUF_READ_BYTES = 1024 * 1024;

/**
 * Strings above this are not decoded (the start is kept): V8 strings end at ~512 MiB and a real
 * value (a chat template) is under 100 KiB, so a longer one is abuse, never content to show.
 */
export const GGUF_MAX_DECODED_STRING_BYTES = 16 * 1024 * 1024;

/** Items of a long metadata array shown in a summary; the rest are counted. */
export const GGUF_ARRAY_PREVIEW = 8;

/** Numeric metadata arrays above this many bytes are skipped, their start kept (real ones ≤ 2 MB). */
export const GGUF_MAX_KEPT_ARRAY_BYTES = 64 * 1024 * 1024;

/** String arrays above this many items keep only their start (real vocabularies: ≤ 1 M with merges). */
export const GGUF_MAX_KEPT_STRINGS = 4 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Reading over HTTP (the Hub and plain URLs): docs/hub.md

/** Requests in flight at once (--concurrency): hides 50–100 ms of latency on 163 shards. */
export const HTTP_CONCURRENCY = 16;

/** --concurrency above this is refused: more sockets only invite rate limiting (429). */
export const MAX_HTTP_CONCURRENCY = 64;

/**
 * A request fails when no byte has arrived for this long (waiting for the answer, or between two
 * chunks of its body): huggingface_hub's read timeout (DEFAULT_REQUEST_TIMEOUT, 10 s).
 */
export const HTTP_IDLE_TIMEOUT_MS = 10_000;

/** Retries of one request after 429, 5xx, a reset or a timeout: ~8 s of waiting in all at most. */
export const HTTP_MAX_RETRIES = 4;

/** First back-off before a retry, doubled each time, with full jitter (huggingface_hub: 1 s). */
export const HTTP_BACKOFF_BASE_MS = 500;

/** Longest back-off between two attempts (huggingface_hub's max_wait_time is 8 s). */
export const HTTP_BACKOFF_MAX_MS = 8_000;

/** A Retry-After longer than this is not waited for: the request fails with the wait named. */
export const HTTP_MAX_RETRY_AFTER_MS = 60_000;

/** Redirects followed for one request: the Hub needs one (resolve → CDN); loops end here. */
export const HTTP_MAX_REDIRECTS = 5;

/** The revision API's JSON: ~200 bytes a file, so 16 MiB is 80,000 files (MAX_SNAPSHOT_FILES's order). */
export const MAX_API_RESPONSE_BYTES = 32 * 1024 * 1024;

/** An error body is read only to quote it; the Hub's are a line of JSON. */
export const MAX_ERROR_BODY_BYTES = 4096;

/** A token file holds one line of ~40 characters; anything larger is not a token file. */
export const MAX_TOKEN_FILE_BYTES = 4096;

/**
 * Bytes asked for from a shard whose tensors are unknown (a single file, a URL): the whole header
 * of a model of ~500 tensors in one request, and little waste when the header is smaller.
 */
export const REMOTE_PREFIX_BYTES = 64 * 1024;

/**
 * Predicted header bytes per tensor beyond its name: `"…":{"dtype":"F8_E4M3","shape":[…],
 * "data_offsets":[…]},` is 60–75 bytes with 4–5 digit dims and 10–11 digit offsets; 96 covers
 * rank-4 shapes and 13-digit offsets, so one request nearly always holds the header.
 */
export const PREDICTED_ENTRY_BYTES = 96;

/** Predicted bytes for the prefix, braces and a `__metadata__` of a few keys. */
export const PREDICTED_HEADER_SLACK = 4096;

/**
 * A `-of-N` set larger than this is not enumerated to name its missing shards (N is untrusted;
 * the largest published sets have a few hundred files).
 */
export const MAX_ENUMERATED_SHARDS = 100_000;

/** Names of missing shards kept in a report; the rest are counted. */
export const MAX_LISTED_MISSING = 100;

/** Output queued beyond this waits for stdout to drain: a 300 MB JSON document is never held whole. */
export const OUTPUT_HIGH_WATER_BYTES = 1 << 20;

/** How often (seconds) the watch on stdout's pipe looks for its reader during --verify: prompt, cheap. */
export const OUTPUT_WATCH_SECONDS = 0.2;

/** --json writes strings longer than this in pieces of this size, never copying one whole again. */
export const JSON_PIECE_CHARS = 1 << 20;

/**
 * An Ollama manifest is read whole up to this: a config and a handful of layers take under 2 KB,
 * so 1 MiB is far more than any real one and still a bounded read.
 */
export const MAX_OLLAMA_MANIFEST_BYTES = 1 << 20;

/**
 * How deep below a folder its subfolders are searched for weights when deciding which are
 * models: 2 reaches LM Studio's library layout (`models/<publisher>/<model>/file.gguf`) from its
 * root, and keeps a folder of unrelated trees from being walked at any depth.
 */
export const COMPONENT_SEARCH_DEPTH = 2;

/**
 * How deep below a repo `org/name:TAG` and --file look for GGUF files: the Hub's manifest
 * endpoint (what llama.cpp's `-hf` asks) matches a file anywhere in the repo, and repos keep a
 * quantization's split parts one folder down (unsloth's `Q4_K_M/…-00001-of-00003.gguf`); 3
 * covers that with room, and keeps a local folder of unrelated trees from being walked at any
 * depth.
 */
export const GGUF_PICK_SEARCH_DEPTH = 3;

/**
 * Folders listed at most in that search: a Hub repo's listing is in memory, but a local folder
 * could hold a deep tree of many folders; past this many the search stops and says so.
 */
export const GGUF_PICK_MAX_FOLDERS = 2_000;
