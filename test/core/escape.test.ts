import { describe, expect, it } from "vitest";
import { escapeForTerminal } from "../../src/core/escape.js";

describe("escapeForTerminal", () => {
  it("makes C0, DEL, C1, bidi overrides and line separators visible", () => {
    expect(escapeForTerminal("a\u001b[31mb")).toBe("a\\x1b[31mb");
    expect(escapeForTerminal("\u0000\u0007\u007f\u009b")).toBe("\\x00\\x07\\x7f\\x9b");
    expect(escapeForTerminal("x\ny\tz\r")).toBe("x\\ny\\tz\\r");
    expect(escapeForTerminal("abc\u202edef\u2066")).toBe("abc\\u202edef\\u2066");
    expect(escapeForTerminal("a\u2028b")).toBe("a\\u2028b");
  });

  it("leaves ordinary Unicode alone", () => {
    expect(escapeForTerminal("模型.层.0.权重 — ok ✓")).toBe("模型.层.0.权重 — ok ✓");
  });
});
