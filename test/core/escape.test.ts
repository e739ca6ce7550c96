import { describe, expect, it } from "vitest";
import { cutText, escapeForTerminal, jsonSafe } from "../../src/core/escape.js";

describe("escapeForTerminal", () => {
  it("makes C0, DEL, C1, bidi overrides and line separators visible", () => {
    expect(escapeForTerminal("a\u001b[31mb")).toBe("a\\x1b[31mb");
    expect(escapeForTerminal("\u0000\u0007\u007f\u009b")).toBe("\\x00\\x07\\x7f\\x9b");
    expect(escapeForTerminal("x\ny\tz\r")).toBe("x\\ny\\tz\\r");
    expect(escapeForTerminal("abc\u202edef\u2066")).toBe("abc\\u202edef\\u2066");
    expect(escapeForTerminal("a\u2028b")).toBe("a\\u2028b");
  });

  it("makes bidi marks, zero-width characters, the soft hyphen and tag characters visible", () => {
    const each: Array<[string, string]> = [
      ["\u061c", "\\u061c"],
      ["\u200e", "\\u200e"],
      ["\u200f", "\\u200f"],
      ["\u2069", "\\u2069"],
      ["\u200b", "\\u200b"],
      ["\u200c", "\\u200c"],
      ["\u200d", "\\u200d"],
      ["\u2060", "\\u2060"],
      ["\ufeff", "\\ufeff"],
      ["\u00ad", "\\xad"],
      ["\u{e0041}", "\\u{e0041}"],
      ["\u{e007f}", "\\u{e007f}"],
      ["\ud800", "\\ud800"],
      ["\udc00x", "\\udc00x"],
    ];
    for (const [raw, shown] of each) expect(escapeForTerminal(`a${raw}b`)).toBe(`a${shown}b`);
  });

  it("escapes the backslash, so an escape never reads like the same text written literally", () => {
    expect(escapeForTerminal("\\x1b")).toBe("\\\\x1b");
    expect(escapeForTerminal("\u001b")).toBe("\\x1b");
    expect(escapeForTerminal("\\x1b")).not.toBe(escapeForTerminal("\u001b"));
  });

  it("leaves ordinary Unicode alone, astral characters included", () => {
    expect(escapeForTerminal("模型.层.0.权重 — ok ✓ 😀")).toBe("模型.层.0.权重 — ok ✓ 😀");
  });
});

describe("jsonSafe", () => {
  it("writes the same characters as \\u escapes: the JSON parses to the same value", () => {
    const v = "a\u007f\u009b\u00ad\u202e\u200b\u2028\ufeff\u{e0041}\\b\u001b";
    const text = jsonSafe(JSON.stringify(v));
    expect(text).toMatch(/^[\u0020-\u007e]*$/);
    expect(JSON.parse(text)).toBe(v);
  });
});

describe("cutText", () => {
  it("cuts long text with a marker saying how much is left out, never inside a pair", () => {
    expect(cutText("abcdef", 10)).toBe("abcdef");
    expect(cutText("a".repeat(5000), 10)).toBe("aaaaaaaaaa…[4,990 more characters]");
    expect(cutText("abcd😀efg", 5)).toBe("abcd…[5 more characters]");
    expect(cutText("\u001b".repeat(20), 2)).toBe("\\x1b\\x1b…[18 more characters]");
  });
});
