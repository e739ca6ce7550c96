// A local target resolved and read as the CLI reads it, without the CLI: for tests that want
// the checkpoint (or its summary) of a file or folder on disk.

import type { Checkpoint } from "../../src/checkpoint/checkpoint.js";
import { readLocal, type LoadOptions } from "../../src/checkpoint/load.js";
import { resolveTarget } from "../../src/checkpoint/resolve.js";

export async function loadCheckpoint(
  target: string,
  options: LoadOptions = {},
): Promise<Checkpoint> {
  return readLocal(target, await resolveTarget(target, options), options);
}
