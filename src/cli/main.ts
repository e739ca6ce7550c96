// Entry point: parse the command line, run, exit with the documented status. Usage errors exit 2;
// bugs print one line (a stack trace only with --debug) and exit 2.

import { Command, CommanderError, Option } from "commander";
import { cutText, escapeForTerminal } from "../core/escape.js";
import { MESSAGE_CHARS } from "../core/limits.js";
import { InspectError } from "../core/errors.js";
import { EXIT, type ExitCode } from "../core/exit-codes.js";
import { Output } from "./output.js";
import { resolveTargets, run, usageDocument, type RunOptions } from "./run.js";
import { outputWidth } from "./width.js";
import { wrapLines } from "../report/wrap.js";

declare const __INSPECT_VERSION__: string;
const VERSION = typeof __INSPECT_VERSION__ === "string" ? __INSPECT_VERSION__ : "0.0.0-dev";

/** Every kind of target, as `inspect --help` lists them. */
const TARGETS: ReadonlyArray<[string, string]> = [
  ["model.safetensors", "one file, with the config.json beside it when present"],
  ["model.gguf", "a GGUF file (llama.cpp, Ollama, LM Studio): its metadata and tensor infos"],
  ["a folder", "a model folder, sharded (by its index) or not, with its config.json"],
  ["model.safetensors.index.json", "an index file: the index and every shard it names"],
  ["models--org--name", "a Hugging Face cache folder: the snapshot refs/main points to"],
  [
    "org/name[@rev]",
    "a repo id (rev: a branch, tag or commit): the local Hugging Face cache, else the Hub at $HF_ENDPOINT, by range requests",
  ],
  ["https://…", "a URL of a .safetensors or .gguf file or of an index, by range requests"],
  ["-", "standard input (also when no target is named and a file is piped in)"],
];

const EPILOG: readonly string[] = [
  "Sizes are in GB (10^9 bytes; --binary: GiB, 2^30). The table fits the terminal's width (when stdout is not a terminal: $COLUMNS, else 80 columns).",
  "Exit status: 0 valid (warnings allowed), 1 the weights have errors, 2 usage error or a target that cannot be opened, 3 valid but does not fit (--require-fit), 130 interrupted, 141 stdout closed before the work was done, 143 terminated (SIGTERM).",
];

const EXAMPLES = [
  "inspect model.safetensors",
  "inspect --json model.safetensors | jq .parameters.total",
  "inspect --tensors --filter '*.self_attn.*' model.safetensors",
  "inspect meta-llama/Llama-3.1-8B --gpu rtx-4090 --context 32768",
  "inspect deepseek-ai/DeepSeek-V3 --remote --memory 1TB",
  "inspect --verify --against Qwen/Qwen2.5-7B ./Qwen2.5-7B",
  "inspect ./Mixtral-8x7B --memory auto --require-fit",
  "inspect --verify --scan ~/.cache/huggingface/hub/models--org--name",
  "curl -s https://…/model.safetensors | inspect -",
];

/** Descriptions narrower than this go on their own line, under the term. */
const MIN_DESCRIPTION = 24;

/**
 * `  term  description`, the description wrapped under itself; on a narrow terminal the
 * description goes under the term. Commander's options and the targets are laid out by this.
 */
function item(term: string, termWidth: number, description: string, width: number): string {
  if (!description) return `  ${term}`;
  if (width - termWidth - 4 >= MIN_DESCRIPTION && term.length <= termWidth)
    return wrapLines(
      description,
      width,
      `  ${term.padEnd(termWidth)}  `,
      " ".repeat(termWidth + 4),
    ).join("\n");
  return [`  ${term}`, ...wrapLines(description, width, "      ")].join("\n");
}

/** The text after the options, wrapped to `width` like the options above it. */
function helpAfter(width: number): string {
  const term = Math.max(...TARGETS.map(([t]) => t.length));
  return [
    "",
    "Targets:",
    ...TARGETS.map(([t, d]) => item(t, term, d, width)),
    "",
    EPILOG.map((p) => wrapLines(p, width, "").join("\n")).join("\n\n"),
    "",
    "Examples:",
    ...EXAMPLES.flatMap((e) => wrapLines(e, width, "  ", "      ")),
  ].join("\n");
}

const stdout = new Output(process.stdout, 1);
/** The table and --help fit this (cli/width.ts). */
const WIDTH = outputWidth({
  isTTY: process.stdout.isTTY === true,
  columns: process.stdout.columns,
  env: process.env,
});

