// A remote object read by range requests. Opening it fetches a predicted prefix in one ranged
// GET (the header, if the prediction holds); later reads are served from that prefix, and only
// what lies beyond it costs another request. The object's size comes from Content-Range. A
// server that ignores Range (200 with the whole body) is read only as far as needed, the rest
// of its body aborted, and further reads from it are bounded.

import { InspectError } from "../core/errors.js";
import { MAX_HEADER_BYTES } from "../core/limits.js";
import { group } from "../core/text.js";
import { hostOf, type HttpClient, type HttpResult } from "./http-client.js";
import type { ByteSource } from "./source.js";

export interface HttpSourceOptions {
  /** For messages: the path in the repo, or the URL as given. */
  name: string;
  /** Bytes to fetch with the first request (the predicted header, prefix included). */
  prefixBytes: number;
  /** Maps 401/403/404 and other non-success answers to a target error; default: httpError. */
  onError?: (res: HttpResult, name: string) => InspectError;
  /**
   * When the server ignores Range, reads ending past this many bytes are refused rather than
   * downloaded from the start (default: the largest header, so only a header is ever fetched).
   */
  maxUnrangedBytes?: number;
}

const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+|\*)$/;
const UNSATISFIED_RANGE = /^bytes \*\/(\d+)$/;

export class HttpSource implements ByteSource {
  private constructor(
    private readonly client: HttpClient,
    private readonly url: string,
    readonly name: string,
    readonly size: bigint,
    /** Bytes [0, prefix.length) of the object. */
    private prefix: Buffer,
    private readonly ranged: boolean,
    private readonly onError: (res: HttpResult, name: string) => InspectError,
    private readonly maxUnranged: number,
  ) {}

  static async open(client: HttpClient, url: string, o: HttpSourceOptions): Promise<HttpSource> {
    const onError = o.onError ?? httpError;
    const want = BigInt(Math.max(1, o.prefixBytes));
    const res = await client.request({
      url,
      range: { start: 0n, end: want },
      maxBytes: Number(want),
      what: o.name,
    });
    if (res.status === 416) {
      // Nothing at byte 0: the object is empty.
      const size = unsatisfiedSize(res);
      if (size !== 0n) throw invalid(o.name, res, `HTTP 416 for byte 0 of ${group(size)} bytes`);
      return new HttpSource(client, url, o.name, size, Buffer.alloc(0), true, onError, 0);
    }
    if (res.status === 206) {
      const cr = parseContentRange(res, o.name);
      if (cr.start !== 0n) throw invalid(o.name, res, `a range starting at ${cr.start}, not 0`);
      const size = cr.total ?? declaredSize(res.headers);
      if (size === undefined)
        throw invalid(o.name, res, "a range without the object's size (Content-Range: …/*)");
      checkBody(res, cr.end - cr.start + 1n, o.name);
      return new HttpSource(client, url, o.name, size, res.body, true, onError, 0);
    }
    if (res.status === 200) {
      // Range ignored: what was read of the whole body is the prefix; the rest was aborted.
      const length = res.headers.get("content-length");
      let size: bigint;
      if (res.complete) size = BigInt(res.body.length);
      else if (length !== null && /^\d+$/.test(length)) size = BigInt(length);
      else
        throw invalid(
          o.name,
          res,
          "the whole object without Range support and without a Content-Length",
          "the server must support Range requests or declare the size",
        );
      return new HttpSource(
        client,
        url,
        o.name,
        size,
        res.body,
        false,
        onError,
        o.maxUnrangedBytes ?? Number(MAX_HEADER_BYTES) + 8,
      );
    }
    throw onError(res, o.name);
  }

  async read(offset: bigint, length: number): Promise<Buffer> {
    if (length <= 0 || offset >= this.size) return Buffer.alloc(0);
    const end0 = offset + BigInt(length);
    const end = end0 > this.size ? this.size : end0;
    const have = BigInt(this.prefix.length);
    if (end <= have) return this.prefix.subarray(Number(offset), Number(end));
    // Beyond the prefix. A read that starts inside it (the header longer than predicted, or a
    // reader walking a header in windows, as GGUF's does) extends the prefix to at least twice
    // its length, so that a walk through a 20 MB header costs ~9 requests, not one a window, and
    // never more than twice the bytes; others fetch what they ask for.
    const from = offset <= have ? have : offset;
    let to = end;
    if (offset <= have && this.ranged && 2n * have > to)
      to = 2n * have < this.size ? 2n * have : this.size;
    const more = await this.fetch(from, to);
    if (offset <= have) {
      this.prefix = Buffer.concat([this.prefix, more]);
      return this.prefix.subarray(Number(offset), Number(end));
    }
    return more.subarray(0, Number(end - from));
  }

