// Entry point: parse the command line, run, exit with the documented status. Usage errors exit 2;
// bugs print one line (a stack trace only with --debug) and exit 2.

import { Command, CommanderError, Option } from "commander";
import { cutText, escapeForTerminal } from "../core/escape.js";
import { MESSAGE_CHARS } from "../core/limits.js";
import { InspectError } from "../core/errors.js";
import { EXIT, type ExitCode } from "../core/exit-codes.js";
import { Output } from "./output.js";
import { resolveTargets, run, usageDocument, type RunOptions } from "./run.js";

declare const __INSPECT_VERSION__: string;
const VERSION = typeof __INSPECT_VERSION__ === "string" ? __INSPECT_VERSION__ : "0.0.0-dev";

const EPILOG = `
Targets: a .safetensors file, a model folder (sharded or not), an index file, a Hugging Face
cache folder (models--org--name), a repo id (org/name[@rev]: the local cache, else the Hub at
$HF_ENDPOINT, by range requests), an https:// URL of a .safetensors file or of an index, or -
for standard input.

Exit status: 0 valid (warnings allowed), 1 the weights have errors, 2 usage error or a
target that cannot be opened, 3 valid but does not fit (--require-fit), 130 interrupted,
141 stdout closed before the work was done, 143 terminated (SIGTERM).

Examples:
  inspect model.safetensors
  inspect --json model.safetensors | jq .parameters.total
  inspect --tensors --filter '*.self_attn.*' model.safetensors
  inspect meta-llama/Llama-3.1-8B --gpu rtx-4090 --context 32768
  inspect deepseek-ai/DeepSeek-V3 --remote --memory 1TB
  inspect --verify --against Qwen/Qwen2.5-7B ./Qwen2.5-7B
  inspect ./Mixtral-8x7B --memory auto --require-fit
  inspect --verify --scan ~/.cache/huggingface/hub/models--org--name
  curl -s https://…/model.safetensors | inspect -`;

const stdout = new Output(process.stdout, 1);

function program(): Command {
  return new Command()
    .name("inspect")
    .description(
      "Inspect .safetensors model weights by reading only their headers: tensors, dtypes,\nshapes, parameter counts, sizes, integrity and the hardware they need.",
    )
    .argument("[targets...]", "files to inspect; - reads standard input")
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
      "--memory <size>",
      "does it fit in this much memory? 24GB, 24GiB, or auto (this machine)",
    )
    .option("--gpu <name>", "does it fit on this GPU? h100, h200, a100, rtx-4090, mac-64gb, …")
    .option("--count <n>", "how many of --gpu (default 1)")
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
    .option("--tensors", "list the tensors (repeated layers collapsed in the table)")
    .option("--filter <glob>", "list only tensors whose name matches the glob (implies --tensors)")
    .addOption(new Option("--color", "colour the table even when not on a terminal"))
    .addOption(new Option("--no-color", "never colour (also: NO_COLOR=1, or --json)"))
    .option("--debug", "print stack traces for internal errors")
    .version(VERSION, "-V, --version")
    .helpOption("-h, --help", "show this help")
    .addHelpText("after", EPILOG)
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
