// The local disk as a CheckpointStore. Entries are stat'ed, not lstat'ed: a Hugging Face cache
// snapshot is a folder of symlinks into blobs/.

import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { InspectError } from "../core/errors.js";
import { SHARD_CONCURRENCY, SHARD_SYNC_MIN_INDEX_BYTES } from "../core/limits.js";
import { mapBounded } from "../core/pool.js";
import { FileSource, openError } from "../sources/file-source.js";
import type { ByteSource } from "../sources/source.js";
import { SyncFileSource } from "../sources/sync-file-source.js";
import type { CheckpointStore, Entry, Listing, ReadManyOptions, SmallFile } from "./store.js";

/** Bytes read at a time from a small file whose size the open did not tell. */
const SMALL_READ_CHUNK = 1 << 20;

export class LocalStore implements CheckpointStore {
  async list(dir: string): Promise<Listing> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      throw openError(e);
    }
    const files: string[] = [];
    const dirs: string[] = [];
    await Promise.all(
      entries.map(async (e) => {
        if (e.name.startsWith(".")) return;
        let kind: "file" | "dir" | undefined;
        if (e.isFile()) kind = "file";
        else if (e.isDirectory()) kind = "dir";
        else if (e.isSymbolicLink()) {
          const st = await stat(path.join(dir, e.name)).catch(() => undefined);
          // A dangling link (a cache blob never fetched) still names a file that should be there.
          kind = st?.isDirectory() ? "dir" : "file";
        }
        if (kind === "file") files.push(e.name);
        else if (kind === "dir") dirs.push(e.name);
      }),
    );
    files.sort();
    dirs.sort();
    return { files, dirs };
  }

  async stat(p: string): Promise<Entry | undefined> {
    const st = await stat(p, { bigint: true }).catch(() => undefined);
    if (st === undefined) return undefined;
    return { kind: st.isFile() ? "file" : st.isDirectory() ? "dir" : "other", size: st.size };
  }

  open(p: string): Promise<ByteSource> {
    return FileSource.open(p);
  }

  /** With blocking reads: one open, fstat and read, where promises would take a trip each. */
  async readSmall(p: string, limit: number): Promise<SmallFile> {
    const src = SyncFileSource.open(p);
    try {
      if (src.size! > BigInt(limit)) return { tooLarge: src.size! };
      // One read of the size the open saw, then on until the end: a file that grew since is
      // read no further than the bound.
      const parts: Buffer[] = [];
      let total = 0;
      let want = Number(src.size!) + 1;
      for (;;) {
        const chunk = await src.read(BigInt(total), want);
        parts.push(chunk);
        total += chunk.length;
        if (total > limit) return { tooLarge: BigInt(total) };
        if (chunk.length < want) break;
        want = SMALL_READ_CHUNK;
      }
      return { bytes: parts.length === 1 ? parts[0]! : Buffer.concat(parts, total) };
    } finally {
      await src.close();
    }
  }

  /**
   * Behind an index of at least SHARD_SYNC_MIN_INDEX_BYTES, parsing, not waiting, is what takes
   * the time: the files are read one after another with blocking reads (SyncFileSource).
   * Otherwise SHARD_CONCURRENCY at once, with promise-based reads.
   */
  async readMany<R>(
    paths: readonly string[],
    read: (src: ByteSource) => Promise<R>,
    options: ReadManyOptions = {},
  ): Promise<Array<R | InspectError>> {
    const blocking = (options.indexBytes ?? 0) >= SHARD_SYNC_MIN_INDEX_BYTES;
    const one = async (p: string): Promise<R | InspectError> => {
      let src: ByteSource;
      try {
        src = blocking ? SyncFileSource.open(p) : await FileSource.open(p);
      } catch (e) {
        if (e instanceof InspectError) return e;
        throw e;
      }
      try {
        return await read(src);
      } catch (e) {
        if (e instanceof InspectError) return e;
        throw e;
      } finally {
        await src.close();
      }
    };
    if (!blocking) return mapBounded(paths, SHARD_CONCURRENCY, one);
    const out: Array<R | InspectError> = [];
    for (const p of paths) out.push(await one(p));
    return out;
  }
}

/** The one local store. */
export const localStore: CheckpointStore = new LocalStore();
