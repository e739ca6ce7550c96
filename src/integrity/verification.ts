// The result of --verify / --scan, shaped for the summary and the JSON document.

import type { DigestAlgorithm, DigestSource } from "../core/digest.js";

export type FileStatus =
  /** The digest equals the expected one. */
  | "match"
  | "mismatch"
  /** No expected digest: the one computed is reported so that it can be pinned. */
  | "computed"
  /** The file is a Git LFS pointer: the content it names was never downloaded. */
  | "pointer"
  | "missing"
  /** Could not be opened, or reading failed before the end. */
  | "unreadable"
  /** Stopped (Ctrl-C) before its end, or before it started. */
  | "interrupted";

export interface FileVerification {
  /** As the checkpoint names it, or as found (checksums entry, snapshot file). */
  path: string;
  /** Size in bytes; 0 when missing. */
  bytes: bigint;
  /** How far hashing got: `bytes` unless interrupted or unreadable. */
  bytesRead: bigint;
  /** Of the whole file; null unless it was read to the end. */
  sha256: string | null;
  /** Lower-case hex, or null when nothing says what the file should be. */
  expected: string | null;
  /** Of `expected`: git-sha1 for small files in the Hugging Face cache. */
  algorithm: DigestAlgorithm;
  source: DigestSource;
  /** true: matches; false: an expected digest that the file fails (differs, missing, a pointer,
   * unreadable); null: nothing expected, or interrupted before a verdict. */
  match: boolean | null;
  status: FileStatus;
  /** Git's blob id, computed when `algorithm` is git-sha1. */
  gitSha1?: string;
  /**
   * A blob an Ollama manifest names besides the model's (config, template, parameters…): its
   * layer's media type.
   */
  layer?: string;
}

export interface TensorValues {
  name: string;
  file: string;
  dtype: string;
  nan: number;
  inf: number;
  /** Every value is ±0 (false for a tensor with no elements or not read to the end). */
  zero: boolean;
  /** BOOL bytes other than 0 and 1. */
  invalidBool: number;
  /** Every byte of the tensor was read (false when the file is truncated or the scan stopped). */
  complete: boolean;
}

export interface ScanSummary {
  /** Every tensor of every scanned file, in file then data order. */
  tensors: TensorValues[];
  nanTensors: number;
  infTensors: number;
  zeroTensors: number;
  invalidBoolTensors: number;
  /** Files whose values could not be scanned (a SCAN_SKIPPED finding says why). */
  skippedFiles: string[];
}

/** --against: the folder compared with a Hub revision's listing (paths relative to it). */
export interface Against {
  repo: string;
  revision: string;
  commit: string;
  /** In the revision, not in the folder. */
  missing: string[];
  /** In the folder, not in the revision. */
  extra: string[];
  /** Content differs (digest, or a Git LFS pointer in place of the file). */
  differing: string[];
}

export interface Verification {
  /** Hashed files, in the order planned; empty with --scan alone. */
  files: FileVerification[];
  /** Null unless --scan. */
  scan: ScanSummary | null;
  interrupted: boolean;
  /** The signal that stopped the run, when interrupted by one. */
  interruptedBy?: "SIGINT" | "SIGTERM";
  /** Bytes read, and bytes there were to read. */
  bytesRead: bigint;
  bytesTotal: bigint;
  /** With --against. */
  against?: Against;
}
