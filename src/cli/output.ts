// stdout that tolerates its reader going away: `inspect … | head -1` must end quietly, not with
// an EPIPE stack trace, and must stop the work once nobody reads. Node ignores SIGPIPE, so a
// closed pipe shows up as an 'error' event on the next write; while nothing is written (hashing
// for minutes), reader-watch.ts has a helper ask the kernel instead. Writes wait for the stream to drain once
// OUTPUT_HIGH_WATER_BYTES are queued, so a large document is never held in memory whole.

import { fstatSync } from "node:fs";
import { OUTPUT_HIGH_WATER_BYTES } from "../core/limits.js";

export class Output {
  private closed = false;
  private readonly pipe: boolean;

  /** `fd`: the stream's descriptor, so that a pipe's reader can be watched (1 for stdout). */
  constructor(
    private readonly stream: NodeJS.WriteStream = process.stdout,
    private readonly fd?: number,
  ) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") this.closed = true;
      else throw e;
    });
    this.pipe = fd !== undefined && isPipe(fd);
  }

  /** False once the reader has gone: stop producing output, and stop the work it was for. */
  get open(): boolean {
    return !this.closed;
  }

  /** Writes `s`; waits when much is queued (until it drains or the reader goes). */
  async write(s: string): Promise<void> {
    if (this.closed || s.length === 0) return;
    try {
      this.stream.write(s);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EPIPE") this.closed = true;
      else throw e;
    }
    if (this.stream.writableLength > OUTPUT_HIGH_WATER_BYTES) await this.drain();
  }

  /** Resolves when everything written has been handed to the OS (or the reader has gone). */
  drain(): Promise<void> {
    if (this.closed || this.stream.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off("drain", done);
        this.stream.off("error", done);
        resolve();
      };
      this.stream.once("drain", done);
      this.stream.once("error", done);
    });
  }

  /** The descriptor, when it is a pipe whose reader can be watched (see reader-watch.ts). */
  get pipeFd(): number | undefined {
    return this.pipe ? this.fd : undefined;
  }

  /** The reader has gone (as a watch found): stop producing output. */
  markClosed(): void {
    this.closed = true;
  }
}

function isPipe(fd: number): boolean {
  try {
    return fstatSync(fd).isFIFO();
  } catch {
    return false;
  }
}
