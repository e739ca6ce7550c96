import { spawn } from "node:child_process";
import path from "node:path";
import { HubEmulator } from "./test/helpers/hub-emulator.js";
const dir = path.resolve(".bench/deepseek-v3");
const hub = await HubEmulator.start();
hub.addFolder("deepseek-ai/DeepSeek-V3", dir);
const env = {
  ...process.env,
  HF_ENDPOINT: hub.hub,
  HF_HUB_CACHE: "/tmp/empty-cache-x",
  HF_TOKEN: "",
};
function run(args: string[], cwd?: string): Promise<{ ms: number; out: string; err: string }> {
  const t0 = Date.now();
  return new Promise((res) => {
    const p = spawn(
      process.execPath,
      ["bin/inspect.js", ...args].map((a, i) => (i === 0 ? path.resolve(a) : a)),
      { env, cwd },
    );
    let out = "",
      err = "";
    p.stdout.on("data", (b) => (out += b));
    p.stderr.on("data", (b) => (err += b));
    p.on("close", () => res({ ms: Date.now() - t0, out, err }));
  });
}
for (const lat of [0, 50]) {
  hub.latencyMs = lat;
  for (let i = 0; i < 2; i++) {
    const r = await run(["--json", "deepseek-ai/DeepSeek-V3"]);
    console.log("lat", lat, r.ms, "ms", r.err.slice(0, 200));
  }
}
const local = await run(["--json", "."], dir);
console.log("local", local.ms);
const remote = await run(["--json", "deepseek-ai/DeepSeek-V3"]);
const a = JSON.parse(local.out),
  b = JSON.parse(remote.out);
for (const k of Object.keys(a))
  if (JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    console.log(
      "differs:",
      k,
      JSON.stringify(a[k]).slice(0, 300),
      "\n vs",
      JSON.stringify(b[k]).slice(0, 300),
    );
await hub.close();
