// Messages between the hashing pool and its workers. Offsets cross as doubles: exact below 2^53
// (8 PiB), which the pool checks, and cheaper than BigInt in the worker's per-block arithmetic.

/** Where each tensor's bytes are, as absolute file offsets, in data order without overlaps. */
export interface ScanLayout {
  begins: Float64Array;
  ends: Float64Array;
  /** Index into DTYPES. */
  dtypes: Uint8Array;
}

/** Per tensor of a ScanLayout, same order. */
export interface ScanCounts {
  nan: Float64Array;
  inf: Float64Array;
  invalidBool: Float64Array;
  /** 1 when some value is not (±)0. */
  nonZero: Uint8Array;
  /** 1 when every byte of the tensor was read. */
  complete: Uint8Array;
}

export interface JobMessage {
  type: "job";
  id: number;
  path: string;
  sha256: boolean;
  /** Git's blob id: SHA-1 of "blob <size>\0" followed by the content. */
  gitSha1: boolean;
  layout?: ScanLayout;
  blockSize: number;
  progressMs: number;
}

/** Asks a worker how far it got (it answers with a ProgressMessage); sent before terminating it. */
export interface StopMessage {
  type: "stop";
}

export type PoolMessage = JobMessage | StopMessage;

export interface ProgressMessage {
  type: "progress";
  id: number;
  /** Bytes read so far. */
  bytes: number;
}

export interface DoneMessage {
  type: "done";
  id: number;
  bytes: number;
  /** Size when opened: what was hashed, at most; fewer bytes read means it shrank meanwhile. */
  size: number;
  /** How the file changed while it was read (it grew, or its size or time changed), if it did. */
  changed?: string;
  sha256?: string;
  gitSha1?: string;
  scan?: ScanCounts;
}

export interface FailedMessage {
  type: "failed";
  id: number;
  bytes: number;
  /** errno code (ENOENT, EIO…) when the system gave one. */
  errno?: string;
  message: string;
  /** What was scanned before the failure. */
  scan?: ScanCounts;
}

export type WorkerMessage = ProgressMessage | DoneMessage | FailedMessage;
