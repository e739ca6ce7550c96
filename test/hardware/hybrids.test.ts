// More layer layouts: Falcon-H1's parallel attention + Mamba-2 blocks, Bamba's attention indices,
// Granite-4 hybrid layer_types, and optional modules by name (a Qwen2-VL vision stack, Medusa
// heads, a Gemma 3n audio tower).

import { describe, expect, it } from "vitest";
import { loadedFor, remarkText } from "../../src/report/hardware-words.js";
import { buildReport } from "../../src/inspection.js";
import { kvLayout } from "../../src/hardware/kv-cache.js";
import { readModelConfig } from "../../src/model/model-config.js";
import { checkpointOf, dense, TINY, type Layout, type LayoutTensor } from "../helpers/layouts.js";

const layout = (raw: Record<string, unknown>) => kvLayout(readModelConfig(raw).config!)!;
const groups = (raw: Record<string, unknown>) =>
  layout(raw).groups.map((g) => [g.kind, g.count, g.stateBytes ?? g.elementsPerToken]);

describe("hybrid layouts", () => {
  it("Falcon-H1: every layer holds attention and a Mamba-2 mixer; both are charged", () => {
    // tiiuae/Falcon-H1-1.5B-Base-like: 24 layers, 2 KV heads × 128; Mamba-2 48 heads × 64,
    // d_state 256, 1 group, conv 4, inner 3,072 (mamba_d_ssm).
    const c = {
      model_type: "falcon_h1",
      num_hidden_layers: 24,
      hidden_size: 2048,
      num_attention_heads: 8,
      num_key_value_heads: 2,
      head_dim: 128,
      mamba_d_ssm: 3072,
      mamba_n_heads: 48,
      mamba_d_head: 64,
      mamba_d_state: 256,
      mamba_n_groups: 1,
      mamba_d_conv: 4,
    };
    const state = 2n * (3n * (3072n + 2n * 256n) + 48n * 64n * 256n);
    expect(groups(c)).toEqual([
      ["full-attention", 24, 2n * 2n * 128n],
      ["mamba2", 24, state],
    ]);
  });

  it("Bamba: attn_layer_indices name the attention layers; the rest are Mamba-2", () => {
    const c = {
      model_type: "bamba",
      num_hidden_layers: 32,
      hidden_size: 4096,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      attn_layer_indices: [9, 18, 27],
      mamba_n_heads: 128,
      mamba_d_head: 64,
      mamba_d_state: 128,
      mamba_n_groups: 1,
      mamba_d_conv: 4,
      mamba_expand: 2,
    };
    expect(groups(c).map(([k, n]) => [k, n])).toEqual([
      ["mamba2", 29],
      ["full-attention", 3],
    ]);
  });

  it("Granite-4 hybrids: layer_types mamba / attention", () => {
    const c = {
      model_type: "granitemoehybrid",
      num_hidden_layers: 4,
      hidden_size: 1536,
      num_attention_heads: 12,
      num_key_value_heads: 4,
      layer_types: ["mamba", "mamba", "mamba", "attention"],
      mamba_n_heads: 48,
      mamba_d_head: 64,
      mamba_d_state: 128,
      mamba_n_groups: 1,
      mamba_d_conv: 4,
    };
    expect(groups(c).map(([k, n]) => [k, n])).toEqual([
      ["mamba2", 3],
      ["full-attention", 1],
    ]);
  });

  it("a Mamba layer whose dimensions are missing is said, not guessed", () => {
    const l = layout({
      num_hidden_layers: 2,
      hidden_size: 256,
      num_attention_heads: 4,
      hybrid_override_pattern: "M*",
    });
    expect(l.groups.find((g) => g.kind === "mamba2")!.stateBytes).toBeUndefined();
    expect(l.remarks.map((r) => remarkText(r)).join("\n")).toContain("state size unknown");
  });
});

const t = (name: string, shape: number[]): LayoutTensor => ({
  name,
  dtype: "F16",
  shape: shape.map(BigInt),
});

/** TINY's dense model plus extra modules under their published names. */
function withExtras(extra: LayoutTensor[]): Layout {
  return {
    repo: "synthetic with extra modules",
    tensors: [...dense(TINY), ...extra],
    config: {},
    shards: 1,
  };
}

describe("optional modules by name", () => {
  it("Qwen2-VL's visual.blocks stack, Medusa heads and an audio tower are each named, out of active", () => {
    const l = withExtras([
      t("visual.blocks.0.attn.qkv.weight", [96, 32]),
      t("visual.blocks.1.attn.qkv.weight", [96, 32]),
      t("visual.merger.mlp.0.weight", [128, 32]),
      t("medusa_head.0.0.linear.weight", [128, 128]),
      t("model.audio_tower.layers.0.fc1.weight", [64, 32]),
    ]);
    const s = buildReport(
      checkpointOf(l, {
        config: {
          model_type: "llama",
          num_hidden_layers: TINY.layers,
          hidden_size: TINY.hidden,
          num_attention_heads: TINY.heads,
          num_key_value_heads: TINY.kvHeads,
        },
      }),
    );
    const mods = s.parameters.optional!.modules.map((m) => [m.kind, m.name, m.parameters]);
    expect(mods).toEqual([
      ["vision-tower", "visual.", 96n * 32n * 2n + 128n * 32n],
      ["draft-head", "medusa_head.", 128n * 128n],
      ["audio-tower", "model.audio_tower.", 64n * 32n],
    ]);
    const extra = 96n * 32n * 2n + 128n * 32n + 128n * 128n + 64n * 32n;
    expect(s.parameters.active).toBe(s.parameters.total - extra);
    expect(s.architecture!.layers).toBe(TINY.layers);
    expect(s.hardware!.optional.map((o) => loadedFor(o.kind))).toEqual([
      "image input",
      "speculative decoding",
      "audio input",
    ]);
  });
});