  close(): Promise<void> {
    this.prefix = Buffer.alloc(0);
    return Promise.resolve();
  }

  private async fetch(start: bigint, end: bigint): Promise<Buffer> {
    if (!this.ranged && end > BigInt(this.maxUnranged)) {
      throw new InspectError(
        "REMOTE_RESPONSE_INVALID",
        `${hostOf(this.url)} ignores Range requests: reading byte ${group(end)} would download the file from its start`,
        { hint: "download the file, or serve it from a server with Range support" },
      );
    }
    const res = await this.client.request({
      url: this.url,
      range: { start, end },
      maxBytes: Number(this.ranged ? end - start : end),
      what: this.name,
    });
    if (res.status === 206) {
      const cr = parseContentRange(res, this.name);
      if (cr.start !== start)
        throw invalid(this.name, res, `bytes from ${cr.start} when ${start} was asked for`);
      if (cr.total !== undefined && cr.total !== this.size)
        throw invalid(
          this.name,
          res,
          `a size of ${group(cr.total)} bytes where it was ${group(this.size)}: the object changed while it was read`,
        );
      checkBody(res, cr.end - cr.start + 1n, this.name);
      const want = Number(end - start);
      if (res.body.length < want)
        throw invalid(this.name, res, `${res.body.length} bytes where ${want} were asked for`);
      return res.body.subarray(0, want);
    }
    if (res.status === 200) {
      if (BigInt(res.body.length) < end && !res.complete)
        throw invalid(this.name, res, "fewer bytes than asked for");
      return res.body.subarray(Number(start), Number(end));
    }
    if (res.status === 416) return Buffer.alloc(0);
    throw this.onError(res, this.name);
  }
}

interface ContentRange {
  start: bigint;
  end: bigint;
  total: bigint | undefined;
}

function parseContentRange(res: HttpResult, name: string): ContentRange {
  const v = res.headers.get("content-range");
  const m = v === null ? null : CONTENT_RANGE.exec(v.trim());
  if (!m) throw invalid(name, res, `HTTP 206 with Content-Range ${JSON.stringify(v)}`);
  const start = BigInt(m[1]!);
  const end = BigInt(m[2]!);
  const total = m[3] === "*" ? undefined : BigInt(m[3]!);
  if (end < start || (total !== undefined && end >= total))
    throw invalid(name, res, `an impossible Content-Range ${JSON.stringify(v)}`);
  return { start, end, total };
}

/** A 416 for byte 0: there is no byte 0, whatever size the answer names. */
function unsatisfiedSize(res: HttpResult): bigint {
  const v = res.headers.get("content-range");
  const m = v === null ? null : UNSATISFIED_RANGE.exec(v.trim());
  return m ? BigInt(m[1]!) : 0n;
}

function declaredSize(h: Headers): bigint | undefined {
  const linked = h.get("x-linked-size");
  return linked !== null && /^\d+$/.test(linked) ? BigInt(linked) : undefined;
}

/** A 206 body must hold the whole range it announces (a cut connection was retried already). */
function checkBody(res: HttpResult, announced: bigint, name: string): void {
  if (res.complete && BigInt(res.body.length) < announced)
    throw invalid(
      name,
      res,
      `${res.body.length} bytes in a response announcing ${announced}: the transfer was cut`,
    );
}

function invalid(name: string, res: HttpResult, what: string, hint?: string): InspectError {
  return new InspectError(
    "REMOTE_RESPONSE_INVALID",
    `${name}: ${hostOf(res.url)} answered with ${what}`,
    hint ? { hint } : {},
  );
}

/** The error for an answer that is not the object, from a server that is not the Hub. */
export function httpError(res: HttpResult, name: string): InspectError {
  const host = hostOf(res.url);
  if (res.status === 404 || res.status === 410)
    return new InspectError("TARGET_NOT_FOUND", `${name}: ${host} answered HTTP ${res.status}`, {
      hint: "check the URL",
    });
  if (res.status === 401 || res.status === 403)
    return new InspectError("REMOTE_HTTP_ERROR", `${name}: ${host} answered HTTP ${res.status}`, {
      hint:
        res.status === 403
          ? "access denied: a presigned URL may have expired; get a fresh one"
          : "the server wants credentials; inspect sends a token only to the Hub",
    });
  return new InspectError(
    "REMOTE_HTTP_ERROR",
    `${name}: ${host} answered HTTP ${res.status} where the file was expected`,
  );
}
