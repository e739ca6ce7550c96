// The CLI end to end, through the built bin: exit codes, streams, colour, pipes, escaping.

import { spawnSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ANSI, BIN, FIXTURE, inspect } from "../helpers/cli.js";
import { assertSchema } from "../helpers/schema.js";
import {
  canonicalHeader,
  rawFile,
  safetensorsFile,
  tempDir,
  writeSparse,
} from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
const file = (name: string, bytes: Buffer) => {
  const p = path.join(tmp.dir, name);
  writeFileSync(p, bytes);
  return p;
};

describe("a valid file", () => {
  it("prints a table and exits 0", () => {
    const r = inspect([FIXTURE]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("139,584");
    expect(r.stdout).toMatch(/tensors\s+21/);
    expect(r.stdout).toContain("BF16");
    expect(r.stdout).toContain("laptop");
  });

  it("prints exactly one JSON document matching the schema with --json", () => {
    const r = inspect(["--json", FIXTURE]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0]!);
    assertSchema(doc);
    expect(doc.ok).toBe(true);
    expect(doc.target).toBe(FIXTURE);
    expect(doc.tensorCount).toBe(21);
    expect(doc.parameters.total).toBe(139_584);
    expect(doc.bytes.total).toBe(statSync(FIXTURE).size);
    expect(doc.bytes.tensors).toBe(279_168);
    expect(doc.metadata).toEqual({ format: "pt" });
    expect(doc.hardware.tier).toBe("laptop");
    expect(doc).not.toHaveProperty("tensors");
  });

  it("lists tensors in offset order with --tensors --json, narrowed by --filter", () => {
    const all = JSON.parse(inspect(["--json", "--tensors", FIXTURE]).stdout);
    assertSchema(all);
    expect(all.tensors).toHaveLength(21);
    const begins = all.tensors.map((t: { offsets: number[] }) => t.offsets[0]);
    expect(begins).toEqual([...begins].sort((a: number, b: number) => a - b));
    expect(all.tensors[0]).toEqual({
      name: "lm_head.weight",
      dtype: "BF16",
      shape: [512, 64],
      parameters: 32768,
      bytes: 65536,
      offsets: [0, 65536],
    });
    const some = JSON.parse(
      inspect(["--json", "--filter", "model.layers.{0,1}.mlp.*_proj.weight", FIXTURE]).stdout,
    );
    expect(some.tensors.map((t: { name: string }) => t.name)).toHaveLength(6);
    expect(some.parameters.total).toBe(139_584); // the filter narrows the list, not the totals
  });

  it("lists tensors in the table with --tensors", () => {
    const r = inspect(["--tensors", "--filter", "*embed*", FIXTURE]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("model.embed_tokens.weight");
    expect(r.stdout).toContain("[512, 64]");
    expect(r.stdout).not.toContain("lm_head.weight");
  });
});

describe("colour", () => {
  it("is off when piped, on with --color or FORCE_COLOR, off again with NO_COLOR or --no-color or --json", () => {
    expect(inspect([FIXTURE]).stdout).not.toMatch(ANSI);
    expect(inspect(["--color", FIXTURE]).stdout).toMatch(ANSI);
    expect(inspect([FIXTURE], { env: { FORCE_COLOR: "1" } }).stdout).toMatch(ANSI);
    expect(inspect([FIXTURE], { env: { FORCE_COLOR: "1", NO_COLOR: "1" } }).stdout).not.toMatch(
      ANSI,
    );
    expect(inspect(["--no-color", FIXTURE], { env: { FORCE_COLOR: "1" } }).stdout).not.toMatch(
      ANSI,
    );
    expect(inspect(["--json", "--color", FIXTURE]).stdout).not.toMatch(ANSI);
  });
});

describe("untrusted names", () => {
  const evil = "evil\u001b]0;pwned\u0007\u001b[31mred\u202eolleh";
  const p = file(
    "evil.safetensors",
    safetensorsFile([{ name: evil, dtype: "F32", shape: [2] }], { metadata: { format: "pt" } }),
  );

  it("are escaped in the table, even with colour on", () => {
    for (const args of [
      ["--tensors", p],
      ["--tensors", "--color", p],
    ]) {
      const r = inspect(args);
      expect(r.status).toBe(0);
      expect(r.stdout).not.toContain("\u0007");
      expect(r.stdout).not.toContain("\u202e");
      expect(r.stdout).not.toContain("\u001b]");
      expect(r.stdout).toContain("evil\\x1b]0;pwned\\x07\\x1b[31mred\\u202eolleh");
    }
  });

  it("stay exact in JSON", () => {
    const doc = JSON.parse(inspect(["--json", "--tensors", p]).stdout);
    expect(doc.tensors[0].name).toBe(evil);
    expect(doc.findings.map((f: { code: string }) => f.code)).toContain("NAME_CONTROL_CHARACTERS");
  });
});

describe("pipes", () => {
  // Enough tensors that the listing exceeds the 64 KiB pipe buffer, so the writer meets EPIPE.
  const many = Array.from({ length: 4000 }, (_, i) => ({
    name: `layer.${i}.weight`,
    dtype: "F16",
    shape: [4],
  }));
  const p = file("many.safetensors", safetensorsFile(many, { metadata: { format: "pt" } }));

  it("`| head -1` ends quietly with status 0", () => {
    for (const flag of ["--tensors", "--json"]) {
      const r = spawnSync(
        "bash",
        [
          "-c",
          `set -o pipefail; "${process.execPath}" "${BIN}" ${flag} --tensors "${p}" | head -1`,
        ],
        {
          encoding: "utf8",
        },
      );
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout.split("\n")).toHaveLength(2);
    }
  });
});

