import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/inspection.js";
import { readSafetensors } from "../../src/formats/safetensors/read.js";
import { PLAIN } from "../../src/report/style.js";
import { renderTable } from "../../src/report/table.js";
import { rawFile, safetensorsFile } from "../helpers/safetensors.js";
import { MemorySource } from "../helpers/memory-source.js";

async function table(bytes: Buffer, tensors = false) {
  const file = await readSafetensors(new MemorySource(bytes, { name: "t.safetensors" }));
  return renderTable(
    buildReport({ target: "t.safetensors", kind: "file", files: [file], findings: [] }),
    {
      tensors,
      style: PLAIN,
    },
  );
}

describe("table", () => {
  it("shows the summary with grouped numbers, sizes in GB, and the dtype breakdown", async () => {
    const out = await table(
      safetensorsFile(
        [
          { name: "w", dtype: "BF16", shape: [1024, 1024] },
          { name: "b", dtype: "F32", shape: [1024] },
        ],
        { metadata: { format: "pt" } },
      ),
    );
    expect(out).toMatch(/^t\.safetensors {2}ok$/m);
    expect(out).toMatch(/parameters +1,049,600 \(1\.05 M\)/);
    expect(out).toMatch(/tensor data 2\.10 MB/);
    expect(out).toMatch(/BF16 +1 +1,048,576 +2,097,152 +99\.81 %/);
    expect(out).toMatch(/F32 +1 +1,024 +4,096 +0\.19 %/);
    // Two bare tensors, no config.json: not a language model, so the memory to hold them only.
    expect(out).toMatch(/Memory {2}2\.10 MB to hold the weights/);
  });

  it("escapes control characters in names, metadata and findings", async () => {
    const name = "x\u001b[2Jy";
    const header = `{"__metadata__":{"k\\u001b]0;t\\u0007":"v\\u009b"},${JSON.stringify(name)}:{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`;
    const out = await table(rawFile(header, 1), true);
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(out).toContain("x\\x1b[2Jy");
    expect(out).toContain("k\\x1b]0;t\\x07=v\\x9b");
  });

  it("lists findings with their code and hint", async () => {
    const out = await table(rawFile('{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}', 2));
    expect(out).toMatch(/^t\.safetensors {2}1 error$/m);
    expect(out).toMatch(/error +FILE_TRUNCATED +file is truncated/);
    expect(out).toMatch(/hint: the download stopped at/);
  });
});
