import { describe, expect, it } from "vitest";
import { colourLevel } from "../../src/cli/colour.js";

const base = { json: false, flag: undefined, env: {}, isTTY: true };

describe("colour level", () => {
  it("follows the terminal by default", () => {
    expect(colourLevel(base)).toBe(1);
    expect(colourLevel({ ...base, isTTY: false })).toBe(0);
    expect(colourLevel({ ...base, env: { TERM: "xterm-256color" } })).toBe(2);
    expect(colourLevel({ ...base, env: { COLORTERM: "truecolor" } })).toBe(3);
    expect(colourLevel({ ...base, env: { TERM: "dumb" } })).toBe(0);
  });

  it("is off with --json, --no-color or a non-empty NO_COLOR", () => {
    expect(colourLevel({ ...base, json: true, flag: true })).toBe(0);
    expect(colourLevel({ ...base, flag: false })).toBe(0);
    expect(colourLevel({ ...base, env: { NO_COLOR: "1" } })).toBe(0);
    expect(colourLevel({ ...base, env: { NO_COLOR: "" } })).toBe(1);
  });

  it("is forced by --color (over NO_COLOR) and by FORCE_COLOR (under NO_COLOR)", () => {
    expect(colourLevel({ ...base, isTTY: false, flag: true, env: { NO_COLOR: "1" } })).toBe(1);
    expect(colourLevel({ ...base, isTTY: false, env: { FORCE_COLOR: "1" } })).toBe(1);
    expect(colourLevel({ ...base, isTTY: false, env: { FORCE_COLOR: "3" } })).toBe(3);
    expect(colourLevel({ ...base, isTTY: false, env: { FORCE_COLOR: "1", NO_COLOR: "1" } })).toBe(
      0,
    );
    expect(colourLevel({ ...base, env: { FORCE_COLOR: "0" } })).toBe(0);
  });
});
