import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InspectError } from "../../src/core/errors.js";
import {
  HttpClient,
  networkFailure,
  retryAfterMs,
  type HttpClientOptions,
} from "../../src/sources/http-client.js";
import { HubEmulator, virtualFile } from "../helpers/hub-emulator.js";

let hub: HubEmulator;
const TOKEN = "hf_testtoken_secret";

beforeAll(async () => {
  hub = await HubEmulator.start();
  hub.tokens.add(TOKEN);
  hub.addRepo("org/model", {
    "config.json": Buffer.from('{"model_type":"llama"}'),
    "model.safetensors": virtualFile("model.safetensors", Buffer.from("x".repeat(100)), 1 << 30),
  });
});
afterAll(() => hub.close());
afterEach(() => {
  hub.resetCounters();
  hub.faults.length = 0;
  hub.latencyMs = 0;
  hub.ignoreRange = false;
});

/** Fast back-off so that retries take milliseconds. */
function client(o: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({
    userAgent: "inspect/9.9.9",
    backoffBaseMs: 1,
    backoffMaxMs: 4,
    credentials: { origin: hub.hub, token: TOKEN },
    ...o,
  });
}

const resolve = (file: string) => `${hub.hub}/org/model/resolve/main/${file}`;

async function failure(p: Promise<unknown>): Promise<InspectError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof InspectError) return e;
    throw e;
  }
  throw new Error("expected an InspectError");
}

