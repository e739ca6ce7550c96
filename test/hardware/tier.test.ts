import { describe, expect, it } from "vitest";
import { estimateHardware } from "../../src/hardware/tier.js";

const GiB = 1n << 30n;

describe("first hardware tier", () => {
  it("required = weights + 5 % (rounded up) + 1 GiB", () => {
    const e = estimateHardware(16_060_522_496n); // Llama-3.1-8B BF16
    expect(e.breakdown.activations).toBe(803_026_125n);
    expect(e.requiredBytes).toBe(16_060_522_496n + 803_026_125n + GiB);
    expect(e.tier).toBe("laptop");
  });

  it("uses ⅔ of a 32 GiB laptop and 8 × 81,559 MiB × 0.9 as thresholds", () => {
    const e = estimateHardware(0n);
    expect(e.thresholds.laptopBytes).toBe((32n * GiB * 2n) / 3n);
    expect(e.thresholds.singleServerBytes).toBe(8n * ((81_559n * (1n << 20n) * 9n) / 10n));
    expect(Number(e.thresholds.singleServerBytes) / 2 ** 30).toBeCloseTo(573.46, 2);
  });

  it("puts each boundary on the smaller tier", () => {
    const { laptopBytes, singleServerBytes } = estimateHardware(0n).thresholds;
    // weights w with w + ceil(5 % w) + 1 GiB exactly at a threshold
    const weightsFor = (required: bigint) => {
      let w = ((required - GiB) * 100n) / 105n;
      while (w + (w * 5n + 99n) / 100n + GiB < required) w++;
      while (w + (w * 5n + 99n) / 100n + GiB > required) w--;
      return w;
    };
    const atLaptop = weightsFor(laptopBytes);
    expect(estimateHardware(atLaptop).tier).toBe("laptop");
    expect(estimateHardware(atLaptop + 100n).tier).toBe("single-server");
    const atServer = weightsFor(singleServerBytes);
    expect(estimateHardware(atServer).tier).toBe("single-server");
    expect(estimateHardware(atServer + 100n).tier).toBe("cluster");
  });

  it("tiers the reference checkpoints as memory-and-tiers.md §8 does (weights only)", () => {
    expect(estimateHardware(93_405_585_408n).tier).toBe("single-server"); // Mixtral-8x7B
    expect(estimateHardware(141_107_412_992n).tier).toBe("single-server"); // Llama-3.1-70B
    expect(estimateHardware(688_600_000_000n).tier).toBe("cluster"); // DeepSeek-V3 FP8
  });
});
