// HTTP for remote targets, on Node's built-in fetch: a bounded number of requests in flight,
// an idle timeout, retries with exponential back-off and jitter (429, 5xx, resets, timeouts;
// Retry-After honoured), redirects followed by hand so that the token goes only to the origin it
// belongs to, and every body read only as far as asked (the rest is aborted, never downloaded).
// Counts requests and bytes for the report. docs/hub.md says why each rule is what it is.

import { InspectError } from "../core/errors.js";
import {
  HTTP_BACKOFF_BASE_MS,
  HTTP_BACKOFF_MAX_MS,
  HTTP_CONCURRENCY,
  HTTP_IDLE_TIMEOUT_MS,
  HTTP_MAX_REDIRECTS,
  HTTP_MAX_RETRIES,
  HTTP_MAX_RETRY_AFTER_MS,
  MAX_ERROR_BODY_BYTES,
} from "../core/limits.js";

export interface HttpClientOptions {
  /** `inspect/<version>`. */
  userAgent: string;
  /** Requests in flight at once (default HTTP_CONCURRENCY). */
  concurrency?: number;
  idleTimeoutMs?: number;
  maxRetries?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  maxRetryAfterMs?: number;
  /**
   * A bearer token and the one origin (scheme, host and port) it is sent to. A redirect to any
   * other origin is followed without it: the Hub's CDN URLs are signed in their query string.
   */
  credentials?: { origin: string; token: string };
  /** Appended to the hint of REMOTE_UNREACHABLE (e.g. "or set HF_HUB_OFFLINE=1 …"). */
  unreachableHint?: string;
  /** For tests of the back-off: a source of numbers in [0, 1). */
  random?: () => number;
}

export interface HttpStats {
  /** Requests made, each counted once however many redirects and retries it took. */
  requests: number;
  /** HTTP exchanges on the wire: every redirect hop and every retry counted. */
  exchanges: number;
  retries: number;
  /** Body bytes received (what was read; an aborted body's unread rest is not counted). */
  bytes: number;
  /** Most requests in flight at one time. */
  maxInFlight: number;
}

export interface HttpRequest {
  url: string;
  method?: "GET" | "HEAD";
  /** Bytes [start, end) of the object: sent as `Range: bytes=start-(end-1)`. */
  range?: { start: bigint; end: bigint };
  /**
   * Read at most this many bytes of a successful body; the rest is aborted. A server that
   * ignores Range and answers 200 with a whole multi-gigabyte file costs this much, no more.
   */
  maxBytes: number;
  /** What is being fetched, for messages ("config.json", "the revision list"). */
  what: string;
}