describe("HttpClient", () => {
  it("sends the token to the Hub's origin and never to the CDN it redirects to", async () => {
    const c = client();
    const res = await c.request({
      url: resolve("model.safetensors"),
      range: { start: 0n, end: 50n },
      maxBytes: 50,
      what: "model.safetensors",
    });
    expect(res.status).toBe(206);
    expect(res.url.startsWith(hub.cdn)).toBe(true);
    expect(res.body.toString()).toBe("x".repeat(50));
    expect(hub.counters.hub.authorizations).toEqual([`Bearer ${TOKEN}`]);
    expect(hub.counters.cdn.authorizations).toEqual([""]);
    // The Range went with the redirect: one request, two exchanges.
    expect(hub.counters.cdn.log[0]!.range).toBe("bytes=0-49");
    expect(c.stats).toMatchObject({ requests: 1, exchanges: 2, retries: 0, bytes: 50 });
  });

  it("sends inspect's User-Agent on every hop", async () => {
    await client().request({
      url: resolve("model.safetensors"),
      range: { start: 0n, end: 8n },
      maxBytes: 8,
      what: "x",
    });
    expect(hub.counters.hub.log[0]!.userAgent).toBe("inspect/9.9.9");
    expect(hub.counters.cdn.log[0]!.userAgent).toBe("inspect/9.9.9");
  });

  it("sends no token at all when the token is for another origin", async () => {
    const c = client({ credentials: { origin: "https://huggingface.co", token: TOKEN } });
    await c.request({ url: resolve("config.json"), maxBytes: 1000, what: "config.json" });
    expect(hub.counters.hub.authorizations).toEqual([""]);
  });

  it("reads a body only up to maxBytes and aborts the rest", async () => {
    hub.ignoreRange = true;
    const c = client();
    const res = await c.request({
      url: resolve("model.safetensors"),
      range: { start: 0n, end: 1000n },
      maxBytes: 1000,
      what: "model.safetensors",
    });
    expect(res.status).toBe(200);
    expect(res.complete).toBe(false);
    expect(res.body.length).toBe(1000);
    // The server was stopped long before the 1 GiB it was sending.
    await new Promise((r) => setTimeout(r, 50));
    expect(hub.counters.cdn.bytes).toBeLessThan(64 * 1024 * 1024);
  });

  it("retries 429 honouring Retry-After, and 5xx", async () => {
    hub.inject({ origin: "hub", kind: "status", status: 429, retryAfter: "0" });
    hub.inject({ origin: "hub", kind: "status", status: 503 });
    const c = client();
    const res = await c.request({ url: resolve("config.json"), maxBytes: 1000, what: "x" });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('{"model_type":"llama"}');
    expect(c.stats).toMatchObject({ requests: 1, retries: 2, exchanges: 3 });
  });

  it("gives up after the bounded number of retries, saying how often it tried", async () => {
    hub.inject({ origin: "hub", kind: "status", status: 502, times: 10 });
    const c = client({ maxRetries: 2 });
    const e = await failure(c.request({ url: resolve("config.json"), maxBytes: 10, what: "x" }));
    expect(e.code).toBe("REMOTE_HTTP_ERROR");
    expect(e.message).toContain("HTTP 502 Bad Gateway, 3 times");
    expect(hub.counters.hub.requests).toBe(3);
  });

  it("does not wait for a Retry-After beyond the limit, and says how long it was", async () => {
    hub.inject({ origin: "hub", kind: "status", status: 429, retryAfter: "3600" });
    const c = client();
    const e = await failure(c.request({ url: resolve("config.json"), maxBytes: 10, what: "x" }));
    expect(e.code).toBe("REMOTE_HTTP_ERROR");
    expect(e.message).toContain("asks to wait 3600 s");
    expect(hub.counters.hub.requests).toBe(1);
  });

  it("retries a connection reset and a body cut short", async () => {
    hub.inject({ origin: "cdn", kind: "reset" });
    hub.inject({ origin: "cdn", kind: "cut" });
    const c = client();
    const res = await c.request({
      url: resolve("model.safetensors"),
      range: { start: 0n, end: 200_000n },
      maxBytes: 200_000,
      what: "x",
    });
    expect(res.status).toBe(206);
    expect(res.body.length).toBe(200_000);
    expect(c.stats.retries).toBe(2);
  });

  it("names the host when resets outlast the retries", async () => {
    hub.inject({ origin: "hub", kind: "reset", times: 10 });
    const c = client({ maxRetries: 1, unreachableHint: "or set HF_HUB_OFFLINE=1" });
    const e = await failure(c.request({ url: resolve("config.json"), maxBytes: 10, what: "x" }));
    expect(e.code).toBe("REMOTE_UNREACHABLE");
    expect(e.message).toContain(`cannot reach ${new URL(hub.hub).host}: connection lost`);
    expect(e.message).toContain("2 times");
    expect(e.detail.hint).toContain("HF_HUB_OFFLINE=1");
  });

  it("times out a request that never answers, and retries it", async () => {
    hub.inject({ origin: "hub", kind: "hang" });
    const c = client({ idleTimeoutMs: 200 });
    const res = await c.request({ url: resolve("config.json"), maxBytes: 100, what: "x" });
    expect(res.status).toBe(200);
    expect(c.stats.retries).toBe(1);
    hub.inject({ origin: "hub", kind: "hang", times: 2 });
    const e = await failure(
      client({ idleTimeoutMs: 200, maxRetries: 1 }).request({
        url: resolve("config.json"),
        maxBytes: 100,
        what: "x",
      }),
    );
    expect(e.code).toBe("REMOTE_UNREACHABLE");
    expect(e.message).toContain("no answer for");
  });

  it("does not retry a refused connection", async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const c = client();
    const e = await failure(
      c.request({ url: `http://127.0.0.1:${port}/x`, maxBytes: 10, what: "x" }),
    );
    expect(e.code).toBe("REMOTE_UNREACHABLE");
    expect(e.message).toContain("connection refused");
    expect(c.stats.retries).toBe(0);
  });

  it("reports a TLS failure without retrying it", async () => {
    const c = client();
    const e = await failure(
      c.request({ url: hub.hub.replace("http:", "https:") + "/x", maxBytes: 10, what: "x" }),
    );
    expect(e.code).toBe("REMOTE_UNREACHABLE");
    expect(e.message).toContain("TLS failed");
    expect(c.stats.retries).toBe(0);
  });

  it("stops a redirect loop", async () => {
    const e = await failure(client().request({ url: `${hub.hub}/loop`, maxBytes: 10, what: "x" }));
    expect(e.code).toBe("REMOTE_RESPONSE_INVALID");
    expect(e.message).toContain("redirects");
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    hub.latencyMs = 20;
    for (const limit of [3, 16]) {
      hub.resetCounters();
      const c = client({ concurrency: limit });
      await Promise.all(
        Array.from({ length: 40 }, () =>
          c.request({ url: resolve("config.json"), maxBytes: 100, what: "x" }),
        ),
      );
      expect(c.stats.maxInFlight).toBe(limit);
      expect(hub.counters.hub.maxInFlight).toBeLessThanOrEqual(limit);
    }
  });

  it("returns 4xx answers to the caller with the start of their body", async () => {
    const res = await client().request({ url: resolve("missing.json"), maxBytes: 10, what: "x" });
    expect(res.status).toBe(404);
    expect(res.headers.get("x-error-code")).toBe("EntryNotFound");
  });
});

describe("failure classification", () => {
  const cause = (code: string, message = "") => ({ cause: { code, message } });
  it.each([
    ["ENOTFOUND", false, "DNS lookup failed"],
    ["EAI_AGAIN", true, "DNS lookup failed"],
    ["ECONNREFUSED", false, "connection refused"],
    ["ECONNRESET", true, "connection lost"],
    ["UND_ERR_SOCKET", true, "connection lost"],
    ["CERT_HAS_EXPIRED", false, "TLS failed"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", false, "TLS failed"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", false, "TLS failed"],
  ])("%s: retry %s", (code, retry, reason) => {
    const f = networkFailure(cause(code), false, 10_000);
    expect(f.retry).toBe(retry);
    expect(f.reason).toContain(reason);
  });

  it("a timeout is retried", () => {
    const f = networkFailure(new Error("aborted"), true, 10_000);
    expect(f).toMatchObject({ retry: true, reason: "no answer for 10 s" });
  });
});

describe("Retry-After", () => {
  it("reads seconds and HTTP dates", () => {
    expect(retryAfterMs("7")).toBe(7000);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("Thu, 01 Jan 2025 00:00:30 GMT", now)).toBe(0);
    expect(retryAfterMs("soon")).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
