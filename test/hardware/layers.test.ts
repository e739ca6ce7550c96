// The per-layer memory model on published checkpoints whose layers differ: a Mamba-2 hybrid
// (Nemotron-H), linear attention (Qwen3-Next), chunked attention (Llama 4 Scout), a sliding
// pattern the config leaves out (Gemma 3) and alternating windows (gpt-oss). Every expected
// figure is derived by hand below from the published dimensions (docs/memory-model.md).

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadedFor, notesOf, remarkText } from "../../src/report/hardware-words.js";
import { readModelConfig } from "../../src/model/model-config.js";
import { buildReport } from "../../src/inspection.js";
import type { Report as Summary } from "../../src/report/report.js";
import { readConfig } from "../../src/checkpoint/config-file.js";
import { LocalStore } from "../../src/store/local.js";

const localStore = new LocalStore();
import { kvLayout } from "../../src/hardware/kv-cache.js";
import { checkpointOf, gptOss, type Layout } from "../helpers/layouts.js";
import {
  gemma3_27b,
  llama4Scout,
  nemotronNano9bV2,
  NEMOTRON_NANO_9B_V2_CONFIG,
  pythonJson,
  qwen3Next80b,
} from "../helpers/layouts-hybrid.js";

const K4 = 4096n;
const K32 = 32768n;

/** Σ product(shape) over the layout: what `total` must be for plain BF16/F32 tensors. */
const elements = (l: Layout) =>
  l.tensors.reduce((a, x) => a + x.shape.reduce((p, d) => p * d, 1n), 0n);

function at(layout: Layout, context: bigint): Summary {
  return buildReport(checkpointOf(layout), { hardware: { context: Number(context) } });
}
const kv = (s: Summary) => s.hardware!.breakdown.kvCache;
const layers = (s: Summary) =>
  Object.fromEntries(s.hardware!.breakdown.layers!.map((g) => [g.kind, g]));
const within = (value: bigint, reference: number, share: number) =>
  Math.abs(Number(value) / reference - 1) <= share;

