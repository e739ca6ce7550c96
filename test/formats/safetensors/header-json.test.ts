// The strict header tokenizer (reference steps 6-7): every byte-level and structural rule gets a
// file of its own, built here, and the test names the exact code, severity and message fragment.

import { describe, expect, it } from "vitest";
import { FindingSink } from "../../../src/core/finding-sink.js";
import { InspectError } from "../../../src/core/errors.js";
import type { Finding } from "../../../src/core/findings.js";
import {
  firstInvalidUtf8,
  readHeaderJson,
  type HeaderContent,
} from "../../../src/formats/safetensors/header-json.js";
import { offsetAt, shapeOf } from "../../../src/formats/tensor-table.js";
import {
  codes,
  errorCodes,
  entry,
  expectValid,
  inspectHeader,
  member,
  object,
  onlyErrors,
  the,
} from "../../helpers/inspect.js";

/** A one-tensor header: U8 [1] at [0, 1], plus extra fields in its entry. */
function oneTensor(extra = "", name = "a"): string {
  return object(member(name, entry("U8", [1], [0, 1], extra)));
}

/** Calls the tokenizer directly; a thrown InspectError comes back as a finding. */
function parse(header: string | Buffer): {
  content: HeaderContent | undefined;
  error: Finding | undefined;
  findings: Finding[];
} {
  const bytes = typeof header === "string" ? Buffer.from(header, "utf8") : header;
  const sink = new FindingSink("h.safetensors");
  try {
    const content = readHeaderJson(bytes, 8, sink);
    return { content, error: undefined, findings: sink.finish() };
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    return { content: undefined, error: e.toFinding("h.safetensors"), findings: sink.finish() };
  }
}

describe("UTF-8 (reference step 6)", () => {
  const invalid: Array<[string, number[], string]> = [
    ["a lead byte followed by ASCII (C3 28)", [0xc3, 0x28], "byte 0xc3"],
    ["an overlong NUL (C0 80)", [0xc0, 0x80], "byte 0xc0"],
    ["an overlong slash (E0 80 AF)", [0xe0, 0x80, 0xaf], "byte 0xe0"],
    ["an encoded surrogate (ED A0 80)", [0xed, 0xa0, 0x80], "byte 0xed"],
    ["a code point above U+10FFFF (F4 90 80 80)", [0xf4, 0x90, 0x80, 0x80], "byte 0xf4"],
    ["a lone continuation byte (80)", [0x80], "byte 0x80"],
    ["a truncated sequence (E2 82)", [0xe2, 0x82], "byte 0xe2"],
    ["an invalid byte (FF)", [0xff], "byte 0xff"],
  ];
  for (const [what, seq, fragment] of invalid) {
    it(`rejects ${what} with the byte offset`, async () => {
      // `{"a` puts the bad sequence at header byte 3, file byte 11.
      const header = Buffer.concat([
        Buffer.from('{"a'),
        Buffer.from(seq),
        Buffer.from('":' + entry("U8", [1], [0, 1]) + "}"),
      ]);
      const file = await inspectHeader(header, 1);
      const f = onlyErrors(file, "INVALID_UTF8");
      expect(f.severity).toBe("error");
      expect(f.message).toContain(`${fragment} at byte 11`);
      expect(f.offset).toBe(11n);
      expect(file.header).toBeUndefined();
    });
  }

  it("reports the first invalid sequence, after valid multi-byte characters", async () => {
    // "é" is 2 bytes, "😀" 4: the bad byte is at header byte 1 + 1 + 2 + 4 = 8, file byte 16.
    const header = Buffer.concat([
      Buffer.from('{"é😀'),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from('":1}'),
    ]);
    const f = onlyErrors(await inspectHeader(header), "INVALID_UTF8");
    expect(f.message).toContain("byte 0xc0 at byte 16");
  });

  it("checks UTF-8 before the grammar: an invalid byte after a syntax error still wins", async () => {
    const header = Buffer.concat([Buffer.from("{,"), Buffer.from([0xff]), Buffer.from("}")]);
    onlyErrors(await inspectHeader(header), "INVALID_UTF8");
  });

  it("accepts multi-byte names and decodes them", async () => {
    const file = await inspectHeader(oneTensor("", "é😀中"), 1);
    expectValid(file);
    expect(file.header?.tensors.names).toEqual(["é😀中"]);
  });

  it("firstInvalidUtf8 finds the start of the bad sequence, or -1", () => {
    expect(firstInvalidUtf8(Buffer.from("plain ascii é"))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xc3, 0x28]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x41, 0x42, 0xed, 0xbf, 0xbf]))).toBe(2);
    expect(firstInvalidUtf8(Buffer.from([0xf0, 0x8f, 0xbf, 0xbf]))).toBe(0); // overlong 4-byte
    expect(firstInvalidUtf8(Buffer.from([0xf0, 0x9f, 0x98, 0x80]))).toBe(-1); // 😀
  });
});

