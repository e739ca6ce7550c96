// A Hugging Face Hub on 127.0.0.1, for tests and the benchmark: two origins, the Hub (the
// revision API, resolve, HEAD) and a CDN (LFS blobs, reached by a 302 from resolve with a signed
// URL), both with single-range requests (206, 416). Repos can be private or gated, revisions and
// files missing, with the Hub's status codes and X-Error-Code headers. Faults on demand: latency
// on every request, 429 with Retry-After, 5xx, connection resets, cut bodies, requests that
// never answer, a CDN that ignores Range. Per origin it counts requests, body bytes sent and
// requests in flight, and records every Authorization header it receives.
//
// Files are virtual: a head of real bytes followed by zeros up to their size, so a 688 GB
// checkpoint is served from the few megabytes of its headers.

import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  type Dirent,
} from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

export type OriginName = "hub" | "cdn";

export interface VirtualFile {
  /** The first bytes; the rest, up to size, are zeros. */
  head: Buffer;
  size: number;
  /** Stored in LFS (served by the CDN through a 302): default for .safetensors files. */
  lfs: boolean;
  /** The SHA-256 the API lists: real when head holds the whole file, else a stand-in. */
  sha256: string;
  /** The git blob SHA-1 (of the pointer file for LFS files). */
  blobId: string;
}

export interface RepoOptions {
  /** Branch name → commit; default { main: <new commit> }. */
  revision?: string;
  commit?: string;
  private?: boolean;
  gated?: boolean;
  /** Tokens with access to a private or gated repo. */
  allow?: string[];
}

interface Repo {
  private: boolean;
  gated: boolean;
  allow: Set<string>;
  refs: Map<string, string>;
  commits: Map<string, Map<string, VirtualFile>>;
}

export interface Fault {
  origin?: OriginName;
  /** Substring of the request path (before the query) that the fault applies to. */
  path?: string;
  /** Only requests with (true) or without (false) a Range header. */
  ranged?: boolean;
  kind: "status" | "reset" | "cut" | "hang";
  status?: number;
  retryAfter?: string;
  /** X-Error-Code of a status fault (EntryNotFound, …). */
  errorCode?: string;
  /** How many requests it hits (default 1). */
  times?: number;
}

export interface OriginCounters {
  requests: number;
  /** Body bytes written (a response cut short by the client counts what was written). */
  bytes: number;
  inFlight: number;
  maxInFlight: number;
  /** Every Authorization header received, in order ("" when absent). */
  authorizations: string[];
  log: Array<{
    method: string;
    path: string;
    range: string | undefined;
    status: number;
    userAgent: string | undefined;
  }>;
}

const CHUNK = 64 * 1024;
const ZEROS = Buffer.alloc(CHUNK);
const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
const gitBlobSha1 = (content: Buffer) =>
  createHash("sha1")
    .update(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]))
    .digest("hex");

export function lfsPointer(oid: string, size: number): Buffer {
  return Buffer.from(
    `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`,
  );
}

/** A virtual file: `head` then zeros to `size` (default: head only, a real file). */
export function virtualFile(
  name: string,
  head: Buffer,
  size = head.length,
  lfs = name.endsWith(".safetensors"),
): VirtualFile {
  const whole = head.length >= size;
  const oid = whole
    ? sha256(head.subarray(0, size))
    : sha256(Buffer.concat([head, Buffer.from(`/${size}`)]));
  const content = whole ? head.subarray(0, size) : undefined;
  return {
    head: whole ? head.subarray(0, size) : head,
    size,
    lfs,
    sha256: oid,
    blobId: lfs ? gitBlobSha1(lfsPointer(oid, size)) : gitBlobSha1(content ?? head),
  };
}

function newCommit(): string {
  return randomBytes(20).toString("hex");
}

/** Bytes [start, end) of a virtual file. */
function slice(f: VirtualFile, start: number, end: number): Buffer {
  if (end <= f.head.length) return f.head.subarray(start, end);
  const out = Buffer.alloc(end - start);
  if (start < f.head.length) f.head.copy(out, 0, start, f.head.length);
  return out;
}

