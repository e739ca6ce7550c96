// Loads GGUF files with llama.cpp (the build node-llama-cpp ships, through its native addon),
// creates a context for each, and prints one JSON line per context with what llama.cpp says it
// allocated: {"file", "context", "setting", "swaFull", "flashAttention", "caches": [{"cells",
// "layers", "kMiB", "vMiB"}], "computeMiB", "outputMiB"} (its log lines give MiB to two
// decimals), or {"file", "context", "setting", "swaFull", "error"}; "setting" is the
// --flash-attn asked for. Run as one child process for every context the tests want
// (loading the addon is what takes time).
// Usage: node llama-context.mjs [--context=N] [--flash-attn=on|off|auto] [--swa-full=yes|no] FILE…
// where each option applies to the files after it; prints {"unavailable": reason} when the binary
// cannot load. n_ubatch 512, one sequence, f16 cache: llama.cpp's defaults; flash attention on
// and the SWA cache windowed unless told; "flashAttention" in the output is true or false as
// llama.cpp resolved it ("auto" is resolved by a probe that logs "Flash Attention enabled").

import { loadLlama } from "./llama-addon.mjs";

let lines = [];
/** Called when llama.cpp has logged the compute buffer, the last size a context reports. */
let reserved;
const llama = await loadLlama("info", (_level, message) => {
  lines.push(message);
  if (/compute buffer size/.test(message)) reserved?.();
});
const { AddonModel, AddonContext } = llama._bindings;
const mib = (re, text) => {
  const m = re.exec(text);
  return m ? Number(m[1]) : undefined;
};
const runs = [];
const current = { context: 4096, fa: "on", swaFull: false };
for (const arg of process.argv.slice(2)) {
  const [name, value] = arg.split("=");
  if (name === "--context") current.context = Number(value);
  else if (name === "--flash-attn") current.fa = value;
  else if (name === "--swa-full") current.swaFull = value === "yes";
  else runs.push({ ...current, file: arg });
}
for (const { file, context, fa, swaFull } of runs) {
  lines = [];
  const done = new Promise((resolve) => (reserved = resolve));
  try {
    const model = new AddonModel(file, { addonExports: llama._bindings, gpuLayers: 0 });
    if (!(await model.init())) throw new Error("the model did not load");
    const ctx = new AddonContext(model, {
      contextSize: Number(context),
      batchSize: 512,
      sequences: 1,
      flashAttention: fa === "auto" ? "auto" : fa === "on",
      swaFullCache: swaFull,
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
        context,
        setting: fa,
        swaFull,
        caches,
        flashAttention: fa === "auto" ? /Flash Attention enabled/.test(text) : fa === "on",
        computeMiB: mib(/CPU compute buffer size = +([\d.]+) MiB/, text),
        outputMiB: mib(/CPU +output buffer size = +([\d.]+) MiB/, text),
      }),
    );
    await ctx.dispose();
    await model.dispose();
  } catch (e) {
    const error = String(e?.message ?? e).split("\n")[0];
    console.log(JSON.stringify({ file, context, setting: fa, swaFull, error }));
  }
}
await llama.dispose();
