import { spawn, spawnSync, type SpawnSyncOptions } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

export const ROOT = process.cwd();
export const BIN = path.join(ROOT, "bin", "inspect.cjs");
export const FIXTURE = path.join(ROOT, "fixtures", "tiny-llama", "model.safetensors");
export const REALDATA = process.env.INSPECT_REALDATA ?? path.resolve(ROOT, "../shared/realdata");
export const HAVE_REALDATA = existsSync(REALDATA);

export interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a CLI run: colour variables cleared unless given, and COLUMNS wide enough
 * that nothing wraps unless given (tests of what the report says match whole sentences; the
 * width is tested where it is set: test/cli/width.test.ts).
 */
function cliEnv(given: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const env = { ...process.env, ...(given ?? {}) };
  if (!given || !("FORCE_COLOR" in given)) delete env.FORCE_COLOR;
  if (!given || !("NO_COLOR" in given)) delete env.NO_COLOR;
  if (!given || !("COLUMNS" in given)) env.COLUMNS = String(WIDE);
  return env;
}

/** A width no report line reaches: content tests see every sentence on one line. */
const WIDE = 100_000;

/** Runs the built CLI with stdin from /dev/null unless `input` is given, colour env cleared. */
export function inspect(
  args: string[],
  options: SpawnSyncOptions & { input?: string | Buffer } = {},
): Result {
  const env = cliEnv(options.env);
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    stdio: options.input === undefined ? ["ignore", "pipe", "pipe"] : ["pipe", "pipe", "pipe"],
    maxBuffer: 1 << 30,
    ...options,
    env,
  });
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export const ANSI = /\u001b\[/;

/**
 * Runs the built CLI without blocking this process, for targets served from it (the loopback
 * Hub emulator would never answer a CLI run with spawnSync). Colour env cleared as in inspect().
 */
export function inspectAsync(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<Result> {
  const env = cliEnv(options.env);
  return spawnCollect([process.execPath, BIN, ...args], env, options.cwd);
}

/** Runs a command without blocking this process and collects its output as UTF-8. */
export function spawnCollect(cmd: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd[0]!, cmd.slice(1), {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      ...(cwd ? { cwd } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on("data", (b: Buffer) => out.push(b));
    p.stderr.on("data", (b: Buffer) => err.push(b));
    p.on("error", reject);
    p.on("close", (status) =>
      resolve({
        status,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
  });
}