describe("byte-order mark", () => {
  it("rejects a UTF-8 BOM before the object (JSON_BOM)", async () => {
    const header = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(oneTensor())]);
    const f = onlyErrors(await inspectHeader(header, 1), "JSON_BOM");
    expect(f.severity).toBe("error");
    expect(f.message).toContain("byte-order mark");
    expect(f.offset).toBe(8n);
    expect(f.hint).toContain("EF BB BF");
  });

  it("rejects a BOM after leading whitespace as a syntax error at its byte", async () => {
    const f = onlyErrors(await inspectHeader(" \uFEFF{}"), "JSON_SYNTAX");
    expect(f.message).toContain("at byte 9");
    expect(f.message).toContain("byte 0xef");
  });
});

describe("empty header", () => {
  it("rejects N = 0 (JSON_EMPTY)", async () => {
    const f = onlyErrors(await inspectHeader(""), "JSON_EMPTY");
    expect(f.severity).toBe("error");
    expect(f.message).toBe("header is empty (length 0)");
  });

  it("rejects a header of only whitespace (JSON_EMPTY)", async () => {
    const f = onlyErrors(await inspectHeader("  \t\r\n    "), "JSON_EMPTY");
    expect(f.message).toBe("header is only whitespace");
  });
});

describe("JSON syntax (JSON_SYNTAX)", () => {
  const cases: Array<[string, string, string, string | number]> = [
    // what, header, message fragment, and the reported byte: the first occurrence of a text, or
    // an index from the end of the header when negative
    [
      "a trailing comma in an object",
      '{"__metadata__":{"format":"pt",}}',
      "trailing comma before '}'",
      "}}",
    ],
    [
      "a trailing comma at the top level",
      `{"a":${entry("U8", [1], [0, 1])},}`,
      "trailing comma before '}'",
      -1,
    ],
    [
      "a trailing comma in an array",
      '{"a":{"dtype":"U8","shape":[1,],"data_offsets":[0,1]}}',
      "trailing comma before ']'",
      "],",
    ],
    ["a block comment", '{/* weights */"a":1}', "expected a string key, found '/'", "/*"],
    ["a line comment", '{"a":1 // note\n}', "expected ',' or '}' after an object member", "//"],
    ["NaN", oneTensor(',"x":NaN'), "expected a value, found 'N'", "NaN"],
    ["Infinity", oneTensor(',"x":Infinity'), "expected a value, found 'I'", "Infinity"],
    ["-Infinity", oneTensor(',"x":-Infinity'), "invalid number, found 'I'", "Infinity"],
    [
      "a leading zero in a shape",
      '{"a":{"dtype":"U8","shape":[01],"data_offsets":[0,1]}}',
      "number with a leading zero",
      "1]",
    ],
    [
      "a leading zero in data_offsets",
      '{"a":{"dtype":"U8","shape":[1],"data_offsets":[00,1]}}',
      "number with a leading zero",
      "0,1]",
    ],
    ["a leading plus", oneTensor(',"x":+1'), "expected a value, found '+'", "+1"],
    [
      "a fraction without digits",
      oneTensor(',"x":1.}'),
      "a digit must follow the decimal point",
      "}}",
    ],
    ["an exponent without digits", oneTensor(',"x":1e}'), "a digit must follow the exponent", "}}"],
    ["single-quoted keys", "{'a':1}", "expected a string key, found '''", "'a'"],
    ["an unquoted key", "{a:1}", "expected a string key, found 'a'", "a:"],
    [
      "a missing colon",
      `{"a" ${entry("U8", [1], [0, 1])}}`,
      "expected ':' after an object key",
      '{"dtype',
    ],
    ["a missing value", '{"a":}', "expected a value, found '}'", "}"],
    [
      "a missing comma between members",
      `{"a":${entry("U8", [1], [0, 1])} "b":1}`,
      "expected ',' or '}' after an object member",
      '"b"',
    ],
    ["an unclosed object", '{"a":{"dtype":"U8"', "expected ',' or '}'", "EOF"],
    ["an unterminated key", '{"abc', "unterminated string", '"abc'],
    ["an unterminated value", '{"__metadata__":{"k":"v', "unterminated string", '"v'],
    ["an invalid escape \\x", '{"a\\x41":1}', "invalid escape \\x in a string", "\\x"],
    ["an invalid escape \\'", '{"a\\\'":1}', "invalid escape \\' in a string", "\\'"],
    ["a short \\u escape", '{"a\\u12G4":1}', "invalid \\u escape", "\\u"],
    ["a misspelt literal", oneTensor(',"x":tru'), "invalid literal, expected true", "tru"],
    ["a top-level value that is not JSON", "xyz", "expected '{' at the start of the header", "xyz"],
  ];
  for (const [what, header, fragment, at] of cases) {
    it(`rejects ${what}`, async () => {
      const file = await inspectHeader(header, 1);
      const f = onlyErrors(file, "JSON_SYNTAX");
      expect(f.severity).toBe("error");
      expect(f.message).toContain(fragment);
      const where =
        at === "EOF"
          ? header.length
          : typeof at === "number"
            ? header.length + at
            : header.indexOf(at);
      expect(where).toBeGreaterThanOrEqual(0);
      expect(f.message).toContain(
        `invalid JSON in header at byte ${8 + Buffer.byteLength(header.slice(0, where))}`,
      );
      expect(f.offset).toBe(BigInt(8 + Buffer.byteLength(header.slice(0, where))));
    });
  }

  it("reports a syntax error alone, without structural findings from earlier entries", async () => {
    // The reference tokenises the whole header first, so a bad dtype before a syntax error is
    // never what it reports.
    const header = `{"a":${entry("F128", [1], [0, 1])},"b":${entry("U8", [1], [1, 2])},}`;
    const file = await inspectHeader(header, 2);
    onlyErrors(file, "JSON_SYNTAX");
    expect(codes(file)).toEqual(["JSON_SYNTAX"]);
  });

  it("reports NaN in a shape as a syntax error, not as an invalid shape", async () => {
    const file = await inspectHeader('{"a":{"dtype":"U8","shape":[NaN],"data_offsets":[0,1]}}', 1);
    expect(codes(file)).toEqual(["JSON_SYNTAX"]);
  });
});

