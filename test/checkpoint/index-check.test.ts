// The index is checked against its shards by keyed digests of the names (the fast path), and by
// a map of every name when they disagree or cannot be had. On every cross-check case of
// load.test.ts, and on a checkpoint large enough to be read with blocking calls, the result must
// be exactly the map path's: same files, same findings, in the same order.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Checkpoint } from "../../src/checkpoint/checkpoint.js";
import { loadCheckpoint } from "../helpers/load.js";
import { SHARD_SYNC_MIN_INDEX_BYTES } from "../../src/core/limits.js";
import {
  shardName,
  SMALL_MODEL,
  SMALL_SHARDS,
  splitEvenly,
  writeCheckpoint,
} from "../helpers/checkpoints.js";
import { safetensorsFile, tempDir, type TensorSpec } from "../helpers/safetensors.js";
import type { SafetensorsFile } from "../../src/formats/safetensors/read.js";

const tmp = tempDir("inspect-index-check-");
afterAll(tmp.cleanup);
let n = 0;
const fresh = (label: string) => path.join(tmp.dir, `${label}-${n++}`);

const MODEL = SMALL_MODEL;
const SHARDS = SMALL_SHARDS;

/** A checkpoint without the digests only the fast path computes. */
function comparable(cp: Checkpoint) {
  return {
    ...cp,
    files: cp.files.map((f) => {
      if (f.format !== "safetensors" || !f.header) return f;
      const { nameDigest: _digest, ...header } = f.header;
      return { ...f, header };
    }),
  };
}

/** Loads `dir` both ways and checks they agree; returns the fast path's checkpoint. */
async function bothWays(dir: string): Promise<Checkpoint> {
  const fast = await loadCheckpoint(dir);
  const map = await loadCheckpoint(dir, { indexDigests: false });
  expect(comparable(fast)).toEqual(comparable(map));
  return fast;
}

const codes = (cp: Checkpoint) =>
  [...cp.findings, ...cp.files.flatMap((f) => f.findings)].map((f) => f.code);

type Case = [string, (dir: string) => void, string[]];

