// The whole-document JSON reader config.json goes through: strict JSON by default, Python's
// non-finite literals only when asked, integers never rounded.

import { describe, expect, it } from "vitest";
import { InspectError } from "../../src/core/errors.js";
import { parseJsonValue } from "../../src/formats/json-value.js";

const parse = (text: string, pythonLiterals = false) =>
  parseJsonValue(Buffer.from(text), "config.json", { pythonLiterals });

function failure(text: string, pythonLiterals = false): InspectError {
  try {
    parse(text, pythonLiterals);
  } catch (e) {
    if (e instanceof InspectError) return e;
    throw e;
  }
  throw new Error(`${text} was accepted`);
}

describe("parseJsonValue", () => {
  it("reads objects, arrays and literals as JSON.parse does", () => {
    const text = '{"a": [1, 2.5, -3, true, false, null], "b": {"c": "\\u00e9x"}, "d": 1e3}';
    expect(parse(text)).toEqual({
      value: JSON.parse(text),
      nonFinite: [],
      repeated: [],
      repeatedCount: 0,
    });
  });

  it("keeps the last of a repeated key, as Python does, and says where each repeat was", () => {
    const r = parse('{"a": 1, "a": 2, "b": {"c": [{"d": 1, "d": 2}], "c": 3}}');
    expect(r.value).toEqual({ a: 2, b: { c: 3 } });
    expect(r.repeated).toEqual([
      { object: "", key: "a" },
      { object: "b.c[0]", key: "d" },
      { object: "b", key: "c" },
    ]);
    expect(r.repeatedCount).toBe(3);
  });

  it("rejects Python's Infinity and NaN unless asked, as RFC 8259 and serde_json do", () => {
    expect(failure('{"x": Infinity}').message).toContain("expected a value, found 'I'");
    expect(failure('{"x": NaN}').message).toContain("found 'N'");
    expect(failure('{"x": -Infinity}').code).toBe("JSON_SYNTAX");
    expect(() => JSON.parse('{"x": Infinity}')).toThrow();
  });

  it("accepts them in Python mode and says where each one was", () => {
    const r = parse('{"time_step_limit": [0.0, Infinity], "a": {"b": -Infinity, "c": NaN}}', true);
    const v = r.value as { time_step_limit: number[]; a: { b: number; c: number } };
    expect(v.time_step_limit).toEqual([0, Infinity]);
    expect(v.a.b).toBe(-Infinity);
    expect(Number.isNaN(v.a.c)).toBe(true);
    expect(r.nonFinite).toEqual(["time_step_limit[1]", "a.b", "a.c"]);
  });

  it("relaxes nothing else in Python mode", () => {
    expect(failure('{"x": Inf}', true).message).toContain("expected Infinity");
    expect(failure('{"x": nan}', true).code).toBe("JSON_SYNTAX");
    expect(failure('{"x": 1,}', true).message).toContain("trailing comma");
    expect(failure('{"x": 01}', true).message).toContain("leading zero");
    expect(failure('{"x": 1} x', true).message).toContain("trailing characters");
    expect(failure("{'x': 1}", true).code).toBe("JSON_SYNTAX");
  });

  it("keeps integers above 2^53 exact instead of rounding them", () => {
    const v = parse(
      '{"big": 18446744073709551615, "neg": -9007199254740993, "ok": 9007199254740991}',
    ).value as Record<string, unknown>;
    expect(v["big"]).toBe(18446744073709551615n);
    expect(v["neg"]).toBe(-9007199254740993n);
    expect(v["ok"]).toBe(9007199254740991);
    expect(JSON.parse("9007199254740993")).toBe(9007199254740992); // what JSON.parse would do
  });

  it('keeps a "__proto__" key as an own field', () => {
    const v = parse('{"__proto__": {"x": 1}}').value as object;
    expect(Object.hasOwn(v, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  it("names the byte of a syntax error and refuses invalid UTF-8", () => {
    expect(failure('{"a": tru}').message).toMatch(/at byte 6/);
    expect(() => parseJsonValue(Buffer.from([0x7b, 0xff, 0x7d]), "config.json")).toThrow(
      /not valid UTF-8 \(at byte 1\)/,
    );
  });
});
