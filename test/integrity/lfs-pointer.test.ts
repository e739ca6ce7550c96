import { describe, expect, it } from "vitest";
import { parseLfsPointer } from "../../src/integrity/lfs-pointer.js";

const OID = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";

describe("parseLfsPointer", () => {
  it("reads the canonical form, CRLF, extensions and the old version URL", () => {
    const canonical = `version https://git-lfs.github.com/spec/v1\noid sha256:${OID}\nsize 12345\n`;
    expect(parseLfsPointer(canonical)).toEqual({ oid: OID, size: 12345n });
    expect(parseLfsPointer(canonical.replaceAll("\n", "\r\n"))).toEqual({ oid: OID, size: 12345n });
    const ext = `version https://hawser.github.com/spec/v1\next-0-foo sha256:${OID}\noid sha256:${OID}\nsize 0`;
    expect(parseLfsPointer(ext)).toEqual({ oid: OID, size: 0n });
    const big = `version https://git-lfs.github.com/spec/v1\noid sha256:${OID}\nsize 140737488355328\n`;
    expect(parseLfsPointer(big)).toEqual({ oid: OID, size: 140737488355328n });
  });

  it("tells a malformed pointer from text that is not one", () => {
    expect(parseLfsPointer("hello")).toBeUndefined();
    expect(parseLfsPointer("version 1.0\n")).toBeUndefined();
    const v = "version https://git-lfs.github.com/spec/v1\n";
    expect(parseLfsPointer(`${v}size 3\n`)).toEqual({ problem: "no oid line" });
    expect(parseLfsPointer(`${v}oid sha256:${OID}\n`)).toEqual({ problem: "no size line" });
    expect(parseLfsPointer(`${v}oid md5:abc\nsize 3\n`)).toHaveProperty("problem");
    expect(parseLfsPointer(`${v}oid sha256:${OID.toUpperCase()}\nsize 3\n`)).toHaveProperty(
      "problem",
    );
    expect(parseLfsPointer(`${v}oid sha256:${OID}\nsize -3\n`)).toHaveProperty("problem");
    expect(parseLfsPointer(`version https://git-lfs.github.com/spec/v9\n`)).toHaveProperty(
      "problem",
    );
  });
});
