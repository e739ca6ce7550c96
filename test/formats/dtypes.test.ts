// The dtype registry and the format dispatch.

import { describe, expect, it } from "vitest";
import { bytesFor, DTYPES, wholeBits, type Dtype } from "../../src/formats/dtypes.js";
import { DTYPES as SAFETENSORS } from "../../src/formats/safetensors/dtypes.js";
import { formatOf, readWeights } from "../../src/formats/weights.js";
import { MemorySource } from "../helpers/memory-source.js";
import { safetensorsFile } from "../helpers/safetensors.js";

describe("the dtype registry", () => {
  it("gives safetensors dtypes their index as id, and bytes = elements × bits / 8", () => {
    SAFETENSORS.forEach((d, id) => {
      expect(DTYPES[id]).toBe(d);
      for (const n of [0n, 1n, 2n, 3n, 4n, 12n, 2n ** 61n]) {
        const bits = n * BigInt(d.bits);
        expect(bytesFor(d, n)).toBe(bits % 8n === 0n ? bits / 8n : undefined);
      }
      expect(wholeBits(d)).toBe(d.bits);
    });
  });

  it("expresses a block quantization: 144 bytes per 256 weights", () => {
    const q4k: Dtype = {
      format: "safetensors",
      name: "Q4_K",
      kind: "quantized",
      blockElements: 256,
      blockBytes: 144,
    };
    expect(bytesFor(q4k, 4096n * 4096n)).toBe((4096n * 4096n * 144n) / 256n);
    expect(bytesFor(q4k, 100n)).toBeUndefined();
    expect(wholeBits(q4k)).toBeUndefined();
  });

  it("marks floats, plain integers and scale exponents", () => {
    const kind = (name: string) => SAFETENSORS.find((d) => d.name === name)!.kind;
    expect(["BF16", "F8_E4M3", "F4"].map(kind)).toEqual(["float", "float", "float"]);
    expect(["U8", "I32", "BOOL", "F8_E8M0"].map(kind)).toEqual(["uint", "int", "bool", "scale"]);
  });
});

describe("readWeights", () => {
  it("sniffs GGUF by its magic, and safetensors by the lack of one", () => {
    expect(formatOf(Buffer.from("GGUF\x03\0\0\0", "latin1"))).toBe("gguf");
    expect(formatOf(Buffer.from([0x10, 0, 0, 0, 0, 0, 0, 0]))).toBe("safetensors");
    expect(formatOf(Buffer.alloc(0))).toBe("safetensors");
  });

  it("reads a safetensors file, and names a GGUF file it cannot read yet", async () => {
    const st = await readWeights(
      new MemorySource(safetensorsFile([{ name: "w", dtype: "F16", shape: [2] }])),
    );
    expect(st.format).toBe("safetensors");
    expect(st.header?.tensors.count).toBe(1);
    const gguf = Buffer.alloc(64);
    gguf.write("GGUF", 0, "latin1");
    gguf.writeUInt32LE(3, 4);
    const g = await readWeights(new MemorySource(gguf));
    expect(g.findings.map((f) => f.code)).toEqual(["GGUF_FILE"]);
  });
});
