// Preloaded into a CLI child (node --require): at exit, writes the process's peak resident set
// size in bytes to the file named by INSPECT_TEST_RSS_FILE, for tests that bound memory.
const { writeFileSync } = require("node:fs");
process.on("exit", () => {
  const file = process.env.INSPECT_TEST_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
});
