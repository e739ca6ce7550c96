// Ctrl-C during --verify: the first one aborts the work, which then reports what it finished
// (the CLI exits 130); a second one, if the first is slow to take effect, ends the process the
// usual way, because our handler is gone by then.

export interface Interrupt {
  signal: AbortSignal;
  /** Removes the handler; call when the work ends either way. */
  dispose(): void;
}

export function interruptOnSigint(proc: NodeJS.Process = process): Interrupt {
  const controller = new AbortController();
  const onSigint = () => {
    proc.removeListener("SIGINT", onSigint);
    controller.abort();
  };
  proc.on("SIGINT", onSigint);
  return { signal: controller.signal, dispose: () => proc.removeListener("SIGINT", onSigint) };
}
