// A forward-only window over a ByteSource for walking a GGUF header: values are read from the
// buffer synchronously, and the window is refilled (GGUF_READ_BYTES at a time) only when a value
// crosses its end, so a 10 MB vocabulary costs a handful of reads, not a promise per string.

import { isUtf8 } from "node:buffer";
import { GGUF_READ_BYTES } from "../../core/limits.js";
import type { ByteSource } from "../../sources/source.js";

export class Cursor {
  /** Bytes [start, start + limit) of the file; `pos` indexes into them. */
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  limit = 0;
  private start = 0;
  /** Set once the source returned fewer bytes than asked: nothing lies beyond `limit`. */
  private ended = false;

  constructor(
    private readonly src: ByteSource,
    /** File size when known; undefined for a stream. */
    readonly size: number | undefined,
  ) {}

  /** Absolute offset of the next byte. */
  get offset(): number {
    return this.start + this.pos;
  }

  /** Bytes between here and the end of the file; Infinity for a stream. */
  get remaining(): number {
    return this.size === undefined ? Infinity : this.size - this.offset;
  }

  /** Bytes available in the window without reading. */
  get available(): number {
    return this.limit - this.pos;
  }

  /**
   * Makes `n` bytes available at `pos` (reading past the window as needed); false when the input
   * ends first. Callers check `available` first so that the common case costs no promise.
   */
  async fill(n: number): Promise<boolean> {
    if (this.limit - this.pos >= n) return true;
    if (this.ended) return false;
    const keep = this.limit - this.pos;
    const want = Math.max(n - keep, GGUF_READ_BYTES);
    const next = await this.src.read(BigInt(this.start + this.limit), want);
    if (next.length < want) this.ended = true;
    const merged = Buffer.allocUnsafe(keep + next.length);
    this.buf.copy(merged, 0, this.pos, this.limit);
    next.copy(merged, keep);
    this.start += this.pos;
    this.buf = merged;
    this.pos = 0;
    this.limit = merged.length;
    return this.limit >= n;
  }

  /** Moves `n` bytes forward without keeping them (a string too long to decode). */
  async skip(n: number): Promise<boolean> {
    if (this.limit - this.pos >= n) {
      this.pos += n;
      return true;
    }
    const beyond = n - (this.limit - this.pos);
    this.start += this.limit + beyond;
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    this.limit = 0;
    if (this.size !== undefined) return this.start <= this.size;
    // A stream cannot seek: read through (the source discards what it skips).
    const probe = await this.src.read(BigInt(this.start - 1), 1);
    return probe.length === 1;
  }

  /** Copies the next `into.length` bytes into `into`, across refills; false if the input ends. */
  async copyInto(into: Uint8Array): Promise<boolean> {
    let done = 0;
    while (done < into.length) {
      if (this.available === 0 && !(await this.fill(1))) return false;
      const n = Math.min(this.available, into.length - done);
      into.set(this.buf.subarray(this.pos, this.pos + n), done);
      this.pos += n;
      done += n;
    }
    return true;
  }
}

/** A decoded string and whether its bytes were valid UTF-8. */
export function decodeUtf8(
  buf: Buffer,
  from: number,
  to: number,
): { text: string; valid: boolean } {
  const text = buf.toString("utf8", from, to);
  // U+FFFD appears only for invalid input or an encoded U+FFFD; check the bytes only then.
  const valid = !text.includes("\uFFFD") || isUtf8(buf.subarray(from, to));
  return { text, valid };
}
