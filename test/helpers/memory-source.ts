// An in-memory ByteSource, so that reader tests need no disk: a Buffer with a size (or none, to
// behave like a pipe), and a record of every read so that tests can check what was touched.

import type { ByteSource } from "../../src/sources/source.js";

export interface ReadRecord {
  offset: bigint;
  length: number;
}

export class MemorySource implements ByteSource {
  readonly size: bigint | undefined;
  readonly reads: ReadRecord[] = [];
  closed = false;

  constructor(
    private readonly bytes: Buffer,
    options: { name?: string; stream?: boolean; size?: bigint } = {},
  ) {
    this.name = options.name ?? "memory.safetensors";
    // A declared size lets a small buffer stand for a huge (sparse) file.
    this.size = options.stream ? undefined : (options.size ?? BigInt(bytes.length));
  }

  readonly name: string;

  read(offset: bigint, length: number): Promise<Buffer> {
    this.reads.push({ offset, length });
    if (offset >= BigInt(this.bytes.length)) return Promise.resolve(Buffer.alloc(0));
    const from = Number(offset);
    return Promise.resolve(Buffer.from(this.bytes.subarray(from, from + length)));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** The furthest byte any read asked for: max(offset + length). */
  get maxRequested(): bigint {
    let max = 0n;
    for (const r of this.reads) {
      const end = r.offset + BigInt(r.length);
      if (end > max) max = end;
    }
    return max;
  }
}

export function memorySource(
  bytes: Buffer | string,
  options: { name?: string; stream?: boolean; size?: bigint } = {},
): MemorySource {
  return new MemorySource(
    typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes,
    options,
  );
}