describe("after the closing brace", () => {
  it("rejects NUL padding (JSON_TRAILING_CHARACTERS)", async () => {
    const header = oneTensor() + "\0\0\0";
    const f = onlyErrors(await inspectHeader(header, 1), "JSON_TRAILING_CHARACTERS");
    expect(f.severity).toBe("error");
    expect(f.message).toBe(
      `NUL padding after the header's closing brace at byte ${8 + header.indexOf("\0")}`,
    );
    expect(f.hint).toContain("only spaces, tabs and newlines");
  });

  it("rejects a form feed", async () => {
    const header = oneTensor() + "  \f";
    const f = onlyErrors(await inspectHeader(header, 1), "JSON_TRAILING_CHARACTERS");
    expect(f.message).toBe(
      `a form feed after the header's closing brace at byte ${8 + header.indexOf("\f")}`,
    );
  });

  it("rejects garbage and a second object after '}'", async () => {
    let f = onlyErrors(await inspectHeader(oneTensor() + " x", 1), "JSON_TRAILING_CHARACTERS");
    expect(f.message).toContain("'x' after the header's closing brace");
    f = onlyErrors(await inspectHeader(oneTensor() + "{}", 1), "JSON_TRAILING_CHARACTERS");
    expect(f.message).toContain("'{' after");
  });

  it("accepts trailing spaces, tabs, CR and LF as padding", async () => {
    const file = await inspectHeader(oneTensor() + " \t\r\n   ", 1);
    expectValid(file);
    expect(file.header?.trailingWhitespace).toBe(7);
    expect(file.header?.leadingWhitespace).toBe(0);
  });

  it("accepts leading whitespace with a LEADING_WHITESPACE warning", async () => {
    const file = await inspectHeader(" \n\t\r" + oneTensor(), 1);
    expectValid(file);
    const f = the(file, "LEADING_WHITESPACE");
    expect(f.severity).toBe("warning");
    expect(f.message).toBe("4 bytes of whitespace before the header's opening brace");
    expect(file.header?.leadingWhitespace).toBe(4);
  });
});

describe("control characters and surrogates", () => {
  it("rejects a raw 0x01 in a tensor name (JSON_CONTROL_CHARACTER) at its byte", async () => {
    const f = onlyErrors(await inspectHeader('{"a\x01b":1}'), "JSON_CONTROL_CHARACTER");
    expect(f.severity).toBe("error");
    expect(f.message).toBe("raw control character byte 0x01 inside a string at byte 11");
    expect(f.offset).toBe(11n);
  });

  it("rejects a raw tab or newline inside a string value", async () => {
    let f = onlyErrors(
      await inspectHeader('{"__metadata__":{"k":"a\tb"}}'),
      "JSON_CONTROL_CHARACTER",
    );
    expect(f.message).toContain("byte 0x09");
    f = onlyErrors(
      await inspectHeader('{"__metadata__":{"k":"a\\n\nb"}}'),
      "JSON_CONTROL_CHARACTER",
    );
    expect(f.message).toContain("byte 0x0a");
  });

  it("rejects a raw control character in an unknown field's string", async () => {
    onlyErrors(await inspectHeader(oneTensor(',"x":"\x1f"'), 1), "JSON_CONTROL_CHARACTER");
  });

  const lone: Array<[string, string, string]> = [
    ["a high surrogate alone", "\\ud800", "\\ud800"],
    ["a low surrogate alone", "\\udc00", "\\udc00"],
    ["a high surrogate followed by a non-surrogate escape", "\\ud800\\u0041", "\\ud800"],
    ["a high surrogate followed by a plain character", "\\ud800x", "\\ud800"],
    ["two high surrogates", "\\ud83d\\ud83d", "\\ud83d"],
    ["a reversed pair", "\\ude00\\ud83d", "\\ude00"],
  ];
  for (const [what, escape, shown] of lone) {
    it(`rejects ${what} (JSON_LONE_SURROGATE)`, async () => {
      const header = `{"n${escape}":1}`;
      const f = onlyErrors(await inspectHeader(header), "JSON_LONE_SURROGATE");
      expect(f.severity).toBe("error");
      // The offset is the backslash of the unpaired escape.
      expect(f.message).toBe(
        `unpaired surrogate ${shown} in a string at byte ${8 + header.indexOf(shown)}`,
      );
    });
  }

  it("rejects a lone surrogate in a metadata value too", async () => {
    onlyErrors(await inspectHeader('{"__metadata__":{"k":"\\udfff"}}'), "JSON_LONE_SURROGATE");
  });

  it("accepts a valid surrogate pair and decodes it", async () => {
    const file = await inspectHeader(oneTensor("", '"\\ud83d\\ude00"'), 1);
    expectValid(file);
    expect(file.header?.tensors.names).toEqual(["😀"]);
    const upper = await inspectHeader(oneTensor("", '"x\\uD83D\\uDE00y"'), 1);
    expect(upper.header?.tensors.names).toEqual(["x😀y"]);
  });
});

