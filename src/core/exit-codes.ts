// The documented exit statuses; which one a report earns is decided in inspection.ts.

/** The documented exit statuses. */
export const EXIT = {
  ok: 0,
  /** The weights have errors. */
  invalid: 1,
  /** Usage error, or a target that cannot be opened. */
  usage: 2,
  /** Valid, but does not fit the requirement given. */
  doesNotFit: 3,
  /** Interrupted (128 + SIGINT). */
  interrupted: 130,
  /** stdout's reader went away before everything was reported (128 + SIGPIPE). */
  outputClosed: 141,
  /** Terminated (128 + SIGTERM); what was done is reported. */
  terminated: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Several targets: the most serious status wins (2 over 1 over 3 over 0). */
export function combine(a: ExitCode, b: ExitCode): ExitCode {
  const rank = (c: ExitCode) =>
    [
      EXIT.ok,
      EXIT.doesNotFit,
      EXIT.invalid,
      EXIT.usage,
      EXIT.outputClosed,
      EXIT.interrupted,
      EXIT.terminated,
    ].indexOf(c);
  return rank(a) >= rank(b) ? a : b;
}
