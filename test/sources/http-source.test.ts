import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InspectError } from "../../src/core/errors.js";
import { readSafetensors } from "../../src/formats/safetensors/read.js";
import { HttpClient } from "../../src/sources/http-client.js";
import { HttpSource } from "../../src/sources/http-source.js";
import { HubEmulator, virtualFile } from "../helpers/hub-emulator.js";
import { codes, inspectBytes } from "../helpers/inspect.js";
import { canonicalHeader, rawFile, type TensorSpec } from "../helpers/safetensors.js";

const TENSORS: TensorSpec[] = Array.from({ length: 200 }, (_, i) => ({
  name: `model.layers.${i}.mlp.down_proj.weight`,
  dtype: "BF16",
  shape: [64, 32],
}));
const { header, dataBytes } = canonicalHeader(TENSORS, { metadata: { format: "pt" } });
const HEAD = rawFile(header, 0);
const SIZE = HEAD.length + Number(dataBytes);

let hub: HubEmulator;
beforeAll(async () => {
  hub = await HubEmulator.start();
  hub.addRepo("org/model", {
    "model.safetensors": virtualFile("model.safetensors", HEAD, SIZE),
    "truncated.safetensors": virtualFile("truncated.safetensors", HEAD, SIZE - 1000),
    "trailing.safetensors": virtualFile("trailing.safetensors", HEAD, SIZE + 24),
    "empty.safetensors": virtualFile("empty.safetensors", Buffer.alloc(0)),
    "direct.bin": Buffer.from("0123456789"),
  });
});
afterAll(() => hub.close());
afterEach(() => {
  hub.resetCounters();
  hub.faults.length = 0;
  hub.ignoreRange = false;
});

const client = () => new HttpClient({ userAgent: "inspect/test", backoffBaseMs: 1 });
const url = (f: string) => `${hub.hub}/org/model/resolve/main/${f}`;

async function open(file: string, prefixBytes: number, c = client()) {
  return HttpSource.open(c, url(file), { name: file, prefixBytes });
}