const CASES: Case[] = [
  ["a consistent checkpoint", (dir) => writeCheckpoint(dir, { shards: SHARDS }), []],
  [
    "a missing shard and one truncated in its header",
    (dir) => {
      const { files } = writeCheckpoint(dir, { shards: SHARDS });
      writeFileSync(files[0]!, readFileSync(files[0]!).subarray(0, 40));
      rmSync(files[1]!);
    },
    ["SHARD_MISSING", "INVALID_HEADER_LENGTH"],
  ],
  [
    "a tensor the index lists but its shard lacks",
    (dir) =>
      writeCheckpoint(dir, {
        shards: SHARDS,
        index: (ix) => (ix.weight_map["model.ghost.weight"] = shardName(0, 3)),
      }),
    ["TENSOR_MISSING_FROM_SHARD"],
  ],
  [
    "an index pointing at the wrong shard",
    (dir) =>
      writeCheckpoint(dir, {
        shards: SHARDS,
        index: (ix) => (ix.weight_map[SHARDS[2]![0]!.name] = shardName(0, 3)),
      }),
    ["TENSOR_MISSING_FROM_SHARD"],
  ],
  [
    "a tensor stored in two shards",
    (dir) => {
      const shards = SHARDS.map((s) => [...s]);
      shards[2]!.push(SHARDS[0]![0]!);
      writeCheckpoint(dir, { shards });
    },
    ["TENSOR_IN_TWO_SHARDS"],
  ],
  [
    "a shard tensor the index does not list",
    (dir) =>
      writeCheckpoint(dir, {
        shards: SHARDS,
        index: (ix) => delete ix.weight_map[SHARDS[1]![0]!.name],
      }),
    ["TENSOR_NOT_IN_INDEX"],
  ],
  [
    "a swap of two tensors between shards, counts unchanged",
    (dir) =>
      writeCheckpoint(dir, {
        shards: SHARDS,
        index: (ix) => {
          ix.weight_map[SHARDS[0]![0]!.name] = shardName(1, 3);
          ix.weight_map[SHARDS[1]![0]!.name] = shardName(0, 3);
        },
      }),
    ["TENSOR_MISSING_FROM_SHARD", "TENSOR_MISSING_FROM_SHARD"],
  ],
  [
    "a wrong total_size",
    (dir) => writeCheckpoint(dir, { shards: SHARDS, index: (ix) => (ix.metadata.total_size = 1) }),
    ["TOTAL_SIZE_MISMATCH"],
  ],
  [
    "an unsafe shard name",
    (dir) =>
      writeCheckpoint(dir, {
        shards: SHARDS,
        index: (ix) => (ix.weight_map[SHARDS[0]![0]!.name] = "../escape.safetensors"),
      }),
    ["SHARD_NAME_UNSAFE"],
  ],
  [
    "shards in a subfolder",
    (dir) => {
      mkdirSync(path.join(dir, "weights"), { recursive: true });
      writeCheckpoint(dir, {
        shards: SHARDS,
        names: SHARDS.map((_, i) => `weights/${shardName(i, 3)}`),
      });
    },
    [],
  ],
  [
    "-of-N disagreeing with the shards present",
    (dir) => writeCheckpoint(dir, { shards: SHARDS, names: SHARDS.map((_, i) => shardName(i, 5)) }),
    ["SHARD_COUNT_MISMATCH"],
  ],
  [
    "a consolidated copy beside the shards",
    (dir) => {
      writeCheckpoint(dir, { shards: SHARDS });
      writeFileSync(
        path.join(dir, "consolidated.safetensors"),
        safetensorsFile(MODEL, { metadata: { format: "pt" } }),
      );
    },
    ["UNREFERENCED_WEIGHTS"],
  ],
  [
    "shards whose __metadata__ differ",
    (dir) => {
      writeCheckpoint(dir, { shards: SHARDS });
      writeFileSync(
        path.join(dir, shardName(1, 3)),
        safetensorsFile(SHARDS[1]!, { metadata: { format: "pt", extra: "1" } }),
      );
    },
    ["SHARD_METADATA_DIFFERS"],
  ],
  [
    "an index listing a tensor twice, in the same shard",
    (dir) => {
      writeCheckpoint(dir, { shards: SHARDS });
      const name = SHARDS[0]![0]!.name;
      const file = path.join(dir, "model.safetensors.index.json");
      const text = readFileSync(file, "utf8").replace(
        `"${name}": "${shardName(0, 3)}"`,
        `"${name}": "${shardName(0, 3)}", "${name}": "${shardName(0, 3)}"`,
      );
      writeFileSync(file, text);
    },
    ["INDEX_INVALID"],
  ],
  [
    "an index listing a tensor twice, in two shards that both hold it",
    (dir) => {
      const shards = SHARDS.map((s) => [...s]);
      shards[1]!.push(SHARDS[0]![0]!);
      writeCheckpoint(dir, { shards });
      const name = SHARDS[0]![0]!.name;
      const file = path.join(dir, "model.safetensors.index.json");
      const text = readFileSync(file, "utf8").replace(
        '"weight_map": {',
        `"weight_map": {\n    "${name}": "${shardName(0, 3)}",`,
      );
      writeFileSync(file, text);
    },
    ["INDEX_INVALID", "TENSOR_IN_TWO_SHARDS"],
  ],
  [
    "an index spelling names with escapes",
    (dir) => {
      writeCheckpoint(dir, { shards: SHARDS });
      const file = path.join(dir, "model.safetensors.index.json");
      writeFileSync(file, readFileSync(file, "utf8").replace(/_/g, "\\u005f"));
    },
    [],
  ],
  [
    "a shard holding a tensor twice in its header",
    (dir) => {
      const { files } = writeCheckpoint(dir, { shards: SHARDS });
      const header = JSON.stringify({
        __metadata__: { format: "pt" },
        [SHARDS[1]![0]!.name]: { dtype: "BF16", shape: [64, 64], data_offsets: [0, 8192] },
      }).replace(
        /}$/,
        `,"${SHARDS[1]![0]!.name}":{"dtype":"BF16","shape":[64,64],"data_offsets":[0,8192]}}`,
      );
      const prefix = Buffer.alloc(8);
      prefix.writeBigUInt64LE(BigInt(header.length));
      writeFileSync(files[1]!, Buffer.concat([prefix, Buffer.from(header), Buffer.alloc(8192)]));
    },
    ["DUPLICATE_TENSOR", "TENSOR_MISSING_FROM_SHARD"],
  ],
  [
    "a shard with a malformed entry",
    (dir) => {
      const { files } = writeCheckpoint(dir, { shards: SHARDS });
      const bytes = readFileSync(files[2]!);
      writeFileSync(
        files[2]!,
        Buffer.from(bytes.toString("latin1").replace('"BF16"', '"BF17"'), "latin1"),
      );
    },
    ["DTYPE_UNKNOWN"],
  ],
];

