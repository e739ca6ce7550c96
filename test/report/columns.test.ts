import { describe, expect, it } from "vitest";
import { columnLines, columns, displayWidth } from "../../src/report/columns.js";

describe("columns", () => {
  it("aligns columns left or right, two spaces apart, with no trailing blanks", () => {
    const out = columns(
      ["name", "n"],
      [
        ["a", "1"],
        ["longer", "1,000"],
      ],
      { right: [1] },
    );
    expect(out).toBe(["  name        n", "  a           1", "  longer  1,000"].join("\n"));
  });

  it("measures colour sequences as nothing and wide characters as two columns", () => {
    expect(displayWidth("\u001b[1mab\u001b[22m")).toBe(2);
    expect(displayWidth("模型")).toBe(4);
    expect(displayWidth("e\u0301")).toBe(1);
    const lines = columnLines(
      ["x", "y"],
      [
        ["模型", "1"],
        ["ab", "2"],
      ],
      {
        headStyle: (h) => `\u001b[1m${h}\u001b[22m`,
      },
    );
    expect(lines).toEqual([
      "  \u001b[1mx\u001b[22m     \u001b[1my\u001b[22m",
      "  模型  1",
      "  ab    2",
    ]);
  });

  it("lays out at most maxRows rows and counts the rest, lazily produced ones too", () => {
    let made = 0;
    function* rows() {
      for (let i = 0; i < 10_000; i++) {
        made++;
        yield [`r${i}`];
      }
    }
    const lines = columnLines(["h"], rows(), { maxRows: 3, hidden: 5 });
    expect(lines).toEqual([
      "  h",
      "  r0",
      "  r1",
      "  r2",
      "  … 10,002 more rows; --json lists all",
    ]);
    expect(made).toBe(10_000);
  });
});