function program(): Command {
  return new Command()
    .name("inspect")
    .description(
      "Inspect model weights (.safetensors, GGUF) by reading only their headers: tensors, dtypes, shapes, parameter counts, sizes, integrity and the hardware they need.",
    )
    .argument("[targets...]", "what to inspect: files, folders, repo ids, URLs, - (see Targets)")
    .option("--strict", "treat warnings as errors (exit 1)")
    .option(
      "--follow-symlinks",
      "read what symbolic links lead to even outside the target (default: refuse them)",
    )
    .optionsGroup("Remote (the Hugging Face Hub, URLs):")
    .option("--remote", "read org/name from the Hub even when it is in the local cache")
    .option("--offline", "never use the network (also HF_HUB_OFFLINE=1)")
    .option("--concurrency <n>", "HTTP requests in flight at once (default 16)")
    .option(
      "--file <name>",
      "of a folder or repo of GGUF files, the one to read (org/name:Q4_K_M picks by quantization)",
    )
    .optionsGroup("Hardware:")
    .option("--context <tokens>", "KV cache for this many tokens per sequence (default 4096)")
    .option("--batch <n>", "concurrent sequences (default 1)")
    .option(
      "--kv-dtype <dtype>",
      "KV cache precision: f16, bf16, f32, fp8, int8, q8_0, q4_0 (default: the config's, else 16-bit; f16 for GGUF)",
    )
    .option(
      "--flash-attn <mode>",
      "GGUF: llama.cpp's flash attention, on, off or auto (default auto: on where the backend has it)",
    )
    .option(
      "--swa-full",
      "GGUF: llama.cpp's full-size cache for sliding-window layers (default: window + micro-batch)",
    )
    .option(
      "--memory <size>",
      "does it fit in this much memory? 24GB, 24GiB, or auto (this machine)",
    )
    .option(
      "--gpu <name>",
      "does it fit on this GPU? h100, h200, a100, rtx-4090, mac-64gb, …; rtx-4090,rtx-3090 for GPUs of different kinds, in device order",
    )
    .option("--count <n>", "how many of --gpu (default 1)")
    .option(
      "--tensor-split <list>",
      "llama.cpp's --tensor-split over the --gpu devices, like 3,1 (default: by their memory)",
    )
    .option(
      "--reference-server <gpu>",
      "the GPU of the 8-GPU node the single-server tier is measured against (default h100)",
    )
    .option(
      "--precision <bits>",
      "weights at 16, 8 or 4 bits, or as-stored (default): what the tier, the fit and --require-fit use",
    )
    .option("--require-fit", "exit 3 when it does not fit --memory or --gpu")
    .optionsGroup("Integrity (reads every byte):")
    .option("--verify", "SHA-256 of every file, compared with the expected digests it can find")
    .option("--scan", "count NaN, infinities, all-zero tensors and bad booleans in the data")
    .option("--sha256 <hex>", "expected SHA-256 of a single-file target (implies --verify)")
    .option("--checksums <file>", "expected digests in sha256sum format (implies --verify)")
    .option("--lfs-pointers <dir>", "Git LFS pointer files mirroring the target (implies --verify)")
    .option(
      "--against <org/name[@rev]>",
      "compare the folder with this Hub revision's files: missing, extra, differing (implies --verify)",
    )
    .optionsGroup("Output:")
    .option("--json", "print one JSON document per target on stdout (schema version 1)")
    .option("--brief", "print only the headline: model, parameters, size, needs, runs on, verdict")
    .option("--binary", "sizes in GiB (2^30 bytes) instead of GB (10^9); --json is always bytes")
    .option("--tensors", "list the tensors (repeated layers collapsed in the table)")
    .option("--filter <glob>", "list only tensors whose name matches the glob (implies --tensors)")
    .addOption(new Option("--color", "colour the table even when not on a terminal"))
    .addOption(new Option("--no-color", "never colour (also: NO_COLOR=1, or --json)"))
    .option("--debug", "print stack traces for internal errors")
    .version(VERSION, "-V, --version")
    .helpOption("-h, --help", "show this help")
    .addHelpText("after", () => helpAfter(WIDTH))
    .configureHelp({
      helpWidth: WIDTH,
      // The same wrapping as the table's (report/wrap.ts), at any width.
      formatItem: (term, termWidth, description) => item(term, termWidth, description, WIDTH),
      boxWrap: (text, width) =>
        text
          .split("\n")
          .map((l) => wrapLines(l, width, "").join("\n"))
          .join("\n"),
    })
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      // --help and --version through the same EPIPE-tolerant stdout as reports: `| head -1`.
      writeOut: (s) => void stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
      // Commander's messages quote what was typed (`unknown option '…'`): escaped like any text
      // that did not come from us.
      outputError: (s, write) =>
        write(escapeForTerminal(s.replace(/^error: /, "inspect: ").trimEnd()) + "\n"),
    });
}

/** --json among the options (not after `--`, where it would be a target). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).includes("--json");
}

async function main(argv: string[]): Promise<ExitCode> {
  const cmd = program();
  let debug = argv.includes("--debug");
  InspectError.stacks = debug;
  // A usage error under --json still prints one document: scripts parse stdout whatever happens.
  const usageJson = (message: string, hint?: string) => {
    if (wantsJson(argv.slice(2))) {
      process.stdout.write(
        usageDocument(new InspectError("USAGE", message, hint === undefined ? {} : { hint })),
      );
    }
  };
  try {
    cmd.parse(argv);
    const o = cmd.opts<RunOptions>();
    debug = o.debug === true;
    const targets = resolveTargets(cmd.args);
    return await run(targets, o, {
      out: stdout,
      err: (line) => process.stderr.write(line + "\n"),
      progress: process.stderr,
      env: process.env,
      isTTY: process.stdout.isTTY === true,
      width: WIDTH,
      version: VERSION,
    });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return EXIT.ok;
      if (e.code === "commander.help") return EXIT.usage;
      process.stderr.write("(see inspect --help)\n");
      usageJson(e.message.replace(/^error: /, ""), "see inspect --help");
      return EXIT.usage;
    }
    if (e instanceof InspectError && e.code === "USAGE") {
      // The hint says what to do instead (e.g. --checksums for a checkpoint of several files).
      // Usage errors echo option values (--gpu, --memory, --sha256…): escaped.
      process.stderr.write(
        `inspect: ${cutText(`${e.message} (${e.detail.hint ?? "see inspect --help"})`, MESSAGE_CHARS)}\n`,
      );
      usageJson(e.message, e.detail.hint ?? "see inspect --help");
      return EXIT.usage;
    }
    process.stderr.write(
      debug
        ? `inspect: internal error: ${((e as Error).stack ?? String(e)).split("\n").map(escapeForTerminal).join("\n")}\n`
        : `inspect: internal error: ${escapeForTerminal((e as Error).message ?? String(e))} (run with --debug for a stack trace)\n`,
    );
    return EXIT.usage;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = EXIT.usage;
  },
);