describe("digests and the map agree", () => {
  it.each(CASES)("on %s", async (_what, make, expected) => {
    const dir = fresh("case");
    make(dir);
    const cp = await bothWays(dir);
    for (const code of expected) expect(codes(cp)).toContain(code);
    if (expected.length === 0) expect(cp.findings.filter((f) => f.severity !== "info")).toEqual([]);
  });

  it("on the index file given as the target", async () => {
    const dir = fresh("via-index");
    writeCheckpoint(dir, {
      shards: SHARDS,
      index: (ix) => (ix.weight_map["model.ghost.weight"] = shardName(0, 3)),
    });
    const target = path.join(dir, "model.safetensors.index.json");
    const fast = await loadCheckpoint(target);
    expect(comparable(fast)).toEqual(
      comparable(await loadCheckpoint(target, { indexDigests: false })),
    );
    expect(codes(fast)).toContain("TENSOR_MISSING_FROM_SHARD");
  });
});

describe("a checkpoint large enough for blocking reads", () => {
  // 24,000 tensors in 4 shards: an index above SHARD_SYNC_MIN_INDEX_BYTES.
  const tensors: TensorSpec[] = Array.from({ length: 24_000 }, (_, i) => ({
    name: `model.layers.${i >> 8}.mlp.experts.${i & 255}.gate_proj.weight`,
    dtype: i % 3 === 0 ? "F32" : "U8",
    shape: [2, i % 5],
  }));
  const shards = splitEvenly(tensors, 4);

  it("is read the same both ways, consistent or not", async () => {
    const dir = fresh("large");
    writeCheckpoint(dir, { shards });
    const indexBytes = readFileSync(path.join(dir, "model.safetensors.index.json")).length;
    expect(indexBytes).toBeGreaterThanOrEqual(SHARD_SYNC_MIN_INDEX_BYTES);
    const ok = await bothWays(dir);
    expect(ok.files).toHaveLength(4);
    expect(ok.index?.tensorCount).toBe(24_000);
    expect((ok.files[0] as SafetensorsFile).header!.nameDigest?.count).toBe(6000);
    expect(ok.findings.filter((f) => f.severity !== "info")).toEqual([]);

    const broken = fresh("large-broken");
    writeCheckpoint(broken, {
      shards,
      index: (ix) => {
        ix.weight_map[tensors[5]!.name] = shardName(3, 4);
        ix.weight_map["model.ghost.weight"] = shardName(2, 4);
      },
    });
    rmSync(path.join(broken, shardName(1, 4)));
    mkdirSync(path.join(broken, shardName(1, 4)));
    const cp = await bothWays(broken);
    expect(codes(cp)).toEqual(
      expect.arrayContaining(["SHARD_MISSING", "TENSOR_MISSING_FROM_SHARD"]),
    );
    expect(cp.findings.find((f) => f.code === "SHARD_MISSING")!.message).toBe(
      `${shardName(1, 4)} cannot be read: is a directory`,
    );
  });
});
