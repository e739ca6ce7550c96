// A CheckpointStore over a map of paths to bytes, so that the checkpoint stage can be shown to
// read only through the seam: every call is recorded.

import path from "node:path";
import { InspectError } from "../../src/core/errors.js";
import type { ByteSource } from "../../src/sources/source.js";
import type { CheckpointStore, Entry, Listing, SmallFile } from "../../src/store/store.js";
import { MemorySource } from "./memory-source.js";

export class MemoryStore implements CheckpointStore {
  readonly calls: string[] = [];

  constructor(private readonly files: ReadonlyMap<string, Buffer>) {}

  private dirs(): Set<string> {
    const out = new Set<string>();
    for (const p of this.files.keys())
      for (let d = path.dirname(p); d !== path.dirname(d); d = path.dirname(d)) out.add(d);
    return out;
  }

  list(dir: string): Promise<Listing> {
    this.calls.push(`list ${dir}`);
    const files: string[] = [];
    const dirs = new Set<string>();
    for (const p of this.files.keys()) {
      const rel = path.relative(dir, p);
      if (rel.startsWith("..") || rel === "") continue;
      const [first, ...rest] = rel.split(path.sep);
      if (rest.length === 0) files.push(first!);
      else dirs.add(first!);
    }
    if (files.length === 0 && dirs.size === 0)
      return Promise.reject(new InspectError("TARGET_NOT_FOUND", "no such folder"));
    return Promise.resolve({ files: files.sort(), dirs: [...dirs].sort() });
  }

  stat(p: string): Promise<Entry | undefined> {
    this.calls.push(`stat ${p}`);
    const b = this.files.get(p);
    if (b) return Promise.resolve({ kind: "file", size: BigInt(b.length) });
    return Promise.resolve(this.dirs().has(p) ? { kind: "dir", size: 0n } : undefined);
  }

  open(p: string): Promise<ByteSource> {
    this.calls.push(`open ${p}`);
    const b = this.files.get(p);
    if (!b) return Promise.reject(new InspectError("TARGET_NOT_FOUND", "no such file"));
    return Promise.resolve(new MemorySource(b, { name: p }));
  }

  async readSmall(p: string, limit: number): Promise<SmallFile> {
    this.calls.push(`readSmall ${p}`);
    const b = this.files.get(p);
    if (!b) throw new InspectError("TARGET_NOT_FOUND", "no such file");
    return b.length > limit ? { tooLarge: BigInt(b.length) } : { bytes: b };
  }

  async readMany<R>(
    paths: readonly string[],
    read: (src: ByteSource) => Promise<R>,
  ): Promise<Array<R | InspectError>> {
    const out: Array<R | InspectError> = [];
    for (const p of paths) {
      const src = await this.open(p).catch((e: InspectError) => e);
      out.push(src instanceof InspectError ? src : await read(src));
    }
    return out;
  }
}
