import { InspectError } from "../core/errors.js";
import { readSafetensors } from "../formats/safetensors/read.js";
import { FileSource } from "../sources/file-source.js";
import type { ByteSource } from "../sources/source.js";
import { StdinSource } from "../sources/stdin-source.js";
import type { Checkpoint } from "./checkpoint.js";

export const STDIN_TARGET = "-";

function openTarget(target: string): Promise<ByteSource> {
  if (target === STDIN_TARGET) return Promise.resolve(StdinSource.open());
  return FileSource.open(target);
}

/** Resolves a target and reads it. Never throws for bad input: problems become findings. */
export async function loadCheckpoint(target: string): Promise<Checkpoint> {
  let src: ByteSource;
  try {
    src = await openTarget(target);
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    return {
      target,
      files: [],
      findings: [e.toFinding(target === STDIN_TARGET ? "<stdin>" : target)],
    };
  }
  try {
    return { target, files: [await readSafetensors(src)], findings: [] };
  } finally {
    await src.close();
  }
}
