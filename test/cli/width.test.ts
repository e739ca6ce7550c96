// Issue 12, item 3 through the built CLI: the report and --help fit the terminal's width, sentences
// wrap at words, numbers are never cut, one unit by default, the tier thresholds once per run.

import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeLayout } from "../helpers/checkpoints.js";
import { FIXTURE, HAVE_REALDATA, inspect, REALDATA } from "../helpers/cli.js";
import { deepseekV3, llama31_8b } from "../helpers/layouts.js";
import { safetensorsFile, tempDir } from "../helpers/safetensors.js";
import { writeFileSync } from "node:fs";
import { displayWidth } from "../../src/report/columns.js";

const tmp = tempDir("inspect-width-");
afterAll(tmp.cleanup);
let v3 = "";
let llama = "";
beforeAll(() => {
  v3 = path.join(tmp.dir, "DeepSeek-V3");
  writeLayout(v3, deepseekV3());
  llama = path.join(tmp.dir, "Llama-3.1-8B");
  writeLayout(llama, llama31_8b());
});

const runs = new Map<string, ReturnType<typeof run>>();
function run(columns: string, args: string[]) {
  const r = inspect(args, { env: { COLUMNS: columns } });
  return { ...r, lines: r.stdout.replace(/\n$/, "").split("\n") };
}
/**
 * The CLI's stdout at `columns` (a string: "" is no COLUMNS at all, the default); each run once
 * per file (a DeepSeek-V3 run reads 163 headers: the tests share them).
 */
function at(columns: string, args: string[]) {
  const key = JSON.stringify([columns, args]);
  if (!runs.has(key)) runs.set(key, run(columns, args));
  return runs.get(key)!;
}
/** DeepSeek-V3 with a fit: the widest report there is. */
const v3Args = () => [v3, "--gpu", "h100", "--count", "8"];

const widest = (lines: string[]) => Math.max(...lines.map(displayWidth));
const over = (lines: string[], w: number) => lines.filter((l) => displayWidth(l) > w);

describe("the report fits the width", () => {
  it("DeepSeek-V3 with a fit: no line over 80 by default (a pipe, no COLUMNS) or at 80, none over 60 at 60", () => {
    const args = v3Args();
    const wide = at("100000", args);
    expect(wide.status).toBe(0);
    expect(widest(wide.lines)).toBeGreaterThan(150); // the sentences are long: wrapping is needed
    for (const [columns, w] of [
      ["", 80],
      ["80", 80],
      ["60", 60],
    ] as const) {
      const r = at(columns, args);
      expect(r.status).toBe(0);
      expect(over(r.lines, w), `COLUMNS=${columns}`).toEqual([]);
    }
  });

  it("cuts tensor names with an ellipsis, never a number; at 60 the rows become records", () => {
    const r = at("80", v3Args());
    const rows = r.lines.slice(r.lines.findIndex((l) => l.includes("Largest tensors")) + 2);
    const mtp = rows.find((l) => l.includes("head.head.weight"));
    // model.layers.61.shared_head.head.weight, cut in its middle; its numbers whole.
    expect(mtp).toMatch(
      /^ {2}model\.layers\.61\.….*head\.weight +BF16 +\[129280, 7168\] +926,679,040 +1\.85 GB$/,
    );
    for (const row of rows.slice(0, 10)) expect(row).toMatch(/ [\d,]+ +[\d.]+ [kMG]B$/);
    const narrow = at("60", v3Args()).stdout;
    expect(narrow).toMatch(
      /^ {2}model\.layers\.61\.shared_head\.head\.weight: dtype BF16,\n {4}shape \[129280, 7168\], parameters 926,679,040,\n {4}size 1\.85 GB$/m,
    );
  });

  it("wraps sentences at words: the wrapped notes read the same as the wide ones", () => {
    const sentence = (lines: string[], start: string) => {
      const i = lines.findIndex((l) => l.startsWith(start));
      const out = [lines[i]!.trim()];
      for (let k = i + 1; k < lines.length && /^ {4}\S/.test(lines[k]!); k++)
        out.push(lines[k]!.trim());
      return { text: out.join(" "), lines: out.length };
    };
    const args = v3Args();
    const wide = at("100000", args).lines;
    for (const w of ["80", "60"]) {
      const narrow = at(w, args).lines;
      for (const start of [
        "  · tiers:",
        "  · cluster:",
        "  fit 8 × H100 80GB",
        "  smallest setup:",
      ]) {
        const a = sentence(wide, start);
        const b = sentence(narrow, start);
        expect(b.text, `${start} at ${w}`).toBe(a.text);
        expect(b.lines).toBeGreaterThan(1);
      }
      // A key's value wraps under itself, past the key.
      const k = narrow.findIndex((l) => l.startsWith("  architecture "));
      expect(narrow[k + 1]).toMatch(/^ {15}\S/);
    }
  });

  it("findings wrap under the message, past the severity", () => {
    const r = at("60", v3Args());
    const i = r.lines.findIndex((l) => l.includes("MIN_READER_VERSION"));
    expect(r.lines[i]).toMatch(/^ {2}info {4}MIN_READER_VERSION {2}needs/);
    expect(r.lines[i + 1]).toMatch(/^ {10}\S/);
  });

  it("escaped names stay escaped, cut to the width", () => {
    const name = "x\u001b[2J" + "y".repeat(300);
    const file = path.join(tmp.dir, "odd.safetensors");
    writeFileSync(
      file,
      safetensorsFile([
        { name, dtype: "F32", shape: [4] },
        { name: "b", dtype: "F32", shape: [2] },
      ]),
    );
    for (const w of ["60", "80"]) {
      const r = at(w, ["--tensors", file]);
      expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect(r.stdout).toContain("x\\x1b[2J");
      expect(over(r.lines, Number(w))).toEqual([]);
    }
  });

  it.skipIf(!HAVE_REALDATA)("the real files fit 80 and 60 columns", () => {
    const dir = path.join(REALDATA, "safetensors");
    const targets = readdirSync(dir)
      .filter((f) => f.endsWith(".safetensors"))
      .map((f) => path.join(dir, f));
    targets.push(path.join(dir, "fluxml-sharded"));
    for (const w of [80, 60]) {
      const r = at(String(w), ["--verify", "--scan", ...targets]);
      expect(r.lines.length).toBeGreaterThan(100);
      expect(over(r.lines, w), `COLUMNS=${w}`).toEqual([]);
    }
  });
});

