import { describe, expect, it } from "vitest";
import { globPredicate } from "../../src/cli/glob.js";

describe("--filter globs", () => {
  const names = [
    "model.embed_tokens.weight",
    "model.layers.0.self_attn.q_proj.weight",
    "model.layers.10.self_attn.q_proj.weight",
    "model.layers.1.mlp.up_proj.weight",
    "lm_head.weight",
    "a+b(c)$.weight",
  ];
  const match = (glob: string) => names.filter(globPredicate(glob));

  it("matches whole names, * across dots", () => {
    expect(match("*q_proj*")).toEqual([names[1], names[2]]);
    expect(match("lm_head")).toEqual([]);
    expect(match("lm_head.weight")).toEqual(["lm_head.weight"]);
    expect(match("model.*.weight")).toEqual(names.slice(0, 4));
  });

  it("supports ?, classes, negated classes and alternatives", () => {
    expect(match("model.layers.?.*")).toEqual([names[1], names[3]]);
    expect(match("model.layers.[0-9][0-9].*")).toEqual([names[2]]);
    expect(match("model.layers.[!1].*")).toEqual([names[1]]);
    expect(match("{lm_head,model.embed_tokens}.weight")).toEqual(
      [names[4], names[0]].sort((a, b) => names.indexOf(a!) - names.indexOf(b!)),
    );
  });

  it("treats regex metacharacters literally and honours backslash escapes", () => {
    expect(match("a+b(c)$.weight")).toEqual(["a+b(c)$.weight"]);
    expect(globPredicate("a\\*b")("a*b")).toBe(true);
    expect(globPredicate("a\\*b")("axb")).toBe(false);
  });

  it("rejects an unclosed brace as a usage error", () => {
    expect(() => globPredicate("{a,b")).toThrow(/unclosed/);
  });
});

describe("--filter globs, hostile", () => {
  it("match a 1 MB name against several stars in one pass", { timeout: 30_000 }, () => {
    const long = "attn".repeat(250_000) + "x";
    expect(globPredicate("*attn*weight")(long)).toBe(false);
    expect(globPredicate("*a*t*t*n*w*e*i*g*h*t*")(long)).toBe(false);
    expect(globPredicate("*attn*x")(long)).toBe(true);
    expect(globPredicate("{*a,*b}{*c,*d}*x")(long)).toBe(false);
  });

  it("handle ranges, escapes inside classes, ] first, nested alternatives and code points", () => {
    expect(globPredicate("[]a]")("]")).toBe(true);
    expect(globPredicate("[^a-c]")("d")).toBe(true);
    expect(globPredicate("[^a-c]")("b")).toBe(false);
    expect(globPredicate("[\\]]")("]")).toBe(true);
    expect(globPredicate("a{b,c{d,e}}f")("acef")).toBe(true);
    expect(globPredicate("a{b,c{d,e}}f")("acf")).toBe(false);
    expect(globPredicate("a{,b}")("a")).toBe(true);
    expect(globPredicate("?")("😀")).toBe(true);
    expect(globPredicate("[😀-😂]")("😁")).toBe(true);
    expect(globPredicate("x[")("x[")).toBe(true);
    expect(globPredicate("**")("")).toBe(true);
  });

  it("rejects a reversed range as a usage error", () => {
    expect(() => globPredicate("[z-a]")).toThrow(/runs backwards/);
    try {
      globPredicate("[z-a]");
    } catch (e) {
      expect((e as { code: string }).code).toBe("USAGE");
    }
  });
});
