// The llama.cpp build node-llama-cpp ships, for the reference scripts run as child processes
// (llama-load.mjs, llama-context.mjs): CPU only, never built or downloaded. When it cannot load,
// prints {"unavailable": reason} and ends the process, which the tests read as "skip".

/** llama.cpp with its log lines at `logLevel` and above sent to `logger(level, message)`. */
export async function loadLlama(logLevel, logger) {
  let getLlama;
  try {
    ({ getLlama } = await import("node-llama-cpp"));
  } catch (e) {
    console.log(JSON.stringify({ unavailable: `node-llama-cpp: ${e.message}` }));
    process.exit(0);
  }
  try {
    return await getLlama({
      gpu: false,
      build: "never",
      usePrebuiltBinaries: true,
      skipDownload: true,
      progressLogs: false,
      logLevel,
      logger,
    });
  } catch (e) {
    console.log(JSON.stringify({ unavailable: `llama.cpp binary: ${e.message}` }));
    process.exit(0);
  }
}
