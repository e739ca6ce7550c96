// Issue 13, "must not hang, crash or grow" and "the terminal": each case through the built CLI,
// on inputs generated once for the file. Time limits are vitest's (no timed assertions); memory is
// measured inside the child.

import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checksumsFile, longName, manyShards, manyTensors } from "../helpers/big-inputs.js";
import { BIN, inspect } from "../helpers/cli.js";
import { inspectWithRss } from "../helpers/rss.js";
import { canonicalHeader, safetensorsFile, tempDir, writeSparse } from "../helpers/safetensors.js";

const t = tempDir("inspect-bounds-");
const at = (name: string) => path.join(t.dir, name);
afterAll(() => t.cleanup());

beforeAll(() => {
  manyTensors(at("t1m.safetensors"), 1_000_000);
  manyTensors(at("t20k.safetensors"), 20_000);
  manyTensors(at("t40k.safetensors"), 40_000);
  manyShards(at("shards160k"), 160_000);
  checksumsFile(at("bad1m.sha256"), 1_000_000, "bad");
  // A folder whose checksums file lists 50,000 files missing from it (and not its weights).
  mkdirSync(at("ck50k"));
  manyTensors(at("ck50k/model.safetensors"), 10);
  checksumsFile(at("ck50k/SHA256SUMS"), 50_000, "missing");
  longName(at("name5m.safetensors"), 5_000_000);
  longName(at("attn1m.safetensors"), 1_000_000, "attn");
  longName(at("name30m.safetensors"), 30_000_000);
}, 120_000);

// Every character class that can change what a terminal shows (issue 13, item 16).
const UNSAFE_RAW =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]|\udb40[\udc00-\udc7f]/u;

interface JsonFinding {
  code: string;
  message: string;
}
const codes = (doc: { findings: JsonFinding[] }, code: string) =>
  doc.findings.filter((f) => f.code === code);

describe("no stack overflow on huge arrays (item 5)", () => {
  it("an index naming 160,000 shards: a report with capped findings", { timeout: 120_000 }, () => {
    const r = inspect(["--json", at("shards160k")]);
    expect(r.stderr).not.toContain("internal error");
    expect(r.status).toBe(1);
    const missing = codes(JSON.parse(r.stdout), "SHARD_MISSING");
    expect(missing).toHaveLength(21);
    expect(missing[20]!.message).toBe("159,980 more SHARD_MISSING findings not listed");
  });

  it("a checksums file of a million bad lines", { timeout: 120_000 }, () => {
    const r = inspect(["--json", "--checksums", at("bad1m.sha256"), at("t20k.safetensors")]);
    expect(r.stderr).not.toContain("internal error");
    expect(r.status).toBe(2);
    const [unusable] = codes(JSON.parse(r.stdout), "CHECKSUMS_UNREADABLE");
    expect(unusable!.message).toMatch(/nothing to check: none of its 1,000,000 lines can be used/);
  });

  it("--tensors on a valid file of 1,000,000 tensors", { timeout: 120_000 }, () => {
    const r = inspect(["--tensors", at("t1m.safetensors")]);
    expect(r.stderr).not.toContain("internal error");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Tensors: 1,000,000 in 1,000,000 rows");
    expect(r.stdout).toContain("… 999,000 more rows; --json lists every tensor");
  });
});

describe("tables render in linear time, capped (item 6)", () => {
  for (const [file, n] of [
    ["t20k.safetensors", 20_000],
    ["t40k.safetensors", 40_000],
  ] as const) {
    it(`--tensors with ${n} unique names shows the first 1,000 rows`, { timeout: 60_000 }, () => {
      const r = inspect(["--tensors", at(file)]);
      expect(r.status).toBe(0);
      const rows = r.stdout.split("\n").filter((l) => /^ {2}t\d{7} /.test(l));
      expect(rows).toHaveLength(1000);
      expect(rows[999]).toMatch(/^ {2}t0000999 +U8 +\[1\] +1 +1$/);
      expect(r.stdout).toContain(`… ${(n - 1000).toLocaleString("en-US")} more rows`);
    });
  }

  it("50,000 missing checksum names", { timeout: 120_000 }, () => {
    const r = inspect(["--checksums", at("ck50k/SHA256SUMS"), at("ck50k")]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/Verification {2}50,001 files/);
    // The weights file first, then 999 of the names listed.
    expect(r.stdout.split("\n").filter((l) => /^ {2}missing-t\d{7} /.test(l))).toHaveLength(999);
    expect(r.stdout).toContain("… 49,001 more files; --json lists every file");
  });
});

describe("--filter globs in linear time (item 7)", () => {
  it("*attn*weight on a 1 MB name", { timeout: 60_000 }, () => {
    const r = inspect(["--json", "--filter", "*attn*weight", at("attn1m.safetensors")]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).tensors).toEqual([]);
    const hit = inspect(["--json", "--filter", "*a*t*t*n*", at("attn1m.safetensors")]);
    expect(JSON.parse(hit.stdout).tensors).toHaveLength(1);
  });

  it("a malformed pattern is a usage error", { timeout: 30_000 }, () => {
    const r = inspect(["--filter", "[z-a]", at("t20k.safetensors")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^inspect: --filter \[z-a\]: the range z-a runs backwards/);
    expect(r.stderr).not.toContain("internal error");
  });
});