describe("nesting depth", () => {
  // Top-level object (1) + tensor entry (2) + k arrays in an unknown field.
  const nested = (k: number) => oneTensor(`,"x":${"[".repeat(k)}${"]".repeat(k)}`);

  it("accepts 127 levels, the top-level object counting as one", async () => {
    const file = await inspectHeader(nested(125), 1);
    expectValid(file);
    expect(the(file, "UNKNOWN_FIELD").severity).toBe("warning");
  });

  it("rejects 128 levels (JSON_TOO_DEEP) even inside an ignored field", async () => {
    const header = nested(126);
    const f = onlyErrors(await inspectHeader(header, 1), "JSON_TOO_DEEP");
    expect(f.severity).toBe("error");
    const at = 8 + header.indexOf("[[") + 125;
    expect(f.message).toBe(`nesting reaches 128 levels at byte ${at}`);
    expect(f.hint).toContain("128");
  });

  it("counts objects as well as arrays", async () => {
    const deep = (k: number) => oneTensor(`,"x":${'{"k":'.repeat(k)}0${"}".repeat(k)}`);
    expectValid(await inspectHeader(deep(125), 1));
    onlyErrors(await inspectHeader(deep(126), 1), "JSON_TOO_DEEP");
  });
});

describe("numbers in ignored fields", () => {
  it("rejects 1e400 (JSON_NUMBER_OUT_OF_RANGE) at its byte", async () => {
    const header = oneTensor(',"x":1e400');
    const f = onlyErrors(await inspectHeader(header, 1), "JSON_NUMBER_OUT_OF_RANGE");
    expect(f.severity).toBe("error");
    expect(f.message).toBe(`number too large for a double at byte ${8 + header.indexOf("1e400")}`);
  });

  it("rejects -1e400 and a 400-digit integer", async () => {
    onlyErrors(await inspectHeader(oneTensor(',"x":-1e400'), 1), "JSON_NUMBER_OUT_OF_RANGE");
    onlyErrors(
      await inspectHeader(oneTensor(`,"x":${"9".repeat(400)}`), 1),
      "JSON_NUMBER_OUT_OF_RANGE",
    );
  });

  it("accepts large finite numbers, underflow and negatives where they are ignored", async () => {
    expectValid(
      await inspectHeader(
        oneTensor(',"x":[1e308,-1.5e-400,-0,0.5,1E+2,' + "9".repeat(300) + "]"),
        1,
      ),
    );
  });
});

describe("top level", () => {
  const kinds: Array<[string, string]> = [
    ["[]", "array"],
    ['[{"a":1}]', "array"],
    ['"abc"', "string"],
    ["42", "number"],
    ["-1", "number"],
    ["true", "boolean"],
    ["null", "null"],
  ];
  for (const [text, kind] of kinds) {
    it(`rejects a top-level ${text} (HEADER_NOT_OBJECT)`, async () => {
      const f = onlyErrors(await inspectHeader(text), "HEADER_NOT_OBJECT");
      expect(f.severity).toBe("error");
      expect(f.message).toBe(`header is a JSON ${kind}, not an object`);
    });
  }

  it("accepts an empty object: no tensors, no data", async () => {
    const file = await inspectHeader("{}");
    expectValid(file);
    expect(file.header?.tensors.count).toBe(0);
    expect(the(file, "METADATA_ABSENT").severity).toBe("info");
  });
});

