// Stores over HTTP: a Hub repo at a pinned commit (its file list from the revision API) and a
// folder of plain URLs (an index URL and the shards beside it). Weights open as HttpSources that
// fetch a header prefix in one ranged GET: as many bytes as the reader predicted for that file
// (ReadManyOptions, from the index's tensor names), else REMOTE_PREFIX_BYTES. Small files
// (config.json, the index) are one GET each. Paths are relative to the repo or to the URL's
// folder, `/`-separated: "" or "." is the root.

import type { FindingCode } from "../core/codes.js";
import { InspectError } from "../core/errors.js";
import { MAX_CONFIG_BYTES, MAX_INDEX_BYTES, REMOTE_PREFIX_BYTES } from "../core/limits.js";
import { mapBounded } from "../core/pool.js";
import { group } from "../core/text.js";
import {
  hubError,
  resolveRefOf,
  resolveUrl,
  type HubFile,
  type HubRef,
  type HubRevision,
} from "../hub/api.js";
import { hostOf, type HttpClient, type HttpResult } from "../sources/http-client.js";
import { HttpSource, httpError } from "../sources/http-source.js";
import type { ByteSource } from "../sources/source.js";
import {
  readOne,
  type CheckpointStore,
  type Entry,
  type Listing,
  type ReadManyOptions,
  type SmallFile,
} from "./store.js";

/** `a/./b`, `./a`, `.` → `a/b`, `a`, "" (the store's paths are joined with path.join). */
export function normalize(p: string): string {
  return p
    .split(/[\\/]+/)
    .filter((s) => s !== "" && s !== ".")
    .join("/");
}

const dirOf = (p: string) => (p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "");

/** What the report says about where the bytes came from (the JSON `source`). */
export interface RemoteSource {
  kind: "hub" | "url";
  endpoint?: string;
  repo?: string;
  revision?: string;
  commit?: string;
  requests: number;
  bytesTransferred: number;
}

/**
 * Failures that are not about the checkpoint (access refused, host unreachable, the server
 * failing): a report of the files that happened to get through would mislead, so the target
 * fails with the first of them.
 */
const TARGET_FAILURES = new Set<FindingCode>([
  "HUB_AUTH_REQUIRED",
  "HUB_GATED",
  "HUB_ACCESS_DENIED",
  "REMOTE_UNREACHABLE",
  "REMOTE_HTTP_ERROR",
]);

abstract class HttpStore implements CheckpointStore {
  /** The first failure in TARGET_FAILURES met while reading. */
  failure: InspectError | undefined;

  protected noted(e: unknown): unknown {
    if (e instanceof InspectError && TARGET_FAILURES.has(e.code)) this.failure ??= e;
    return e;
  }

  constructor(protected readonly client: HttpClient) {}

  abstract list(dir: string): Promise<Listing>;
  abstract stat(path: string): Promise<Entry | undefined>;
  abstract readSmall(path: string, limit: number): Promise<SmallFile>;
  abstract source(): RemoteSource;
  protected abstract urlOf(path: string): string;
  protected abstract onError(path: string): (res: HttpResult, name: string) => InspectError;

  /** The bytes of a whole small file (one GET), checked against the bound while read. */
  protected async fetchSmall(p: string, limit: number): Promise<SmallFile | HttpResult> {
    const res = await this.client.request({ url: this.urlOf(p), maxBytes: limit + 1, what: p });
    if (res.status !== 200) return res;
    if (res.body.length > limit) return { tooLarge: BigInt(res.body.length) };
    return { bytes: res.body };
  }

  /** `prefixBytes`: what the first request asks for (the header's predicted end). */
  async open(path: string, prefixBytes = REMOTE_PREFIX_BYTES): Promise<ByteSource> {
    const p = normalize(path);
    try {
      return await HttpSource.open(this.client, this.urlOf(p), {
        name: p,
        prefixBytes,
        onError: this.onError(p),
      });
    } catch (e) {
      throw this.noted(e);
    }
  }

