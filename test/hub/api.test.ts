import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InspectError } from "../../src/core/errors.js";
import {
  fetchRevision,
  hubError,
  parseRevision,
  resolveUrl,
  type HubRef,
} from "../../src/hub/api.js";
import { HttpClient } from "../../src/sources/http-client.js";
import { HubEmulator, virtualFile } from "../helpers/hub-emulator.js";

const TOKEN = "hf_allowed";
const OTHER = "hf_other";
let hub: HubEmulator;
let commit: string;
const CONFIG = Buffer.from('{"model_type":"llama"}\n');
const WEIGHTS = Buffer.from("weights");

beforeAll(async () => {
  hub = await HubEmulator.start();
  hub.tokens.add(TOKEN).add(OTHER);
  commit = hub.addRepo("org/open", {
    "config.json": CONFIG,
    "model.safetensors": virtualFile("model.safetensors", WEIGHTS),
  });
  hub.addRepo("org/open", { "config.json": CONFIG }, { revision: "v2" });
  hub.addRepo("org/private", { "config.json": CONFIG }, { private: true, allow: [TOKEN] });
  hub.addRepo("org/gated", { "config.json": CONFIG }, { gated: true, allow: [TOKEN] });
});
afterAll(() => hub.close());

const ref = (repo: string, revision = "main"): HubRef => ({
  endpoint: hub.hub,
  repo,
  revision,
});
const client = (token?: string) =>
  new HttpClient({
    userAgent: "inspect/test",
    backoffBaseMs: 1,
    ...(token ? { credentials: { origin: hub.hub, token } } : {}),
  });

async function code(p: Promise<unknown>): Promise<InspectError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof InspectError)) throw new Error(`expected an InspectError, got ${String(e)}`);
  return e;
}

async function resolveFile(repo: string, file: string, token?: string): Promise<InspectError> {
  const c = client(token);
  const res = await c.request({
    url: resolveUrl(hub.hub, repo, "main", file),
    maxBytes: 100,
    what: file,
  });
  return hubError(res, ref(repo), { hasToken: token !== undefined, file });
}

describe("the revision API", () => {
  it("lists files with sizes and hashes and pins the commit", async () => {
    const r = await fetchRevision(client(), ref("org/open"), false);
    expect(r.commit).toBe(commit);
    const byPath = Object.fromEntries(r.files.map((f) => [f.path, f]));
    expect(byPath["config.json"]).toEqual({
      path: "config.json",
      size: BigInt(CONFIG.length),
      blobId: createHash("sha1")
        .update(Buffer.concat([Buffer.from(`blob ${CONFIG.length}\0`), CONFIG]))
        .digest("hex"),
    });
    expect(byPath["model.safetensors"]!.lfsSha256).toBe(
      createHash("sha256").update(WEIGHTS).digest("hex"),
    );
    expect(hub.counters.hub.log.at(-1)!.path).toBe("/api/models/org/open/revision/main");
  });

  it("resolves a branch other than main, and a commit", async () => {
    const v2 = await fetchRevision(client(), ref("org/open", "v2"), false);
    expect(v2.files.map((f) => f.path)).toEqual(["config.json"]);
    const pinned = await fetchRevision(client(), ref("org/open", commit), false);
    expect(pinned.commit).toBe(commit);
  });

  it("says which: repo, revision, private, gated, bad token", async () => {
    expect((await code(fetchRevision(client(), ref("org/none"), false))).code).toBe(
      "HUB_AUTH_REQUIRED",
    );
    expect((await code(fetchRevision(client(TOKEN), ref("org/none"), true))).code).toBe(
      "HUB_REPO_NOT_FOUND",
    );
    const rev = await code(fetchRevision(client(), ref("org/open", "nope"), false));
    expect(rev.code).toBe("HUB_REVISION_NOT_FOUND");
    expect(rev.message).toContain('"nope"');
    expect((await code(fetchRevision(client(), ref("org/private"), false))).code).toBe(
      "HUB_AUTH_REQUIRED",
    );
    expect((await fetchRevision(client(TOKEN), ref("org/private"), true)).files).toHaveLength(1);
    const bad = await code(fetchRevision(client("hf_wrong"), ref("org/open"), true));
    expect(bad.code).toBe("HUB_ACCESS_DENIED");
    expect(bad.message + String(bad.detail.hint)).not.toContain("hf_wrong");
  });

  it("maps resolve errors: gated (with the repo link), missing file", async () => {
    const gated = await resolveFile("org/gated", "config.json");
    expect(gated.code).toBe("HUB_GATED");
    expect(gated.detail.hint).toContain(`${hub.hub}/org/gated`);
    expect(gated.detail.hint).toContain("HF_TOKEN");
    const denied = await resolveFile("org/gated", "config.json", OTHER);
    expect(denied.code).toBe("HUB_GATED");
    expect(denied.message).toContain("has not been granted access");
    const missing = await resolveFile("org/open", "nope.json");
    expect(missing.code).toBe("HUB_FILE_NOT_FOUND");
    expect(missing.message).toContain("nope.json");
  });

  it("refuses answers that are not a revision", () => {
    const r = ref("org/x");
    const bad = (json: unknown) => () => parseRevision(json, r);
    expect(bad([])).toThrow(/no 40-digit commit/);
    expect(bad({ sha: "abc", siblings: [] })).toThrow(/no 40-digit commit/);
    expect(bad({ sha: "a".repeat(40) })).toThrow(/no file list/);
    expect(bad({ sha: "a".repeat(40), siblings: [{ rfilename: "x" }] })).toThrow(/no size/);
    expect(
      bad({ sha: "a".repeat(40), siblings: [{ rfilename: "x", size: 1, lfs: { sha256: "z" } }] }),
    ).toThrow(/without a SHA-256/);
  });

  it("builds resolve URLs at a commit, each path segment encoded", () => {
    expect(resolveUrl("https://h", "o/n", "c".repeat(40), "sub dir/a#b.json")).toBe(
      `https://h/o/n/resolve/${"c".repeat(40)}/sub%20dir/a%23b.json`,
    );
  });
});
