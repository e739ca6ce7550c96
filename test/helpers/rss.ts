// Runs the built CLI and reports its peak memory, measured inside the child by
// process.resourceUsage().maxRSS (see child/report-rss.cjs): no /usr/bin/time needed.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { BIN, ROOT, type Result } from "./cli.js";
import { tempDir } from "./safetensors.js";

const PRELOAD = path.join(ROOT, "test", "helpers", "child", "report-rss.cjs");

export function inspectWithRss(args: string[]): Result & { maxRssBytes: number } {
  const t = tempDir("inspect-rss-");
  try {
    const file = path.join(t.dir, "rss");
    const env: NodeJS.ProcessEnv = { ...process.env, INSPECT_TEST_RSS_FILE: file };
    delete env.FORCE_COLOR;
    const r = spawnSync(process.execPath, ["--require", PRELOAD, BIN, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env,
      maxBuffer: 1 << 30,
    });
    return {
      status: r.status,
      stdout: String(r.stdout),
      stderr: String(r.stderr),
      maxRssBytes: Number(readFileSync(file, "utf8")),
    };
  } finally {
    t.cleanup();
  }
}