  /** As many at once as the client lets through: it bounds the requests in flight. */
  async readMany<R>(
    paths: readonly string[],
    read: (src: ByteSource) => Promise<R>,
    options: ReadManyOptions = {},
  ): Promise<Array<R | InspectError>> {
    const predicted = options.predictedHeaderBytes;
    return mapBounded(paths, Math.max(1, paths.length), (p) =>
      readOne(() => this.open(p, predicted?.(p)), read),
    );
  }
}

/** A Hub repo at the commit its revision resolved to. */
export class HubStore extends HttpStore {
  private readonly files = new Map<string, HubFile>();
  private readonly dirs = new Set<string>();
  /** config.json and indexes of a listed folder, fetched together, before they are asked for. */
  private readonly prefetched = new Map<string, Promise<SmallFile | HttpResult>>();

  constructor(
    client: HttpClient,
    private readonly ref: HubRef,
    readonly revision: HubRevision,
    private readonly hasToken: boolean,
  ) {
    super(client);
    for (const f of revision.files) {
      const p = normalize(f.path);
      this.files.set(p, f);
      for (let d = dirOf(p); d !== ""; d = dirOf(d)) this.dirs.add(d);
    }
  }

  source(): RemoteSource {
    return {
      kind: "hub",
      endpoint: this.ref.endpoint,
      repo: this.ref.repo,
      revision: this.ref.revision,
      commit: this.revision.commit,
      requests: this.client.stats.requests,
      bytesTransferred: this.client.stats.bytes,
    };
  }

  protected urlOf(p: string): string {
    return resolveUrl(this.ref.endpoint, this.ref.repo, this.revision.commit, p);
  }

  protected onError(p: string) {
    return (res: HttpResult) => hubError(res, this.ref, { hasToken: this.hasToken, file: p });
  }

  list(dir: string): Promise<Listing> {
    const d = normalize(dir);
    if (d !== "" && !this.dirs.has(d))
      return Promise.reject(
        new InspectError("TARGET_NOT_FOUND", `no folder ${d} in ${this.ref.repo}`),
      );
    const files: string[] = [];
    const dirs = new Set<string>();
    const prefix = d === "" ? "" : d + "/";
    for (const [p, f] of this.files) {
      if (!p.startsWith(prefix)) continue;
      const [first, ...rest] = p.slice(prefix.length).split("/");
      if (first === undefined || first.startsWith(".")) continue;
      if (rest.length === 0) {
        files.push(first);
        this.prefetch(p, first, f.size);
      } else dirs.add(first);
    }
    return Promise.resolve({ files: files.sort(), dirs: [...dirs].sort() });
  }

  stat(path: string): Promise<Entry | undefined> {
    const p = normalize(path);
    const f = this.files.get(p);
    if (f) return Promise.resolve({ kind: "file", size: f.size });
    return Promise.resolve(p === "" || this.dirs.has(p) ? { kind: "dir", size: 0n } : undefined);
  }

  override async open(path: string, prefixBytes?: number): Promise<ByteSource> {
    const p = normalize(path);
    const listed = this.files.get(p);
    if (!listed) throw new InspectError("HUB_FILE_NOT_FOUND", `no file ${p} in ${this.ref.repo}`);
    const src = await super.open(p, prefixBytes);
    if (src.size !== listed.size) {
      await src.close();
      throw new InspectError(
        "REMOTE_RESPONSE_INVALID",
        `${p}: the Hub lists ${group(listed.size)} bytes, ${hostOf(this.urlOf(p))} serves ${group(src.size ?? 0n)}`,
        { hint: "the file changed while it was read; try again" },
      );
    }
    return src;
  }

