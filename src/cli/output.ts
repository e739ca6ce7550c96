// stdout that tolerates its reader going away: `inspect … | head -1` must end quietly, not with
// an EPIPE stack trace. Node ignores SIGPIPE, so a closed pipe shows up as an 'error' event.

export class Output {
  private closed = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stdout) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") this.closed = true;
      else throw e;
    });
  }

  /** False once the reader has gone: stop producing output. */
  get open(): boolean {
    return !this.closed;
  }

  write(s: string): void {
    if (this.closed || s.length === 0) return;
    try {
      this.stream.write(s);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EPIPE") this.closed = true;
      else throw e;
    }
  }

  /** Resolves when everything written has been handed to the OS (or the reader has gone). */
  drain(): Promise<void> {
    if (this.closed || this.stream.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.stream.once("drain", resolve);
      this.stream.once("error", () => resolve());
    });
  }
}
