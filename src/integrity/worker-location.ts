// Where the hashing worker's code is. Built, it is dist/hash-worker.js, its own esbuild entry
// point, beside the CLI bundle this module is part of (dist/cli.cjs). From source (vitest), Node
// 20 cannot run the .ts worker, so a small shim bundles it in memory first (dev-worker.mjs;
// esbuild is a dev dependency).

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface WorkerLocation {
  url: URL;
  workerData?: unknown;
}

export function hashWorkerLocation(here: string = import.meta.url): WorkerLocation {
  if (here.endsWith(".ts")) {
    return {
      url: new URL("./dev-worker.mjs", here),
      workerData: { entry: fileURLToPath(new URL("./hash-worker.ts", here)) },
    };
  }
  const url = new URL("./hash-worker.js", here);
  if (existsSync(fileURLToPath(url))) return { url };
  throw new Error(`hash-worker.js not found beside ${here}: rebuild with npm run build`);
}
