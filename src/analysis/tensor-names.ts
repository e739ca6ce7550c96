// Where a tensor sits in the model, from its name alone: its layer (`model.layers.12.…`,
// GPT-2's `transformer.h.12.…`) and, inside a mixture-of-experts layer, its expert
// (`….experts.7.…` routed, `….experts.gate_up_proj` fused, `….shared_experts.…` shared).
// One parser object is reused for every tensor: a million names cost no allocation here.

import { MAX_INDEX_DIGITS } from "../core/limits.js";

export const NOT_EXPERT = 0;
/** `.experts.{e}.`: routed expert e. */
export const ROUTED = 1;
/** `.experts.<name>`: all routed experts in one tensor, E as its first dimension. */
export const FUSED = 2;
/** `.shared_experts.` / `.shared_expert.`: always active. */
export const SHARED = 3;

export type ExpertKind = typeof NOT_EXPERT | typeof ROUTED | typeof FUSED | typeof SHARED;

const DOT = 0x2e;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/**
 * Segments that number the layers of a stack: `layers` (most), `h` (GPT-2), `blocks`, `layer`,
 * and GGUF's `blk` when it starts the name (`blk.12.attn_q.weight`).
 */
function isLayerWord(name: string, from: number, to: number): boolean {
  switch (to - from) {
    case 1:
      return name.charCodeAt(from) === 0x68; /* h */
    case 3:
      return from === 0 && name.startsWith("blk", 0);
    case 5:
      return name.startsWith("layer", from);
    case 6:
      return name.startsWith("layers", from) || name.startsWith("blocks", from);
    default:
      return false;
  }
}

/** Digits at `at` up to the next dot, or -1 (no digits, no dot after them, or too many). */
function indexAt(name: string, at: number): number {
  let v = 0;
  let j = at;
  while (j < name.length && isDigit(name.charCodeAt(j))) {
    if (j - at >= MAX_INDEX_DIGITS) return -1;
    v = v * 10 + (name.charCodeAt(j) - 0x30);
    j++;
  }
  return j > at && name.charCodeAt(j) === DOT ? v : -1;
}

export class NameParser {
  /** Length of the stack prefix (`model.layers.`): where the layer number starts; 0 = none. */
  stackEnd = 0;
  layer = -1;
  expertKind: ExpertKind = NOT_EXPERT;
  /** Routed expert id, or -1. */
  expert = -1;

  /** Parses `name`; true when it is in a numbered layer. */
  parse(name: string): boolean {
    this.stackEnd = 0;
    this.layer = -1;
    this.expertKind = NOT_EXPERT;
    this.expert = -1;
    let segment = 0;
    for (let i = name.indexOf("."); i >= 0; i = name.indexOf(".", i + 1)) {
      if (isDigit(name.charCodeAt(i + 1)) && isLayerWord(name, segment, i)) {
        const layer = indexAt(name, i + 1);
        if (layer >= 0) {
          this.stackEnd = i + 1;
          this.layer = layer;
          break;
        }
      }
      segment = i + 1;
    }
    if (this.stackEnd === 0) return false;
    const e = name.indexOf(".experts.", this.stackEnd);
    if (e >= 0) {
      const id = indexAt(name, e + 9);
      if (id >= 0) {
        this.expertKind = ROUTED;
        this.expert = id;
      } else this.expertKind = FUSED;
    } else if (name.indexOf("_exps.", this.stackEnd) >= 0) {
      // GGUF: all routed experts of a layer in one tensor, E as its outermost dimension.
      this.expertKind = FUSED;
    } else if (name.indexOf("_shexp.", this.stackEnd) >= 0) {
      this.expertKind = SHARED;
    } else {
      const s = name.indexOf(".shared_expert", this.stackEnd);
      if (s >= 0) {
        const after = name.charCodeAt(s + 14);
        if (after === DOT || (after === 0x73 /* s */ && name.charCodeAt(s + 15) === DOT))
          this.expertKind = SHARED;
      }
    }
    return true;
  }
}
