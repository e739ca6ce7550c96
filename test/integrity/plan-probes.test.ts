// A checksums file may list a million files inside a folder target, most of them not there: each
// listed file is looked at once, not once per source of expected digests. The file-system calls
// are counted per path (no timing): a plan that probed each absent file several times, or held
// an error per file, fails here at a size that runs in a blink.

import type * as Fs from "node:fs";
import type * as FsPromises from "node:fs/promises";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { planVerification } from "../../src/integrity/plan.js";
import { verifyFiles } from "../../src/integrity/verify.js";
import { tempDir } from "../helpers/safetensors.js";
import { sha256 } from "./files.js";

// Hoisted with the mocks below, which run before this module's own lines.
const { calls, wrap } = vi.hoisted(() => {
  const calls = new Map<string, number>();
  /** `f`, counting its calls by name and first argument (the path). */
  const wrap =
    <A extends unknown[], R>(name: string, f: (...a: A) => R) =>
    (...a: A): R => {
      const key = `${name} ${String(a[0])}`;
      calls.set(key, (calls.get(key) ?? 0) + 1);
      return f(...a);
    };
  return { calls, wrap };
});

vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  return {
    ...fs,
    default: fs,
    stat: wrap("stat", fs.stat),
    lstat: wrap("lstat", fs.lstat),
    realpath: wrap("realpath", fs.realpath),
    open: wrap("open", fs.open),
    readlink: wrap("readlink", fs.readlink),
  };
});

vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof Fs>();
  return {
    ...fs,
    default: fs,
    statSync: wrap("statSync", fs.statSync),
    openSync: wrap("openSync", fs.openSync),
  };
});

const tmp = tempDir("inspect-probes-");
afterAll(() => tmp.cleanup());
beforeEach(() => calls.clear());

const ABSENT = 2_000;
const PRESENT = 3;

describe("a checksums file listing many files of a folder target", () => {
  it("looks at each absent file once, and reports every one missing", async () => {
    const dir = join(tmp.dir, "folder");
    mkdirSync(join(dir, "sub"), { recursive: true });
    const lines: string[] = [];
    for (let i = 0; i < PRESENT; i++) {
      const body = `present ${i}\n`;
      writeFileSync(join(dir, "sub", `here-${i}.txt`), body);
      lines.push(`${sha256(Buffer.from(body))}  sub/here-${i}.txt`);
    }
    for (let i = 0; i < ABSENT; i++) lines.push(`${"0".repeat(64)}  sub/gone-${i}.bin`);
    const list = join(dir, "SHA256SUMS");
    writeFileSync(list, lines.join("\n") + "\n");

    const plan = await planVerification([], { checksums: list, root: dir });
    const outcome = await verifyFiles(plan.files);

    const files = outcome.verification.files;
    expect(files.filter((f) => f.status === "missing")).toHaveLength(ABSENT);
    expect(files.filter((f) => f.status === "match")).toHaveLength(PRESENT);
    const missing = outcome.findings.filter((f) => f.code === "VERIFY_FILE_MISSING");
    expect(missing).toHaveLength(21); // 20 and a count
    expect(missing[20]!.omitted).toBe(ABSENT - 20);

    // Every call that named an absent file: one stat that throws nothing, and nothing else.
    const perAbsent = new Map<string, string[]>();
    for (const [key, n] of calls) {
      const m = /^(\w+) .*\/(gone-\d+\.bin)$/.exec(key);
      if (!m) continue;
      const list = perAbsent.get(m[2]!) ?? [];
      for (let k = 0; k < n; k++) list.push(m[1]!);
      perAbsent.set(m[2]!, list);
    }
    expect(perAbsent.size).toBe(ABSENT);
    const shapes = new Set([...perAbsent.values()].map((l) => l.sort().join(",")));
    expect([...shapes]).toEqual(["statSync"]);
  });
});