export interface HttpResult {
  status: number;
  /** The URL that answered, after redirects. */
  url: string;
  headers: Headers;
  /** Up to maxBytes of the body (up to MAX_ERROR_BODY_BYTES of an error's body). */
  body: Buffer;
  /** Whether the body ended by itself (false: it was cut at maxBytes). */
  complete: boolean;
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

/** A failed exchange, with whether trying again may help. */
class Failure extends Error {
  constructor(
    readonly reason: string,
    readonly retry: boolean,
    readonly error?: InspectError,
  ) {
    super(reason);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function originOf(url: string | URL): string {
  return new URL(url).origin;
}

export class HttpClient {
  readonly stats: HttpStats = { requests: 0, exchanges: 0, retries: 0, bytes: 0, maxInFlight: 0 };
  private readonly limit: number;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly o: Required<Omit<HttpClientOptions, "credentials" | "unreachableHint">> &
    Pick<HttpClientOptions, "credentials" | "unreachableHint">;

  constructor(options: HttpClientOptions) {
    this.o = {
      concurrency: HTTP_CONCURRENCY,
      idleTimeoutMs: HTTP_IDLE_TIMEOUT_MS,
      maxRetries: HTTP_MAX_RETRIES,
      backoffBaseMs: HTTP_BACKOFF_BASE_MS,
      backoffMaxMs: HTTP_BACKOFF_MAX_MS,
      maxRetryAfterMs: HTTP_MAX_RETRY_AFTER_MS,
      random: Math.random,
      ...options,
    };
    this.limit = Math.max(1, this.o.concurrency);
  }

  /**
   * One request: retried on 429, 5xx, resets and timeouts; any other answer is returned (the
   * caller maps 4xx to its own errors). Throws InspectError REMOTE_UNREACHABLE when the host
   * cannot be reached, REMOTE_HTTP_ERROR when 429/5xx outlast the retries.
   */
  async request(req: HttpRequest): Promise<HttpResult> {
    this.stats.requests++;
    let last: Failure | undefined;
    for (let attempt = 0; ; attempt++) {
      let wait: number;
      await this.acquire();
      try {
        const res = await this.exchangeFollowing(req);
        if (!RETRY_STATUS.has(res.status)) return res;
        const after = retryAfterMs(res.headers.get("retry-after"));
        const reason = `HTTP ${res.status}${statusText(res.status)}`;
        if (after !== undefined && after > this.o.maxRetryAfterMs) {
          throw new InspectError(
            "REMOTE_HTTP_ERROR",
            `${req.what}: ${hostOf(req.url)} answered ${reason} and asks to wait ${Math.ceil(after / 1000)} s`,
            { hint: "try again later" },
          );
        }
        last = new Failure(reason, true);
        wait = after ?? this.backoff(attempt);
      } catch (e) {
        if (!(e instanceof Failure)) throw e;
        if (!e.retry) throw e.error ?? this.unreachable(req, e.reason);
        last = e;
        wait = this.backoff(attempt);
      } finally {
        this.release();
      }
      if (attempt >= this.o.maxRetries) break;
      this.stats.retries++;
      await sleep(wait);
    }
    const tries = this.o.maxRetries + 1;
    const reason = last?.reason ?? "no answer";
    if (reason.startsWith("HTTP ")) {
      throw new InspectError(
        "REMOTE_HTTP_ERROR",
        `${req.what}: ${hostOf(req.url)} answered ${reason}, ${tries} times`,
        { hint: "the server is overloaded or failing; try again later" },
      );
    }
    throw this.unreachable(req, `${reason}, ${tries} times`);
  }

  private unreachable(req: HttpRequest, reason: string): InspectError {
    return new InspectError(
      "REMOTE_UNREACHABLE",
      `${req.what}: cannot reach ${hostOf(req.url)}: ${reason}`,
      {
        hint: `check the network or the address${this.o.unreachableHint ? `; ${this.o.unreachableHint}` : ""}`,
      },
    );
  }

  /** Exponential back-off with jitter: half the step fixed, half random. */
  private backoff(attempt: number): number {
    const step = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** attempt);
    return step / 2 + (this.o.random() * step) / 2;
  }

  private async acquire(): Promise<void> {
    if (this.inFlight >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    if (this.inFlight > this.stats.maxInFlight) this.stats.maxInFlight = this.inFlight;
  }

  private release(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }

  /** Follows redirects by hand: the Authorization header goes only to the token's origin. */
  private async exchangeFollowing(req: HttpRequest): Promise<HttpResult> {
    let url = req.url;
    for (let hop = 0; ; hop++) {
      const res = await this.exchange(req, url);
      if (!REDIRECT_STATUS.has(res.status)) return res;
      const location = res.headers.get("location");
      if (location === null) {
        throw new Failure(
          "redirect without Location",
          false,
          new InspectError(
            "REMOTE_RESPONSE_INVALID",
            `${req.what}: ${hostOf(url)} answered HTTP ${res.status} without a Location`,
          ),
        );
      }
      if (hop >= HTTP_MAX_REDIRECTS) {
        throw new Failure(
          "too many redirects",
          false,
          new InspectError(
            "REMOTE_RESPONSE_INVALID",
            `${req.what}: more than ${HTTP_MAX_REDIRECTS} redirects from ${hostOf(req.url)}`,
            { hint: "the server redirects in a loop" },
          ),
        );
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new Failure(
          "bad Location",
          false,
          new InspectError(
            "REMOTE_RESPONSE_INVALID",
            `${req.what}: ${hostOf(url)} redirects to an invalid address`,
          ),
        );
      }
      if (next.protocol !== "https:" && next.protocol !== "http:") {
        throw new Failure(
          "bad Location",
          false,
          new InspectError(
            "REMOTE_RESPONSE_INVALID",
            `${req.what}: ${hostOf(url)} redirects to a ${next.protocol} address`,
          ),
        );
      }
      url = next.href;
    }
  }

  /** One exchange on the wire; the body read up to the limit, the rest aborted. */
  private async exchange(req: HttpRequest, url: string): Promise<HttpResult> {
    this.stats.exchanges++;
    const headers: Record<string, string> = {
      "user-agent": this.o.userAgent,
      // Identity: a range of a compressed body would be a range of the compressed bytes.
      "accept-encoding": "identity",
    };
    if (req.range) headers["range"] = `bytes=${req.range.start}-${req.range.end - 1n}`;
    const c = this.o.credentials;
    if (c && originOf(url) === c.origin) headers["authorization"] = `Bearer ${c.token}`;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.o.idleTimeoutMs);
    };
    arm();
    try {
      let res: Response;
      try {
        res = await fetch(url, {
          method: req.method ?? "GET",
          headers,
          redirect: "manual",
          signal: controller.signal,
        });
      } catch (e) {
        throw networkFailure(e, timedOut, this.o.idleTimeoutMs);
      }
      const ok = res.status >= 200 && res.status < 300;
      const limit = REDIRECT_STATUS.has(res.status) ? 0 : ok ? req.maxBytes : MAX_ERROR_BODY_BYTES;
      let body: { bytes: Buffer; complete: boolean };
      try {
        body = await this.readBody(res, limit, arm, controller);
      } catch (e) {
        throw networkFailure(e, timedOut, this.o.idleTimeoutMs);
      }
      return {
        status: res.status,
        url,
        headers: res.headers,
        body: body.bytes,
        complete: body.complete,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  private async readBody(
    res: Response,
    limit: number,
    arm: () => void,
    controller: AbortController,
  ): Promise<{ bytes: Buffer; complete: boolean }> {
    if (res.body === null) return { bytes: Buffer.alloc(0), complete: true };
    const reader = res.body.getReader();
    const chunks: Buffer[] = [];
    let have = 0;
    // A body that ends where the limit is (a 206 of the range asked for) is read to its end, so
    // that the connection is kept for the next request rather than closed.
    const length = res.headers.get("content-length");
    const declared = length !== null && /^\d+$/.test(length) ? Number(length) : -1;
    for (;;) {
      if (have >= limit && have !== declared) {
        // Enough: close the connection rather than receive the rest.
        await reader.cancel().catch(() => undefined);
        controller.abort();
        const all = Buffer.concat(chunks);
        return { bytes: all.subarray(0, limit), complete: false };
      }
      const { done, value } = await reader.read();
      if (done) return { bytes: Buffer.concat(chunks), complete: true };
      arm();
      this.stats.bytes += value.byteLength;
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      have += value.byteLength;
    }
  }
}

/** Why an exchange failed, in words, and whether a retry may help. */
export function networkFailure(e: unknown, timedOut: boolean, timeoutMs: number): Failure {
  if (e instanceof Failure) return e;
  if (timedOut) return new Failure(`no answer for ${Math.round(timeoutMs / 1000)} s`, true);
  const cause = (e as { cause?: unknown }).cause ?? e;
  const code = String((cause as { code?: unknown }).code ?? "");
  const message = String((cause as { message?: unknown }).message ?? cause);
  if (code === "ENOTFOUND") return new Failure("DNS lookup failed (ENOTFOUND)", false);
  if (code === "EAI_AGAIN") return new Failure("DNS lookup failed (EAI_AGAIN)", true);
  if (code === "ECONNREFUSED") return new Failure("connection refused (ECONNREFUSED)", false);
  if (
    /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code) ||
    /SSL|TLS|certificate/i.test(message)
  ) {
    return new Failure(`TLS failed (${code || message})`, false);
  }
  if (
    code === "ECONNRESET" ||
    code === "EPIPE" ||
    code === "ETIMEDOUT" ||
    code === "ENETUNREACH" ||
    code === "EHOSTUNREACH" ||
    code.startsWith("UND_ERR_") ||
    /terminated|other side closed|socket/i.test(message)
  ) {
    return new Failure(`connection lost (${code || message})`, true);
  }
  return new Failure(`${code || message}`, false);
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function statusText(status: number): string {
  const t: Record<number, string> = {
    429: " Too Many Requests",
    500: " Internal Server Error",
    502: " Bad Gateway",
    503: " Service Unavailable",
    504: " Gateway Timeout",
  };
  return t[status] ?? "";
}
