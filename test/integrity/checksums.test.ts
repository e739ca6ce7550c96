import { describe, expect, it } from "vitest";
import { parseChecksums } from "../../src/integrity/checksums.js";

const A = "a".repeat(64);
const B = "B".repeat(64);

describe("parseChecksums", () => {
  it("reads sha256sum text and binary lines, escaped names and the BSD tag form", () => {
    const text = [
      `${A}  model-00001-of-00002.safetensors`,
      `${B} *model-00002-of-00002.safetensors`,
      `${A}  name with  two spaces.bin`,
      `\\${A}  back\\\\slash\\nnewline`,
      `SHA256 (config.json) = ${A}`,
      `${A}  crlf.json\r`,
    ].join("\n");
    const { entries, problems } = parseChecksums(text + "\n");
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      { hex: A, name: "model-00001-of-00002.safetensors", line: 1 },
      { hex: B.toLowerCase(), name: "model-00002-of-00002.safetensors", line: 2 },
      { hex: A, name: "name with  two spaces.bin", line: 3 },
      { hex: A, name: "back\\slash\nnewline", line: 4 },
      { hex: A, name: "config.json", line: 5 },
      { hex: A, name: "crlf.json", line: 6 },
    ]);
  });

  it("skips comments and blank lines, and reports what it cannot read", () => {
    const text = [
      "# SHA-256 of the release",
      "",
      "   ",
      `${"c".repeat(40)}  sha1.bin`,
      `${A}model.bin`,
      "model.bin",
      `\\${A}  bad\\escape`,
      `${A}  ok.bin`,
    ].join("\n");
    const { entries, problems } = parseChecksums(text);
    expect(entries.map((e) => e.name)).toEqual(["ok.bin"]);
    expect(problems.map((p) => p.line)).toEqual([4, 5, 6, 7]);
    expect(problems[0]!.message).toContain("(SHA-1?)");
    expect(problems.every((p) => !p.conflict)).toBe(true);
  });

  it("keeps one digest per name: a repeat is fine, a different one a conflict", () => {
    const { entries, problems } = parseChecksums(`${A}  x\n${A}  x\n${B}  x\n`);
    expect(entries).toEqual([{ hex: A, name: "x", line: 1 }]);
    expect(problems).toEqual([
      { line: 3, message: expect.stringContaining("line 1's is checked"), conflict: true },
    ]);
  });
});