describe("__metadata__", () => {
  const bad: Array<[string, string, string]> = [
    ["a number value", '{"__metadata__":{"a":1}}', '__metadata__ value of "a" is a JSON number'],
    [
      "a nested object value",
      '{"__metadata__":{"a":{"b":"c"}}}',
      '__metadata__ value of "a" is a JSON object',
    ],
    ["an array value", '{"__metadata__":{"a":["x"]}}', '__metadata__ value of "a" is a JSON array'],
    ["a null value", '{"__metadata__":{"a":null}}', '__metadata__ value of "a" is a JSON null'],
    [
      "a boolean value",
      '{"__metadata__":{"a":true}}',
      '__metadata__ value of "a" is a JSON boolean',
    ],
    [
      "an array",
      '{"__metadata__":["format","pt"]}',
      "__metadata__ is a JSON array, expected an object",
    ],
    ["a string", '{"__metadata__":"pt"}', "__metadata__ is a JSON string"],
    ["a number", '{"__metadata__":0}', "__metadata__ is a JSON number"],
  ];
  for (const [what, header, fragment] of bad) {
    it(`rejects ${what} (METADATA_INVALID)`, async () => {
      const file = await inspectHeader(header);
      const f = onlyErrors(file, "METADATA_INVALID");
      expect(f.severity).toBe("error");
      expect(f.message).toContain(fragment);
      expect(file.header?.complete).toBe(false);
    });
  }

  it("rejects a second __metadata__ key, naming its byte", async () => {
    const header = '{"__metadata__":{"format":"pt"},"__metadata__":{"format":"pt"}}';
    const f = onlyErrors(await inspectHeader(header), "METADATA_INVALID");
    expect(f.message).toBe(
      `second __metadata__ entry at byte ${8 + header.lastIndexOf('"__metadata__"')}`,
    );
  });

  it("rejects a second __metadata__ after a null one", async () => {
    onlyErrors(await inspectHeader('{"__metadata__":null,"__metadata__":{}}'), "METADATA_INVALID");
  });

  it("rejects a tensor entry under the name __metadata__ (#849)", async () => {
    const file = await inspectHeader(object(member("__metadata__", entry("U8", [1], [0, 1]))), 1);
    expect(errorCodes(file)[0]).toBe("METADATA_INVALID");
  });

  it('reads "__metadata__": null as absent, with METADATA_NULL info', async () => {
    const file = await inspectHeader(
      object('"__metadata__":null', member("a", entry("U8", [1], [0, 1]))),
      1,
    );
    expectValid(file);
    expect(the(file, "METADATA_NULL").severity).toBe("info");
    expect(codes(file)).not.toContain("METADATA_ABSENT");
    expect(file.header?.metadataState).toBe("null");
    expect(file.header?.metadata.size).toBe(0);
  });

  it('treats the escaped key "__metadata\\u005f_" as the metadata key', async () => {
    const file = await inspectHeader('{"__metadata\\u005f_":{"format":"pt"}}');
    expectValid(file);
    expect(file.header?.tensors.count).toBe(0);
    expect(file.header?.metadataState).toBe("present");
    expect(file.header?.metadata.get("format")).toBe("pt");
    expect(codes(file).filter((c) => c.startsWith("METADATA"))).toEqual([]);
  });

  it("accepts an empty object and keeps values in header order", async () => {
    let file = await inspectHeader('{"__metadata__":{}}');
    expectValid(file);
    expect(file.header?.metadataState).toBe("present");
    file = await inspectHeader('{"__metadata__":{"z":"1","format":"pt","a":"\\u00e9"}}');
    expect([...file.header!.metadata]).toEqual([
      ["z", "1"],
      ["format", "pt"],
      ["a", "é"],
    ]);
  });

  it("rejects a key repeated inside __metadata__ (DUPLICATE_METADATA_KEY), keeping the last", async () => {
    const file = await inspectHeader('{"__metadata__":{"format":"pt","form\\u0061t":"tf"}}');
    const f = onlyErrors(file, "DUPLICATE_METADATA_KEY");
    expect(f.severity).toBe("error");
    expect(f.message).toBe('__metadata__ key "format" appears twice');
    expect(file.header?.metadata.get("format")).toBe("tf");
  });
});

describe("duplicate tensor names", () => {
  it("rejects a duplicate that differs only by escaping, keeping the last entry's values", async () => {
    const header = object(
      member("a", entry("U8", [1], [0, 1])),
      member('"\\u0061"', entry("F16", [2, 3], [0, 12])),
    );
    const file = await inspectHeader(header, 12);
    const f = onlyErrors(file, "DUPLICATE_TENSOR");
    expect(f.severity).toBe("error");
    expect(f.tensor).toBe("a");
    expect(f.message).toBe(
      `tensor \`a\` appears twice in the header (again at byte ${8 + header.indexOf('"\\u0061"')})`,
    );
    const t = file.header!.tensors;
    expect(t.count).toBe(1);
    expect(t.names).toEqual(["a"]);
    expect(t.dtypes[0]).toBe(13); // F16
    expect(shapeOf(t, 0)).toEqual([2n, 3n]);
    expect([offsetAt(t, 0), offsetAt(t, 1)]).toEqual([0n, 12n]);
    // The last entry covers the data exactly, so nothing else is wrong.
    expect(errorCodes(file)).toEqual(["DUPLICATE_TENSOR"]);
  });

  it("reports the duplicate by name before the offset error the dropped entry causes (#401)", async () => {
    const header = object(
      member("a", entry("U8", [1], [0, 1])),
      member("b", entry("U8", [1], [1, 2])),
      member("a", entry("U8", [1], [2, 3])),
    );
    const file = await inspectHeader(header, 3);
    onlyErrors(file, "DUPLICATE_TENSOR", "INVALID_OFFSET");
    expect(the(file, "INVALID_OFFSET").tensor).toBe("b");
    expect(file.header?.tensors.names).toEqual(["a", "b"]);
  });
});