describe("Nemotron-H (NVIDIA-Nemotron-Nano-9B-v2): 27 Mamba-2 + 4 attention layers", () => {
  const layout = nemotronNano9bV2();
  // Attention: 4 layers × 2 (K, V) × 8 KV heads × 128 × 2 bytes = 16,384 B per token.
  const attention = (ctx: bigint) => 4n * 2n * 8n * 128n * 2n * ctx;
  // Mamba-2 state per layer (vLLM's mamba2_state_shape), 2 bytes each:
  //   conv (4 − 1) × (128 × 80 + 2 × 8 × 128) = 36,864; SSM 128 heads × 80 × 128 = 1,310,720.
  const state = 27n * 2n * (3n * (128n * 80n + 2n * 8n * 128n) + 128n * 80n * 128n);

  it("counts every parameter; the hybrid pattern decides which layers cache", () => {
    const s = at(layout, K4);
    expect(s.parameters.total).toBe(elements(layout));
    expect(within(s.parameters.total, 8.89e9, 0.03)).toBe(true);
    expect(layers(s)).toMatchObject({
      mamba2: { count: 27, fixedBytes: state },
      "full-attention": { count: 4, bytesPerToken: 16_384n },
      "no-cache": { count: 25 },
    });
  });

  it("KV cache at 4 k and 32 k tokens against the hand-derived figures", () => {
    expect(state).toBe(72_769_536n);
    expect(kv(at(layout, K4))).toBe(attention(K4) + state); // 139,878,400
    expect(kv(at(layout, K32))).toBe(attention(K32) + state); // 609,640,448
  });

  it("the recurrent state does not grow with the context", () => {
    const a = layers(at(layout, K4))["mamba2"]!;
    const b = layers(at(layout, 1_000_000n))["mamba2"]!;
    expect(a.bytes).toBe(state);
    expect(b.bytes).toBe(state);
    expect(kv(at(layout, K32)) - kv(at(layout, K4))).toBe(attention(K32 - K4));
  });

  it("reads config.json as Python wrote it (a bare Infinity), with a note", async () => {
    const text = pythonJson(NEMOTRON_NANO_9B_V2_CONFIG);
    expect(text).toContain("Infinity\n");
    expect(() => JSON.parse(text)).toThrow();
    const dir = await mkdtemp(path.join(os.tmpdir(), "inspect-nemotron-"));
    try {
      await writeFile(path.join(dir, "config.json"), text);
      const read = await readConfig(localStore, dir);
      expect(read.findings).toEqual([
        expect.objectContaining({ code: "CONFIG_PYTHON_JSON", severity: "info" }),
      ]);
      expect(read.findings[0]!.message).toContain("time_step_limit[1]");
      const config = readModelConfig(read.config).config!;
      expect(config.hybridOverridePattern).toBe(
        NEMOTRON_NANO_9B_V2_CONFIG["hybrid_override_pattern"],
      );
      const s = buildReport(checkpointOf(layout, { config: read.config }));
      expect(kv(s)).toBe(attention(K4) + state);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it("honours mamba_ssm_cache_dtype for the SSM part of the state", () => {
    const c = readModelConfig({
      ...NEMOTRON_NANO_9B_V2_CONFIG,
      mamba_ssm_cache_dtype: "float32",
    }).config!;
    const g = kvLayout(c)!.groups.find((x) => x.kind === "mamba2")!;
    expect(g.stateBytes).toBe(2n * 3n * (10240n + 2048n) + 4n * 128n * 80n * 128n);
  });
});

describe("Qwen3-Next-80B-A3B: 36 Gated DeltaNet + 12 full-attention layers", () => {
  const layout = qwen3Next80b();
  // Full attention: 12 layers × 2 × 2 KV heads × head_dim 256 × 2 bytes = 24,576 B per token.
  const attention = (ctx: bigint) => 12n * 2n * 2n * 256n * 2n * ctx;
  // Gated DeltaNet per layer: conv (4 − 1) × (2 × 16 × 128 + 32 × 128) = 24,576;
  // recurrent 32 value heads × 128 × 128 = 524,288; 2 bytes each.
  const state = 36n * 2n * (3n * (2n * 16n * 128n + 32n * 128n) + 32n * 128n * 128n);

  it("counts the MTP block (mtp.layers.0) as optional, out of active", () => {
    const s = at(layout, K4);
    expect(s.parameters.total).toBe(elements(layout));
    const mtp = s.parameters.optional!.modules;
    expect(mtp.map((m) => [m.kind, m.name])).toEqual([["multi-token-prediction", "mtp."]]);
    expect(within(s.parameters.optional!.parameters, 1.6e9, 0.05)).toBe(true);
    expect(within(s.parameters.active!, 3.9e9, 0.03)).toBe(true);
    expect(within(s.parameters.total, 81.3e9, 0.03)).toBe(true);
  });

  it("KV cache at 4 k and 32 k tokens against the hand-derived figures", () => {
    expect(state).toBe(39_518_208n);
    expect(kv(at(layout, K4))).toBe(attention(K4) + state);
    expect(kv(at(layout, K32))).toBe(attention(K32) + state);
    expect(layers(at(layout, K32))).toMatchObject({
      "gated-deltanet": { count: 36, fixedBytes: state, bytes: state },
      "full-attention": { count: 12, bytesPerToken: 24_576n },
    });
  });
});

describe("Llama-4-Scout-17B-16E: chunked attention (8,192) on 3 layers in 4", () => {
  const layout = llama4Scout();
  const perLayerToken = 2n * 8n * 128n * 2n; // 4,096 B

  it("reads the language model from text_config; the default NoPE interval makes 12 global layers", () => {
    const s = at(layout, K4);
    expect(s.parameters.total).toBe(elements(layout));
    expect(within(s.parameters.total, 109e9, 0.03)).toBe(true);
    expect(layers(s)).toMatchObject({
      "chunked-attention": { count: 36, window: 8192 },
      "full-attention": { count: 12 },
    });
  });

  it("caps the chunked layers at the chunk; vLLM's full-length allocation is given beside it", () => {
    const at4 = at(layout, K4);
    const at32 = at(layout, K32);
    expect(kv(at4)).toBe(48n * perLayerToken * K4); // below the chunk: every layer full
    expect(kv(at32)).toBe(12n * perLayerToken * K32 + 36n * perLayerToken * 8192n);
    const chunked = layers(at32)["chunked-attention"]!;
    expect(chunked.fullLengthBytes).toBe(36n * perLayerToken * K32);
    expect(notesOf(at32.hardware!).join("\n")).toContain("VLLM_ALLOW_CHUNKED_LOCAL_ATTN");
  });
});

describe("Gemma-3-27B: 5 sliding (1,024) to 1 global, the pattern left out of config.json", () => {
  const layout = gemma3_27b();
  const perLayerToken = 2n * 16n * 128n * 2n; // 8,192 B

  it("applies Gemma3TextConfig's default pattern of 6: layers 5, 11, … 59 global", () => {
    const s = at(layout, K4);
    expect(s.parameters.total).toBe(elements(layout));
    expect(within(s.parameters.total, 27.4e9, 0.03)).toBe(true);
    expect(layers(s)).toMatchObject({
      "sliding-attention": { count: 52, window: 1024 },
      "full-attention": { count: 10 },
    });
    expect(notesOf(s.hardware!).join("\n")).toContain("gemma3_text's default");
  });

  it("KV cache at 4 k and 32 k tokens against the hand-derived figures", () => {
    const expected = (ctx: bigint) => 10n * perLayerToken * ctx + 52n * perLayerToken * 1024n;
    expect(kv(at(layout, K4))).toBe(expected(K4)); // 771,751,936
    expect(kv(at(layout, K32))).toBe(expected(K32)); // 3,120,562,176
  });
});

describe("gpt-oss-20b: 128-token windows on every other layer, attention sinks", () => {
  const layout = gptOss();
  const perLayerToken = 2n * 8n * 64n * 2n; // 2,048 B

  it("KV cache at 4 k and 32 k tokens against the hand-derived figures", () => {
    const expected = (ctx: bigint) => 12n * perLayerToken * ctx + 12n * perLayerToken * 128n;
    expect(kv(at(layout, K4))).toBe(expected(K4));
    expect(kv(at(layout, K32))).toBe(expected(K32));
    expect(notesOf(at(layout, K4).hardware!).join("\n")).toContain("attention sinks");
  });

  it("active: the card's 3.61 B leaves out the input embedding (a lookup), which inspect counts", () => {
    const s = at(layout, K4);
    const embedding = 201088n * 2880n;
    expect(within(s.parameters.active! - embedding, 3.61e9, 0.03)).toBe(true);
    expect(within(s.parameters.total, 20.91e9, 0.01)).toBe(true);
  });
});

describe("layer kinds from every config spelling", () => {
  const base = {
    hidden_size: 1024,
    num_attention_heads: 8,
    num_key_value_heads: 2,
    head_dim: 128,
  };
  const kinds = (raw: Record<string, unknown>) =>
    kvLayout(readModelConfig(raw).config!)!.groups.map((g) => [g.kind, g.count]);

  it("Jamba: attn_layer_period / attn_layer_offset, Mamba-1 state from expand × hidden", () => {
    const c = {
      ...base,
      model_type: "jamba",
      num_hidden_layers: 32,
      attn_layer_period: 8,
      attn_layer_offset: 4,
      mamba_d_state: 16,
      mamba_d_conv: 4,
      mamba_expand: 2,
    };
    expect(kinds(c)).toEqual([
      ["mamba", 28],
      ["full-attention", 4],
    ]);
    const g = kvLayout(readModelConfig(c).config!)!.groups[0]!;
    expect(g.stateBytes).toBe(2n * (3n * 2048n + 2048n * 16n));
  });

  it("layer_types with linear_attention means Gated DeltaNet beside linear_* dims", () => {
    expect(
      kinds({
        ...base,
        num_hidden_layers: 4,
        layer_types: ["linear_attention", "linear_attention", "linear_attention", "full_attention"],
        linear_num_key_heads: 4,
        linear_num_value_heads: 8,
        linear_key_head_dim: 64,
        linear_value_head_dim: 64,
        linear_conv_kernel_dim: 4,
      }),
    ).toEqual([
      ["gated-deltanet", 3],
      ["full-attention", 1],
    ]);
  });

  it("per-layer KV heads (OpenELM's num_kv_heads list)", () => {
    const c = readModelConfig({
      ...base,
      num_hidden_layers: 3,
      num_key_value_heads: undefined,
      num_kv_heads: [1, 2, 2],
    }).config!;
    const l = kvLayout(c)!;
    expect(l.groups.map((g) => [g.count, g.elementsPerToken])).toEqual([
      [1, 2n * 1n * 128n],
      [2, 2n * 2n * 128n],
    ]);
  });

  it("Gemma 2 and Cohere 2 defaults; an explicit pattern wins", () => {
    const w = { ...base, num_hidden_layers: 12, sliding_window: 4096 };
    expect(kinds({ ...w, model_type: "gemma2" })).toEqual([
      ["sliding-attention", 6],
      ["full-attention", 6],
    ]);
    expect(kinds({ ...w, model_type: "cohere2" })).toEqual([
      ["sliding-attention", 9],
      ["full-attention", 3],
    ]);
    expect(kinds({ ...w, model_type: "gemma2", sliding_window_pattern: 3 })).toEqual([
      ["sliding-attention", 8],
      ["full-attention", 4],
    ]);
  });

  it("an unknown layer type is charged as full attention, and said", () => {
    const l = kvLayout(
      readModelConfig({ ...base, num_hidden_layers: 2, layer_types: ["full_attention", "weird"] })
        .config!,
    )!;
    expect(l.groups).toEqual([
      { kind: "full-attention", count: 2, elementsPerToken: 512n, valueElements: 256n },
    ]);
    expect(l.remarks.map((r) => remarkText(r)).join("\n")).toContain('"weird" not known');
  });
});

describe("optional modules: vision towers and projectors, out of active and of the weights", () => {
  it("Gemma-3-27B: the SigLIP tower and projector are named, counted in total, left out of active", () => {
    const s = at(gemma3_27b(), K4);
    const mods = s.parameters.optional!.modules;
    expect(mods.map((m) => [m.kind, m.name])).toEqual([
      ["multimodal-projector", "multi_modal_projector."],
      ["vision-tower", "vision_tower."],
    ]);
    // SigLIP-So400m: 27 layers of 1,152 wide, about 0.42 B.
    expect(within(mods[1]!.parameters, 0.417e9, 0.01)).toBe(true);
    expect(s.parameters.active).toBe(s.parameters.total - s.parameters.optional!.parameters);
    expect(s.residentBytes).toBe(s.bytes.tensors - s.parameters.optional!.bytes);
    const hw = s.hardware!;
    expect(hw.breakdown.weights).toBe(s.residentBytes);
    expect(hw.optional.map((o) => loadedFor(o.kind))).toEqual([
      "image or audio input",
      "image input",
    ]);
    expect(notesOf(hw).join("\n")).toContain("keeps it resident");
    // The language model's layers are still the main stack: 62, not the tower's 27.
    expect(s.architecture!.layers).toBe(62);
  });

  it("Llama-4-Scout: 17 B active (the model card), the vision encoder out of it", () => {
    const s = at(llama4Scout(), K4);
    expect(s.parameters.optional!.modules.map((m) => m.kind)).toEqual([
      "multimodal-projector",
      "vision-tower",
    ]);
    expect(within(s.parameters.active!, 17e9, 0.03)).toBe(true);
    expect(s.moe).toMatchObject({ experts: 16, topK: 1, fused: true });
  });

  it("decode reads the active weights: Scout's per-token bytes are its active share, not all 16 experts", () => {
    const s = at(llama4Scout(), K4);
    const speed = s.hardware!.speed!;
    // 17.17 B active in BF16 less the 1.03 B input embedding: about 32.3 GB per token.
    expect(within(speed.weightBytesPerToken, 2 * (17.17e9 - 202048 * 5120), 0.01)).toBe(true);
    expect(speed.weightBytesPerToken < s.residentBytes / 3n).toBe(true);
    const h100 = s.hardware!.devices.find((d) => d.device === "h100")!;
    expect(h100).toMatchObject({ count: 4, fits: true, usable: true });
    expect(h100.decodeTokensPerSecond).toBeGreaterThan(5);
  });
});
