// The storage seam: the checkpoint stage reads through a CheckpointStore only, so a store that
// is not the disk serves a whole sharded checkpoint; and the local store's bounds.

import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCheckpoint } from "../../src/checkpoint/load.js";
import { MAX_CONFIG_BYTES } from "../../src/core/limits.js";
import { LocalStore } from "../../src/store/local.js";

const localStore = new LocalStore();
import { SMALL_MODEL, SMALL_SHARDS, shardName } from "../helpers/checkpoints.js";
import { MemoryStore } from "../helpers/memory-store.js";
import { safetensorsFile, tempDir } from "../helpers/safetensors.js";
import { tensorsOf } from "../../src/formats/weights.js";

const tmp = tempDir("inspect-store-");
afterAll(tmp.cleanup);

/** A sharded checkpoint held in memory under /m. */
function memoryCheckpoint(drop?: number): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const weightMap: Record<string, string> = {};
  SMALL_SHARDS.forEach((tensors, i) => {
    const name = shardName(i, SMALL_SHARDS.length);
    if (i !== drop)
      files.set(`/m/${name}`, safetensorsFile(tensors, { metadata: { format: "pt" } }));
    for (const t of tensors) weightMap[t.name] = name;
  });
  files.set(
    "/m/model.safetensors.index.json",
    Buffer.from(JSON.stringify({ weight_map: weightMap })),
  );
  files.set("/m/config.json", Buffer.from(JSON.stringify({ model_type: "llama" })));
  return files;
}

describe("a checkpoint read through another store", () => {
  it("reads a sharded folder from memory: index, config and every shard through the store", async () => {
    const store = new MemoryStore(memoryCheckpoint());
    const cp = await readCheckpoint(store, "mem", { kind: "folder", dir: "/m", notes: [] });
    expect(cp.kind).toBe("sharded");
    expect(cp.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(cp.files.map((f) => tensorsOf(f)?.count)).toEqual(SMALL_SHARDS.map((s) => s.length));
    expect(cp.files.reduce((a, f) => a + (tensorsOf(f)?.count ?? 0), 0)).toBe(SMALL_MODEL.length);
    expect(cp.config).toEqual({ model_type: "llama" });
    expect(store.calls).toContain("readSmall /m/model.safetensors.index.json");
    expect(store.calls).toContain("readSmall /m/config.json");
    expect(store.calls.filter((c) => c.startsWith("open "))).toHaveLength(SMALL_SHARDS.length);
  });

  it("reports a shard the store does not have as missing", async () => {
    const store = new MemoryStore(memoryCheckpoint(1));
    const cp = await readCheckpoint(store, "mem", {
      kind: "index",
      dir: "/m",
      index: "model.safetensors.index.json",
    });
    expect(cp.findings.map((f) => f.code)).toContain("SHARD_MISSING");
    expect(cp.files).toHaveLength(SMALL_SHARDS.length - 1);
  });

  it("refuses an index the store reports above its bound", async () => {
    const store = new MemoryStore(memoryCheckpoint());
    store.readSmall = async (p, limit) =>
      p.endsWith(".index.json")
        ? { tooLarge: BigInt(limit) + 1n }
        : MemoryStore.prototype.readSmall.call(store, p, limit);
    const cp = await readCheckpoint(store, "mem", { kind: "folder", dir: "/m", notes: [] });
    const f = cp.findings.find((x) => x.code === "INDEX_INVALID");
    expect(f?.message).toMatch(/250,000,001 bytes, above the 250,000,000/);
    expect(cp.files).toEqual([]);
  });

  it("refuses a config.json above MAX_CONFIG_BYTES with a finding, not a read", async () => {
    const dir = path.join(tmp.dir, "bigconfig");
    const files = new Map([
      [path.join(dir, "model.safetensors"), safetensorsFile(SMALL_MODEL)],
      [path.join(dir, "config.json"), Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x20)],
    ]);
    const cp = await readCheckpoint(new MemoryStore(files), dir, {
      kind: "folder",
      dir,
      notes: [],
    });
    expect(cp.findings.map((f) => f.code)).toContain("CONFIG_INVALID");
    expect(cp.config).toBeUndefined();
  });
});

describe("the local store", () => {
  it("reads a small file whole, and refuses one above the bound before reading it", async () => {
    const p = path.join(tmp.dir, "config.json");
    writeFileSync(p, "x".repeat(1000));
    const ok = await localStore.readSmall(p, 1000);
    expect("bytes" in ok && ok.bytes.length).toBe(1000);
    expect(await localStore.readSmall(p, 999)).toEqual({ tooLarge: 1000n });
  });

  it("names files it cannot open in readMany's results, in order", async () => {
    const good = path.join(tmp.dir, "good.safetensors");
    writeFileSync(good, safetensorsFile(SMALL_MODEL));
    const missing = path.join(tmp.dir, "missing.safetensors");
    for (const indexBytes of [0, 10_000_000]) {
      const out = await localStore.readMany([missing, good], async (src) => src.size, {
        indexBytes,
      });
      expect(out[0]).toMatchObject({ code: "TARGET_NOT_FOUND" });
      expect(out[1]).toBe(BigInt(safetensorsFile(SMALL_MODEL).length));
    }
  });
});