describe("tensor entries", () => {
  const notObjects: Array<[string, string]> = [
    ["5", "number"],
    ["[]", "array"],
    ["null", "null"],
    ['"F32"', "string"],
  ];
  for (const [value, kind] of notObjects) {
    it(`rejects an entry that is a JSON ${kind} (TENSOR_ENTRY_INVALID)`, async () => {
      const file = await inspectHeader(`{"w":${value}}`);
      const f = onlyErrors(file, "TENSOR_ENTRY_INVALID");
      expect(f.severity).toBe("error");
      expect(f.tensor).toBe("w");
      expect(f.message).toBe(
        `entry for tensor \`w\` is a JSON ${kind}, expected an object with dtype, shape and data_offsets`,
      );
    });
  }

  const missing: Array<[string, string, string]> = [
    ["dtype", '{"w":{"shape":[1],"data_offsets":[0,1]}}', "lacks dtype"],
    ["shape", '{"w":{"dtype":"U8","data_offsets":[0,1]}}', "lacks shape"],
    ["data_offsets", '{"w":{"dtype":"U8","shape":[1]}}', "lacks data_offsets"],
    ["everything", '{"w":{}}', "lacks dtype, shape, data_offsets"],
  ];
  for (const [what, header, fragment] of missing) {
    it(`rejects an entry missing ${what}`, async () => {
      const f = onlyErrors(await inspectHeader(header, 1), "TENSOR_ENTRY_INVALID");
      expect(f.message).toBe(`tensor \`w\` ${fragment}`);
      expect(f.tensor).toBe("w");
    });
  }

  const repeated: Array<[string, string]> = [
    ["dtype", ',"dtype":"U8"'],
    ["shape", ',"shape":[1]'],
    ["data_offsets", ',"data_offsets":[0,1]'],
  ];
  for (const [field, extra] of repeated) {
    it(`rejects a repeated ${field} field`, async () => {
      const f = onlyErrors(await inspectHeader(oneTensor(extra, "w"), 1), "TENSOR_ENTRY_INVALID");
      expect(f.message).toBe(`tensor \`w\` has two ${field} fields`);
    });
  }

  it("recognises an escaped field name as the field itself", async () => {
    const f = onlyErrors(
      await inspectHeader(oneTensor(',"dt\\u0079pe":"U8"', "w"), 1),
      "TENSOR_ENTRY_INVALID",
    );
    expect(f.message).toContain("two dtype fields");
    expectValid(
      await inspectHeader('{"w":{"dtyp\\u0065":"U8","shape":[1],"data_offsets":[0,1]}}', 1),
    );
  });

  it("warns about unknown fields (UNKNOWN_FIELD), counting them by name", async () => {
    const header = object(
      member("a", entry("U8", [1], [0, 1], ',"quant":{"bits":4}')),
      member("b", entry("U8", [1], [1, 2], ',"quant":null,"Dtype":"F32"')),
    );
    const file = await inspectHeader(header, 2);
    expectValid(file);
    const f = the(file, "UNKNOWN_FIELD");
    expect(f.severity).toBe("warning");
    expect(f.message).toBe("tensor entries carry fields the format ignores: quant (2), Dtype (1)");
  });

  it("keeps field order irrelevant", async () => {
    const file = await inspectHeader('{"w":{"data_offsets":[0,4],"shape":[2],"dtype":"F16"}}', 4);
    expectValid(file);
    expect(shapeOf(file.header!.tensors, 0)).toEqual([2n]);
  });
});

describe("dtype", () => {
  it("rejects F128 (DTYPE_UNKNOWN) without a hint", async () => {
    const f = onlyErrors(
      await inspectHeader(object(member("w", entry("F128", [1], [0, 16]))), 16),
      "DTYPE_UNKNOWN",
    );
    expect(f.severity).toBe("error");
    expect(f.message).toBe('tensor `w` has unknown dtype "F128"');
    expect(f.tensor).toBe("w");
    expect(f.hint).toBeUndefined();
  });

  it("rejects lowercase f32 with a case hint", async () => {
    const f = onlyErrors(
      await inspectHeader(object(member("w", entry("f32", [1], [0, 4]))), 4),
      "DTYPE_UNKNOWN",
    );
    expect(f.message).toContain('unknown dtype "f32"');
    expect(f.hint).toBe("dtype names are case-sensitive: write F32");
  });

  it("rejects E8M0 with an alias hint", async () => {
    const f = onlyErrors(
      await inspectHeader(object(member("w", entry("E8M0", [1], [0, 1]))), 1),
      "DTYPE_UNKNOWN",
    );
    expect(f.hint).toBe("not a safetensors dtype; the format spells it F8_E8M0");
  });

  it("rejects other wild spellings: UE8, FP4, I4, C128, and an empty string", async () => {
    for (const d of ["UE8", "FP4", "I4", "U4", "C128", ""]) {
      const file = await inspectHeader(object(member("w", entry(d, [1], [0, 1]))), 1);
      expect(onlyErrors(file, "DTYPE_UNKNOWN").message).toContain(`unknown dtype "${d}"`);
    }
  });

  it("rejects a dtype that is a number", async () => {
    const f = onlyErrors(
      await inspectHeader('{"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}', 4),
      "DTYPE_UNKNOWN",
    );
    expect(f.message).toBe("dtype of tensor `w` is a JSON number, expected a string");
  });

  it("accepts every dtype of the format", async () => {
    const names = [
      "BOOL",
      "U8",
      "I8",
      "F8_E5M2",
      "F8_E4M3",
      "F8_E8M0",
      "F8_E4M3FNUZ",
      "F8_E5M2FNUZ",
    ];
    const members = names.map((d, i) => member(`t${i}`, entry(d, [1], [i, i + 1])));
    let at = names.length;
    for (const [d, bytes] of [
      ["I16", 2],
      ["U16", 2],
      ["F16", 2],
      ["BF16", 2],
      ["I32", 4],
      ["U32", 4],
      ["F32", 4],
      ["C64", 8],
      ["F64", 8],
      ["I64", 8],
      ["U64", 8],
    ] as const) {
      members.push(member(d, entry(d, [1], [at, at + bytes])));
      at += bytes;
    }
    members.push(member("F4", entry("F4", [2], [at, at + 1])));
    members.push(member("F6_E2M3", entry("F6_E2M3", [4], [at + 1, at + 4])));
    members.push(member("F6_E3M2", entry("F6_E3M2", [4], [at + 4, at + 7])));
    const file = await inspectHeader(object(...members), at + 7);
    expectValid(file);
    expect(file.header?.tensors.count).toBe(22);
  });
});

