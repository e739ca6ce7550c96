import { open, type FileHandle } from "node:fs/promises";
import { InspectError } from "../core/errors.js";
import { NONBLOCKING_READ, pseudoFileSystem } from "./small-file.js";
import type { ByteSource } from "./source.js";

export class FileSource implements ByteSource {
  private constructor(
    readonly name: string,
    readonly size: bigint,
    private readonly handle: FileHandle,
  ) {}

  /** Opens a regular file; missing, unreadable and non-regular files become target errors. */
  static async open(path: string, name = path): Promise<FileSource> {
    let handle: FileHandle;
    try {
      // Non-blocking: a FIFO would otherwise block the open before the type check refuses it.
      handle = await open(path, NONBLOCKING_READ);
    } catch (e) {
      throw openError(e);
    }
    try {
      const st = await handle.stat({ bigint: true });
      requireRegularFile(st);
      requireRealFile(await pseudoFileSystem(path));
      return new FileSource(name, st.size, handle);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /** Never past the size seen at open: a file that grows is read as it was. */
  async read(offset: bigint, length: number): Promise<Buffer> {
    length = clampToSize(offset, length, this.size);
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    try {
      while (done < length) {
        const position = offset + BigInt(done);
        // Positions past 2^53 (8 PiB) cannot be passed exactly; no file system holds such a file.
        if (position > BigInt(Number.MAX_SAFE_INTEGER)) break;
        const { bytesRead } = await this.handle.read(buf, done, length - done, Number(position));
        if (bytesRead === 0) break;
        done += bytesRead;
      }
    } catch (e) {
      throw readError(e, offset + BigInt(done));
    }
    return done === length ? buf : buf.subarray(0, done);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Only regular files are read as weights; a directory or a device is a target error. */
export function requireRegularFile(st: { isDirectory(): boolean; isFile(): boolean }): void {
  if (st.isDirectory()) throw new InspectError("TARGET_IS_DIRECTORY", "is a directory");
  if (!st.isFile()) {
    throw new InspectError(
      "TARGET_UNSUPPORTED",
      "not a regular file (a device, socket or FIFO); pipe it to `inspect -` instead",
    );
  }
}

/** A file on /proc or /sys: its size says nothing of its contents, and some never end. */
export function requireRealFile(pseudo: string | undefined): void {
  if (pseudo !== undefined) {
    throw new InspectError(
      "TARGET_UNSUPPORTED",
      `a kernel pseudo-file (${pseudo}), not weights: its size says nothing of its contents`,
    );
  }
}

/** `length` cut so that a read at `offset` ends at `size` at the latest. */
export function clampToSize(offset: bigint, length: number, size: bigint): number {
  if (offset >= size) return 0;
  return size - offset < BigInt(length) ? Number(size - offset) : length;
}

export function openError(e: unknown): InspectError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") {
    return new InspectError("TARGET_NOT_FOUND", "no such file or directory");
  }
  if (code === "EISDIR") return new InspectError("TARGET_IS_DIRECTORY", "is a directory");
  if (code === "ELOOP") return new InspectError("TARGET_UNREADABLE", "a symbolic link loop");
  if (code === "EACCES" || code === "EPERM") {
    return new InspectError("TARGET_UNREADABLE", "permission denied");
  }
  return new InspectError("TARGET_UNREADABLE", `cannot open (${code ?? String(e)})`);
}

export function readError(e: unknown, offset: bigint): InspectError {
  const code = (e as NodeJS.ErrnoException).code ?? String(e);
  return new InspectError("TARGET_UNREADABLE", `read failed at byte ${offset} (${code})`, {
    offset,
  });
}
