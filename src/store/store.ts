// The storage seam: where a checkpoint's files live. The checkpoint stage asks a store to list a
// folder, stat a file, open one as a ByteSource, read a small one (an index, config.json) under a
// bound, and read many weights files' headers the way that store does it best; it never calls
// node:fs itself. The local disk is one store (store/local.ts); a remote repository is another.
//
// Paths are the store's own: file-system paths for the local store, and folder paths joined
// with `path.join`, which inspect only does with names already checked to stay inside
// (checkpoint/shard-names.ts).

import { InspectError } from "../core/errors.js";
import type { Finding } from "../core/findings.js";
import type { ByteSource } from "../sources/source.js";

export interface Listing {
  /**
   * Names of files (links followed; a dangling link still names a file; FIFOs, sockets and
   * devices too, so that reading them says what they are), sorted.
   */
  files: string[];
  /** Names of folders, sorted. Names starting with "." are left out of both. */
  dirs: string[];
  /** Entries the store does not follow (a link leading outside the target), with why. */
  refused?: RefusedEntry[];
}

export interface RefusedEntry {
  name: string;
  /** What it leads to, when that could be told without reading it. */
  kind: "file" | "dir";
  finding: Finding;
}

export interface Entry {
  kind: "file" | "dir" | "other";
  size: bigint;
}

/** A small file's bytes, or its size when that is above the bound it was read under. */
export type SmallFile = { bytes: Buffer } | { tooLarge: bigint };

export interface ReadManyOptions {
  /**
   * The size of the index that names these files, when there is one: a measure of how many
   * tensors their headers hold, which decides how a store reads them (store/local.ts).
   */
  indexBytes?: number;
  /**
   * How many bytes from a file's start are predicted to hold its header (from the tensor names
   * an index gives it), computed on a store's first call: a store that reads by requests asks
   * for that many at once, so that one request usually holds the whole header.
   */
  predictedHeaderBytes?: (path: string) => number | undefined;
}

export interface CheckpointStore {
  /** Throws InspectError (TARGET_NOT_FOUND, TARGET_UNREADABLE…) when the folder cannot be listed. */
  list(dir: string): Promise<Listing>;
  /** Undefined when nothing is there. */
  stat(path: string): Promise<Entry | undefined>;
  /**
   * A regular file as bytes; throws InspectError naming why it cannot be opened (a store that
   * keeps to a target throws LINK_OUTSIDE_TARGET or LINK_LOOP for what it refuses).
   */
  open(path: string): Promise<ByteSource>;
  /**
   * A whole small file, refused above `limit` bytes: checked against its size before reading
   * and enforced while reading (a file that grows is not read past the bound). Throws like open.
   */
  readSmall(path: string, limit: number): Promise<SmallFile>;
  /**
   * `read` over each path's source (opened here, closed after `read`), results in input order.
   * How many at once, and with which kind of reads, is the store's choice.
   */
  readMany<R>(
    paths: readonly string[],
    read: (src: ByteSource) => Promise<R>,
    options?: ReadManyOptions,
  ): Promise<Array<R | InspectError>>;
}

/**
 * Opens one file and reads it, closing it either way; an InspectError from opening or reading is
 * returned (it belongs to that file), anything else is a bug and thrown. Every store's readMany
 * reads each file through this.
 */
export async function readOne<R>(
  open: () => ByteSource | Promise<ByteSource>,
  read: (src: ByteSource) => Promise<R>,
): Promise<R | InspectError> {
  let src: ByteSource;
  try {
    src = await open();
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
}
