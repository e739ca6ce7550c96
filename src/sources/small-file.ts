// Small files read whole (an index, config.json, a ref, a pointer, a checksums file, download
// metadata): only regular files, never opened in a way that blocks, and never more than a bound
// the caller names, checked against the size at open and enforced while reading (a file can grow,
// and a /proc or /sys file has a size that says nothing of its contents).

import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  statfsSync,
  type BigIntStats,
} from "node:fs";
import { open, statfs, type FileHandle } from "node:fs/promises";
import { group } from "../core/text.js";

// A FIFO opened for reading blocks until a writer appears: O_NONBLOCK returns at once, and the
// fstat that follows refuses it. Regular files ignore the flag; Windows does not define it.
export const NONBLOCKING_READ = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

export type SmallFileProblem =
  "missing" | "directory" | "not-regular" | "pseudo" | "too-large" | "unreadable";

/** Why a file was not read; `message` completes "<name> …" ("is a directory"). */
export class SmallFileError extends Error {
  override readonly name = "SmallFileError";

  constructor(
    readonly problem: SmallFileProblem,
    message: string,
    /** The errno code, for "unreadable" and "missing". */
    readonly errno?: string,
    /** For "too-large": the size at open, or what had been read when it grew past the bound. */
    readonly size?: bigint,
  ) {
    super(message);
  }
}

// Linux's pseudo file systems (statfs f_type): their files report a size of 0 or 4096 whatever
// they hold, and reading some of them never ends (/proc/self/pagemap) or has effects.
const PSEUDO_FS = new Map<number, string>([
  [0x9fa0, "/proc"],
  [0x62656572, "/sys"],
  [0x64626720, "debugfs"],
  [0x74726163, "tracefs"],
  [0x73636673, "securityfs"],
  [0x62656570, "configfs"],
]);

/** The pseudo file system `path` lies on (Linux), if it does. */
export async function pseudoFileSystem(path: string): Promise<string | undefined> {
  if (process.platform !== "linux") return undefined;
  const s = await statfs(path).catch(() => undefined);
  return s === undefined ? undefined : PSEUDO_FS.get(Number(s.type));
}

export function pseudoFileSystemSync(path: string): string | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    return PSEUDO_FS.get(Number(statfsSync(path).type));
  } catch {
    return undefined;
  }
}

export function pseudoFileError(fs: string): SmallFileError {
  return new SmallFileError(
    "pseudo",
    `is a kernel pseudo-file (${fs}), whose size says nothing of its contents`,
  );
}

export function openFailure(e: unknown): SmallFileError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") {
    return new SmallFileError("missing", "does not exist", code);
  }
  if (code === "EISDIR") return new SmallFileError("directory", "is a directory");
  if (code === "ELOOP") {
    return new SmallFileError("unreadable", "is a symbolic link loop", code);
  }
  if (code === "EACCES" || code === "EPERM") {
    return new SmallFileError("unreadable", "cannot be read (permission denied)", code);
  }
  return new SmallFileError("unreadable", `cannot be read (${code ?? String(e)})`, code);
}

/** Refuses what fstat says is not a regular file, and a regular file above `limit`. */
function checkOpened(st: BigIntStats, limit: number, what: string): void {
  if (st.isDirectory()) throw new SmallFileError("directory", "is a directory");
  if (!st.isFile()) {
    throw new SmallFileError("not-regular", "is not a regular file (a FIFO, socket or device)");
  }
  if (st.size > BigInt(limit)) throw tooLarge(st.size, limit, what);
}

function tooLarge(
  size: bigint | number,
  limit: number,
  what: string,
  grew = false,
): SmallFileError {
  return new SmallFileError(
    "too-large",
    grew
      ? `grew past the ${group(limit)} bytes ${what} may take while it was read`
      : `is ${group(size)} bytes, above the ${group(limit)} bytes ${what} may take`,
    undefined,
    BigInt(size),
  );
}

/**
 * The bytes read so far, in a buffer sized from the size at open and grown (doubling) up to one
 * byte past the bound, which tells a file that grew to the bound from one that grew past it.
 */
class BoundedBuffer {
  private buf: Buffer;
  done = 0;

  constructor(
    size: bigint,
    private readonly limit: number,
    private readonly what: string,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(Number(size), limit) + 1);
  }

  /** The buffer to read into at `done`, with room left; throws once the file is past the bound. */
  room(): Buffer {
    if (this.done === this.buf.length) {
      if (this.done > this.limit) throw tooLarge(this.done, this.limit, this.what, true);
      const bigger = Buffer.allocUnsafe(Math.min(this.buf.length * 2, this.limit + 1));
      this.buf.copy(bigger, 0, 0, this.done);
      this.buf = bigger;
    }
    return this.buf;
  }

  contents(): Buffer {
    if (this.done > this.limit) throw tooLarge(this.done, this.limit, this.what, true);
    return this.buf.subarray(0, this.done);
  }
}

/**
 * The whole of a small regular file. Throws SmallFileError for a missing, non-regular, pseudo
 * or oversized file; `what` names it in the size message ("an index", "config.json").
 */
export async function readSmallFile(path: string, limit: number, what: string): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, NONBLOCKING_READ);
  } catch (e) {
    throw openFailure(e);
  }
  try {
    let st: BigIntStats;
    try {
      st = await handle.stat({ bigint: true });
    } catch (e) {
      throw openFailure(e);
    }
    checkOpened(st, limit, what);
    const fs = await pseudoFileSystem(path);
    if (fs !== undefined) throw pseudoFileError(fs);
    const into = new BoundedBuffer(st.size, limit, what);
    for (;;) {
      const buf = into.room();
      let n: number;
      try {
        ({ bytesRead: n } = await handle.read(buf, into.done, buf.length - into.done, into.done));
      } catch (e) {
        throw openFailure(e);
      }
      if (n === 0) return into.contents();
      into.done += n;
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** readSmallFile with blocking calls, for a large index read while nothing else waits. */
export function readSmallFileSync(path: string, limit: number, what: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, NONBLOCKING_READ);
  } catch (e) {
    throw openFailure(e);
  }
  try {
    let st: BigIntStats;
    try {
      st = fstatSync(fd, { bigint: true });
    } catch (e) {
      throw openFailure(e);
    }
    checkOpened(st, limit, what);
    const fs = pseudoFileSystemSync(path);
    if (fs !== undefined) throw pseudoFileError(fs);
    const into = new BoundedBuffer(st.size, limit, what);
    for (;;) {
      const buf = into.room();
      let n: number;
      try {
        n = readSync(fd, buf, into.done, buf.length - into.done, into.done);
      } catch (e) {
        throw openFailure(e);
      }
      if (n === 0) return into.contents();
      into.done += n;
    }
  } finally {
    try {
      closeSync(fd);
    } catch {
      // nothing was written; a failed close loses nothing
    }
  }
}