describe("one unit", () => {
  it("GB by default in the headline, table and hardware; GiB with --binary; --json stays bytes", () => {
    // The fixture hashed (--verify): the verification section's sizes too.
    for (const args of [
      [llama, "--memory", "24GB"],
      ["--verify", FIXTURE],
    ]) {
      const gb = at("100000", args).stdout;
      expect(gb).toMatch(/\d (kB|MB|GB) /);
      expect(gb).not.toMatch(/\d (KiB|MiB|GiB|TiB)\b/);
      const gib = at("100000", ["--binary", ...args]).stdout;
      expect(gib).toMatch(/\d (KiB|MiB|GiB) /);
      expect(gib).not.toMatch(/\d (kB|MB|GB|TB)\b/);
    }
    expect(at("100000", [llama]).stdout).toMatch(/ 16\.06 GB on disk/);
    const gib = at("100000", ["--binary", llama]).stdout;
    expect(gib).toMatch(/ 14\.96 GiB on disk/);
    expect(gib).toMatch(/weights +14\.96 GiB/);
    const json = (extra: string[]) => inspect(["--json", ...extra, llama]).stdout;
    expect(json(["--binary"])).toBe(json([]));
  });

  it("a does-not-fit message on stderr uses the same unit", () => {
    expect(inspect([llama, "--memory", "16GB", "--require-fit", "--binary"]).stderr).toMatch(
      /needs 17\.21 GiB, 14\.90 GiB usable\n$/,
    );
  });
});

describe("the tier thresholds", () => {
  it("are printed once per run, with the first estimate, not per target", () => {
    const r = at("80", [llama, v3]);
    expect(r.stdout.match(/^ {2}Hardware/gm)).toHaveLength(2);
    expect(r.stdout.match(/· tiers: /g)).toHaveLength(1);
    expect(r.stdout.indexOf("· tiers: ")).toBeLessThan(r.stdout.indexOf("DeepSeek-V3  ok"));
    // --brief shows no thresholds, so the first full report still does.
    expect(at("80", ["--brief", llama]).stdout).not.toContain("tiers:");
  });
});

describe("--help", () => {
  it("wraps to the width, as the report does", () => {
    for (const w of [40, 60, 80, 120]) {
      const r = at(String(w), ["--help"]);
      expect(r.status).toBe(0);
      expect(over(r.lines, w), `COLUMNS=${w}`).toEqual([]);
    }
    // Wide enough, a description stays beside its option; narrow, it goes under it.
    expect(at("80", ["--help"]).stdout).toMatch(/^ {2}--binary +sizes in GiB/m);
    expect(at("40", ["--help"]).stdout).toMatch(/^ {2}--binary\n {6}sizes in GiB/m);
  });

  it("names every kind of target and the unit", () => {
    const help = at("80", ["--help"]).stdout;
    const targets = help.slice(help.indexOf("\nTargets:\n"), help.indexOf("\nExamples:\n"));
    for (const kind of [
      /^ {2}model\.safetensors /m,
      /^ {2}model\.gguf /m,
      /^ {2}a folder /m,
      /^ {2}model\.safetensors\.index\.json /m,
      /^ {2}models--org--name .*Hugging Face cache/m,
      /^ {2}org\/name\[@rev\] /m,
      /^ {2}https:\/\/… /m,
      /^ {2}- +standard input/m,
    ])
      expect(targets).toMatch(kind);
    expect(help).toContain("Sizes are in GB (10^9 bytes; --binary: GiB, 2^30)");
  });
});

describe("the bundled example", () => {
  it("fits 80 columns by default", () => {
    expect(over(at("", [FIXTURE]).lines, 80)).toEqual([]);
  });
});
