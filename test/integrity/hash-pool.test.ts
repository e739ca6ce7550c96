import { existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runHashJobs, type HashProgress } from "../../src/integrity/hash-pool.js";
import { hashWorkerLocation } from "../../src/integrity/worker-location.js";
import { tempDir } from "../helpers/safetensors.js";
import { gitBlobId, sha256 } from "./files.js";

const tmp = tempDir("inspect-hash-");
afterAll(() => tmp.cleanup());

const DIST = join(process.cwd(), "dist");

function files(sizes: number[]) {
  return sizes.map((n, k) => {
    const path = join(tmp.dir, `f${k}-${n}.bin`);
    const bytes = Buffer.alloc(n);
    for (let i = 0; i < n; i++) bytes[i] = (i * 131 + k) & 0xff;
    writeFileSync(path, bytes);
    return { path, bytes };
  });
}

/** Bytes this process (all its threads) has read so far, from Linux's /proc; undefined elsewhere. */
function bytesReadByProcess(): number | undefined {
  try {
    return Number(/^rchar: (\d+)$/m.exec(readFileSync("/proc/self/io", "utf8"))?.[1]);
  } catch {
    return undefined;
  }
}

describe("runHashJobs", () => {
  it("hashes several files at once, whatever the block size", async () => {
    const fs = files([0, 1, 7, 8, 1000, 70_001]);
    for (const blockSize of [8, 64, 4096, 1 << 20]) {
      const seen: HashProgress[] = [];
      const run = await runHashJobs(
        fs.map((f) => ({ path: f.path, gitSha1: true })),
        { blockSize, threads: 2, onProgress: (p) => seen.push(p) },
      );
      expect(run.interrupted).toBe(false);
      expect(run.results.map((r) => r.sha256)).toEqual(fs.map((f) => sha256(f.bytes)));
      expect(run.results.map((r) => r.gitSha1)).toEqual(fs.map((f) => gitBlobId(f.bytes)));
      expect(run.results.every((r) => r.state === "done" && r.bytesRead === r.size)).toBe(true);
      expect(run.bytesDone).toBe(71_017n);
      expect(run.bytesTotal).toBe(71_017n);
      expect(seen[0]!.filesTotal).toBe(6);
      // The largest file starts first.
      expect(seen[0]!.active[0]).toBe(fs[5]!.path);
    }
  });

  it("fails missing files and directories without stopping the others", async () => {
    const [ok] = files([100]);
    const dir = join(tmp.dir, "a-dir");
    mkdirSync(dir);
    const run = await runHashJobs([
      { path: join(tmp.dir, "missing.bin") },
      { path: ok!.path },
      { path: dir },
    ]);
    expect(run.results.map((r) => [r.state, r.errno])).toEqual([
      ["failed", "ENOENT"],
      ["done", undefined],
      ["failed", undefined],
    ]);
    expect(run.results[1]!.sha256).toBe(sha256(ok!.bytes));
  });

  it("refuses a block size that is not a multiple of 8", async () => {
    await expect(runHashJobs([], { blockSize: 12 })).rejects.toThrow(RangeError);
  });

  it("runs the bundled worker in dist/, found beside the CLI bundle", async () => {
    expect(existsSync(join(DIST, "hash-worker.js")), "npm run build first").toBe(true);
    const beside = hashWorkerLocation(pathToFileURL(join(DIST, "cli.cjs")).href);
    expect(beside.url.href).toBe(pathToFileURL(join(DIST, "hash-worker.js")).href);
    expect(() => hashWorkerLocation(pathToFileURL(join(tmp.dir, "x.js")).href)).toThrow(
      /hash-worker\.js not found/,
    );
    const fs = files([5000, 123]);
    const run = await runHashJobs(
      fs.map((f) => ({ path: f.path })),
      { worker: beside, blockSize: 512 },
    );
    expect(run.results.map((r) => r.sha256)).toEqual(fs.map((f) => sha256(f.bytes)));
  });

  it("gives up when the worker cannot load, rather than restarting it forever", async () => {
    const broken = join(tmp.dir, "broken-worker.mjs");
    writeFileSync(broken, 'throw new Error("cannot load");\n');
    const fs = files([10, 20, 30]);
    const run = await runHashJobs(
      fs.map((f) => ({ path: f.path })),
      { worker: { url: pathToFileURL(broken) }, threads: 2 },
    );
    expect(run.results.map((r) => r.state)).toEqual(["failed", "failed", "failed"]);
    expect(run.results[0]!.error).toContain("cannot load");
  });

  it.skipIf(bytesReadByProcess() === undefined)(
    "an abort reports exactly what was hashed, even before any periodic progress",
    async () => {
      const path = join(tmp.dir, "sparse-32g.bin");
      writeFileSync(path, "");
      truncateSync(path, 32 * 2 ** 30);
      const controller = new AbortController();
      const blockSize = 1 << 20;
      const before = bytesReadByProcess()!;
      // Abort once this process has read 8 MiB more: the worker has hashed several blocks, and
      // with periodic progress off it has said nothing yet.
      const poll = setInterval(() => {
        if (bytesReadByProcess()! - before >= 8 * blockSize) {
          clearInterval(poll);
          controller.abort();
        }
      }, 5);
      const run = await runHashJobs([{ path }], {
        blockSize,
        threads: 1,
        progressMs: 3_600_000,
        signal: controller.signal,
      });
      clearInterval(poll);
      expect(run.interrupted).toBe(true);
      const r = run.results[0]!;
      expect(r.state).toBe("interrupted");
      expect(r.bytesRead).toBeGreaterThan(0n);
      expect(r.bytesRead % BigInt(blockSize)).toBe(0n);
      expect(r.bytesRead).toBeLessThan(r.size!);
      expect(run.bytesDone).toBe(r.bytesRead);
    },
    30_000,
  );
});