export class HubEmulator {
  /** http://127.0.0.1:<port> of each origin. */
  hub = "";
  cdn = "";
  latencyMs = 0;
  /** The CDN (and the Hub's direct files) answer 200 with the whole file to a Range request. */
  ignoreRange = false;
  /** Tokens the Hub accepts; any other bearer token is "Invalid credentials". */
  readonly tokens = new Set<string>();
  readonly faults: Fault[] = [];
  readonly counters: Record<OriginName, OriginCounters> = {
    hub: HubEmulator.counters(),
    cdn: HubEmulator.counters(),
  };
  private readonly repos = new Map<string, Repo>();
  private readonly blobs = new Map<string, VirtualFile>();
  private readonly servers: http.Server[] = [];
  private readonly hanging = new Set<http.ServerResponse>();

  private static counters(): OriginCounters {
    return { requests: 0, bytes: 0, inFlight: 0, maxInFlight: 0, authorizations: [], log: [] };
  }

  static async start(): Promise<HubEmulator> {
    const e = new HubEmulator();
    e.hub = await e.listen("hub");
    e.cdn = await e.listen("cdn");
    return e;
  }

  async close(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
          }),
      ),
    );
  }

  resetCounters(): void {
    this.counters.hub = HubEmulator.counters();
    this.counters.cdn = HubEmulator.counters();
  }

  /** Adds (or extends) a repo with these files at a new commit; returns the commit. */
  addRepo(id: string, files: Record<string, VirtualFile | Buffer>, o: RepoOptions = {}): string {
    const repo = this.repos.get(id) ?? {
      private: o.private ?? false,
      gated: o.gated ?? false,
      allow: new Set(o.allow ?? []),
      refs: new Map<string, string>(),
      commits: new Map<string, Map<string, VirtualFile>>(),
    };
    const commit = o.commit ?? newCommit();
    const tree = new Map<string, VirtualFile>();
    for (const [name, f] of Object.entries(files)) {
      const v = Buffer.isBuffer(f) ? virtualFile(name, f) : f;
      tree.set(name, v);
      if (v.lfs) this.blobs.set(v.sha256, v);
    }
    repo.commits.set(commit, tree);
    repo.refs.set(o.revision ?? "main", commit);
    this.repos.set(id, repo);
    return commit;
  }

  /**
   * A local model folder as a repo: .safetensors files by their head (prefix and header) and
   * size, so sparse files cost only their headers; other files whole.
   */
  addFolder(id: string, dir: string, o: RepoOptions = {}): string {
    const files: Record<string, VirtualFile> = {};
    const walk = (rel: string) => {
      for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true }) as Dirent[]) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(r);
        else if (e.isFile()) files[r] = fileFromDisk(r, path.join(dir, r));
      }
    };
    walk("");
    return this.addRepo(id, files, o);
  }

  /** A fault for the next matching request(s). */
  inject(f: Fault): void {
    this.faults.push({ times: 1, ...f });
  }

  private async listen(name: OriginName): Promise<string> {
    const server = http.createServer((req, res) => {
      void this.handle(name, req, res);
    });
    server.keepAliveTimeout = 5000;
    this.servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private takeFault(name: OriginName, p: string, ranged: boolean): Fault | undefined {
    const i = this.faults.findIndex(
      (f) =>
        (f.origin === undefined || f.origin === name) &&
        (f.path === undefined || p.includes(f.path)) &&
        (f.ranged === undefined || f.ranged === ranged) &&
        (f.times ?? 1) > 0,
    );
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  private async handle(
    name: OriginName,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const c = this.counters[name];
    c.requests++;
    c.inFlight++;
    c.maxInFlight = Math.max(c.maxInFlight, c.inFlight);
    c.authorizations.push(req.headers.authorization ?? "");
    const url = new URL(req.url ?? "/", "http://x");
    const range = req.headers.range;
    const entry = {
      method: req.method ?? "GET",
      path: url.pathname,
      range,
      status: 0,
      userAgent: req.headers["user-agent"],
    };
    c.log.push(entry);
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        c.inFlight--;
      }
    };
    res.on("close", finish);
    const write = res.write.bind(res);
    res.write = ((chunk: Buffer | string, ...rest: unknown[]) => {
      c.bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof res.write;
    const end = res.end.bind(res);
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk === "string") c.bytes += Buffer.byteLength(chunk);
      else if (Buffer.isBuffer(chunk)) c.bytes += chunk.length;
      return (end as (...a: unknown[]) => http.ServerResponse)(chunk, ...rest);
    }) as typeof res.end;
    const status = res.writeHead.bind(res);
    res.writeHead = ((code: number, ...rest: unknown[]) => {
      entry.status = code;
      return (status as (...a: unknown[]) => http.ServerResponse)(code, ...rest);
    }) as typeof res.writeHead;
    try {
      if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
      const fault = this.takeFault(name, url.pathname, range !== undefined);
      if (fault) {
        if (fault.kind === "reset") {
          req.socket.destroy();
          return;
        }
        if (fault.kind === "hang") {
          this.hanging.add(res);
          return;
        }
        if (fault.kind === "status") {
          const h: Record<string, string> = { "content-type": "text/plain" };
          if (fault.retryAfter !== undefined) h["retry-after"] = fault.retryAfter;
          if (fault.errorCode !== undefined) h["x-error-code"] = fault.errorCode;
          res.writeHead(fault.status ?? 503, h);
          res.end("injected fault");
          return;
        }
        // "cut": serve normally, then cut the body after half of it (below).
      }
      if (name === "cdn") return this.serveBlob(req, res, url, fault?.kind === "cut");
      return this.serveHub(req, res, url, fault?.kind === "cut");
    } catch (e) {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(e));
    }
  }

  private error(
    res: http.ServerResponse,
    status: number,
    code: string | undefined,
    message: string,
  ): void {
    const h: Record<string, string> = {
      "content-type": "application/json",
      "x-error-message": message,
    };
    if (code) h["x-error-code"] = code;
    res.writeHead(status, h);
    res.end(JSON.stringify({ error: message }));
  }

  /** The Hub's access rules; undefined when the request may go on. */
  private denied(
    res: http.ServerResponse,
    req: http.IncomingMessage,
    id: string,
    forFile: boolean,
  ): Repo | undefined {
    const auth = req.headers.authorization;
    const token = auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
    if (token !== undefined && !this.tokens.has(token)) {
      this.error(res, 401, undefined, "Invalid credentials in Authorization header");
      return undefined;
    }
    const repo = this.repos.get(id);
    const allowed = (r: Repo) => token !== undefined && r.allow.has(token);
    if (!repo || (repo.private && !allowed(repo))) {
      // Without a token the Hub does not say whether the repo exists.
      this.error(res, token ? 404 : 401, "RepoNotFound", "Repository not found");
      return undefined;
    }
    if (repo.gated && forFile && !allowed(repo)) {
      this.error(
        res,
        token ? 403 : 401,
        "GatedRepo",
        `Access to model ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
      );
      return undefined;
    }
    return repo;
  }

  private commitOf(repo: Repo, rev: string): string | undefined {
    if (repo.commits.has(rev)) return rev;
    return repo.refs.get(rev);
  }

  private serveHub(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    cut: boolean,
  ): void {
    const parts = url.pathname.split("/").slice(1);
    // A redirect to itself, for tests of the redirect limit.
    if (url.pathname === "/loop") {
      res.writeHead(302, { location: "/loop" });
      res.end();
      return;
    }
    // /api/models/{org}/{name}/revision/{rev}
    if (parts[0] === "api" && parts[1] === "models" && parts[4] === "revision" && parts[5]) {
      const id = `${parts[2]}/${parts[3]}`;
      const repo = this.denied(res, req, id, false);
      if (!repo) return;
      const rev = decodeURIComponent(parts.slice(5).join("/"));
      const commit = this.commitOf(repo, rev);
      if (!commit) return this.error(res, 404, "RevisionNotFound", `Invalid rev id: ${rev}`);
      const blobs = url.searchParams.get("blobs") === "true";
      const siblings = [...repo.commits.get(commit)!].map(([p, f]) =>
        blobs
          ? {
              rfilename: p,
              size: f.size,
              blobId: f.blobId,
              ...(f.lfs
                ? {
                    lfs: {
                      sha256: f.sha256,
                      size: f.size,
                      pointerSize: lfsPointer(f.sha256, f.size).length,
                    },
                  }
                : {}),
            }
          : { rfilename: p },
      );
      const body = JSON.stringify({ id, modelId: id, sha: commit, siblings });
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    // /{org}/{name}/resolve/{rev}/{path…}
    if (parts[2] === "resolve" && parts.length >= 5) {
      const id = `${parts[0]}/${parts[1]}`;
      const repo = this.denied(res, req, id, true);
      if (!repo) return;
      const rev = decodeURIComponent(parts[3]!);
      const commit = this.commitOf(repo, rev);
      if (!commit) return this.error(res, 404, "RevisionNotFound", `Invalid rev id: ${rev}`);
      const file = parts.slice(4).map(decodeURIComponent).join("/");
      const f = repo.commits.get(commit)!.get(file);
      if (!f) return this.error(res, 404, "EntryNotFound", `${file} does not exist on "${rev}"`);
      const meta = {
        "x-repo-commit": commit,
        etag: `"${f.lfs ? f.sha256 : f.blobId}"`,
        ...(f.lfs ? { "x-linked-etag": `"${f.sha256}"`, "x-linked-size": String(f.size) } : {}),
      };
      if (f.lfs) {
        const sig = randomBytes(8).toString("hex");
        res.writeHead(302, {
          ...meta,
          location: `${this.cdn}/blobs/${f.sha256}?X-Amz-Signature=${sig}`,
          "content-length": "0",
        });
        res.end();
        return;
      }
      this.serveFile(req, res, f, meta, cut);
      return;
    }
    this.error(res, 404, undefined, "Not Found");
  }

  private serveBlob(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    cut: boolean,
  ): void {
    const m = /^\/blobs\/([0-9a-f]{64})$/.exec(url.pathname);
    const f = m ? this.blobs.get(m[1]!) : undefined;
    if (!f || !url.searchParams.get("X-Amz-Signature")) {
      res.writeHead(403, { "content-type": "text/plain" });
      res.end("AccessDenied");
      return;
    }
    this.serveFile(req, res, f, { etag: `"${f.sha256}"` }, cut);
  }

  /** A file with single-range support: 206, 416, or 200 (whole) when Range is ignored. */
  private serveFile(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    f: VirtualFile,
    extra: Record<string, string>,
    cut: boolean,
  ): void {
    const head = req.method === "HEAD";
    const range = this.ignoreRange ? undefined : req.headers.range;
    const m = range === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    if (m && (m[1] !== "" || m[2] !== "")) {
      let start: number;
      let end: number; // inclusive
      if (m[1] === "") {
        start = Math.max(0, f.size - Number(m[2]));
        end = f.size - 1;
      } else {
        start = Number(m[1]);
        end = m[2] === "" ? f.size - 1 : Math.min(Number(m[2]), f.size - 1);
      }
      if (start >= f.size || end < start) {
        res.writeHead(416, { ...extra, "content-range": `bytes */${f.size}` });
        res.end();
        return;
      }
      const length = end - start + 1;
      res.writeHead(206, {
        ...extra,
        "accept-ranges": "bytes",
        "content-range": `bytes ${start}-${end}/${f.size}`,
        "content-length": String(length),
      });
      if (head) return void res.end();
      this.stream(res, f, start, end + 1, cut);
      return;
    }
    res.writeHead(200, {
      ...extra,
      ...(this.ignoreRange ? {} : { "accept-ranges": "bytes" }),
      "content-length": String(f.size),
    });
    if (head) return void res.end();
    this.stream(res, f, 0, f.size, cut);
  }

  /** Writes [start, end) in chunks, minding back-pressure, until done or the client leaves. */
  private stream(
    res: http.ServerResponse,
    f: VirtualFile,
    start: number,
    end: number,
    cut: boolean,
  ): void {
    const stop = cut ? start + Math.floor((end - start) / 2) : end;
    let at = start;
    const pump = () => {
      while (at < stop && !res.destroyed) {
        const n = Math.min(CHUNK, stop - at);
        const chunk = at >= f.head.length ? ZEROS.subarray(0, n) : slice(f, at, at + n);
        at += n;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      if (res.destroyed) return;
      if (cut) res.destroy();
      else res.end();
    };
    pump();
  }
}

/** Files up to this size are held whole, so that their SHA-256 in the listing is real. */
const WHOLE_FILE_BYTES = 16 * 1024 * 1024;

/** A file on disk as the emulator serves it: small ones whole, large safetensors by header. */
function fileFromDisk(name: string, file: string): VirtualFile {
  const size = statSync(file).size;
  if (!name.endsWith(".safetensors") || size <= WHOLE_FILE_BYTES)
    return virtualFile(name, readFileSync(file));
  const fd = openSync(file, "r");
  try {
    const prefix = Buffer.alloc(8);
    readSync(fd, prefix, 0, 8, 0);
    const n = Number(prefix.readBigUInt64LE(0));
    const want = Math.min(size, 8 + Math.min(n, 200_000_000));
    const head = Buffer.alloc(want);
    let done = 0;
    while (done < want) {
      const k = readSync(fd, head, done, want - done, done);
      if (k === 0) break;
      done += k;
    }
    return virtualFile(name, head.subarray(0, done), size);
  } finally {
    closeSync(fd);
  }
}
