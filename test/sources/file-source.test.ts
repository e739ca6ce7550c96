// FileSource: sizes as BigInt, positional reads that stop at the end, sparse files of any size,
// and every way a path can fail to be a readable regular file.

import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, writeFileSync, constants } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InspectError } from "../../src/core/errors.js";
import { readSafetensors } from "../../src/formats/safetensors/read.js";
import { FileSource, openError, readError } from "../../src/sources/file-source.js";
import { canonicalHeader, rawFile, tempDir, writeSparse } from "../helpers/safetensors.js";

let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempDir("inspect-file-source-"));
});
afterAll(() => cleanup());

async function openFails(path: string): Promise<InspectError> {
  const e: unknown = await FileSource.open(path).then(
    (s) => s.close().then(() => undefined),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(InspectError);
  return e as InspectError;
}

describe("reading", () => {
  it("reports the size as a BigInt and the name as given", async () => {
    const path = join(dir, "ten.bin");
    writeFileSync(path, Buffer.from("0123456789"));
    const src = await FileSource.open(path);
    try {
      expect(src.size).toBe(10n);
      expect(src.name).toBe(path);
    } finally {
      await src.close();
    }
    const named = await FileSource.open(path, "shard-1.safetensors");
    expect(named.name).toBe("shard-1.safetensors");
    await named.close();
  });

  it("reads at an offset, short at the end, and empty past it", async () => {
    const path = join(dir, "read.bin");
    writeFileSync(path, Buffer.from("0123456789"));
    const src = await FileSource.open(path);
    try {
      expect((await src.read(2n, 3)).toString()).toBe("234");
      expect((await src.read(7n, 10)).toString()).toBe("789");
      expect((await src.read(10n, 4)).length).toBe(0);
      expect((await src.read(1000n, 4)).length).toBe(0);
      expect((await src.read(0n, 0)).length).toBe(0);
    } finally {
      await src.close();
    }
  });

  it("reads a large range in full", async () => {
    const path = join(dir, "big.bin");
    const data = Buffer.alloc(3 << 20);
    for (let i = 0; i < data.length; i += 4096) data[i] = (i >> 12) & 0xff;
    writeFileSync(path, data);
    const src = await FileSource.open(path);
    try {
      const got = await src.read(0n, data.length);
      expect(got.length).toBe(data.length);
      expect(got.equals(data)).toBe(true);
    } finally {
      await src.close();
    }
  });

  it("handles sparse files beyond 4 GiB exactly", async () => {
    const path = join(dir, "sparse.bin");
    const fd = openSync(path, "w");
    closeSync(fd);
    writeSparse(path, "{}", 0n, 6n * 1024n ** 3n);
    const src = await FileSource.open(path);
    try {
      expect(src.size).toBe(8n + 2n + 6n * 1024n ** 3n);
      const at = 5n * 1024n ** 3n + 3n;
      expect([...(await src.read(at, 4))]).toEqual([0, 0, 0, 0]);
      expect((await src.read(src.size - 2n, 8)).length).toBe(2);
    } finally {
      await src.close();
    }
  });

  it("turns a failed read into TARGET_UNREADABLE naming the byte", async () => {
    const path = join(dir, "closed.bin");
    writeFileSync(path, "abc");
    const src = await FileSource.open(path);
    await src.close();
    const e: unknown = await src.read(1n, 2).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(InspectError);
    expect((e as InspectError).code).toBe("TARGET_UNREADABLE");
    expect((e as InspectError).message).toMatch(/^read failed at byte 1 \(E[A-Z_]+\)$/);
    expect((e as InspectError).detail.offset).toBe(1n);
  });
});

describe("safetensors files on disk", () => {
  it("validates a sparse 6 GB file from its header alone", async () => {
    const path = join(dir, "model.safetensors");
    const { header, dataBytes } = canonicalHeader(
      [
        { name: "embed", dtype: "BF16", shape: [131072, 16384] },
        { name: "head", dtype: "F32", shape: [16384, 16384] },
      ],
      { metadata: { format: "pt" } },
    );
    expect(dataBytes).toBeGreaterThan(4n * 1024n ** 3n);
    writeSparse(path, header, dataBytes);
    const src = await FileSource.open(path);
    try {
      const file = await readSafetensors(src);
      expect(file.findings).toEqual([]);
      expect(file.fileBytes).toBe(8n + BigInt(header.length) + dataBytes);
      expect(file.dataBytes).toBe(dataBytes);
    } finally {
      await src.close();
    }
  });

  it("finds a truncated and an over-long file by size", async () => {
    const { header, dataBytes } = canonicalHeader([{ name: "w", dtype: "F32", shape: [1 << 20] }]);
    const short = join(dir, "short.safetensors");
    writeSparse(short, header, dataBytes - 1000n);
    const long = join(dir, "long.safetensors");
    writeSparse(long, header, dataBytes, 7n);
    for (const [path, code, fragment] of [
      [short, "FILE_TRUNCATED", "(1,000 bytes missing)"],
      [long, "TRAILING_BYTES", "7 bytes follow the last tensor"],
    ] as const) {
      const src = await FileSource.open(path);
      try {
        const file = await readSafetensors(src);
        const errors = file.findings.filter((f) => f.severity === "error");
        expect(errors.map((f) => f.code)).toEqual([code]);
        expect(errors[0]!.message).toContain(fragment);
        expect(errors[0]!.file).toBe(path);
      } finally {
        await src.close();
      }
    }
  });

  it("reads a file written by the raw builder", async () => {
    const path = join(dir, "raw.safetensors");
    writeFileSync(path, rawFile('{"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}}', 3));
    const src = await FileSource.open(path, "raw");
    try {
      const file = await readSafetensors(src);
      expect(file.findings.filter((f) => f.severity === "error")).toEqual([]);
      expect(file.header?.tensors.names).toEqual(["a"]);
      expect(file.findings.every((f) => f.file === "raw")).toBe(true);
    } finally {
      await src.close();
    }
  });
});

describe("targets that are not readable regular files", () => {
  it("reports a missing file as TARGET_NOT_FOUND", async () => {
    const e = await openFails(join(dir, "nope.safetensors"));
    expect(e.code).toBe("TARGET_NOT_FOUND");
    expect(e.message).toBe("no such file or directory");
  });

  it("reports a path through a file as TARGET_NOT_FOUND (ENOTDIR)", async () => {
    const path = join(dir, "plain.txt");
    writeFileSync(path, "x");
    expect((await openFails(join(path, "model.safetensors"))).code).toBe("TARGET_NOT_FOUND");
  });

  it("reports a directory as TARGET_IS_DIRECTORY", async () => {
    const sub = join(dir, "folder");
    mkdirSync(sub);
    const e = await openFails(sub);
    expect(e.code).toBe("TARGET_IS_DIRECTORY");
    expect(e.message).toBe("is a directory");
  });

  it("reports a character device as TARGET_UNSUPPORTED", async () => {
    const e = await openFails("/dev/null");
    expect(e.code).toBe("TARGET_UNSUPPORTED");
    expect(e.message).toContain("not a regular file");
  });

  it("reports a FIFO as TARGET_UNSUPPORTED without waiting for a writer", async () => {
    const fifo = join(dir, "pipe.safetensors");
    execFileSync("mkfifo", [fifo]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), 2000);
    });
    try {
      const result = await Promise.race([openFails(fifo), timeout]);
      expect(result, "FileSource.open blocked on a FIFO with no writer").not.toBe("timeout");
      expect((result as InspectError).code).toBe("TARGET_UNSUPPORTED");
    } finally {
      clearTimeout(timer);
      // Release an open() that might still wait for a writer, so the worker can exit.
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // No reader waiting: nothing to release.
      }
    }
  });

  it.skipIf(process.getuid?.() === 0)(
    "reports an unreadable file as TARGET_UNREADABLE",
    async () => {
      const path = join(dir, "secret.safetensors");
      writeFileSync(path, "x", { mode: 0o000 });
      const e = await openFails(path);
      expect(e.code).toBe("TARGET_UNREADABLE");
      expect(e.message).toBe("permission denied");
    },
  );
});

describe("error mapping", () => {
  const err = (code: string) => Object.assign(new Error(code), { code });

  it("maps open errors by errno", () => {
    expect(openError(err("ENOENT"))).toMatchObject({ code: "TARGET_NOT_FOUND" });
    expect(openError(err("ENOTDIR"))).toMatchObject({ code: "TARGET_NOT_FOUND" });
    expect(openError(err("EISDIR"))).toMatchObject({ code: "TARGET_IS_DIRECTORY" });
    expect(openError(err("EACCES"))).toMatchObject({
      code: "TARGET_UNREADABLE",
      message: "permission denied",
    });
    expect(openError(err("EPERM"))).toMatchObject({
      code: "TARGET_UNREADABLE",
      message: "permission denied",
    });
    expect(openError(err("EMFILE"))).toMatchObject({
      code: "TARGET_UNREADABLE",
      message: "cannot open (EMFILE)",
    });
  });

  it("maps read errors with the offset", () => {
    const e = readError(err("EIO"), 4096n);
    expect(e.code).toBe("TARGET_UNREADABLE");
    expect(e.message).toBe("read failed at byte 4096 (EIO)");
    expect(e.detail.offset).toBe(4096n);
  });
});
