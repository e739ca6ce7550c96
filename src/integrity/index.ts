// What the CLI loads (lazily: only --verify and --scan pay for it).
export { verifyCheckpoint, type VerifyOutcome } from "./verify.js";
export { progressReporter } from "./progress.js";
export { interruptOnSignals, type StopReason } from "./interrupt.js";
export type { Verification } from "./verification.js";
