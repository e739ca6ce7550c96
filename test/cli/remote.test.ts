// Remote targets end to end: the built CLI against the loopback Hub emulator (127.0.0.1 only).

import { copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { writeCheckpoint, writeLayout } from "../helpers/checkpoints.js";
import { inspectAsync, type Result } from "../helpers/cli.js";
import { HubEmulator, virtualFile } from "../helpers/hub-emulator.js";
import { mixtral8x7b } from "../helpers/layouts.js";
import { assertSchema } from "../helpers/schema.js";
import { canonicalHeader, rawFile, tempDir, type TensorSpec } from "../helpers/safetensors.js";

const TOKEN = "hf_remote_test_token";
let hub: HubEmulator;
let work: { dir: string; cleanup: () => void };
let mixtral: string;
let small: string;
let mixtralCommit: string;
let emptyCache: string;

const SMALL: TensorSpec[][] = [
  [
    { name: "model.embed_tokens.weight", dtype: "BF16", shape: [256, 64] },
    { name: "model.layers.0.self_attn.q_proj.weight", dtype: "BF16", shape: [64, 64] },
  ],
  [
    { name: "model.layers.0.mlp.up_proj.weight", dtype: "BF16", shape: [128, 64] },
    { name: "model.norm.weight", dtype: "BF16", shape: [64] },
  ],
];
const SMALL_CONFIG = { model_type: "llama", architectures: ["LlamaForCausalLM"], vocab_size: 256 };
/** Two shards whose headers (~150 KB each) are longer than a first request without a prediction. */
const WIDE: TensorSpec[][] = [0, 1].map((s) =>
  Array.from({ length: 1200 }, (_, i) => ({
    name: `model.layers.${s}.mlp.experts.${i}.a_rather_long_projection_name_for_the_header.weight`,
    dtype: "BF16",
    shape: [4, 4],
  })),
);

beforeAll(async () => {
  hub = await HubEmulator.start();
  hub.tokens.add(TOKEN);
  work = tempDir("inspect-remote-");
  mixtral = path.join(work.dir, "mixtral");
  writeLayout(mixtral, mixtral8x7b());
  mixtralCommit = hub.addFolder("mistralai/Mixtral-8x7B-v0.1", mixtral);
  small = path.join(work.dir, "small");
  writeCheckpoint(small, { shards: SMALL, config: SMALL_CONFIG });
  hub.addFolder("org/small", small);
  hub.addFolder("org/gated", small, { gated: true, allow: [TOKEN] });
  const wide = path.join(work.dir, "wide");
  writeCheckpoint(wide, { shards: WIDE, config: SMALL_CONFIG });
  hub.addFolder("org/wide", wide);
  const t: TensorSpec[] = [{ name: "w", dtype: "F32", shape: [1000] }];
  const { header } = canonicalHeader(t, { metadata: { format: "pt" } });
  // A truncated object: the header declares 4,000 bytes of data, the object holds 3,000.
  hub.addRepo("org/truncated", {
    "model.safetensors": virtualFile(
      "model.safetensors",
      rawFile(header, 0),
      8 + header.length + 3000,
    ),
  });
  emptyCache = path.join(work.dir, "empty-cache");
  mkdirSync(emptyCache);
});
afterAll(async () => {
  await hub.close();
  work.cleanup();
});
afterEach(() => {
  hub.resetCounters();
  hub.faults.length = 0;
  hub.latencyMs = 0;
  hub.ignoreRange = false;
});

/** The environment of a user with an empty cache, no token, the emulator as the Hub. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    HF_ENDPOINT: hub.hub,
    HF_HUB_CACHE: emptyCache,
    HF_HOME: path.join(work.dir, "no-home"),
    HF_TOKEN: "",
    HF_HUB_OFFLINE: "",
    TRANSFORMERS_OFFLINE: "",
    HF_TOKEN_PATH: path.join(work.dir, "no-token"),
    ...extra,
  };
}

const run = (args: string[], extra: NodeJS.ProcessEnv = {}, cwd?: string): Promise<Result> =>
  inspectAsync(args, { env: env(extra), ...(cwd ? { cwd } : {}) });

/** The JSON document without the two fields that name where it was read from. */
function comparable(stdout: string): Record<string, unknown> {
  const doc = JSON.parse(stdout) as Record<string, unknown>;
  delete doc.target;
  delete doc.source;
  return doc;
}

const SHARDS = 19;

describe("org/name from the Hub", () => {
  it("gives the JSON of a local read of the same files, apart from target and source", async () => {
    const args = ["--json", "--tensors", "--gpu", "h100", "--count", "2"];
    const remote = await run([...args, "mistralai/Mixtral-8x7B-v0.1"]);
    expect(remote.stderr).toBe("");
    expect(remote.status).toBe(0);
    const local = await run([...args, "."], {}, mixtral);
    expect(local.status).toBe(0);
    expect(comparable(remote.stdout)).toEqual(comparable(local.stdout));
    const doc = JSON.parse(remote.stdout) as { moe: unknown; source: Record<string, unknown> };
    assertSchema(doc);
    expect(doc.moe).not.toBeUndefined();
    expect(doc.source).toEqual({
      kind: "hub",
      endpoint: hub.hub,
      repo: "mistralai/Mixtral-8x7B-v0.1",
      revision: "main",
      commit: mixtralCommit,
      requests: 3 + SHARDS,
      bytesTransferred: hub.counters.hub.bytes + hub.counters.cdn.bytes,
    });
    expect((JSON.parse(local.stdout) as { source: unknown }).source).toEqual({ kind: "folder" });
  });

  it("--filter and --require-fit give the same answer and exit status as locally", async () => {
    const args = ["--json", "--filter", "*.experts.0.*", "--memory", "10GB", "--require-fit"];
    const remote = await run([...args, "mistralai/Mixtral-8x7B-v0.1"]);
    const local = await run([...args, "."], {}, mixtral);
    expect(remote.status).toBe(3);
    expect(local.status).toBe(3);
    const doc = comparable(remote.stdout) as { tensors: unknown[] };
    expect(doc.tensors.length).toBeGreaterThan(0);
    expect(doc).toEqual(comparable(local.stdout));
  });

  it("reads each shard with one ranged GET (its 302 included) at the pinned commit", async () => {
    const r = await run(["--json", "mistralai/Mixtral-8x7B-v0.1"]);
    expect(r.status).toBe(0);
    const hubLog = hub.counters.hub.log;
    // The revision API, config.json and the index, then one resolve per shard.
    expect(hubLog[0]!.path).toBe("/api/models/mistralai/Mixtral-8x7B-v0.1/revision/main");
    expect(hubLog.filter((l) => l.path.includes("/resolve/")).length).toBe(2 + SHARDS);
    for (const l of hubLog.slice(1)) expect(l.path).toContain(`/resolve/${mixtralCommit}/`);
    expect(hub.counters.cdn.requests).toBe(SHARDS);
    expect(hub.counters.cdn.log.every((l) => l.status === 206)).toBe(true);
    expect(hub.counters.cdn.log.every((l) => l.range?.startsWith("bytes=0-"))).toBe(true);
    expect(hubLog.every((l) => l.userAgent?.startsWith("inspect/"))).toBe(true);
  });

  it("asks for each shard's header as predicted from the index: one GET where 64 KiB would not do", async () => {
    const r = await run(["--json", "org/wide"]);
    expect(r.status).toBe(0);
    const cdn = hub.counters.cdn.log;
    expect(cdn.length).toBe(2);
    for (const l of cdn) {
      // bytes=0-N: more than the 64 KiB asked for a file no index describes.
      const end = Number(/^bytes=0-(\d+)$/.exec(l.range ?? "")?.[1]);
      expect(end).toBeGreaterThan(150_000);
    }
  });

  it("sends the token to the Hub and never to the CDN", async () => {
    const r = await run(["--json", "org/small"], { HF_TOKEN: TOKEN });
    expect(r.status).toBe(0);
    expect(hub.counters.hub.authorizations.length).toBeGreaterThan(0);
    expect(hub.counters.hub.authorizations.every((a) => a === `Bearer ${TOKEN}`)).toBe(true);
    expect(hub.counters.cdn.requests).toBe(2);
    expect(hub.counters.cdn.authorizations).toEqual(["", ""]);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it("keeps --concurrency requests in flight at most", async () => {
    hub.latencyMs = 20;
    const r = await run(["--json", "--concurrency", "4", "mistralai/Mixtral-8x7B-v0.1"]);
    expect(r.status).toBe(0);
    expect(hub.counters.cdn.maxInFlight).toBeLessThanOrEqual(4);
    expect(hub.counters.hub.maxInFlight).toBeLessThanOrEqual(4);
    hub.resetCounters();
    const all = await run(["--json", "mistralai/Mixtral-8x7B-v0.1"]);
    expect(all.status).toBe(0);
    // 19 shards, 16 at once by default: more than 4 overlap at 20 ms a request.
    expect(hub.counters.hub.maxInFlight + hub.counters.cdn.maxInFlight).toBeGreaterThan(4);
    expect(hub.counters.cdn.maxInFlight).toBeLessThanOrEqual(16);
  });

  it("reads a gated repo with a granted token, from HF_TOKEN_PATH", async () => {
    const file = path.join(work.dir, "token-file");
    writeFileSync(file, `${TOKEN}\n`);
    const r = await run(["--json", "org/gated"], { HF_TOKEN_PATH: file });
    expect(r.status).toBe(0);
    expect(hub.counters.cdn.authorizations.every((a) => a === "")).toBe(true);
  });

  it("says where it read from in the table", async () => {
    const r = await run(["mistralai/Mixtral-8x7B-v0.1"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      `source       the Hub (${hub.hub}), mistralai/Mixtral-8x7B-v0.1@main, commit ${mixtralCommit}; ${3 + SHARDS} requests`,
    );
  });

  it("survives 429 with Retry-After, 503 and a reset, and a CDN that ignores Range", async () => {
    hub.inject({ origin: "hub", path: "/api/", kind: "status", status: 429, retryAfter: "1" });
    hub.inject({ origin: "cdn", kind: "status", status: 503 });
    hub.inject({ origin: "cdn", kind: "reset" });
    const r = await run(["--json", "org/small"]);
    expect(r.status).toBe(0);
    hub.ignoreRange = true;
    const whole = await run(["--json", "org/small"]);
    expect(whole.status).toBe(0);
    expect(comparable(whole.stdout)).toEqual(comparable(r.stdout));
  });

  it("reports a truncated object as FILE_TRUNCATED, as for a local file", async () => {
    const r = await run(["--json", "org/truncated"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("[FILE_TRUNCATED]");
  });
});

describe("the local cache first", () => {
  let cache: string;
  const commit = "c".repeat(40);
  beforeAll(() => {
    cache = path.join(work.dir, "cache");
    const repo = path.join(cache, "models--org--small");
    const snap = path.join(repo, "snapshots", commit);
    mkdirSync(snap, { recursive: true });
    mkdirSync(path.join(repo, "refs"));
    writeFileSync(path.join(repo, "refs", "main"), commit);
    // As huggingface_hub lays it out: the files in blobs/, the snapshot links into it (a link
    // leading out of the cache entry would be refused).
    mkdirSync(path.join(repo, "blobs"));
    for (const f of [
      "config.json",
      "model.safetensors.index.json",
      "model-00001-of-00002.safetensors",
      "model-00002-of-00002.safetensors",
    ]) {
      copyFileSync(path.join(small, f), path.join(repo, "blobs", f));
      symlinkSync(path.join("..", "..", "blobs", f), path.join(snap, f));
    }
  });

  it("reads a cached repo without a request, and says so", async () => {
    const r = await run(["org/small"], { HF_HUB_CACHE: cache });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`from the local cache, snapshot ${commit}`);
    const j = await run(["--json", "org/small"], { HF_HUB_CACHE: cache });
    assertSchema(JSON.parse(j.stdout));
    expect((JSON.parse(j.stdout) as { source: unknown }).source).toEqual({
      kind: "cache",
      repo: "org/small",
      revision: "main",
      commit,
    });
    expect(hub.counters.hub.requests + hub.counters.cdn.requests).toBe(0);
  });

  it("a revision the cache lacks is read from the Hub; --verify on it is refused first", async () => {
    const v2 = hub.addFolder("org/small", small, { revision: "v2" });
    const r = await run(["--json", "org/small@v2"], { HF_HUB_CACHE: cache });
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { source: unknown }).source).toMatchObject({
      kind: "hub",
      revision: "v2",
      commit: v2,
    });
    hub.resetCounters();
    const verify = await run(["--verify", "org/small@v2"], { HF_HUB_CACHE: cache });
    expect(verify.status).toBe(2);
    expect(verify.stderr).toContain("download first");
    expect(hub.counters.hub.requests + hub.counters.cdn.requests).toBe(0);
    // The cached revision is still read from the cache, and can be verified.
    const cached = await run(["--verify", "--json", "org/small"], { HF_HUB_CACHE: cache });
    expect(cached.status).toBe(0);
    expect(hub.counters.hub.requests).toBe(0);
  });

  it("--remote reads the Hub even when cached", async () => {
    const r = await run(["--json", "--remote", "org/small"], { HF_HUB_CACHE: cache });
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { source: { kind: string } }).source.kind).toBe("hub");
    expect(hub.counters.cdn.requests).toBe(2);
  });

  it("offline, an uncached repo is exit 2 without a request", async () => {
    for (const [args, extra] of [
      [["--offline", "org/small"], {}],
      [["org/small"], { HF_HUB_OFFLINE: "1" }],
    ] as const) {
      const r = await run([...args], extra);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("[TARGET_NOT_CACHED]");
      expect(r.stderr).toContain("offline");
    }
    const url = await run(["--offline", `${hub.hub}/org/small/resolve/main/config.json`]);
    expect(url.status).toBe(2);
    expect(url.stderr).toContain("[REMOTE_OFFLINE]");
    expect(hub.counters.hub.requests + hub.counters.cdn.requests).toBe(0);
  });
});

describe("URLs", () => {
  it("reads an index URL with its shards and config.json beside it, as the local folder", async () => {
    const url = `${hub.hub}/mistralai/Mixtral-8x7B-v0.1/resolve/main/model.safetensors.index.json`;
    const r = await run(["--json", url]);
    expect(r.status).toBe(0);
    const local = await run(["--json", "model.safetensors.index.json"], {}, mixtral);
    expect(comparable(r.stdout)).toEqual(comparable(local.stdout));
    const doc = JSON.parse(r.stdout) as { source: { kind: string; requests: number } };
    assertSchema(doc);
    expect(doc.source.kind).toBe("url");
    expect(doc.source.requests).toBe(2 + SHARDS);
    expect(hub.counters.cdn.requests).toBe(SHARDS);
  });

  it("reads a single .safetensors URL", async () => {
    const r = await run([
      "--json",
      `${hub.hub}/org/small/resolve/main/model-00001-of-00002.safetensors`,
    ]);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { tensorCount: number }).tensorCount).toBe(2);
  });
});

