// The README's examples cannot drift: every generated block (scripts/readme-examples.ts) must be
// what a fresh run of the built CLI prints. Fix a failure with `npm run readme`.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { examples, regenerate, setupNames } from "../scripts/readme-examples.js";

const README = readFileSync("README.md", "utf8");
const list = examples(README);
const HAVE_JQ = spawnSync("sh", ["-c", "command -v jq"], { stdio: "ignore" }).status === 0;
/** Blocks that pipe into jq run only where jq is installed (it is on CI runners). */
const needsJq = (i: number) => list[i]!.commands.some((c) => /\|\s*jq\b/.test(c));

describe("README", () => {
  it("opens with one paragraph on what the tool does, then exactly the two set-up commands", () => {
    const [title, paragraph, setup] = README.split("\n\n");
    expect(title).toBe("# inspect");
    expect(paragraph).toMatch(/^`inspect` tells you what is inside model weights/);
    expect(setup).toMatch(
      /^```sh\nnpm ci && npm start +# [^\n]+\nnpm ci && npm test +# [^\n]+\n```$/,
    );
  });

  it("has generated example blocks, each naming its commands and a known setup", () => {
    expect(list.length).toBeGreaterThanOrEqual(5);
    for (const ex of list) {
      expect(ex.commands.length).toBeGreaterThan(0);
      if (ex.setup) expect(setupNames()).toContain(ex.setup);
    }
    // What issue 12 found out of date stays fixed.
    expect(README).not.toContain("as stored  as stored");
    expect(README).not.toMatch(/model\.layers\.61\.[ ,)]/);
  });

  it(`every example block is what the built CLI prints now${HAVE_JQ ? "" : " (jq absent: its blocks not run)"}`, () => {
    const only = new Set(list.map((_, i) => i).filter((i) => HAVE_JQ || !needsJq(i)));
    const fresh = regenerate(README, only);
    // Block by block, so that a failure names the commands that drifted.
    const now = examples(fresh);
    list.forEach((ex, i) => {
      expect(fresh.slice(now[i]!.start, now[i]!.end), ex.commands.join("; ")).toBe(
        README.slice(ex.start, ex.end),
      );
    });
    expect(fresh).toBe(README);
  });
});