describe("shape and data_offsets integers", () => {
  const invalid: Array<[string, string]> = [
    ["2.0", "holds 2.0, expected a non-negative integer without sign, fraction or exponent"],
    ["2e0", "holds 2e0, expected"],
    ["2E+0", "holds 2E+0, expected"],
    ["-0", "holds -0, expected"],
    ["-1", "holds -1, expected"],
    ['"2"', "holds a JSON string, expected a non-negative integer"],
    ["null", "holds a JSON null, expected a non-negative integer"],
    ["[2]", "holds a JSON array, expected a non-negative integer"],
    ["18446744073709551616", "holds 18446744073709551616, above 2^64 − 1"],
    ["99999999999999999999999", "holds 99999999999999999999999, above 2^64 − 1"],
  ];
  for (const [value, fragment] of invalid) {
    it(`rejects ${value} in a shape (SHAPE_INVALID)`, async () => {
      const header = `{"w":{"dtype":"U8","shape":[1,${value}],"data_offsets":[0,1]}}`;
      const file = await inspectHeader(header, 1);
      const f = onlyErrors(file, "SHAPE_INVALID");
      expect(f.severity).toBe("error");
      expect(f.tensor).toBe("w");
      expect(f.message).toContain(`shape of tensor \`w\` ${fragment}`);
      expect(file.header?.complete).toBe(false);
    });
    it(`rejects ${value} in data_offsets (OFFSETS_INVALID)`, async () => {
      const header = `{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,${value}]}}`;
      const f = onlyErrors(await inspectHeader(header, 1), "OFFSETS_INVALID");
      expect(f.message).toContain(`data_offsets of tensor \`w\` ${fragment}`);
    });
  }

  it("rejects a shape that is not an array", async () => {
    const f = onlyErrors(
      await inspectHeader('{"w":{"dtype":"U8","shape":1,"data_offsets":[0,1]}}', 1),
      "SHAPE_INVALID",
    );
    expect(f.message).toBe("shape of tensor `w` is a JSON number, expected an array of integers");
  });

  it("rejects data_offsets that is not an array", async () => {
    const f = onlyErrors(
      await inspectHeader('{"w":{"dtype":"U8","shape":[1],"data_offsets":{}}}', 1),
      "OFFSETS_INVALID",
    );
    expect(f.message).toBe("data_offsets of tensor `w` is a JSON object, expected [begin, end]");
  });

  for (const offsets of ["[]", "[1]", "[0,1,2]"]) {
    it(`rejects data_offsets ${offsets} (arity ≠ 2)`, async () => {
      const n = offsets === "[]" ? 0 : offsets.split(",").length;
      const f = onlyErrors(
        await inspectHeader(`{"w":{"dtype":"U8","shape":[1],"data_offsets":${offsets}}}`, 1),
        "OFFSETS_INVALID",
      );
      expect(f.message).toBe(`data_offsets of tensor \`w\` has ${n} values, expected 2`);
    });
  }

  it("accepts 2^64 − 1 as an exact BigInt", () => {
    const { content, error, findings } = parse(
      '{"w":{"dtype":"U8","shape":[18446744073709551615,0],"data_offsets":[18446744073709551615,18446744073709551615]}}',
    );
    expect(error).toBeUndefined();
    expect(findings).toEqual([]);
    const t = content!.tensors;
    expect(shapeOf(t, 0)).toEqual([18446744073709551615n, 0n]);
    expect([...t.offsets]).toEqual([18446744073709551615n, 18446744073709551615n]);
  });

  it("keeps integers above 2^53 exact", async () => {
    // 2^53 + 1 bytes of U8: a header that claims 9 PB of data, checked without reading it.
    const header =
      '{"w":{"dtype":"U8","shape":[9007199254740993],"data_offsets":[0,9007199254740993]}}';
    const { content } = parse(header);
    expect(shapeOf(content!.tensors, 0)).toEqual([9007199254740993n]);
    expect(content!.tensors.offsets[1]).toBe(9007199254740993n);
  });

  it("parses 15- and 16-digit integers exactly on both paths", () => {
    const { content } = parse(
      '{"w":{"dtype":"U8","shape":[999999999999999,1000000000000000,1234567890123456789],"data_offsets":[0,0]}}',
    );
    expect(shapeOf(content!.tensors, 0)).toEqual([
      999999999999999n,
      1000000000000000n,
      1234567890123456789n,
    ]);
  });

  it("accepts whitespace inside arrays and around values", async () => {
    expectValid(
      await inspectHeader(
        '{ "w" : { "dtype" : "U8" , "shape" : [ 1 , 2 ] , "data_offsets" : [ 0 , 2 ] } }',
        2,
      ),
    );
  });
});

