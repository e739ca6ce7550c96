import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    // No test may leave 127.0.0.1: a repo id that is not cached would otherwise be read from the
    // public Hub. Tests of remote reads unset this and name the loopback emulator as HF_ENDPOINT.
    env: { HF_HUB_OFFLINE: "1" },
    hookTimeout: 60_000,
  },
});
