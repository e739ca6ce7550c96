// llama.cpp as the reference (the build node-llama-cpp ships, through its native addon, bypassing
// node-llama-cpp's own JavaScript GGUF parser): every tiny model the writer makes loads there with
// the same parameter count and size as ours; every hostile variant we call an error is refused
// (or aborts the process) for the reason we give; every file we only warn about loads.
// Skipped, with the reason, when the prebuilt binary cannot run on this machine.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CODES, type CodeInfo, type FindingCode } from "../../../src/core/codes.js";
import { loadCheckpoint } from "../../helpers/load.js";
import { readGguf, type GgufFile } from "../../../src/formats/gguf/read.js";
import { FAMILIES, familyFile, splitName, writeGguf, type Family } from "../../helpers/gguf.js";
import { splitVariants, variants } from "../../helpers/gguf-variants.js";
import { memorySource } from "../../helpers/memory-source.js";

interface Outcome {
  ok: boolean;
  params?: number;
  size?: number;
  error?: string;
  crashed?: string;
}

const LOADER = path.resolve("test/helpers/llama-load.mjs");
const dir = mkdtempSync(path.join(tmpdir(), "inspect-llama-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads every file in child processes, starting a new one after each crash. */
function loadAll(files: string[]): { unavailable?: string; outcomes: Map<string, Outcome> } {
  const outcomes = new Map<string, Outcome>();
  let rest = files;
  while (rest.length > 0) {
    const r = spawnSync(process.execPath, [LOADER, ...rest], {
      encoding: "utf8",
      maxBuffer: 1 << 26,
      timeout: 300_000,
    });
    let current: string | undefined;
    for (const line of r.stdout.split("\n")) {
      if (!line.startsWith("{")) continue;
      const msg = JSON.parse(line) as {
        unavailable?: string;
        start?: string;
        file?: string;
      } & Outcome;
      if (msg.unavailable !== undefined) return { unavailable: msg.unavailable, outcomes };
      if (msg.start !== undefined) current = msg.start;
      else if (msg.file !== undefined) {
        outcomes.set(msg.file, msg);
        current = undefined;
      }
    }
    if (current === undefined) break;
    // The process died while loading `current`: an abort inside llama.cpp.
    const assertion =
      /GGML_ASSERT\([^\n]*|terminate called[^\n]*/.exec(r.stderr)?.[0] ??
      `exit ${r.status ?? r.signal}`;
    outcomes.set(current, { ok: false, crashed: assertion });
    rest = rest.slice(rest.indexOf(current) + 1);
  }
  return { outcomes };
}

/** What llama.cpp's model loader says when it refuses a split set, by the name of the variant. */
const SPLIT_REASON: Record<string, RegExp> = {
  "split.no of part 2 says 2": /invalid split file idx: 2/,
  "split.no missing in part 2": /missing key split\.no/,
  "split.no of part 2 a u32": /GGML_ASSERT\(type_to_gguf_type/,
  "split.count of part 1 a u32": /key split\.count has wrong type/,
  "split.count of part 1 says 4": /invalid split file name/,
  "split.tensors.count one too many": /corrupted model: \d+ tensors expected/,
  "split.tensors.count missing": /key not found in model: split\.tensors\.count/,
  "a tensor in parts 1 and 3": /tensor '.*' is duplicated/,
};

/** What llama.cpp logs when it refuses a file for the reason a code names. */
const REASON: Partial<Record<FindingCode, RegExp>> = {
  GGUF_BAD_MAGIC: /magic/,
  LFS_POINTER: /magic/,
  HTML_DOCUMENT: /magic/,
  SAFETENSORS_FILE: /magic/,
  GGUF_VERSION_OBSOLETE: /GGUFv1/,
  GGUF_VERSION_UNSUPPORTED: /version/,
  GGUF_BIG_ENDIAN: /endian/,
  GGUF_EMPTY_KEY: /is empty/,
  GGUF_DUPLICATE_KEY: /duplicate key/,
  GGUF_NESTED_ARRAY: /invalid GGUF type|failed to read/,
  GGUF_VALUE_TYPE_INVALID: /invalid GGUF type|failed to read/,
  GGUF_ALIGNMENT_INVALID: /alignment/,
  GGUF_NAME_TOO_LONG: /too long/,
  GGUF_DUPLICATE_TENSOR: /duplicate tensor name/,
  GGUF_TOO_MANY_DIMS: /number of dimensions/,
  GGUF_DIM_NEGATIVE: /invalid number of elements/,
  GGUF_TYPE_UNKNOWN: /ggml type|block size/,
  GGUF_ROW_NOT_BLOCKS: /not a multiple of block size/,
  GGUF_OFFSET_MISALIGNED: /has offset \d+, expected \d+/,
  GGUF_TENSOR_OVERLAP: /has offset \d+, expected \d+/,
  GGUF_NOT_CONTIGUOUS: /has offset \d+, expected \d+/,
  GGUF_DATA_TRUNCATED: /not within the file bounds/,
  GGUF_NO_ARCHITECTURE: /architecture/,
  GGUF_ALIGNMENT_CRASH: /TENSOR_ALIGNMENT/,
};

const families = Object.keys(FAMILIES) as Family[];
const cases: Array<{ name: string; file: string; parsed: GgufFile }> = [];
for (const f of families) {
  const bytes = familyFile(f).bytes;
  const file = path.join(dir, `family-${f}.gguf`);
  writeFileSync(file, bytes);
  cases.push({ name: `family ${f}`, file, parsed: await readGguf(memorySource(bytes)) });
}
// The bundled example (npm run fixtures), really quantized: llama.cpp must load it as we count it.
{
  const file = path.resolve("fixtures/tiny-llama-gguf/tiny-llama-Q8_0.gguf");
  const parsed = await readGguf(memorySource(readFileSync(file)));
  cases.push({ name: "family of the bundled fixture (Q8_0)", file, parsed });
}
for (const [i, v] of variants().entries()) {
  const file = path.join(dir, `variant-${String(i).padStart(2, "0")}.gguf`);
  writeFileSync(file, v.bytes);
  cases.push({ name: v.name, file, parsed: await readGguf(memorySource(v.bytes)) });
}
// Split sets: llama.cpp is given the first part and finds the others by name.
const sets = splitVariants().map((v, i) => {
  const folder = path.join(dir, `set-${i}`);
  mkdirSync(folder);
  v.parts.forEach((p, k) =>
    writeFileSync(path.join(folder, splitName("m", k + 1, v.parts.length)), writeGguf(p).bytes),
  );
  return { ...v, folder, file: path.join(folder, splitName("m", 1, v.parts.length)) };
});
const { unavailable, outcomes } = loadAll([
  ...cases.map((c) => c.file),
  ...sets.map((s) => s.file),
]);
if (unavailable) console.warn(`llama.cpp reference tests skipped: ${unavailable}`);

describe.skipIf(unavailable !== undefined)("llama.cpp agrees", () => {
  it.each(cases.filter((c) => c.name.startsWith("family ")))(
    "$name loads, with n_params and model size equal to ours",
    ({ file, parsed }) => {
      expect(parsed.findings.filter((f) => f.severity === "error")).toEqual([]);
      const o = outcomes.get(file)!;
      expect(o).toMatchObject({ ok: true });
      expect(BigInt(o.params!)).toBe(parsed.elements);
      expect(BigInt(o.size!)).toBe(parsed.tensorBytes);
    },
  );

  it.each(cases.filter((c) => !c.name.startsWith("family ")))("$name", ({ file, parsed }) => {
    const o = outcomes.get(file)!;
    const errors = parsed.findings.filter((f) => f.severity === "error");
    if (errors.length === 0) {
      expect(o).toMatchObject({ ok: true });
      expect(BigInt(o.params!)).toBe(parsed.elements);
      expect(BigInt(o.size!)).toBe(parsed.tensorBytes);
      return;
    }
    const code = errors[0]!.code;
    const behaviour = (CODES[code] as CodeInfo).llamaCpp;
    if (behaviour === "misreads") {
      // llama.cpp loads it, from the wrong bytes: the reason it is our error and not a warning.
      expect(o.ok).toBe(true);
      return;
    }
    expect(o.ok).toBe(false);
    if (behaviour === "crashes") expect(o.crashed).toBeDefined();
    else expect(o.crashed).toBeUndefined();
    const reason = REASON[code];
    if (reason) expect(o.crashed ?? o.error).toMatch(reason);
  });
});

describe.skipIf(unavailable !== undefined)("llama.cpp agrees on split sets", () => {
  it.each(sets)("$name", async ({ folder, file, findings }) => {
    const cp = await loadCheckpoint(folder);
    const o = outcomes.get(file)!;
    const errors = findings.filter((f) => f.startsWith("error "));
    if (errors.length === 0) {
      // Loads, with the totals of the parts together.
      expect(o).toMatchObject({ ok: true });
      const elements = cp.files.reduce((a, f) => a + (f.format === "gguf" ? f.elements : 0n), 0n);
      const bytes = cp.files.reduce((a, f) => a + (f.format === "gguf" ? f.tensorBytes : 0n), 0n);
      expect(BigInt(o.params!)).toBe(elements);
      expect(BigInt(o.size!)).toBe(bytes);
      return;
    }
    expect(o.ok).toBe(false);
    const name = sets.find((s) => s.file === file)!.name;
    expect(o.crashed ?? o.error).toMatch(SPLIT_REASON[name]!);
  });
});
