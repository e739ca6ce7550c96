// What the CLI loads (lazily: only --verify and --scan pay for it).
export { verifyCheckpoint } from "./verify.js";
export { progressReporter } from "./progress.js";
export { interruptOnSignals } from "./interrupt.js";
