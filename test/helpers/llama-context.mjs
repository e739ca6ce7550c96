// Loads GGUF files with llama.cpp (the build node-llama-cpp ships, through its native addon),
// creates a context for each, and prints one JSON line per file with what llama.cpp says it
// allocated: {"file", "caches": [{"cells", "layers", "kMiB", "vMiB"}], "computeMiB", "outputMiB"}
// (its log lines give MiB to two decimals), or {"file", "error"}. Run as a child process.
// Usage: node llama-context.mjs CONTEXT FILE… ; prints {"unavailable": reason} when the binary
// cannot load. Flash attention on, n_ubatch 512, one sequence, f16 cache: llama.cpp's defaults.

import { loadLlama } from "./llama-addon.mjs";

let lines = [];
/** Called when llama.cpp has logged the compute buffer, the last size a context reports. */
let reserved;
const llama = await loadLlama("info", (_level, message) => {
  lines.push(message);
  if (/compute buffer size/.test(message)) reserved?.();
});
const { AddonModel, AddonContext } = llama._bindings;
const [context, ...files] = process.argv.slice(2);
const mib = (re, text) => {
  const m = re.exec(text);
  return m ? Number(m[1]) : undefined;
};
for (const file of files) {
  lines = [];
  const done = new Promise((resolve) => (reserved = resolve));
  try {
    const model = new AddonModel(file, { addonExports: llama._bindings, gpuLayers: 0 });
    if (!(await model.init())) throw new Error("the model did not load");
    const ctx = new AddonContext(model, {
      contextSize: Number(context),
      batchSize: 512,
      sequences: 1,
      flashAttention: true,
      threads: 1,
    });
    if (!(await ctx.init())) throw new Error("the context was not created");
    // The log lines reach the logger through the event loop, after init settles.
    let timer;
    await Promise.race([done, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
    const text = lines.join("");
    const caches = [
      ...text.matchAll(
        /llama_kv_cache: size = +[\d.]+ MiB \( *(\d+) cells, +(\d+) layers,[^)]*\), K \([^)]*\): +([\d.]+) MiB, V \([^)]*\): +([\d.]+) MiB/g,
      ),
    ].map((m) => ({
      cells: Number(m[1]),
      layers: Number(m[2]),
      kMiB: Number(m[3]),
      vMiB: Number(m[4]),
    }));
    console.log(
      JSON.stringify({
        file,
        caches,
        computeMiB: mib(/CPU compute buffer size = +([\d.]+) MiB/, text),
        outputMiB: mib(/CPU +output buffer size = +([\d.]+) MiB/, text),
      }),
    );
    await ctx.dispose();
    await model.dispose();
  } catch (e) {
    console.log(JSON.stringify({ file, error: String(e?.message ?? e).split("\n")[0] }));
  }
}
await llama.dispose();