describe("standard input", () => {
  it("reads `-` and says the size could not be checked", () => {
    const r = inspect(["--json", "-"], { input: readFileSync(FIXTURE) });
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    assertSchema(doc);
    expect(doc.target).toBe("-");
    expect(doc.files[0].path).toBe("<stdin>");
    expect(doc.files[0].sizeChecked).toBe(false);
    expect(doc.bytes.total).toBe(statSync(FIXTURE).size);
    expect(doc.parameters.total).toBe(139_584);
    expect(doc.findings.map((f: { code: string }) => f.code)).toContain("SIZE_UNCHECKED");
  });

  it("reads a pipe when no target is given", () => {
    const r = inspect(["--json"], { input: readFileSync(FIXTURE) });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).tensorCount).toBe(21);
  });

  it("checks the size when stdin is a redirected file", () => {
    const truncated = file("cut.safetensors", readFileSync(FIXTURE).subarray(0, 100_000));
    const r = spawnSync("bash", ["-c", `"${process.execPath}" "${BIN}" --json < "${truncated}"`], {
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.files[0].sizeChecked).toBe(true);
    expect(doc.findings.map((f: { code: string }) => f.code)).toContain("FILE_TRUNCATED");
  });

  it("is a usage error when there is no target and stdin is not a pipe", () => {
    const r = inspect([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^inspect: no target given/);
  });
});

