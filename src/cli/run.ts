// One run: resolve options, inspect each target in turn, print, and decide the exit status.

import { summarize, type Summary } from "../analysis/summary.js";
import { loadCheckpoint, STDIN_TARGET } from "../checkpoint/load.js";
import { MAX_STDERR_ERRORS } from "../core/limits.js";
import { jsonDocument } from "../report/json.js";
import { escapeForTerminal } from "../report/escape.js";
import { colourStyle, type Style } from "../report/style.js";
import { StdinSource } from "../sources/stdin-source.js";
import { colourLevel } from "./colour.js";
import { combine, EXIT, exitStatusOf, type ExitCode } from "./exit-codes.js";
import { globPredicate } from "./glob.js";
import { Output } from "./output.js";

export interface RunOptions {
  json?: boolean;
  tensors?: boolean;
  filter?: string;
  strict?: boolean;
  color?: boolean;
  debug?: boolean;
}

export interface Streams {
  out: Output;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
}

export class UsageFailure extends Error {}

/** Targets from the command line; none means standard input when it is a pipe or a file. */
export function resolveTargets(targets: string[]): string[] {
  if (targets.length > 0) return targets;
  if (StdinSource.available()) return [STDIN_TARGET];
  throw new UsageFailure("no target given: name a .safetensors file, or pipe one into `inspect -`");
}

function reportErrors(s: Summary, err: (line: string) => void): void {
  const errors = s.findings.filter((f) => f.severity === "error");
  for (const f of errors.slice(0, MAX_STDERR_ERRORS)) {
    const file = f.file ?? s.target;
    const hint = f.hint ? ` (${f.hint})` : "";
    err(`inspect: ${escapeForTerminal(file)}: ${escapeForTerminal(f.message + hint)} [${f.code}]`);
  }
  if (errors.length > MAX_STDERR_ERRORS) {
    err(
      `inspect: ${escapeForTerminal(s.target)}: ${errors.length - MAX_STDERR_ERRORS} more errors in the report`,
    );
  }
}

export async function run(targets: string[], o: RunOptions, io: Streams): Promise<ExitCode> {
  const filter = o.filter === undefined ? undefined : globPredicate(o.filter);
  const listTensors = o.tensors === true || filter !== undefined;
  const json = o.json === true;
  let style: Style | undefined;
  let render: typeof import("../report/table.js").renderTable | undefined;
  if (!json) {
    // The table renderer and chalk load only when a table is printed: start-up time matters.
    style = await colourStyle(colourLevel({ json, flag: o.color, env: io.env, isTTY: io.isTTY }));
    render = (await import("../report/table.js")).renderTable;
  }
  let status: ExitCode = EXIT.ok;
  let first = true;
  for (const target of targets) {
    if (!io.out.open) break;
    const summary = summarize(await loadCheckpoint(target, { env: io.env }), {
      strict: o.strict === true,
    });
    status = combine(status, exitStatusOf(summary));
    reportErrors(summary, io.err);
    if (json) {
      for (const chunk of jsonDocument(summary, { tensors: listTensors, filter }))
        io.out.write(chunk);
    } else if (
      summary.files.some((f) => f.headerBytes > 0n) ||
      summary.findings.every((f) => f.severity !== "error" || !f.code.startsWith("TARGET_"))
    ) {
      io.out.write(
        (first ? "" : "\n") + render!(summary, { tensors: listTensors, filter, style: style! }),
      );
      first = false;
    }
  }
  await io.out.drain();
  return status;
}
