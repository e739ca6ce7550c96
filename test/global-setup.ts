import { execFileSync } from "node:child_process";

// End-to-end tests run the built CLI; build it when the sources are newer (npm test builds too).
export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build.mjs", "--if-needed"], { stdio: "inherit" });
}
