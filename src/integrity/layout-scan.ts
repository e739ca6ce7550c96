// Follows a file's blocks, in order, through its tensors: each block is cut at tensor boundaries
// and each piece fed to one value scanner, so a tensor may span any number of blocks and a block
// any number of tensors. Bytes outside every tensor (prefix, header) are skipped.

import { ValueScan } from "../formats/safetensors/values.js";
import type { ScanCounts, ScanLayout } from "./protocol.js";

export class LayoutScan {
  private readonly counts: ScanCounts;
  private readonly scan: ValueScan;
  /** The tensor the next byte may belong to. */
  private next = 0;
  private started = false;
  /** End of what has been fed, to check the blocks arrive in order. */
  private fed = 0;

  constructor(private readonly layout: ScanLayout) {
    const n = layout.dtypes.length;
    this.counts = {
      nan: new Float64Array(n),
      inf: new Float64Array(n),
      invalidBool: new Float64Array(n),
      nonZero: new Uint8Array(n),
      complete: new Uint8Array(n),
    };
    this.scan = new ValueScan(n > 0 ? layout.dtypes[0]! : 0);
  }

  /** The bytes at file offset `at`, which must be where the previous block ended. */
  feed(at: number, block: Uint8Array): void {
    if (at !== this.fed) throw new Error(`blocks out of order: ${at} after ${this.fed}`);
    const end = at + block.length;
    this.fed = end;
    const { begins, ends, dtypes } = this.layout;
    const n = dtypes.length;
    while (this.next < n) {
      const t = this.next;
      const b = begins[t]!;
      const e = ends[t]!;
      if (b >= end && !(b === e && b === end)) break;
      if (!this.started) {
        this.scan.reset(dtypes[t]!);
        this.started = true;
      }
      const from = Math.max(b, at);
      const to = Math.min(e, end);
      if (to > from) this.scan.update(block.subarray(from - at, to - at));
      if (e > end) break;
      this.close(t, true);
    }
  }

  /** At the end of the file (or where reading stopped): what was not reached stays incomplete. */
  finish(): ScanCounts {
    const { begins, ends, dtypes } = this.layout;
    for (; this.next < dtypes.length;) {
      const t = this.next;
      // An empty tensor exactly at the end of the data is complete without a byte.
      if (begins[t] === ends[t] && ends[t]! <= this.fed) {
        this.scan.reset(dtypes[t]!);
        this.started = true;
        this.close(t, true);
      } else if (this.started) {
        this.close(t, false);
      } else {
        this.next++;
      }
    }
    return this.counts;
  }

  private close(t: number, complete: boolean): void {
    const c = this.counts;
    const s = this.scan;
    c.nan[t] = s.nan;
    c.inf[t] = s.inf;
    c.invalidBool[t] = s.invalidBool;
    c.nonZero[t] = s.nonZero ? 1 : 0;
    c.complete[t] = complete && s.pending === 0 ? 1 : 0;
    this.started = false;
    this.next = t + 1;
  }
}
