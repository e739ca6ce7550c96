// Hashes (and scans) files in worker threads: one file per worker at a time, as many workers as
// cores (capped), the largest files first so that a big shard does not start last. An abort
// asks each busy worker how far it got (it answers between two reads), then terminates them all;
// what each had read is returned exactly, not thrown away.

import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import {
  HASH_BLOCK_BYTES,
  HASH_PROGRESS_MS,
  HASH_STOP_REPLY_MS,
  MAX_HASH_WORKERS,
  PROBE_CONCURRENCY,
} from "../core/limits.js";
import { mapBounded } from "../core/pool.js";
import type { JobMessage, ScanCounts, ScanLayout, StopMessage, WorkerMessage } from "./protocol.js";
import { hashWorkerLocation, type WorkerLocation } from "./worker-location.js";

export interface HashJob {
  path: string;
  /** Default true. */
  sha256?: boolean;
  /** Also compute git's blob id (for files the Hugging Face cache names by it). */
  gitSha1?: boolean;
  /** Scan these tensors' values in the same pass. */
  layout?: ScanLayout;
  /** Known not to be there (the plan looked): failed as missing without another probe. */
  absent?: boolean;
}

export type HashJobState = "done" | "failed" | "interrupted" | "not-started";

export interface HashJobResult {
  path: string;
  state: HashJobState;
  /** Size when stat'ed before starting; undefined when the file could not be stat'ed. */
  size: bigint | undefined;
  bytesRead: bigint;
  sha256?: string;
  gitSha1?: string;
  scan?: ScanCounts;
  /** For "done": how the file changed while it was read, when it did (the size at open was hashed). */
  changed?: string;
  /** For "failed": errno code when there is one, and the system's message. */
  errno?: string;
  error?: string;
}

export interface HashProgress {
  bytesDone: bigint;
  bytesTotal: bigint;
  filesDone: number;
  filesTotal: number;
  /** Paths being read now, in the order they started. */
  active: string[];
}

export interface HashPoolOptions {
  /** Worker threads; default: available parallelism, at most MAX_HASH_WORKERS. */
  threads?: number;
  /** Read size in bytes, a multiple of 8; default HASH_BLOCK_BYTES. */
  blockSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: HashProgress) => void;
  /** How often each worker reports progress; default HASH_PROGRESS_MS. */
  progressMs?: number;
  /** Where the worker code is; default found from this module's URL (see worker-location.ts). */
  worker?: WorkerLocation;
}

export interface HashRun {
  /** In the order of the jobs given. */
  results: HashJobResult[];
  interrupted: boolean;
  bytesDone: bigint;
  bytesTotal: bigint;
}

interface Slot {
  worker: Worker;
  job: number | undefined;
  /** Has sent a message: it loaded. */
  spoke: boolean;
  dead: boolean;
  /** Stopping: this busy worker has not yet answered how far it got. */
  awaitingStop?: boolean;
}

