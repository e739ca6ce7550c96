import { describe, expect, it } from "vitest";
import { parsePositiveInt, parseSize } from "../../src/cli/sizes.js";
import { parseNvidiaSmi, targetFrom } from "../../src/cli/machine.js";

describe("sizes", () => {
  it("reads decimal and binary units exactly", () => {
    expect(parseSize("24GB")).toBe(24_000_000_000n);
    expect(parseSize("24 GiB")).toBe(24n << 30n);
    expect(parseSize("1.5TB")).toBe(1_500_000_000_000n);
    expect(parseSize("0.5gib")).toBe(1n << 29n);
    expect(parseSize("512MiB")).toBe(512n << 20n);
  });

  it("reads a bare G as a decimal gigabyte and Gi as a binary one, in any case", () => {
    expect(parseSize("24G")).toBe(24_000_000_000n);
    expect(parseSize("24g")).toBe(parseSize("24Gb"));
    expect(parseSize("24Gi")).toBe(24n << 30n);
    expect(parseSize("512M")).toBe(512_000_000n);
  });

  it("refuses a size without a unit, or with an unknown one", () => {
    expect(() => parseSize("24")).toThrow(/with a unit/);
    expect(() => parseSize("24 gigs")).toThrow(/with a unit/);
    expect(() => parseSize("-1GB")).toThrow(/with a unit/);
  });

  it("reads counts", () => {
    expect(parsePositiveInt("8", "--count")).toBe(8);
    expect(() => parsePositiveInt("0", "--count")).toThrow(/≥ 1/);
    expect(() => parsePositiveInt("2.5", "--count")).toThrow(/≥ 1/);
  });
});

describe("this machine", () => {
  it("parses nvidia-smi's CSV", () => {
    expect(parseNvidiaSmi("NVIDIA H100 80GB HBM3, 81559\nNVIDIA H100 80GB HBM3, 81559\n")).toEqual([
      { name: "NVIDIA H100 80GB HBM3", memoryMiB: 81559 },
      { name: "NVIDIA H100 80GB HBM3", memoryMiB: 81559 },
    ]);
    expect(parseNvidiaSmi("No devices were found\n")).toEqual([]);
  });

  it("beside GPUs, counts 90 % of the RAM for the layers llama.cpp leaves there; not on a Mac", () => {
    const gpus = targetFrom(
      parseNvidiaSmi("NVIDIA GeForce RTX 4090, 24564\n"),
      64n << 30n,
      "linux",
    );
    expect(gpus).toMatchObject({ kind: "devices", systemRamBytes: ((64n << 30n) * 9n) / 10n });
    expect(targetFrom([], 36n << 30n, "darwin")).not.toHaveProperty("systemRamBytes");
  });

  it("targets the GPUs when there are some, else RAM, else a Mac's unified memory", () => {
    const gpus = targetFrom(
      parseNvidiaSmi("NVIDIA GeForce RTX 4090, 24564\nNVIDIA GeForce RTX 4090, 24564\n"),
      64n << 30n,
      "linux",
    );
    expect(gpus).toMatchObject({
      kind: "devices",
      count: 2,
      device: { memoryBytes: 24564n << 20n },
    });
    expect(targetFrom([], 32n << 30n, "linux")).toEqual({
      kind: "memory",
      label: "this machine's RAM (90 %)",
      memoryBytes: ((32n << 30n) * 9n) / 10n,
      // The RAM itself: nothing to split llama.cpp's layers with.
      systemRam: true,
      thisMachine: true,
    });
    expect(targetFrom([], 36n << 30n, "darwin")).toMatchObject({
      kind: "devices",
      count: 1,
      device: { kind: "laptop", memoryBytes: 36n << 30n },
    });
  });
});
