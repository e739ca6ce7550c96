import { fstatSync, read as fsRead } from "node:fs";
import { SNIFF_BYTES } from "../core/limits.js";
import { InspectError } from "../core/errors.js";
import { readError } from "./file-source.js";
import type { ByteSource } from "./source.js";

const STDIN_FD = 0;
const STDIN_NAME = "<stdin>";
/** Back-off when stdin is non-blocking and has nothing yet. */
const EAGAIN_WAIT_MS = 5;

function readChunk(
  buf: Buffer,
  at: number,
  length: number,
  position: bigint | null,
): Promise<number> {
  return new Promise((resolve, reject) => {
    fsRead(STDIN_FD, buf, at, length, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

/**
 * Standard input, read with plain fd reads so that nothing beyond what is asked for is consumed
 * (process.stdin would read ahead). Redirected from a regular file it is seekable and has a size,
 * so truncation can still be checked; from a pipe the size is unknown.
 */
export class StdinSource implements ByteSource {
  readonly name = STDIN_NAME;
  private consumed = 0n;
  /** The first bytes, kept so that a failed header can still be sniffed. */
  private start = Buffer.alloc(0);

  private constructor(
    readonly size: bigint | undefined,
    private readonly seekable: boolean,
  ) {}

  /** Whether stdin can be read as input: a pipe, a socket or a redirected file, not a terminal. */
  static available(): boolean {
    try {
      const st = fstatSync(STDIN_FD);
      return st.isFIFO() || st.isSocket() || st.isFile();
    } catch {
      return false;
    }
  }

  static open(): StdinSource {
    let st;
    try {
      st = fstatSync(STDIN_FD, { bigint: true });
    } catch (e) {
      throw new InspectError(
        "TARGET_UNREADABLE",
        `cannot read standard input (${(e as NodeJS.ErrnoException).code})`,
      );
    }
    if (st.isFile()) return new StdinSource(st.size, true);
    if (st.isFIFO() || st.isSocket()) return new StdinSource(undefined, false);
    throw new InspectError(
      "TARGET_UNSUPPORTED",
      "standard input is a terminal or device; pipe a file into it or name a path",
    );
  }

  async read(offset: bigint, length: number): Promise<Buffer> {
    if (this.seekable) return this.readFully(Buffer.allocUnsafe(length), offset);
    const out = Buffer.allocUnsafe(length);
    let have = 0;
    // Serve what we kept of the start first.
    if (offset < BigInt(this.start.length)) {
      const from = Number(offset);
      have = this.start.copy(out, 0, from, Math.min(this.start.length, from + length));
      offset += BigInt(have);
    }
    if (have === length) return out;
    if (offset < this.consumed) {
      throw new InspectError("TARGET_UNREADABLE", `cannot go back to byte ${offset} of a stream`);
    }
    while (this.consumed < offset) {
      // Skipping forward: read and drop.
      const skip = Buffer.allocUnsafe(
        Number(offset - this.consumed < 65536n ? offset - this.consumed : 65536n),
      );
      const n = await this.readSome(skip, 0, skip.length);
      if (n === 0) return out.subarray(0, have);
    }
    const got = await this.readFullyFromStream(out, have, length - have);
    return got === length ? out : out.subarray(0, got);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async readFully(buf: Buffer, offset: bigint): Promise<Buffer> {
    let done = 0;
    while (done < buf.length) {
      const n = await this.readSomeAt(buf, done, buf.length - done, offset + BigInt(done));
      if (n === 0) break;
      done += n;
    }
    return done === buf.length ? buf : buf.subarray(0, done);
  }

  private async readFullyFromStream(buf: Buffer, at: number, length: number): Promise<number> {
    let done = at;
    while (done < at + length) {
      const n = await this.readSome(buf, done, at + length - done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  private async readSome(buf: Buffer, at: number, length: number): Promise<number> {
    const n = await this.readSomeAt(buf, at, length, null);
    const before = this.consumed;
    this.consumed += BigInt(n);
    if (before < BigInt(SNIFF_BYTES) && n > 0) {
      const keep = Math.min(n, SNIFF_BYTES - Number(before));
      this.start = Buffer.concat([this.start, buf.subarray(at, at + keep)]);
    }
    return n;
  }

  private async readSomeAt(
    buf: Buffer,
    at: number,
    length: number,
    position: bigint | null,
  ): Promise<number> {
    for (;;) {
      try {
        return await readChunk(buf, at, length, position);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") {
          await new Promise((r) => setTimeout(r, EAGAIN_WAIT_MS));
          continue;
        }
        if (code === "EOF") return 0;
        throw readError(e, position ?? this.consumed);
      }
    }
  }
}
