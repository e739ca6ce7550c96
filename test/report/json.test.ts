import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/inspection.js";
import type { Checkpoint } from "../../src/checkpoint/checkpoint.js";
import { ALL_CODES } from "../../src/core/codes.js";
import { readSafetensors } from "../../src/formats/safetensors/read.js";
import { jsonDocument, stringify } from "../../src/report/json.js";
import { rawFile } from "../helpers/safetensors.js";
import { assertSchema, SCHEMA } from "../helpers/schema.js";
import { MemorySource } from "../helpers/memory-source.js";

async function checkpointOf(bytes: Buffer, stream = false): Promise<Checkpoint> {
  const src = new MemorySource(bytes, { name: "m.safetensors", stream });
  return {
    target: "m.safetensors",
    kind: "file",
    files: [await readSafetensors(src)],
    findings: [],
  };
}

describe("stringify", () => {
  it("writes BigInt exactly, above 2^53 and up to 2^64 − 1", () => {
    expect(stringify([9007199254740993n, 18446744073709551615n])).toBe(
      "[9007199254740993,18446744073709551615]",
    );
  });
});

describe("the document", () => {
  it("keeps exact totals above 2^53 for a stream that declares them", async () => {
    // 2^60 bytes of U8 data declared by a header read from a stream (size unknown).
    const big = 1n << 60n;
    const header = `{"__metadata__":{"format":"pt"},"w":{"dtype":"U8","shape":[${big}],"data_offsets":[0,${big}]}}`;
    const s = buildReport(await checkpointOf(rawFile(header), true));
    const text = [...jsonDocument(s)].join("");
    expect(text).toContain(`"parameters":{"total":${big}`);
    expect(text).toContain(`"tensors":${big}`);
    const doc = JSON.parse(text);
    assertSchema(doc);
    expect(doc.files[0].sizeChecked).toBe(false);
  });

  it("writes metadata keys like __proto__ as data, in header order", async () => {
    const header = `{"__metadata__":{"z":"1","__proto__":"x","10":"ten","format":"pt"}}`;
    const s = buildReport(await checkpointOf(rawFile(header)));
    const text = [...jsonDocument(s)].join("");
    expect(text).toContain(`"metadata":{"z":"1","__proto__":"x","10":"ten","format":"pt"}`);
  });

  it("streams a tensor list in chunks, filtered", async () => {
    const entries = Array.from(
      { length: 3000 },
      (_, i) => `"t${i}":{"dtype":"U8","shape":[1],"data_offsets":[${i},${i + 1}]}`,
    );
    const s = buildReport(await checkpointOf(rawFile(`{${entries.join(",")}}`, 3000)));
    const chunks = [...jsonDocument(s, { tensors: true })];
    expect(chunks.length).toBeGreaterThan(2);
    const doc = JSON.parse(chunks.join(""));
    expect(doc.tensors).toHaveLength(3000);
    const some = JSON.parse(
      [...jsonDocument(s, { tensors: true, filter: (n) => n.endsWith("99") })].join(""),
    );
    expect(some.tensors.map((t: { name: string }) => t.name)).toEqual([
      "t99",
      "t199",
      "t299",
      "t399",
      "t499",
      "t599",
      "t699",
      "t799",
      "t899",
      "t999",
      "t1099",
      "t1199",
      "t1299",
      "t1399",
      "t1499",
      "t1599",
      "t1699",
      "t1799",
      "t1899",
      "t1999",
      "t2099",
      "t2199",
      "t2299",
      "t2399",
      "t2499",
      "t2599",
      "t2699",
      "t2799",
      "t2899",
      "t2999",
    ]);
  });
});

describe("the schema", () => {
  it("lists exactly the finding codes the code can emit", () => {
    expect([...SCHEMA.$defs.finding.properties.code.enum].sort()).toEqual([...ALL_CODES].sort());
  });
});
