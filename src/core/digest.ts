// What a file is expected to hash to, and where that expectation came from. Here, below both
// readers of it: the Hugging Face cache (hub/, storage) names blobs by digest, and integrity/
// checks files against digests.

/** Where an expected digest came from; "computed" when there was none and the digest is new. */
export type DigestSource =
  | "argument"
  | "checksums"
  | "lfs-pointer"
  | "hf-cache-blob"
  | "hf-local-dir"
  /** The digest of a layer in an Ollama manifest. */
  | "ollama-manifest"
  /** The Hub's listing of a revision (--against). */
  | "hub"
  | "computed";

/** git-sha1 is git's blob id: SHA-1 of "blob <size>\0" + content (the Hub's id for small files). */
export type DigestAlgorithm = "sha256" | "git-sha1";

export interface Expected {
  algorithm: DigestAlgorithm;
  /** Lower-case hex. */
  hex: string;
  source: Exclude<DigestSource, "computed">;
  /** For messages: "--sha256", "SHA256SUMS line 3", "model.safetensors.pointer", "blobs/3f2a…". */
  origin: string;
  /** A size the source states too (Git LFS pointers): a different size settles it early. */
  size?: bigint;
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const SHA1_HEX = /^[0-9a-fA-F]{40}$/;

/** A SHA-256 as given by a user or a file: 64 hex digits, either case; undefined otherwise. */
export function parseSha256(text: string): string | undefined {
  const t = text.trim();
  return SHA256_HEX.test(t) ? t.toLowerCase() : undefined;
}

/** The Hugging Face naming rule: 64 hex digits name a SHA-256, 40 a git blob id. */
export function algorithmOfId(id: string): DigestAlgorithm | undefined {
  if (SHA256_HEX.test(id)) return "sha256";
  if (SHA1_HEX.test(id)) return "git-sha1";
  return undefined;
}

/** A digest shortened for a message, keeping enough to be told apart. */
export function shortHex(hex: string): string {
  return hex.length > 16 ? `${hex.slice(0, 12)}…` : hex;
}
