// Loads GGUF files with llama.cpp (the build node-llama-cpp ships) and prints one JSON line per
// file: {"file", "ok": true, "params", "size"} or {"file", "ok": false, "error"}. Run as a child
// process: llama.cpp aborts the process on some broken files, and the parent sees that as a crash.
// Usage: node llama-load.mjs FILE… ; prints {"unavailable": reason} when the binary cannot load.

import { loadLlama } from "./llama-addon.mjs";

/** llama.cpp's first error line for the current file. */
let reason;
/** Called when llama.cpp logs the last line of a failed load. */
let loadFailed;
const llama = await loadLlama("warn", (level, message) => {
  if (/gguf_init_from|error loading model|GGML_ASSERT/.test(message) && reason === undefined)
    reason = message.trim().split("\n")[0];
  if (/llama_model_load_from_file_impl: failed to load model/.test(message)) loadFailed?.();
});
// The addon directly: node-llama-cpp's loadModel first runs its own JavaScript GGUF parser, which
// would answer for llama.cpp on broken files.
const { AddonModel } = llama._bindings;
for (const file of process.argv.slice(2)) {
  console.log(JSON.stringify({ start: file }));
  reason = undefined;
  // llama.cpp's log lines reach the logger through the event loop, after init settles: a failed
  // load is reported once its closing line ("failed to load model") has arrived.
  const failureLogged = new Promise((resolve) => (loadFailed = resolve));
  let model;
  try {
    model = new AddonModel(file, { addonExports: llama._bindings, gpuLayers: 0, useMmap: true });
    const loaded = await model.init();
    if (!loaded) {
      let timer;
      await Promise.race([
        failureLogged,
        new Promise((resolve) => (timer = setTimeout(resolve, 10_000))),
      ]);
      clearTimeout(timer);
      console.log(
        JSON.stringify({ file, ok: false, error: reason ?? "llama_model_load_from_file failed" }),
      );
      continue;
    }
    const params = model.getTotalParameters();
    const size = model.getTotalSize();
    console.log(JSON.stringify({ file, ok: true, params, size }));
    await model.dispose();
  } catch (e) {
    console.log(JSON.stringify({ file, ok: false, error: String(e?.message ?? e).split("\n")[0] }));
  }
}
await llama.dispose();