describe("a closed output pipe stops the work (item 8)", () => {
  // Hashing 1 TB of holes would take minutes: the vitest limit fails a run that does not stop.
  beforeAll(() => {
    const { header, dataBytes } = canonicalHeader([
      { name: "w", dtype: "U8", shape: [1_000_000_000_000] },
    ]);
    writeSparse(at("huge.safetensors"), header, dataBytes);
  });
  const piped = (args: string[], reader: string) =>
    spawnSync(
      "bash",
      [
        "-c",
        `set -o pipefail; "${process.execPath}" "${BIN}" ${args.map((a) => `"${a}"`).join(" ")} | ${reader}`,
      ],
      { encoding: "utf8" },
    );

  it(
    "`--verify small huge | head -1` stops hashing once head has gone, quietly, 141",
    { timeout: 60_000 },
    () => {
      const r = piped(["--verify", at("t20k.safetensors"), at("huge.safetensors")], "head -1");
      expect(r.stderr).toBe("");
      expect(r.stdout.split("\n")).toHaveLength(2);
      expect(r.status).toBe(141);
    },
  );

  it(
    "a reader that never reads and leaves: the first target's hashing stops",
    { timeout: 60_000 },
    () => {
      const r = piped(["--json", "--verify", at("huge.safetensors")], "(sleep 1; exec true)");
      expect(r.stderr).toBe("");
      expect(r.status).toBe(141);
    },
  );
});

describe("memory bounded by the input's size (item 9)", () => {
  const MB = 1_000_000;
  it("--json --tensors on a 30 MB single-name header", { timeout: 60_000 }, () => {
    // Was 687 MB (every level of the document copied the name); now about 150 MB.
    const r = inspectWithRss(["--json", "--tensors", at("name30m.safetensors")]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.tensors[0].name).toBe("a".repeat(30 * MB));
    expect(doc.largestTensors[0].name).toBe(doc.tensors[0].name);
    expect(r.maxRssBytes).toBeLessThan(8 * 30 * MB);
  });

  it("a checksums file of a million bad lines (27 MB)", { timeout: 60_000 }, () => {
    // Was 556 MB (a finding per line); now about 180 MB.
    const r = inspectWithRss(["--json", "--checksums", at("bad1m.sha256"), at("t20k.safetensors")]);
    expect(r.stderr).not.toContain("internal error");
    expect(r.maxRssBytes).toBeLessThan(12 * 27 * MB);
  });
});

describe("the terminal (item 16)", () => {
  const evil =
    "a\u001b]0;x\u0007b\u007fc\u009bd\u00ade\u061cf\u200eg\u202eh\u2066i\u200bj\u2060k\ufeffl\u{e0041}m";
  const shown =
    "a\\x1b]0;x\\x07b\\x7fc\\x9bd\\xade\\u061cf\\u200eg\\u202eh\\u2066i\\u200bj\\u2060k\\ufeffl\\u{e0041}m";
  // The same text as `shown`, written literally: it must not look like the escaped name.
  const literal = "lit\\x1b";

  beforeAll(() => {
    writeFileSync(
      at("evil.safetensors"),
      safetensorsFile(
        [
          { name: evil, dtype: "F32", shape: [2] },
          { name: literal, dtype: "F32", shape: [2] },
        ],
        { metadata: { format: "pt", ["k" + evil]: evil } },
      ),
    );
  });

  it("escapes every class in the table, and a backslash as \\\\", { timeout: 30_000 }, () => {
    for (const args of [["--tensors"], ["--tensors", "--color"]]) {
      const r = inspect([...args, at("evil.safetensors")]);
      expect(r.status).toBe(0);
      expect(r.stdout.replace(/\u001b\[[0-9;]*m/g, "")).not.toMatch(UNSAFE_RAW);
      expect(r.stdout).toContain(shown);
      expect(r.stdout).toContain(`k${shown}=${shown}`);
      expect(r.stdout).toContain("lit\\\\x1b");
    }
  });

  it("writes them as \\u escapes in --json: the same values", { timeout: 30_000 }, () => {
    const r = inspect(["--json", "--tensors", at("evil.safetensors")]);
    expect(r.stdout).not.toMatch(UNSAFE_RAW);
    const doc = JSON.parse(r.stdout);
    expect(doc.tensors.map((x: { name: string }) => x.name).sort()).toEqual([evil, literal].sort());
    expect(doc.metadata["k" + evil]).toBe(evil);
  });

  it("escapes option values echoed in usage errors", { timeout: 30_000 }, () => {
    const value = "x\u001b]0;owned\u0007\u202ey";
    for (const option of ["--gpu", "--kv-dtype", "--memory", "--sha256", "--filter"]) {
      const arg = option === "--filter" ? `[${value}` + "{" : value;
      const r = inspect([option, arg, at("evil.safetensors")]);
      expect(r.status, option).toBe(2);
      expect(r.stderr, option).not.toMatch(UNSAFE_RAW);
      expect(r.stderr, option).toContain("x\\x1b]0;owned\\x07\\u202ey");
    }
    const unknown = inspect([`--x${value}`]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).not.toMatch(UNSAFE_RAW);
  });

  it("cuts an absurdly long name with a visible marker", { timeout: 60_000 }, () => {
    const r = inspect(["--tensors", at("name5m.safetensors")]);
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBeLessThan(10_000);
    expect(r.stdout).toContain("a".repeat(256) + "…[4,999,744 more characters]");
  });
});
