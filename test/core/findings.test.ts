import { describe, expect, it } from "vitest";
import { finding, mergeAcrossFiles } from "../../src/core/findings.js";

describe("mergeAcrossFiles", () => {
  it("keeps one finding per identical message across files, at its first place, with the count", () => {
    const list = [
      finding("MIN_READER_VERSION", "needs safetensors ≥ 0.4.1", { file: "a" }),
      finding("FILE_TRUNCATED", "file is truncated", { file: "b", offset: 10n }),
      finding("MIN_READER_VERSION", "needs safetensors ≥ 0.4.1", { file: "b" }),
      finding("METADATA_ABSENT", "no __metadata__", { file: "c" }),
      finding("MIN_READER_VERSION", "needs safetensors ≥ 0.4.1", { file: "c" }),
    ];
    expect(mergeAcrossFiles(list)).toEqual([
      {
        severity: "info",
        code: "MIN_READER_VERSION",
        message: "needs safetensors ≥ 0.4.1 (in 3 files)",
      },
      list[1],
      list[3],
    ]);
    // Of how many files read: all of them, or some.
    expect(mergeAcrossFiles(list, 3)[0]!.message).toBe("needs safetensors ≥ 0.4.1 (in 3 files)");
    expect(mergeAcrossFiles(list, 1_163)[0]!.message).toBe(
      "needs safetensors ≥ 0.4.1 (in 3 of 1,163 files)",
    );
  });

  it("never merges findings about a tensor or an offset, nor different messages", () => {
    const list = [
      finding("TENSOR_SIZE_MISMATCH", "tensor `w` is wrong", { file: "a", tensor: "w" }),
      finding("TENSOR_SIZE_MISMATCH", "tensor `w` is wrong", { file: "b", tensor: "w" }),
      finding("METADATA_FORMAT", "no format", { file: "a" }),
      finding("METADATA_FORMAT", "format is tf", { file: "b" }),
    ];
    expect(mergeAcrossFiles(list)).toEqual(list);
  });
});
