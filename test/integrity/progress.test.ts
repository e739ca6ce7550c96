import { describe, expect, it } from "vitest";
import type { HashProgress } from "../../src/integrity/hash-pool.js";
import { progressLine, progressReporter } from "../../src/integrity/progress.js";

function fakeStream(isTTY: boolean, columns = 100) {
  const writes: string[] = [];
  return { isTTY, columns, writes, write: (s: string) => writes.push(s) };
}

const at = (done: number, active = ["dir/model-00001-of-00002.safetensors"]): HashProgress => ({
  bytesDone: BigInt(done),
  bytesTotal: 4_000_000_000n,
  filesDone: 0,
  filesTotal: 2,
  active,
});

describe("progress on stderr", () => {
  it("draws nothing when stderr is not a terminal", () => {
    const s = fakeStream(false);
    const p = progressReporter(s, { delayMs: 0, intervalMs: 0 });
    p.update(at(1));
    p.done();
    expect(s.writes).toEqual([]);
  });

  it("redraws one line at most every 100 ms after a delay, and erases it at the end", () => {
    const s = fakeStream(true);
    let t = 0;
    const p = progressReporter(s, { now: () => t });
    t = 100;
    p.update(at(100_000_000)); // within the first 500 ms: nothing
    expect(s.writes).toEqual([]);
    t = 1000;
    p.update(at(1_000_000_000));
    t = 1050;
    p.update(at(1_050_000_000)); // throttled
    t = 1100;
    p.update(at(1_100_000_000, ["a", "b\u001b[2J"]));
    p.done();
    p.done();
    expect(s.writes).toEqual([
      "\r\x1b[Kverifying  1.00 / 4.00 GB  25 %  1.00 GB/s  0:03 left  model-00001-of-00002.safetensors",
      "\r\x1b[Kverifying  1.10 / 4.00 GB  27 %  1.00 GB/s  0:03 left  a +1",
      "\r\x1b[K",
    ]);
    p.update(at(2));
    expect(s.writes).toHaveLength(3);
  });

  it("never wraps, and escapes control characters in file names", () => {
    const s = fakeStream(true, 40);
    const p = progressReporter(s, { delayMs: 0, intervalMs: 0, now: () => 1 });
    p.update(at(0, ["x\u001b]0;title\u0007.safetensors"]));
    expect(Array.from(s.writes[0]!.slice(4))).toHaveLength(39);
    expect(progressLine("scanning", at(0, ["x\u202e\u001b.bin"]), 0)).toBe(
      "scanning  0.00 / 4.00 GB  0 %  x\\u202e\\x1b.bin",
    );
    expect(progressLine("verifying", at(2_000_000_000), 4000)).toContain("0.00 GB/s  1:06:40 left");
  });

  it("erases nothing when nothing was drawn", () => {
    const s = fakeStream(true);
    const p = progressReporter(s, { now: () => 0 });
    p.update(at(1));
    p.done();
    expect(s.writes).toEqual([]);
  });
});
