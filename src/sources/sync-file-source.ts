// A regular file read with blocking calls, for threads that do nothing else while they wait (the
// shard threads, and the main thread while it shares their work): a page-cached header costs an
// open, an fstat, two reads and a close of a few microseconds each, where the promise-based calls
// of FileSource each take a trip through libuv's thread pool and the event loop. Same checks and
// same errors as FileSource.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import {
  clampToSize,
  openError,
  readError,
  requireRealFile,
  requireRegularFile,
} from "./file-source.js";
import { NONBLOCKING_READ, pseudoFileSystemSync } from "./small-file.js";
import type { ByteSource } from "./source.js";

export class SyncFileSource implements ByteSource {
  private constructor(
    readonly name: string,
    readonly size: bigint,
    private readonly fd: number,
  ) {}

  /** Opens a regular file; missing, unreadable and non-regular files become target errors. */
  static open(path: string, name = path): SyncFileSource {
    let fd: number;
    try {
      // As in FileSource: a FIFO must not block the open.
      fd = openSync(path, NONBLOCKING_READ);
    } catch (e) {
      throw openError(e);
    }
    try {
      const st = fstatSync(fd, { bigint: true });
      requireRegularFile(st);
      requireRealFile(pseudoFileSystemSync(path));
      return new SyncFileSource(name, st.size, fd);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Never past the size seen at open, as FileSource. */
  read(offset: bigint, length: number): Promise<Buffer> {
    length = clampToSize(offset, length, this.size);
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    try {
      while (done < length) {
        const position = offset + BigInt(done);
        // Positions past 2^53 (8 PiB) cannot be passed exactly; no file system holds such a file.
        if (position > BigInt(Number.MAX_SAFE_INTEGER)) break;
        const n = readSync(this.fd, buf, done, length - done, Number(position));
        if (n === 0) break;
        done += n;
      }
    } catch (e) {
      return Promise.reject(readError(e, offset + BigInt(done)));
    }
    return Promise.resolve(done === length ? buf : buf.subarray(0, done));
  }

  close(): Promise<void> {
    try {
      closeSync(this.fd);
    } catch (e) {
      return Promise.reject(e);
    }
    return Promise.resolve();
  }
}