  /**
   * A folder's config.json and index are read next (the checkpoint stage reads the config, then
   * the index): both requests start now, side by side, rather than one after the other.
   */
  private prefetch(p: string, name: string, size: bigint): void {
    const limit =
      name === "config.json"
        ? MAX_CONFIG_BYTES
        : name.endsWith(".safetensors.index.json")
          ? MAX_INDEX_BYTES
          : 0;
    if (limit === 0 || size > BigInt(limit) || this.prefetched.has(p)) return;
    const pending = this.fetchSmall(p, Number(size));
    pending.catch(() => undefined); // Reported when read; unread, it is only a wasted request.
    this.prefetched.set(p, pending);
  }

  async readSmall(path: string, limit: number): Promise<SmallFile> {
    const p = normalize(path);
    const listed = this.files.get(p);
    if (!listed) throw new InspectError("HUB_FILE_NOT_FOUND", `no file ${p} in ${this.ref.repo}`);
    if (listed.size > BigInt(limit)) return { tooLarge: listed.size };
    const early = this.prefetched.get(p);
    this.prefetched.delete(p);
    try {
      const got = await (early ?? this.fetchSmall(p, limit));
      if ("status" in got) throw this.onError(p)(got);
      return got;
    } catch (e) {
      throw this.noted(e);
    }
  }
}

/**
 * A file at a URL, and the files beside it: shards named by an index URL resolve relative to
 * it (its query string, a presigned URL's signature, is for it alone). Nothing can be listed.
 */
export class UrlStore extends HttpStore {
  /** Small files fetched by stat, kept for the readSmall that follows. */
  private readonly small = new Map<string, SmallFile | HttpResult>();

  constructor(
    client: HttpClient,
    private readonly url: URL,
    /** The target's own name in the store (the last segment of its path). */
    readonly name: string,
    private readonly hasToken = false,
  ) {
    super(client);
  }

  source(): RemoteSource {
    return {
      kind: "url",
      requests: this.client.stats.requests,
      bytesTransferred: this.client.stats.bytes,
    };
  }

  protected urlOf(p: string): string {
    if (p === this.name) return this.url.href;
    return new URL(p.split("/").map(encodeURIComponent).join("/"), this.url).href;
  }

  /** A Hub resolve URL's errors in the Hub's terms (X-Error-Code); others by status. */
  protected onError(p: string) {
    return (res: HttpResult, name: string) => {
      const ref = res.headers.get("x-error-code") ? resolveRefOf(res.url) : undefined;
      return ref ? hubError(res, ref, { hasToken: this.hasToken, file: p }) : httpError(res, name);
    };
  }

  list(): Promise<Listing> {
    return Promise.reject(
      new InspectError("TARGET_UNSUPPORTED", "a folder over HTTP cannot be listed", {
        hint: "name the .safetensors file or the model.safetensors.index.json URL",
      }),
    );
  }

  /** One GET (kept for readSmall); anything but 200 is "not there". */
  async stat(path: string): Promise<Entry | undefined> {
    const p = normalize(path);
    let got = this.small.get(p);
    if (got === undefined) {
      try {
        got = await this.fetchSmall(p, MAX_CONFIG_BYTES);
      } catch (e) {
        if (e instanceof InspectError) return undefined;
        throw e;
      }
      this.small.set(p, got);
    }
    if ("status" in got) return undefined;
    return { kind: "file", size: "bytes" in got ? BigInt(got.bytes.length) : got.tooLarge };
  }

  async readSmall(path: string, limit: number): Promise<SmallFile> {
    const p = normalize(path);
    const kept = this.small.get(p);
    this.small.delete(p);
    const got = kept && !("tooLarge" in kept && limit > MAX_CONFIG_BYTES) ? kept : undefined;
    const res =
      got ??
      (await this.fetchSmall(p, limit).catch((e: unknown) => {
        throw this.noted(e);
      }));
    if ("status" in res) throw this.noted(this.onError(p)(res, p));
    if ("bytes" in res && res.bytes.length > limit) return { tooLarge: BigInt(res.bytes.length) };
    return res;
  }
}
