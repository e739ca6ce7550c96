// Ctrl-C (SIGINT) or SIGTERM during --verify: the first one aborts the work, which then reports
// what it finished (the CLI exits 130 or 143); a second one, if the first is slow to take effect,
// ends the process the usual way, because our handlers are gone by then. The work can also be
// stopped from inside (stdout's reader has gone): nothing is reported then.

export type StopReason = "SIGINT" | "SIGTERM" | "output-closed";

export interface Interrupt {
  /** Aborted with the StopReason as its reason. */
  signal: AbortSignal;
  /** Why the work was stopped; undefined while it was not. */
  readonly reason: StopReason | undefined;
  /** Stops the work from inside (e.g. the output has gone). */
  stop(reason: StopReason): void;
  /** Removes the handlers; call when the work ends either way. */
  dispose(): void;
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

export function interruptOnSignals(proc: NodeJS.Process = process): Interrupt {
  const controller = new AbortController();
  let reason: StopReason | undefined;
  const handlers = SIGNALS.map((name) => [name, () => stop(name)] as const);
  const dispose = () => {
    for (const [name, h] of handlers) proc.removeListener(name, h);
  };
  const stop = (why: StopReason) => {
    dispose();
    if (reason !== undefined) return;
    reason = why;
    controller.abort(why);
  };
  for (const [name, h] of handlers) proc.on(name, h);
  return {
    signal: controller.signal,
    get reason() {
      return reason;
    },
    stop,
    dispose,
  };
}
