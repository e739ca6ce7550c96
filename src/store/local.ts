// The local disk as a CheckpointStore, kept to a target (scope.ts): a symbolic link is followed
// when it leads inside the target (a Hugging Face cache snapshot is a folder of links into its
// repo's blobs/), and refused with a finding when it leads anywhere else, unless the user asked
// to follow links. Only regular files are opened, without blocking; small files are read under
// a bound checked at open and enforced while reading (small-file.ts).

import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { InspectError } from "../core/errors.js";
import { SHARD_CONCURRENCY, SHARD_SYNC_MIN_INDEX_BYTES } from "../core/limits.js";
import { mapBounded } from "../core/pool.js";
import { FileSource, openError } from "../sources/file-source.js";
import { readSmallFileSync, SmallFileError, type SmallFileProblem } from "../sources/small-file.js";
import type { ByteSource } from "../sources/source.js";
import { SyncFileSource } from "../sources/sync-file-source.js";
import { absentSync, refusal, TargetScope, type Admission } from "./scope.js";
import {
  readOne,
  type CheckpointStore,
  type Entry,
  type Listing,
  type ReadManyOptions,
  type RefusedEntry,
  type SmallFile,
} from "./store.js";

/** The InspectError for a file the scope refused: the finding's code and message. */
function refused(p: string, a: Exclude<Admission, { ok: true }>): InspectError {
  const f = refusal(p, a);
  return new InspectError(f.code, f.message, { file: p, ...(f.hint ? { hint: f.hint } : {}) });
}

const SMALL_FILE_CODES: Record<Exclude<SmallFileProblem, "too-large">, InspectError["code"]> = {
  missing: "TARGET_NOT_FOUND",
  directory: "TARGET_IS_DIRECTORY",
  "not-regular": "TARGET_UNSUPPORTED",
  pseudo: "TARGET_UNSUPPORTED",
  unreadable: "TARGET_UNREADABLE",
};

export class LocalStore implements CheckpointStore {
  /** `scope`: what the target may read; by default anything (a file the user named). */
  constructor(readonly scope: TargetScope = TargetScope.unbounded()) {}

  async list(dir: string): Promise<Listing> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      throw openError(e);
    }
    const files: string[] = [];
    const dirs: string[] = [];
    const refusedEntries: RefusedEntry[] = [];
    await Promise.all(
      entries.map(async (e) => {
        if (e.name.startsWith(".")) return;
        if (e.isDirectory()) {
          dirs.push(e.name);
          return;
        }
        if (!e.isSymbolicLink()) {
          // FIFOs, sockets and devices too: reading them refuses them by name, where leaving
          // them out would say nothing (a FIFO in place of the index would vanish unremarked).
          files.push(e.name);
          return;
        }
        const p = path.join(dir, e.name);
        const admitted = await this.scope.admit(p);
        // Where it leads is stat'ed, never read, to say whether it was a file or a folder.
        const st = await stat(admitted.ok ? admitted.real : p).catch(() => undefined);
        if (!admitted.ok) {
          refusedEntries.push({
            name: e.name,
            kind: st?.isDirectory() ? "dir" : "file",
            finding: refusal(p, admitted),
          });
          return;
        }
        // A dangling link (a cache blob never fetched) still names a file that should be there.
        if (st?.isDirectory()) dirs.push(e.name);
        else files.push(e.name);
      }),
    );
    files.sort();
    dirs.sort();
    refusedEntries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { files, dirs, ...(refusedEntries.length > 0 ? { refused: refusedEntries } : {}) };
  }

  async stat(p: string): Promise<Entry | undefined> {
    const st = await stat(p, { bigint: true }).catch(() => undefined);
    if (st === undefined) return undefined;
    return { kind: st.isFile() ? "file" : st.isDirectory() ? "dir" : "other", size: st.size };
  }

  async open(p: string): Promise<ByteSource> {
    const admitted = await this.scope.admit(p);
    if (!admitted.ok) throw refused(p, admitted);
    return FileSource.open(admitted.real, p);
  }

  async readSmall(p: string, limit: number): Promise<SmallFile> {
    const admitted = await this.scope.admit(p);
    if (!admitted.ok) throw refused(p, admitted);
    try {
      // Blocking reads: one open, fstat and read, where promises would take a trip each.
      return { bytes: readSmallFileSync(admitted.real, limit, "this file") };
    } catch (e) {
      if (!(e instanceof SmallFileError)) throw e;
      if (e.problem === "too-large") return { tooLarge: e.size! };
      throw new InspectError(SMALL_FILE_CODES[e.problem], e.message);
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
    let absent: InspectError | undefined;
    const one = async (p: string): Promise<R | InspectError> => {
      // An absent file told by one stat that throws nothing, before realpath and open would each
      // make an error of the system's; the error says nothing of the file, so all share one: an
      // index may name 160,000 shards that are not there.
      if (blocking && absentSync(p)) return (absent ??= openError({ code: "ENOENT" }));
      const admitted = blocking ? this.scope.admitSync(p) : await this.scope.admit(p);
      if (!admitted.ok) return refused(p, admitted);
      return readOne(
        () =>
          blocking ? SyncFileSource.open(admitted.real, p) : FileSource.open(admitted.real, p),
        read,
      );
    };
    if (!blocking) return mapBounded(paths, SHARD_CONCURRENCY, one);
    const out: Array<R | InspectError> = [];
    for (const p of paths) out.push(await one(p));
    return out;
  }
}