describe("HttpSource", () => {
  it("reads a header in one ranged GET when the prediction covers it", async () => {
    const c = client();
    const src = await open("model.safetensors", HEAD.length + 100, c);
    expect(src.size).toBe(BigInt(SIZE));
    const remote = await readSafetensors(src);
    const local = await inspectBytes(Buffer.concat([HEAD, Buffer.alloc(Number(dataBytes))]));
    expect(remote.findings).toEqual(
      local.findings.map((f) => ({ ...f, file: "model.safetensors" })),
    );
    expect(remote.header?.tensors.count).toBe(200);
    expect(hub.counters.cdn.requests).toBe(1);
    expect(hub.counters.cdn.log[0]!.range).toBe(`bytes=0-${HEAD.length + 99}`);
    expect(c.stats.requests).toBe(1);
  });

  it("asks only for the rest when the header is longer than predicted", async () => {
    const c = client();
    const src = await open("model.safetensors", 4096, c);
    const file = await readSafetensors(src);
    expect(file.header?.tensors.count).toBe(200);
    expect(codes(file)).not.toContain("FILE_TRUNCATED");
    expect(c.stats.requests).toBe(2);
    expect(hub.counters.cdn.log.map((l) => l.range)).toEqual([
      "bytes=0-4095",
      `bytes=4096-${HEAD.length - 1}`,
    ]);
  });

  it("takes the object's size from Content-Range: a short object is FILE_TRUNCATED", async () => {
    const src = await open("truncated.safetensors", 64 * 1024);
    expect(src.size).toBe(BigInt(SIZE - 1000));
    const file = await readSafetensors(src);
    expect(codes(file)).toContain("FILE_TRUNCATED");
  });

  it("reads what follows the last tensor with one more ranged request", async () => {
    const c = client();
    const file = await readSafetensors(await open("trailing.safetensors", 64 * 1024, c));
    expect(codes(file)).toContain("TRAILING_BYTES");
    expect(c.stats.requests).toBe(2);
    expect(hub.counters.cdn.log[1]!.range).toBe(`bytes=${SIZE}-${SIZE + 23}`);
  });

  it("answers 416 for byte 0 of an empty object: HEADER_TOO_SMALL, like an empty file", async () => {
    const file = await readSafetensors(await open("empty.safetensors", 1024));
    expect(codes(file)).toEqual(["HEADER_TOO_SMALL"]);
    expect(hub.counters.cdn.log[0]!.status).toBe(416);
  });

  it("reads a server that ignores Range only as far as needed", async () => {
    hub.ignoreRange = true;
    const big = "big.safetensors";
    hub.addRepo("org/big", { [big]: virtualFile(big, HEAD, 8 * 1024 * 1024 * 1024) });
    const c = client();
    const src = await HttpSource.open(c, `${hub.hub}/org/big/resolve/main/${big}`, {
      name: big,
      prefixBytes: 4096,
    });
    expect(src.size).toBe(8n * 1024n * 1024n * 1024n);
    const file = await readSafetensors(src);
    expect(file.header?.tensors.count).toBe(200);
    // The tensors end at 840 KB of 8 GiB: TRAILING_BYTES, sniffed from the bytes after them.
    expect(codes(file)).toEqual(["TRAILING_BYTES"]);
    // Three GETs of the whole file (prefix, the rest of the header, the bytes after the last
    // tensor), each aborted once what was needed was in.
    expect(hub.counters.cdn.log.map((l) => l.status)).toEqual([200, 200, 200]);
    await new Promise((r) => setTimeout(r, 50));
    expect(hub.counters.cdn.bytes).toBeLessThan(64 * 1024 * 1024);
    // Reading near the end would download the file: refused.
    const e = await src.read(8n * 1024n * 1024n * 1024n - 10n, 10).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InspectError);
    expect((e as InspectError).code).toBe("REMOTE_RESPONSE_INVALID");
    expect((e as InspectError).message).toContain("ignores Range");
  });

  it("a walk through a header in small windows grows the prefix geometrically", async () => {
    const c = client();
    const src = await open("model.safetensors", 1024, c);
    const seen: Buffer[] = [];
    for (let at = 0; at < HEAD.length; at += 512)
      seen.push(await src.read(BigInt(at), Math.min(512, HEAD.length - at)));
    expect(Buffer.concat(seen).equals(HEAD)).toBe(true);
    // 1 KiB, then 2, 4, 8, 16, 32 KiB: six requests for ~20 KB read in 41 windows.
    expect(c.stats.requests).toBe(Math.ceil(Math.log2(HEAD.length / 1024)) + 1);
    expect(hub.counters.cdn.bytes).toBeLessThanOrEqual(2 * HEAD.length);
  });

  it("serves reads inside the prefix without a request", async () => {
    const c = client();
    const src = await open("direct.bin", 1024, c);
    expect(src.size).toBe(10n);
    expect((await src.read(2n, 3)).toString()).toBe("234");
    expect((await src.read(8n, 100)).toString()).toBe("89");
    expect((await src.read(10n, 1)).length).toBe(0);
    expect(c.stats.requests).toBe(1);
  });

  it("retries a body cut short", async () => {
    hub.inject({ origin: "cdn", kind: "cut" });
    const c = client();
    const file = await readSafetensors(await open("model.safetensors", 64 * 1024, c));
    expect(file.header?.tensors.count).toBe(200);
    expect(c.stats.retries).toBe(1);
  });

  it("maps a 404 from a plain server to TARGET_NOT_FOUND", async () => {
    const e = await HttpSource.open(client(), `${hub.hub}/nothing/here.safetensors`, {
      name: "here.safetensors",
      prefixBytes: 1024,
    }).catch((x: unknown) => x);
    expect((e as InspectError).code).toBe("TARGET_NOT_FOUND");
  });
});
