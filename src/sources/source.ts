// Where bytes come from. One interface over files and standard input now, HTTP range requests
// later: formats ask for (offset, length) and never learn which it is.

export interface ByteSource {
  /** For messages: the path as the user gave it, or "<stdin>". */
  readonly name: string;
  /** Total size in bytes, or undefined when it cannot be known (a pipe). */
  readonly size: bigint | undefined;
  /**
   * Up to `length` bytes at `offset`; fewer only at the end of the input. A stream source
   * serves offsets at or after what it has consumed, plus the start it keeps for sniffing.
   */
  read(offset: bigint, length: number): Promise<Buffer>;
  close(): Promise<void>;
}