describe("exit codes and errors", () => {
  it("2 for a missing target, with one line on stderr", () => {
    const missing = path.join(tmp.dir, "nope.safetensors");
    const r = inspect([missing]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`inspect: ${missing}: no such file or directory [TARGET_NOT_FOUND]\n`);
    const j = inspect(["--json", missing]);
    expect(j.status).toBe(2);
    const doc = JSON.parse(j.stdout);
    assertSchema(doc);
    expect(doc.ok).toBe(false);
    expect(doc.findings[0].code).toBe("TARGET_NOT_FOUND");
  });

  it("2 for a directory without weights", () => {
    const d = path.join(tmp.dir, "empty-dir");
    mkdirSync(d, { recursive: true });
    const r = inspect([d]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("[TARGET_NO_WEIGHTS]");
  });

  it("2 for an unknown option, with a suggestion", () => {
    const r = inspect(["--jsno", FIXTURE]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^inspect: unknown option '--jsno'/);
    expect(r.stderr).toContain("--json");
  });

  it("0 for --help and --version", () => {
    expect(inspect(["--help"]).status).toBe(0);
    expect(inspect(["--help"]).stdout).toContain("Exit status");
    expect(inspect(["--version"]).stdout.trim()).toBe(
      JSON.parse(readFileSync("package.json", "utf8")).version,
    );
  });

  it("1 for a corrupt file: one line per error on stderr, no stack trace, JSON still printed", () => {
    const { header, dataBytes } = canonicalHeader([{ name: "w", dtype: "F32", shape: [4, 4] }], {
      metadata: { format: "pt" },
    });
    const p = file("truncated.safetensors", rawFile(header, dataBytes - 10n));
    const r = inspect([p]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^inspect: ${p.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: file is truncated: .*10 bytes missing.*\\[FILE_TRUNCATED\\]\\n$`,
      ),
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const j = inspect(["--json", p]);
    expect(j.status).toBe(1);
    const doc = JSON.parse(j.stdout);
    assertSchema(doc);
    expect(doc.ok).toBe(false);
    expect(doc.tensorCount).toBe(1);
  });

  it("1 with a JSON document for a file that cannot be parsed at all", () => {
    const p = file(
      "lfs.safetensors",
      Buffer.from(
        "version https://git-lfs.github.com/spec/v1\noid sha256:" +
          "ab".repeat(32) +
          "\nsize 16060522496\n",
      ),
    );
    const r = inspect(["--json", p]);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout);
    assertSchema(doc);
    expect(doc.ok).toBe(false);
    expect(doc.hardware).toBeNull();
    expect(doc.findings[0].code).toBe("LFS_POINTER");
    expect(r.stderr).toContain("never downloaded");
  });

  it("--strict turns warnings into errors", () => {
    const p = file("ws.safetensors", rawFile('  {"__metadata__":{"format":"pt"}}'));
    expect(inspect([p]).status).toBe(0);
    const r = inspect(["--strict", "--json", p]);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    expect(
      doc.findings.find((f: { code: string }) => f.code === "LEADING_WHITESPACE").severity,
    ).toBe("error");
  });

  it("reports several targets one after another; the worst status wins", () => {
    const missing = path.join(tmp.dir, "missing.safetensors");
    const r = inspect(["--json", FIXTURE, missing, FIXTURE]);
    expect(r.status).toBe(2);
    const docs = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(docs.map((d) => d.ok)).toEqual([true, false, true]);
    const t = inspect([FIXTURE, FIXTURE]);
    expect(t.status).toBe(0);
    expect(t.stdout.match(/parameters +139,584/g)).toHaveLength(2);
  });
});

describe("a sparse file of 700 GB apparent size", () => {
  // 700 GB of BF16 in 1 GiB-ish tensors, written as a header plus a hole.
  const tensors = Array.from({ length: 163 }, (_, i) => ({
    name: `blk.${i}.weight`,
    dtype: "BF16",
    shape: [65536, 32768],
  }));
  const { header, dataBytes } = canonicalHeader(tensors, { metadata: { format: "pt" } });
  const p = path.join(tmp.dir, "huge.safetensors");
  writeSparse(p, header, dataBytes);

  it("inspects exactly, reading only the header", () => {
    const size = BigInt(statSync(p).size);
    expect(size).toBe(8n + BigInt(header.length) + dataBytes);
    expect(size > 700_000_000_000n).toBe(true);
    const r = inspect(["--json", p]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    assertSchema(doc);
    expect(BigInt(doc.bytes.total)).toBe(size);
    expect(doc.parameters.total).toBe(163 * 65536 * 32768);
    expect(doc.hardware.tier).toBe("cluster");
  });
});