export async function runHashJobs(
  jobs: HashJob[],
  options: HashPoolOptions = {},
): Promise<HashRun> {
  const blockSize = options.blockSize ?? HASH_BLOCK_BYTES;
  if (!Number.isInteger(blockSize) || blockSize < 8 || blockSize % 8 !== 0) {
    throw new RangeError(`block size ${blockSize} is not a positive multiple of 8`);
  }
  const results: HashJobResult[] = jobs.map((j) => ({
    path: j.path,
    state: "not-started",
    size: undefined,
    bytesRead: 0n,
  }));
  const signal = options.signal;
  if (signal?.aborted) return finish(results, true);

  // PROBE_CONCURRENCY at a time, keeping what a failure says and not the error: a checksums file
  // may list a million files, and a million stats at once held a million errors.
  const sizes = await mapBounded(jobs, PROBE_CONCURRENCY, (j) =>
    j.absent
      ? Promise.resolve(ABSENT)
      : stat(j.path, { bigint: true }).then(
          (s) => s,
          (e: NodeJS.ErrnoException) => ({ code: e.code, message: e.message }),
        ),
  );
  const queue: number[] = [];
  for (let i = 0; i < jobs.length; i++) {
    const s = sizes[i]!;
    const r = results[i]!;
    if ("message" in s) {
      fail(r, s.code, s.message);
    } else if (!s.isFile()) {
      fail(r, undefined, "not a regular file");
    } else if (s.size > BigInt(Number.MAX_SAFE_INTEGER)) {
      r.size = s.size;
      fail(r, undefined, "larger than 8 PiB: offsets would not be exact");
    } else {
      r.size = s.size;
      queue.push(i);
    }
  }
  if (signal?.aborted) return finish(results, true);
  queue.sort((a, b) => {
    const d = results[b]!.size! - results[a]!.size!;
    return d > 0n ? 1 : d < 0n ? -1 : a - b;
  });

  const bytesTotal = queue.reduce((t, i) => t + results[i]!.size!, 0n);
  const filesTotal = queue.length;
  let filesDone = 0;
  let doneBytes = 0n;
  const active = new Map<number, number>();
  const threads = Math.max(
    1,
    Math.min(options.threads ?? availableParallelism(), MAX_HASH_WORKERS, queue.length),
  );

  const report = () => {
    if (!options.onProgress) return;
    let inFlight = 0n;
    for (const b of active.values()) inFlight += BigInt(b);
    options.onProgress({
      bytesDone: doneBytes + inFlight,
      bytesTotal,
      filesDone,
      filesTotal,
      active: [...active.keys()].map((i) => jobs[i]!.path),
    });
  };

  return new Promise<HashRun>((resolve) => {
    const slots: Slot[] = [];
    let settled = false;
    // The next job to start: an index into the queue, not shift(), which copies a large array.
    let next = 0;

    const settle = (interrupted: boolean) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      clearTimeout(stopTimer);
      for (const [i, bytes] of active) {
        const r = results[i]!;
        r.state = "interrupted";
        r.bytesRead = BigInt(bytes);
      }
      active.clear();
      void Promise.all(slots.map((s) => s.worker.terminate())).then(() =>
        resolve(finish(results, interrupted)),
      );
    };

    // Ctrl-C: the busy workers say how far they got, then all stop. Periodic progress alone
    // could be up to HASH_PROGRESS_MS (many blocks) behind, or not yet sent at all.
    let stopping = false;
    let stopTimer: NodeJS.Timeout | undefined;
    const stopped = () => {
      if (slots.every((s) => !s.awaitingStop)) settle(true);
    };
    const onAbort = () => {
      if (settled || stopping) return;
      stopping = true;
      next = queue.length;
      for (const s of slots) {
        if (s.job === undefined || s.dead) continue;
        s.awaitingStop = true;
        s.worker.postMessage({ type: "stop" } satisfies StopMessage);
      }
      stopTimer = setTimeout(() => settle(true), HASH_STOP_REPLY_MS);
      stopped();
    };

    const dispatch = (slot: Slot) => {
      const i = next < queue.length ? queue[next++] : undefined;
      if (i === undefined) {
        slot.job = undefined;
        slot.awaitingStop = false;
        if (slots.every((s) => s.job === undefined)) settle(stopping);
        else if (stopping) stopped();
        return;
      }
      slot.job = i;
      active.set(i, 0);
      const j = jobs[i]!;
      const msg: JobMessage = {
        type: "job",
        id: i,
        path: j.path,
        sha256: j.sha256 ?? true,
        gitSha1: j.gitSha1 ?? false,
        blockSize,
        progressMs: options.progressMs ?? HASH_PROGRESS_MS,
      };
      if (j.layout) msg.layout = j.layout;
      slot.worker.postMessage(msg);
      report();
    };

    let location: WorkerLocation | undefined;
    const spawn = (): Slot => {
      location ??= options.worker ?? hashWorkerLocation();
      const worker = new Worker(location.url, { workerData: location.workerData });
      const slot: Slot = { worker, job: undefined, spoke: false, dead: false };
      worker.on("message", (m: WorkerMessage) => {
        slot.spoke = true;
        if (settled || slot.job !== m.id) return;
        const r = results[m.id]!;
        if (m.type === "progress") {
          active.set(m.id, m.bytes);
          if (stopping) {
            slot.awaitingStop = false;
            stopped();
          } else {
            report();
          }
          return;
        }
        active.delete(m.id);
        r.bytesRead = BigInt(m.bytes);
        if (m.type === "done") {
          r.state = "done";
          if (m.sha256 !== undefined) r.sha256 = m.sha256;
          if (m.gitSha1 !== undefined) r.gitSha1 = m.gitSha1;
          if (m.scan !== undefined) r.scan = m.scan;
          if (m.changed !== undefined) r.changed = m.changed;
          // The file grew or shrank since it was stat'ed: the size at open is what was hashed.
          if (BigInt(m.size) !== r.size) r.size = BigInt(m.size);
        } else {
          fail(r, m.errno, m.message);
          if (m.scan !== undefined) r.scan = m.scan;
        }
        filesDone++;
        doneBytes += r.size ?? 0n;
        dispatch(slot);
      });
      // A worker that dies (out of memory, a bug) fails its file and a fresh one takes its place;
      // one that dies before saying anything could not load, and neither would its replacement.
      const died = (why: string) => {
        if (settled || slot.dead) return;
        slot.dead = true;
        slot.awaitingStop = false;
        const index = slots.indexOf(slot);
        if (index >= 0) slots.splice(index, 1);
        const i = slot.job;
        slot.job = undefined;
        if (i !== undefined) {
          const r = results[i]!;
          r.bytesRead = BigInt(active.get(i) ?? 0);
          active.delete(i);
          fail(r, undefined, why);
          filesDone++;
          doneBytes += r.size ?? 0n;
        }
        if (!slot.spoke) {
          while (next < queue.length) fail(results[queue[next++]!]!, undefined, why);
        }
        if (next < queue.length) {
          const next = spawn();
          slots.push(next);
          dispatch(next);
        } else if (slots.every((x) => x.job === undefined)) {
          settle(stopping);
        } else if (stopping) {
          stopped();
        }
      };
      worker.on("error", (e) => died(`hashing thread failed: ${e.message}`));
      worker.on("exit", (code) => died(`hashing thread exited (${code})`));
      return slot;
    };

    signal?.addEventListener("abort", onAbort, { once: true });
    if (queue.length === 0) {
      settle(false);
      return;
    }
    for (let t = 0; t < threads; t++) slots.push(spawn());
    for (const s of slots) dispatch(s);
  });
}

const ABSENT = { code: "ENOENT", message: "no such file or directory" };

function fail(r: HashJobResult, errno: string | undefined, message: string): void {
  r.state = "failed";
  if (errno !== undefined) r.errno = errno;
  r.error = message;
}

function finish(results: HashJobResult[], interrupted: boolean): HashRun {
  let bytesDone = 0n;
  let bytesTotal = 0n;
  for (const r of results) {
    bytesDone += r.bytesRead;
    if (r.state !== "failed") bytesTotal += r.size ?? 0n;
  }
  return { results, interrupted, bytesDone, bytesTotal };
}
