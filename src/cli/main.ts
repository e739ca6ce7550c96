// Entry point: parse the command line, run, exit with the documented status. Usage errors exit 2;
// bugs print one line (a stack trace only with --debug) and exit 2.

import { Command, CommanderError, Option } from "commander";
import { InspectError } from "../core/errors.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { Output } from "./output.js";
import { resolveTargets, run, UsageFailure, type RunOptions } from "./run.js";

declare const __INSPECT_VERSION__: string;
const VERSION = typeof __INSPECT_VERSION__ === "string" ? __INSPECT_VERSION__ : "0.0.0-dev";

const EPILOG = `
Exit status: 0 valid (warnings allowed), 1 the weights have errors, 2 usage error or a
target that cannot be opened, 3 valid but does not fit the requirement given.

Examples:
  inspect model.safetensors
  inspect --json model.safetensors | jq .parameters.total
  inspect --tensors --filter '*.self_attn.*' model.safetensors
  curl -s https://…/model.safetensors | inspect -`;

function program(): Command {
  return new Command()
    .name("inspect")
    .description(
      "Inspect .safetensors model weights by reading only their headers: tensors, dtypes, shapes,\nparameter counts, sizes, integrity and the hardware they need.",
    )
    .argument("[targets...]", "files to inspect; - reads standard input")
    .option("--json", "print one JSON document per target on stdout (schema version 1)")
    .option("--tensors", "list every tensor")
    .option("--filter <glob>", "list only tensors whose name matches the glob (implies --tensors)")
    .option("--strict", "treat warnings as errors (exit 1)")
    .addOption(new Option("--color", "colour the table even when not on a terminal"))
    .addOption(new Option("--no-color", "never colour (also: NO_COLOR=1, or --json)"))
    .option("--debug", "print stack traces for internal errors")
    .version(VERSION, "-V, --version")
    .helpOption("-h, --help", "show this help")
    .addHelpText("after", EPILOG)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, "inspect: ")),
    });
}

async function main(argv: string[]): Promise<ExitCode> {
  const cmd = program();
  let debug = argv.includes("--debug");
  try {
    cmd.parse(argv);
    const o = cmd.opts<RunOptions>();
    debug = o.debug === true;
    const targets = resolveTargets(cmd.args);
    return await run(targets, o, {
      out: new Output(process.stdout),
      err: (line) => process.stderr.write(line + "\n"),
      env: process.env,
      isTTY: process.stdout.isTTY === true,
    });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return EXIT.ok;
      if (e.code === "commander.help") return EXIT.usage;
      process.stderr.write("(see inspect --help)\n");
      return EXIT.usage;
    }
    if (e instanceof UsageFailure || (e instanceof InspectError && e.code === "USAGE")) {
      process.stderr.write(`inspect: ${e.message} (see inspect --help)\n`);
      return EXIT.usage;
    }
    process.stderr.write(
      debug
        ? `inspect: internal error: ${(e as Error).stack ?? String(e)}\n`
        : `inspect: internal error: ${(e as Error).message ?? String(e)} (run with --debug for a stack trace)\n`,
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
