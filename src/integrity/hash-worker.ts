// A hashing thread: one file at a time, read in large blocks with the next read in flight while
// the current block is hashed and scanned, so the disk (or the page cache copy) and the hash
// overlap. Memory is two blocks whatever the file size. Bundled as its own entry point
// (dist/hash-worker.js); it is stopped with Worker.terminate(), after a "stop" message that it
// answers, between two reads, with the exact number of bytes it has hashed.

import { createHash, type Hash } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { open, type FileHandle, type FileReadResult } from "node:fs/promises";
import { parentPort } from "node:worker_threads";
import { LayoutScan } from "./layout-scan.js";
import type {
  DoneMessage,
  FailedMessage,
  JobMessage,
  PoolMessage,
  ProgressMessage,
} from "./protocol.js";

const port = parentPort;
if (port === null) throw new Error("hash-worker runs only as a worker thread");

// Buffers survive between jobs: a worker hashes several files, and allocating 2 × 4 MiB each time
// would only feed the garbage collector.
let buffers: [Buffer, Buffer] | undefined;

/** The job being read and the bytes hashed so far, for the answer to a "stop" message. */
let current: { id: number; bytes: number } | undefined;

function blocks(size: number): [Buffer, Buffer] {
  if (buffers === undefined || buffers[0].length !== size) {
    // allocUnsafeSlow: a buffer of its own, 8-aligned, so a block that starts at a file offset
    // that is a multiple of 8 keeps aligned tensors aligned for the word-at-a-time scan.
    buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)];
  }
  return buffers;
}

// Non-blocking: a file swapped for a FIFO since it was planned must not block the open.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

async function run(job: JobMessage): Promise<void> {
  let bytes = 0;
  let scan: LayoutScan | undefined;
  const state = { id: job.id, bytes: 0 };
  current = state;
  try {
    const handle = await open(job.path, OPEN_FLAGS);
    let pending: Promise<FileReadResult<Buffer>> | undefined;
    try {
      const before = await handle.stat();
      if (!before.isFile()) throw new Error("not a regular file");
      // The size seen at open is what is hashed: a file that grows is not followed (a log, a
      // download in progress, /proc files that never end), and the change is reported.
      const size = before.size;
      const want = (at: number) => Math.min(job.blockSize, size - at);
      const sha256 = job.sha256 ? createHash("sha256") : undefined;
      let git: Hash | undefined;
      if (job.gitSha1) git = createHash("sha1").update(`blob ${size}\0`);
      if (job.layout) scan = new LayoutScan(job.layout);
      const bufs = blocks(job.blockSize);
      let k = 0;
      pending = size > 0 ? handle.read(bufs[0], 0, want(0), 0) : undefined;
      let reported = performance.now();
      while (pending !== undefined) {
        const bytesRead: number = (await pending).bytesRead;
        pending = undefined;
        if (bytesRead === 0) break;
        const block = bufs[k]!.subarray(0, bytesRead);
        k ^= 1;
        const next = bytes + bytesRead;
        if (next < size) pending = handle.read(bufs[k]!, 0, want(next), next);
        sha256?.update(block);
        git?.update(block);
        scan?.feed(bytes, block);
        bytes += bytesRead;
        state.bytes = bytes;
        const now = performance.now();
        if (now - reported >= job.progressMs) {
          reported = now;
          port!.postMessage({ type: "progress", id: job.id, bytes } satisfies ProgressMessage);
        }
      }
      const done: DoneMessage = { type: "done", id: job.id, bytes, size };
      if (bytes === size) {
        const changed = await changedSince(handle, before, size, bufs[k]!);
        if (changed !== undefined) done.changed = changed;
      }
      if (sha256) done.sha256 = sha256.digest("hex");
      if (git) done.gitSha1 = git.digest("hex");
      const transfer: ArrayBuffer[] = [];
      if (scan) {
        done.scan = scan.finish();
        for (const a of Object.values(done.scan)) transfer.push(a.buffer as ArrayBuffer);
      }
      port!.postMessage(done, transfer);
    } finally {
      // A read still in flight after a failure must land before its handle closes.
      await pending?.catch(() => undefined);
      await handle.close();
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const failed: FailedMessage = {
      type: "failed",
      id: job.id,
      bytes,
      message: err.message ?? String(e),
    };
    if (err.code !== undefined) failed.errno = err.code;
    if (scan) failed.scan = scan.finish();
    port!.postMessage(failed);
  }
  if (current === state) current = undefined;
}

/** How the file differs from when it was opened, if it does: one more byte, a new size or time. */
async function changedSince(
  handle: FileHandle,
  before: Stats,
  size: number,
  scratch: Buffer,
): Promise<string | undefined> {
  const { bytesRead } = await handle.read(scratch, 0, 1, size);
  if (bytesRead > 0) return "it grew while it was read";
  const after = await handle.stat();
  if (after.size !== before.size) return `its size went from ${before.size} to ${after.size} bytes`;
  if (after.mtimeMs !== before.mtimeMs) return "it was written to while it was read";
  return undefined;
}

port.on("message", (m: PoolMessage) => {
  if (m.type === "job") {
    void run(m);
  } else if (current !== undefined) {
    port.postMessage({
      type: "progress",
      id: current.id,
      bytes: current.bytes,
    } satisfies ProgressMessage);
  }
});
