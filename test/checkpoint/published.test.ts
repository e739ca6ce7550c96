// Published checkpoints, rebuilt as sparse header-only files with their real tensor names, shapes,
// shard counts and configs, read end to end through the CLI and checked against published facts.

import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeLayout } from "../helpers/checkpoints.js";
import { inspect } from "../helpers/cli.js";
import {
  deepseekV3,
  llama31_70b,
  llama31_8b,
  mixtral8x7b,
  type Layout,
} from "../helpers/layouts.js";
import { tempDir } from "../helpers/safetensors.js";
import { assertSchema } from "../helpers/schema.js";

const tmp = tempDir("inspect-published-");
afterAll(tmp.cleanup);

function written(name: string, layout: Layout): string {
  const dir = path.join(tmp.dir, name);
  writeLayout(dir, layout);
  return dir;
}

function json(args: string[]) {
  const r = inspect(["--json", ...args]);
  const doc = JSON.parse(r.stdout);
  assertSchema(doc);
  return { status: r.status, doc, stderr: r.stderr };
}

describe("published checkpoints", () => {
  it("meta-llama/Llama-3.1-8B: 4 shards, 291 tensors, 8,030,261,248 parameters, 16,060,522,496 bytes", () => {
    const { status, doc } = json([written("llama-8b", llama31_8b())]);
    expect(status).toBe(0);
    expect(doc.checkpoint).toMatchObject({
      kind: "sharded",
      index: { shards: 4, tensorCount: 291, totalSize: 16_060_522_496 },
    });
    expect(doc.files).toHaveLength(4);
    expect(doc.tensorCount).toBe(291);
    expect(doc.parameters.total).toBe(8_030_261_248);
    expect(doc.bytes.tensors).toBe(16_060_522_496);
    expect(doc.architecture).toMatchObject({
      layers: 32,
      hiddenSize: 4096,
      attentionHeads: 32,
      kvHeads: 8,
    });
    expect(doc.hardware.assumptions.kvBytesPerToken).toBe(131_072);
    expect(doc.hardware.tier).toBe("laptop");
  });

  it("meta-llama/Llama-3.1-70B: 30 shards, 723 tensors, 70,553,706,496 parameters; layers collapse in the table", () => {
    const dir = written("llama-70b", llama31_70b());
    const { status, doc } = json([dir]);
    expect(status).toBe(0);
    expect(doc.files).toHaveLength(30);
    expect(doc.tensorCount).toBe(723);
    expect(doc.parameters.total).toBe(70_553_706_496);
    expect(doc.hardware.tier).toBe("single-server");
    const table = inspect(["--tensors", dir]).stdout;
    expect(table).toMatch(
      /model\.layers\.\{0\.\.79\}\.mlp\.up_proj\.weight +BF16 +\[28672, 8192\] +×80 +234,881,024 +18,790,481,920/,
    );
  });

  it("mistralai/Mixtral-8x7B-v0.1: 19 shards; 46,702,792,704 total, 12,879,925,248 active; fits 2 × H100", () => {
    const dir = written("mixtral", mixtral8x7b());
    const { status, doc } = json([dir, "--gpu", "h100", "--count", "2"]);
    expect(status).toBe(0);
    expect(doc.files).toHaveLength(19);
    expect(doc.parameters.total).toBe(46_702_792_704);
    expect(doc.parameters.active).toBe(12_879_925_248);
    expect(doc.moe).toMatchObject({ experts: 8, topK: 2 });
    expect(doc.bytes.tensors).toBe(93_405_585_408);
    expect(doc.hardware.fit).toMatchObject({ target: "2 × H100 80GB", devices: 2, fits: true });
    const one = json([dir, "--gpu", "h100", "--require-fit"]);
    expect(one.doc.hardware.fit.fits).toBe(false);
    expect(one.doc.ok).toBe(true);
    expect(one.status).toBe(3);
  });

  it("deepseek-ai/DeepSeek-V3: 163 shards of FP8 + scales; 684,489,845,504 with the MTP layer, active ≈ 37.6 B without", () => {
    const dir = written("deepseek-v3", deepseekV3());
    const { status, doc } = json([dir]);
    expect(status).toBe(0);
    expect(doc.files).toHaveLength(163);
    expect(doc.parameters.total).toBe(684_489_845_504);
    expect(doc.parameters.optional.parameters).toBe(13_463_426_304);
    expect(doc.parameters.total - doc.parameters.optional.parameters).toBe(671_026_419_200);
    expect(doc.parameters.stored).toBe(684_531_386_000);
    expect(Math.round(doc.parameters.active / 1e8) / 10).toBe(37.6);
    expect(doc.quantization.method).toBe("fp8");
    // Memory: the MTP layer is not resident; MLA cache 70,272 B/token; one 8 × H100 node is not enough.
    expect(doc.hardware.breakdown.weights).toBe(doc.bytes.tensors - doc.parameters.optional.bytes);
    expect(doc.hardware.assumptions.kvBytesPerToken).toBe(70_272);
    expect(doc.hardware.tier).toBe("cluster");
    expect(doc.hardware.cluster.singleNodeAlternatives).toContain("8 × H200 141GB");
    const h200 = json([dir, "--reference-server", "h200"]);
    expect(h200.doc.hardware.tier).toBe("single-server");
  });
});
