// While --verify hashes for minutes nothing is written, and Node learns of a closed pipe only from
// a write's EPIPE (a write of zero bytes tells nothing). So a helper watches stdout's pipe: GNU
// tail (coreutils 8.28 and later) with -f polls its own stdout, here our pipe, for POLLERR and
// ends by SIGPIPE once the pipe has no reader left; --pid ends it when we end. It reads /dev/null
// and writes nothing. Without GNU tail (macOS), or when stdout is not a pipe, there is no watch:
// the next write's EPIPE still ends the run quietly. Loaded only for --verify and --scan.

import { spawn, type ChildProcess } from "node:child_process";
import { OUTPUT_WATCH_SECONDS } from "../core/limits.js";
import type { Output } from "./output.js";

/** Calls `onGone` once `out`'s reader has gone; returns the function that stops watching. */
export function watchReader(out: Output, onGone: () => void): () => void {
  const fd = out.pipeFd;
  if (fd === undefined || !out.open) return () => {};
  let child: ChildProcess;
  try {
    child = spawn(
      "tail",
      ["-f", `--pid=${process.pid}`, "-s", String(OUTPUT_WATCH_SECONDS), "/dev/null"],
      { stdio: ["ignore", fd, "ignore"] },
    );
  } catch {
    return () => {};
  }
  let watching = true;
  child.on("error", () => {});
  child.on("exit", (_code, signal) => {
    if (watching && signal === "SIGPIPE") {
      out.markClosed();
      onGone();
    }
  });
  child.unref();
  return () => {
    watching = false;
    child.kill();
  };
}
