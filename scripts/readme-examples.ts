// The README's example blocks, generated from real runs of the built CLI so that they cannot drift
// from what it prints. `npm run readme` rewrites them (scripts/readme.ts); test/readme.test.ts
// fails when a block differs from a fresh run.
//
// A generated block is an HTML comment naming its commands, then the fenced block they print:
//
//   <!-- example: damaged-cache
//   $ inspect --verify --scan models--example--tiny-llama 2> /dev/null
//   $ echo $?
//   -->
//   ```console
//   (written by the generator: each command after "$ ", then what it printed)
//   ```
//
// The word after "example:" (optional) names a setup the commands need (SETUPS below). The
// commands run one after another in one shell (`$?` is the previous command's status), stdout
// and stderr together as a terminal shows them, in a scratch folder holding `fixtures` (the
// repo's) and what the setup made, with `inspect` on the PATH as the built CLI, 80 columns,
// no colour and no network. Nothing is read from outside the repo.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { writeLayout } from "../test/helpers/checkpoints.js";
import { deepseekV3 } from "../test/helpers/layouts.js";

/** The repo: the working directory, as for npm scripts and the tests. */
const ROOT = process.cwd();
const FIXTURE_DIR = path.join(ROOT, "fixtures", "tiny-llama");

export interface Example {
  /** The setup's name, or "" for none. */
  setup: string;
  commands: string[];
  /** Offsets in the README of the fenced block the commands write (from ``` to ``` inclusive). */
  start: number;
  end: number;
}

const MARKER =
  /<!-- example:[ \t]*([\w-]*)[ \t]*\n((?:\$ [^\n]*\n)+)-->\n```console\n(?:[\s\S]*?\n)??```/g;

/** The generated blocks of `readme`, in order. */
export function examples(readme: string): Example[] {
  const out: Example[] = [];
  for (const m of readme.matchAll(MARKER)) {
    const fence = m[0].indexOf("```console");
    out.push({
      setup: m[1]!,
      commands: m[2]!
        .trimEnd()
        .split("\n")
        .map((l) => l.slice(2)),
      start: m.index + fence,
      end: m.index + m[0].length,
    });
  }
  return out;
}

const gitBlobId = (b: Buffer) =>
  createHash("sha1")
    .update(Buffer.concat([Buffer.from(`blob ${b.length}\0`), b]))
    .digest("hex");

/** What a block's commands need in the scratch folder, beyond `fixtures`. */
const SETUPS: Record<string, (dir: string) => void> = {
  /** DeepSeek-V3 as a header-only copy: its 163 shards (sparse), index and config.json. */
  "deepseek-v3": (dir) => void writeLayout(path.join(dir, "DeepSeek-V3"), deepseekV3()),
  /**
   * The bundled example as a Hugging Face cache folder (refs/main, a snapshot linking to blobs
   * named by their digests), with the first value of model.embed_tokens.weight overwritten in
   * the blob by a BF16 NaN: a damaged download.
   */
  "damaged-cache": (dir) => {
    const repo = path.join(dir, "models--example--tiny-llama");
    const commit = "0123456789abcdef0123456789abcdef01234567";
    const snapshot = path.join(repo, "snapshots", commit);
    mkdirSync(path.join(repo, "blobs"), { recursive: true });
    mkdirSync(path.join(repo, "refs"));
    mkdirSync(snapshot, { recursive: true });
    writeFileSync(path.join(repo, "refs", "main"), commit);
    const weights = readFileSync(path.join(FIXTURE_DIR, "model.safetensors"));
    const id = createHash("sha256").update(weights).digest("hex");
    const headerBytes = Number(weights.readBigUInt64LE(0));
    const header = JSON.parse(weights.subarray(8, 8 + headerBytes).toString("utf8"));
    const at = 8 + headerBytes + Number(header["model.embed_tokens.weight"].data_offsets[0]);
    const damaged = Buffer.from(weights);
    damaged.writeUInt16LE(0x7fc0, at); // BF16 NaN
    writeFileSync(path.join(repo, "blobs", id), damaged);
    symlinkSync(`../../blobs/${id}`, path.join(snapshot, "model.safetensors"));
    const config = readFileSync(path.join(FIXTURE_DIR, "config.json"));
    const configId = gitBlobId(config);
    writeFileSync(path.join(repo, "blobs", configId), config);
    symlinkSync(`../../blobs/${configId}`, path.join(snapshot, "config.json"));
  },
};

export const setupNames = (): string[] => Object.keys(SETUPS);

/** The environment of every run: the built CLI as `inspect`, 80 columns, no colour, offline. */
function environment(bin: string, dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
    HOME: dir,
    HF_HOME: path.join(dir, "hf-home"),
    HF_HUB_OFFLINE: "1",
    COLUMNS: "80",
    NO_COLOR: "1",
    LC_ALL: "C.UTF-8",
    TERM: "dumb",
  };
  if (process.env.SYSTEMROOT) env.SYSTEMROOT = process.env.SYSTEMROOT;
  return env;
}

/** Separates one command's output from the next's in the shell's single stream. */
const SEPARATOR = "\u001e--inspect-readme--\u001e";

/** What the block's commands print, as the README shows it (without the fences). */
function run(example: Example, dir: string, env: NodeJS.ProcessEnv): string {
  // One shell, so that `$?` is the previous command's status; a separator after each command,
  // the status it left restored for the next one.
  const script = [
    "exec 2>&1",
    ...example.commands.flatMap((c) => [c, `__s=$?; printf '%s\\n' '${SEPARATOR}'; (exit $__s)`]),
  ].join("\n");
  const r = spawnSync("sh", ["-c", script], {
    cwd: dir,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  const outputs = r.stdout.split(`${SEPARATOR}\n`);
  return example.commands
    .map((c, i) => `$ ${c}\n${outputs[i] ?? ""}`)
    .join("")
    .replace(/\n$/, "");
}

/**
 * The README with every generated block rewritten from a fresh run. `only` (indexes into
 * examples(readme)) limits the runs; the other blocks are left as they are.
 */
export function regenerate(readme: string, only?: ReadonlySet<number>): string {
  const list = examples(readme);
  const cli = path.join(ROOT, "bin", "inspect.cjs");
  if (!existsSync(path.join(ROOT, "dist", "cli.cjs")))
    throw new Error("build the CLI first: npm run build");
  const dir = mkdtempSync(path.join(tmpdir(), "inspect-readme-"));
  try {
    const bin = path.join(dir, ".bin");
    mkdirSync(bin);
    writeFileSync(
      path.join(bin, "inspect"),
      `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} "$@"\n`,
      { mode: 0o755 },
    );
    symlinkSync(path.join(ROOT, "fixtures"), path.join(dir, "fixtures"));
    const env = environment(bin, dir);
    const done = new Set<string>();
    let out = "";
    let last = 0;
    list.forEach((ex, i) => {
      out += readme.slice(last, ex.start);
      last = ex.end;
      if (only && !only.has(i)) {
        out += readme.slice(ex.start, ex.end);
        return;
      }
      if (ex.setup && !done.has(ex.setup)) {
        const setup = SETUPS[ex.setup];
        if (!setup) throw new Error(`README: unknown example setup "${ex.setup}"`);
        setup(dir);
        done.add(ex.setup);
      }
      out += "```console\n" + run(ex, dir, env) + "\n```";
    });
    return out + readme.slice(last);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