describe("errors, each one line and exit 2", () => {
  const line = (r: Result) => r.stderr.trim().split("\n");

  it("gated without a token: the repo page, the licence, HF_TOKEN", async () => {
    // The listing is public; the files are not.
    const r = await run(["org/gated"]);
    expect(r.status).toBe(2);
    expect(line(r)).toHaveLength(1);
    expect(r.stderr).toContain("[HUB_GATED]");
    expect(r.stderr).toContain("is a gated repo");
    expect(r.stderr).toContain(`${hub.hub}/org/gated`);
    expect(r.stderr).toContain("HF_TOKEN");
    const url = await run([`${hub.hub}/org/gated/resolve/main/model-00001-of-00002.safetensors`]);
    expect(url.status).toBe(2);
    expect(line(url)).toHaveLength(1);
    expect(url.stderr).toContain("[HUB_GATED]");
    expect(url.stderr).toContain("accept its licence");
  });

  it("a target that failed still gives a JSON document with its source", async () => {
    const r = await run(["--json", "org/none"]);
    expect(r.status).toBe(2);
    const doc = JSON.parse(r.stdout) as { source: unknown };
    assertSchema(doc);
    expect(doc.source).toMatchObject({ kind: "hub", repo: "org/none", requests: 1 });
  });

  it("missing repo: 401 without a token, 404 with one", async () => {
    const anon = await run(["org/none"]);
    expect(anon.status).toBe(2);
    expect(line(anon)).toHaveLength(1);
    expect(anon.stderr).toContain("[HUB_AUTH_REQUIRED]");
    const withToken = await run(["org/none"], { HF_TOKEN: TOKEN });
    expect(withToken.status).toBe(2);
    expect(withToken.stderr).toContain("[HUB_REPO_NOT_FOUND]");
  });

  it("a bad token", async () => {
    const r = await run(["org/small"], { HF_TOKEN: "hf_wrong_token" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("[HUB_ACCESS_DENIED]");
    expect(r.stderr).not.toContain("hf_wrong_token");
  });

  it("missing revision and missing file", async () => {
    const rev = await run(["org/small@nope"]);
    expect(rev.status).toBe(2);
    expect(rev.stderr).toContain("[HUB_REVISION_NOT_FOUND]");
    expect(rev.stderr).toContain('"nope"');
    const file = await run([`${hub.hub}/org/small/resolve/main/nope.safetensors`]);
    expect(file.status).toBe(2);
    expect(line(file)).toHaveLength(1);
    expect(file.stderr).toContain("[HUB_FILE_NOT_FOUND]");
  });

  it("an unreachable host: named, with HF_HUB_OFFLINE=1 suggested", async () => {
    const port = await closedPort();
    const r = await run(["org/small"], { HF_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(r.status).toBe(2);
    expect(line(r)).toHaveLength(1);
    expect(r.stderr).toContain(`cannot reach 127.0.0.1:${port}`);
    expect(r.stderr).toContain("HF_HUB_OFFLINE=1");
    expect(r.stderr).toContain("[REMOTE_UNREACHABLE]");
  });

  it("TLS that fails: named, not retried", async () => {
    const r = await run(["org/small"], { HF_ENDPOINT: hub.hub.replace("http:", "https:") });
    expect(r.status).toBe(2);
    expect(line(r)).toHaveLength(1);
    expect(r.stderr).toContain("TLS failed");
    expect(r.stderr).toContain("[REMOTE_UNREACHABLE]");
    expect(hub.counters.hub.log.every((l) => l.status === 0)).toBe(true);
  });

  it("an endpoint that is not a Hub: the API's answer is not a revision", async () => {
    hub.inject({ origin: "hub", path: "/api/", kind: "status", status: 200 });
    const r = await run(["org/small"]);
    expect(r.status).toBe(2);
    expect(line(r)).toHaveLength(1);
    expect(r.stderr).toContain("is not JSON");
    expect(r.stderr).toContain("[REMOTE_RESPONSE_INVALID]");
  });

  it("a Hub that never answers: timeouts after retries", async () => {
    hub.inject({ origin: "hub", kind: "hang", times: 10 });
    const r = await run(["org/small"], { HF_HUB_DOWNLOAD_TIMEOUT: "0.2" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("no answer for");
    expect(r.stderr).toContain("[REMOTE_UNREACHABLE]");
  });

  it("429 that outlasts the retries", async () => {
    hub.inject({ origin: "hub", kind: "status", status: 429, retryAfter: "3600" });
    const r = await run(["org/small"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("asks to wait 3600 s");
    expect(r.stderr).toContain("[REMOTE_HTTP_ERROR]");
  });

  it("--verify and --scan on a remote target are refused before any request", async () => {
    for (const flag of ["--verify", "--scan"]) {
      const r = await run([flag, "org/small"]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("download first");
      const u = await run([flag, `${hub.hub}/org/small/resolve/main/x.safetensors`]);
      expect(u.status).toBe(2);
    }
    expect(hub.counters.hub.requests + hub.counters.cdn.requests).toBe(0);
  });

  it("bad --concurrency, --remote with --offline", async () => {
    expect((await run(["--concurrency", "0", "org/small"])).status).toBe(2);
    expect((await run(["--concurrency", "1000", "org/small"])).status).toBe(2);
    expect((await run(["--remote", "--offline", "org/small"])).status).toBe(2);
    expect(hub.counters.hub.requests).toBe(0);
  });
});

describe("--verify --against org/name", () => {
  function copy(): string {
    const dir = path.join(work.dir, `copy-${Math.random().toString(36).slice(2)}`);
    writeCheckpoint(dir, { shards: SMALL, config: SMALL_CONFIG });
    return dir;
  }

  it("a folder that is exactly the revision: exit 0", async () => {
    const dir = copy();
    const r = await run(["--json", "--verify", "--against", "org/small", dir]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    assertSchema(JSON.parse(r.stdout));
    const v = (JSON.parse(r.stdout) as { verification: Record<string, unknown> }).verification;
    expect(v.against).toMatchObject({ repo: "org/small", missing: [], extra: [], differing: [] });
    const files = v.files as Array<{ source: string; status: string; algorithm: string }>;
    expect(files.every((f) => f.source === "hub" && f.status === "match")).toBe(true);
    expect(new Set(files.map((f) => f.algorithm))).toEqual(new Set(["sha256", "git-sha1"]));
    const table = await run(["--against", "org/small", dir]);
    expect(table.stdout).toContain("The folder is exactly org/small@main");
  });

  it("missing, extra and differing files: exit 1, each named", async () => {
    const dir = copy();
    rmSync(path.join(dir, "model-00002-of-00002.safetensors"));
    writeFileSync(path.join(dir, "notes.txt"), "mine");
    writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...SMALL_CONFIG, x: 1 }));
    const r = await run(["--json", "--against", "org/small", dir]);
    expect(r.status).toBe(1);
    assertSchema(JSON.parse(r.stdout));
    const v = (JSON.parse(r.stdout) as { verification: { against: Record<string, unknown> } })
      .verification;
    expect(v.against).toMatchObject({
      missing: ["model-00002-of-00002.safetensors"],
      extra: ["notes.txt"],
      differing: ["config.json"],
    });
    expect(r.stderr).toContain("[VERIFY_FILE_MISSING]");
    expect(r.stderr).toContain("[VERIFY_FILE_EXTRA]");
    expect(r.stderr).toContain("[HASH_MISMATCH]");
  });

  it("an unknown repo for --against: exit 2 before hashing", async () => {
    const r = await run(["--against", "org/none", copy()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--against org/none");
    expect(r.stderr).toContain("[HUB_AUTH_REQUIRED]");
  });
});

async function closedPort(): Promise<number> {
  const http = await import("node:http");
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