describe("names", () => {
  it("keeps __proto__ and constructor as ordinary tensor names", async () => {
    const header = object(
      member("__proto__", entry("U8", [1], [0, 1])),
      member("constructor", entry("U8", [1], [1, 2])),
      member("toString", entry("U8", [1], [2, 3])),
    );
    const file = await inspectHeader(header, 3);
    expectValid(file);
    expect(file.header?.tensors.names).toEqual(["__proto__", "constructor", "toString"]);
    expect(file.header?.tensors.count).toBe(3);
  });

  it("keeps integer-like names in header order", async () => {
    const header = object(
      member("10", entry("U8", [1], [0, 1])),
      member("2", entry("U8", [1], [1, 2])),
      member("b", entry("U8", [1], [2, 3])),
      member("1", entry("U8", [1], [3, 4])),
    );
    const file = await inspectHeader(header, 4);
    expectValid(file);
    expect(file.header?.tensors.names).toEqual(["10", "2", "b", "1"]);
  });

  it("warns about an escape sequence in a name (NAME_CONTROL_CHARACTERS)", async () => {
    const file = await inspectHeader(oneTensor("", '"a\\u001b[31mb"'), 1);
    expectValid(file);
    const f = the(file, "NAME_CONTROL_CHARACTERS");
    expect(f.severity).toBe("warning");
    expect(f.tensor).toBe("a\u001b[31mb");
    expect(f.message).toBe(
      "tensor `a\u001b[31mb` has control or bidi-override characters in its name",
    );
  });

  it("warns about NUL (#748), raw DEL, C1 controls and bidi overrides in names", async () => {
    for (const name of ['"a\\u0000b"', '"a\x7fb"', '"a\u0085b"', '"a\u202eb"', '"\\u2066x"']) {
      const file = await inspectHeader(oneTensor("", name), 1);
      expectValid(file);
      expect(the(file, "NAME_CONTROL_CHARACTERS").severity).toBe("warning");
    }
  });

  it("does not warn about ordinary punctuation or non-Latin names", async () => {
    const file = await inspectHeader(
      oneTensor("", '"model.layers.0.self_attn/q_proj:weight-é中"'),
      1,
    );
    expect(codes(file)).toEqual(["METADATA_ABSENT"]);
  });

  it("warns about an empty name (EMPTY_NAME) with the key's byte", async () => {
    const file = await inspectHeader(oneTensor("", ""), 1);
    expectValid(file);
    const f = the(file, "EMPTY_NAME");
    expect(f.severity).toBe("warning");
    expect(f.message).toBe("a tensor has an empty name (key at byte 9)");
    expect(f.tensor).toBe("");
  });

  it("warns about a name over 64 KiB (LONG_NAME), not one of exactly 64 KiB", async () => {
    const long = "n".repeat(65_537);
    let file = await inspectHeader(oneTensor("", long), 1);
    expectValid(file);
    const f = the(file, "LONG_NAME");
    expect(f.severity).toBe("warning");
    expect(f.message).toContain("has a name of 65,537 bytes");
    expect(f.tensor).toBe(long);
    file = await inspectHeader(oneTensor("", "n".repeat(65_536)), 1);
    expect(codes(file)).not.toContain("LONG_NAME");
  });

  it("measures a long name by its decoded bytes, not its escaped spelling", async () => {
    // 21,846 × "é" is 43,692 bytes; spelt as \u00e9 escapes the key is 131,076 bytes.
    const escaped = (n: number) => JSON.stringify("é".repeat(n)).replace(/é/g, "\\u00e9");
    let file = await inspectHeader(oneTensor("", escaped(21_846)), 1);
    expect(codes(file)).not.toContain("LONG_NAME");
    // 32,769 × "é" is 65,538 bytes decoded.
    file = await inspectHeader(oneTensor("", escaped(32_769)), 1);
    expect(the(file, "LONG_NAME").message).toContain("has a name of 65,538 bytes");
  });
});

describe("readHeaderJson content", () => {
  it("reports header order, whitespace counts and completeness", () => {
    const { content, error, findings } = parse(
      '  {"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}\n ',
    );
    expect(error).toBeUndefined();
    expect(findings.map((f) => f.code)).toEqual(["LEADING_WHITESPACE"]);
    expect(content).toMatchObject({
      leadingWhitespace: 2,
      trailingWhitespace: 2,
      complete: true,
      metadataState: "present",
    });
    expect(content!.tensors.names).toEqual(["b"]);
  });

  it("marks the header incomplete and leaves the bad entry out of the table", () => {
    const { content } = parse(
      '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"X","shape":[1],"data_offsets":[1,2]}}',
    );
    expect(content!.complete).toBe(false);
    expect(content!.tensors.names).toEqual(["a"]);
  });

  it("reports structural problems with the file offset of the value", () => {
    const header = '{"w":{"dtype":"U8","shape":"x","data_offsets":[0,1]}}';
    const { findings } = parse(header);
    expect(findings[0]).toMatchObject({
      code: "SHAPE_INVALID",
      offset: BigInt(8 + header.indexOf('"x"')),
    });
  });
});
