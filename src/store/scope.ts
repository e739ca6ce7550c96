// What a target may read: the tree under the path the user named, plus symbolic links that stay
// inside it, plus, for a Hugging Face cache snapshot, the repo's own blobs/ folder (a snapshot is
// a folder of links into it). A link that leads anywhere else is refused, unless the user asked
// to follow links (--follow-symlinks). A file is checked by its real path (every link on the way
// resolved), and that real path is what is then opened.

import { realpathSync, statSync } from "node:fs";
import { realpath } from "node:fs/promises";
import path from "node:path";
import { finding, type Finding } from "../core/findings.js";
import { snapshotOf } from "../hub/cache.js";

export type Admission =
  /**
   * Inside (or links followed on request): open `real`. Missing files are admitted as given,
   * `absent` then set (nothing there, or a link there leads to nothing).
   */
  | { ok: true; real: string; absent?: true }
  /** A link on the way leads outside: `real` is where. */
  | { ok: false; why: "outside"; real: string }
  /** Links that lead to each other forever. */
  | { ok: false; why: "loop" };

const inside = (real: string, root: string) =>
  real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

export class TargetScope {
  private constructor(
    /** Real paths of the folders a target may read. */
    readonly roots: readonly string[],
    readonly followSymlinks: boolean,
    /** Real paths of single files it may read wherever they are (the file the user named). */
    readonly files: readonly string[] = [],
  ) {}

  /**
   * The scope of folders `dirs` (each resolved to its real path: the user named it, so a link
   * there is followed), and of files `files` named on their own. A folder inside a cache
   * snapshot adds the repo's blobs/.
   */
  static async of(
    dirs: readonly string[],
    followSymlinks = false,
    files: readonly string[] = [],
  ): Promise<TargetScope> {
    const roots: string[] = [];
    for (const d of dirs) {
      const candidates = [d];
      const snapshot = snapshotOf(d);
      if (snapshot !== undefined) candidates.push(path.join(snapshot.repo, "blobs"));
      for (const c of candidates) {
        const real = await realpath(c).catch(() => undefined);
        if (real !== undefined && !roots.includes(real)) roots.push(real);
      }
    }
    const exact: string[] = [];
    for (const f of files) {
      const real = await realpath(f).catch(() => undefined);
      if (real !== undefined) exact.push(real);
    }
    return new TargetScope(roots, followSymlinks, exact);
  }

  /** A scope that admits everything: the user asked for one file, or to follow links. */
  static unbounded(): TargetScope {
    return new TargetScope([], true);
  }

  /** Whether `p` may be read, and the real path to open. */
  async admit(p: string): Promise<Admission> {
    let real: string;
    try {
      real = await realpath(p);
    } catch (e) {
      return this.unresolved(p, e);
    }
    return this.judge(real);
  }

  admitSync(p: string): Admission {
    let real: string;
    try {
      // realpath(3), one call: the JavaScript realpathSync makes an lstat per path component.
      real = realpathSync.native(p);
    } catch (e) {
      return this.unresolved(p, e);
    }
    return this.judge(real);
  }

  /** A real path (already resolved) inside the scope. */
  contains(real: string): boolean {
    return this.files.includes(real) || this.roots.some((r) => inside(real, r));
  }

  private judge(real: string): Admission {
    if (this.followSymlinks || this.contains(real)) return { ok: true, real };
    return { ok: false, why: "outside", real };
  }

  private unresolved(p: string, e: unknown): Admission {
    // ELOOP: links in a circle. Anything else (a missing file, a dangling link) is admitted as
    // given: opening it fails, and the caller reports it missing as before; nothing is read.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ELOOP") return { ok: false, why: "loop" };
    return code === "ENOENT" || code === "ENOTDIR"
      ? { ok: true, real: p, absent: true }
      : { ok: true, real: p };
  }
}

/**
 * Nothing at `p` (nor where a link there leads), told by one stat that throws nothing: cheaper
 * than the error realpath or open would make, for lists that may name many absent files. False
 * when that cannot be told.
 */
export function absentSync(p: string): boolean {
  try {
    return statSync(p, { throwIfNoEntry: false }) === undefined;
  } catch {
    return false;
  }
}

/** The finding for a file the scope refused; `shown` is the path as the target names it. */
export function refusal(shown: string, a: Exclude<Admission, { ok: true }>): Finding {
  if (a.why === "loop") {
    return finding("LINK_LOOP", `${shown} is a symbolic link loop; not read`, {
      file: shown,
      hint: "links that lead back to themselves: remove the loop",
    });
  }
  return finding(
    "LINK_OUTSIDE_TARGET",
    `${shown} links outside the target, to ${a.real}; not read`,
    {
      file: shown,
      hint: "only files inside the target are read; pass --follow-symlinks to read where it leads",
    },
  );
}
