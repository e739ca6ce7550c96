// `ollama://model:tag`: a model in Ollama's local store, found by its manifest, read as the one
// GGUF file its model layer names. Everything read stays inside the store (its manifests and
// blobs, links followed only within it unless --follow-symlinks), regular files only, the
// manifest under a size bound. The digests and sizes of every blob the manifest names (the
// model's, the config's, each other layer's) travel with the checkpoint, so that --verify checks
// them all without being told; the summary reads none but the model's.

import path from "node:path";
import { InspectError } from "../core/errors.js";
import { finding } from "../core/findings.js";
import { MAX_OLLAMA_MANIFEST_BYTES } from "../core/limits.js";
import { excerpt, group } from "../core/text.js";
import {
  displayName,
  layerKind,
  manifestPath,
  ollamaModelsDir,
  parseOllamaTarget,
  readManifest,
  type Manifest,
} from "../ollama/models.js";
import { LocalStore } from "../store/local.js";
import { TargetScope } from "../store/scope.js";
import type { Checkpoint } from "./checkpoint.js";
import { readCheckpoint, type LoadOptions } from "./load.js";

export interface OllamaOptions extends LoadOptions {
  env: NodeJS.ProcessEnv;
}

const failed = (target: string, e: InspectError, repo?: string): Checkpoint => ({
  target,
  kind: "file",
  files: [],
  findings: [e.toFinding(target)],
  source: { kind: "ollama", ...(repo !== undefined ? { repo } : {}) },
});

/** Reads an `ollama://` target. Never throws for bad input: a failed checkpoint says why. */
export async function loadOllama(target: string, o: OllamaOptions): Promise<Checkpoint> {
  const models = ollamaModelsDir(o.env);
  let name;
  try {
    name = parseOllamaTarget(target, models);
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    return failed(target, e);
  }
  const shown = displayName(name);
  const scope = await TargetScope.of([models], o.followSymlinks);
  const store = new LocalStore(scope);
  const manifest = manifestPath(models, name);
  let manifestRead: Manifest;
  try {
    const read = await store.readSmall(manifest, MAX_OLLAMA_MANIFEST_BYTES).catch((e: unknown) => {
      if (e instanceof InspectError && e.code === "TARGET_NOT_FOUND")
        throw new InspectError(
          "OLLAMA_NOT_FOUND",
          `${shown} is not in the Ollama store ${models} (no manifest ${path.relative(models, manifest)})`,
          {
            hint: `pull it with \`ollama pull ${shown}\`; the store is OLLAMA_MODELS, else ~/.ollama/models`,
          },
        );
      throw e;
    });
    if ("tooLarge" in read)
      throw new InspectError(
        "OLLAMA_MANIFEST_INVALID",
        `the manifest ${manifest} is ${group(read.tooLarge)} bytes, above the ${group(MAX_OLLAMA_MANIFEST_BYTES)} a manifest may take`,
        { hint: "pull the model again (`ollama pull`) to rewrite its manifest" },
      );
    manifestRead = readManifest(models, read.bytes, manifest);
    const layer = manifestRead.model;
    const st = await store.stat(layer.blob);
    if (st === undefined)
      throw new InspectError(
        "OLLAMA_BLOB_MISSING",
        `the manifest of ${shown} names the blob ${path.basename(layer.blob)}, which is not in ${path.dirname(layer.blob)}`,
        { hint: `the store is damaged or was pruned: \`ollama pull ${shown}\` again` },
      );
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    return failed(target, e, shown);
  }
  const { model: layer, others, unnamed } = manifestRead;
  const cp = await readCheckpoint(store, target, { kind: "file", path: layer.blob }, o);
  cp.scope = scope;
  cp.source = { kind: "ollama", repo: shown, root: models };
  cp.known = [
    {
      path: layer.blob,
      sha256: layer.sha256,
      ...(layer.size !== undefined ? { size: layer.size } : {}),
      origin: `the Ollama manifest of ${shown}`,
    },
    // The other blobs it names, for --verify only: the summary reads none of them.
    ...others.map((b) => ({
      path: b.blob,
      sha256: b.sha256,
      ...(b.size !== undefined ? { size: b.size } : {}),
      origin: `the Ollama manifest of ${shown} (its ${layerKind(b.mediaType)} layer)`,
      layer: b.mediaType,
    })),
  ];
  for (const u of unnamed)
    cp.findings.push(
      finding(
        "OLLAMA_LAYER_INVALID",
        `the manifest of ${shown} names its ${layerKind(u.mediaType)} layer "${excerpt(u.digest, 80)}", not sha256:<64 hex digits>: no blob, and nothing to verify`,
        {
          file: manifest,
          hint: `Ollama opens each layer's blob by its digest and cannot load this: \`ollama pull ${shown}\` again`,
        },
      ),
    );
  const file = cp.files[0];
  if (file?.fileBytes !== undefined && layer.size !== undefined && file.fileBytes !== layer.size)
    cp.findings.push(
      finding(
        "OLLAMA_BLOB_SIZE_MISMATCH",
        `the blob is ${group(file.fileBytes)} bytes, but the manifest of ${shown} says ${group(layer.size)}`,
        {
          file: layer.blob,
          hint: `the blob was cut short or replaced: \`ollama pull ${shown}\` again (--verify compares its SHA-256 with the manifest's)`,
        },
      ),
    );
  return cp;
}
