// Ollama's local model store: names (`llama3.1:8b`, `namespace/model:tag`,
// `host/namespace/model:tag`), where the store is, and its manifests. The rules are Ollama's
// (`types/model/name.go`: the parts, their characters and lengths, the defaults; `envconfig`:
// OLLAMA_MODELS, else ~/.ollama/models; `server/manifest.go` and `server/images.go`: a manifest
// at manifests/<host>/<namespace>/<model>/<tag>, OCI-style JSON whose layer of media type
// `application/vnd.ollama.image.model` is the GGUF, stored as blobs/sha256-<hex>).
// Pure apart from reading the environment: reading files is the caller's, through a store.

import os from "node:os";
import path from "node:path";
import { InspectError } from "../core/errors.js";
import { excerpt } from "../core/text.js";

export const OLLAMA_SCHEME = "ollama://";

/** Ollama's defaults for the parts a name leaves out (`types/model/name.go` DefaultName). */
export const OLLAMA_DEFAULT_HOST = "registry.ollama.ai";
export const OLLAMA_DEFAULT_NAMESPACE = "library";
export const OLLAMA_DEFAULT_TAG = "latest";

/** The media type of the layer that holds the model's weights. */
export const OLLAMA_MODEL_LAYER = "application/vnd.ollama.image.model";

export interface OllamaName {
  host: string;
  namespace: string;
  model: string;
  tag: string;
}

/** `library/llama3.1:8b`, as people write it (the host only when it is not the default). */
export function displayName(n: OllamaName): string {
  const host = n.host === OLLAMA_DEFAULT_HOST ? "" : `${n.host}/`;
  return `${host}${n.namespace}/${n.model}:${n.tag}`;
}

type PartKind = "host" | "namespace" | "model" | "tag";

/**
 * Ollama's rule for one part: 1-350 characters for a host, 1-80 otherwise; the first a letter,
 * digit or underscore; then those, `-`, `_`, `.` (not in a namespace) and `:` (a host's port).
 * So no part is `.` or `..`, none holds `/` or `\`: a name is always a path inside the store.
 */
function partProblem(kind: PartKind, s: string): string | undefined {
  const max = kind === "host" ? 350 : 80;
  if (s.length === 0) return `the ${kind} is empty`;
  if (s.length > max) return `the ${kind} is longer than ${max} characters`;
  if (!/^[A-Za-z0-9_]/.test(s)) return `the ${kind} must start with a letter, digit or _`;
  const allowed =
    kind === "host"
      ? /^[A-Za-z0-9_.:-]+$/
      : kind === "namespace"
        ? /^[A-Za-z0-9_-]+$/
        : /^[A-Za-z0-9_.-]+$/;
  if (!allowed.test(s))
    return `the ${kind} "${excerpt(s, 80)}" holds a character Ollama does not allow in it`;
  return undefined;
}

/**
 * `ollama://[host/][namespace/]model[:tag]` → its parts, with Ollama's defaults; InspectError
 * USAGE naming what is wrong otherwise. `models` (the store) is for the hint of a name with a
 * digest, which Ollama does not take (digestProblem).
 */
export function parseOllamaTarget(target: string, models?: string): OllamaName {
  const bad = (why: string) =>
    // The finding names the target (its file): the message does not repeat it.
    new InspectError("USAGE", `not an Ollama model name: ${why}`, {
      hint: "write ollama://model[:tag], ollama://namespace/model[:tag] (as `ollama list` shows them)",
    });
  let rest = target.slice(OLLAMA_SCHEME.length);
  if (rest.includes("@")) throw digestProblem(rest, models);
  let tag = OLLAMA_DEFAULT_TAG;
  const colon = rest.lastIndexOf(":");
  // A colon after the last slash starts the tag; one before it is a host's port.
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split("/");
  if (parts.length > 3) throw bad("more than host/namespace/model");
  const [host, namespace, model] =
    parts.length === 3
      ? parts
      : parts.length === 2
        ? [OLLAMA_DEFAULT_HOST, ...parts]
        : [OLLAMA_DEFAULT_HOST, OLLAMA_DEFAULT_NAMESPACE, parts[0]!];
  const name: OllamaName = { host: host!, namespace: namespace!, model: model!, tag };
  for (const kind of ["host", "namespace", "model", "tag"] as const) {
    const why = partProblem(kind, name[kind]);
    if (why !== undefined) throw bad(why);
  }
  return name;
}

/**
 * `model@sha256:<hex>`: refused, as Ollama refuses it. Ollama's names have no digest part: its
 * parser (`types/model/name.go`, `ParseNameBare`) takes `[host/][namespace/]model[:tag]`, and
 * `@` is a character of no part, so the server refuses `model@sha256:…` ("invalid model name":
 * `PullHandler` in `server/routes.go`, the same for run); an earlier parser's `@<digest>` was
 * dropped ("the digest check has been removed", `Name.IsValid`). A local store keeps manifests
 * by tag only, and the digests in them name blobs, not models. What to type instead: the tag;
 * or, to read one blob, its file.
 */
function digestProblem(rest: string, models: string | undefined): InspectError {
  const hex = /@sha256[:-]([0-9a-fA-F]{64})$/.exec(rest)?.[1]?.toLowerCase();
  const blob =
    hex !== undefined && models !== undefined
      ? `; to read one blob, name its file: inspect ${path.join(models, "blobs", `sha256-${hex}`)} --sha256 ${hex}`
      : "";
  return new InspectError(
    "USAGE",
    `Ollama's model names take no digest (Ollama refuses \`model@sha256:…\` as an invalid model name)`,
    { hint: `name the tag, as \`ollama list\` shows it (ollama://model:tag)${blob}` },
  );
}

/** OLLAMA_MODELS, else ~/.ollama/models (Ollama's `envconfig.Models`). */
export function ollamaModelsDir(env: NodeJS.ProcessEnv, home = os.homedir()): string {
  return env.OLLAMA_MODELS ? env.OLLAMA_MODELS : path.join(home, ".ollama", "models");
}

/** The manifest's path inside the store: manifests/<host>/<namespace>/<model>/<tag>. */
export function manifestPath(models: string, n: OllamaName): string {
  return path.join(models, "manifests", n.host, n.namespace, n.model, n.tag);
}

export interface ModelLayer {
  /** Lower-case hex of the layer's SHA-256. */
  sha256: string;
  /** The size the manifest states. */
  size: bigint | undefined;
  /** blobs/sha256-<hex> inside the store. */
  blob: string;
}

/** Another blob a manifest names: its config, or a layer that is not the model's. */
export interface ManifestBlob extends ModelLayer {
  /** The layer's media type (`application/vnd.ollama.image.template`…), or the config's. */
  mediaType: string;
}

export interface Manifest {
  model: ModelLayer;
  /** The config and the other layers (template, parameters, system prompt, licence, projector,
   * adapter…), each once, in the manifest's order; only those named by a SHA-256. */
  others: ManifestBlob[];
  /** Layers (or the config) whose digest is not `sha256:<64 hex digits>`: they name no blob. */
  unnamed: Array<{ mediaType: string; digest: string }>;
}

const SHA256_DIGEST = /^sha256:([0-9a-f]{64})$/;

/** `application/vnd.ollama.image.template` → "template"; the config → "config". */
export function layerKind(mediaType: string): string {
  if (mediaType === "") return "untyped";
  const m = /^application\/vnd\.ollama\.image\.([a-z0-9.-]+)$/.exec(mediaType);
  if (m) return m[1]!;
  return /container\.image|config/i.test(mediaType) ? "config" : excerpt(mediaType, 80);
}

const sizeOf = (v: unknown): bigint | undefined =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : undefined;

/**
 * A manifest's bytes: its model layer, and the other blobs it names; InspectError
 * OLLAMA_MANIFEST_INVALID naming what is wrong with the model layer. Only a digest of 64 hex
 * digits becomes a path, so every blob stays inside the store.
 */
export function readManifest(models: string, bytes: Buffer, where: string): Manifest {
  const bad = (why: string) =>
    new InspectError("OLLAMA_MANIFEST_INVALID", `the manifest ${where} ${why}`, {
      hint: "pull the model again (`ollama pull`) to rewrite its manifest",
    });
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw bad("is not JSON");
  }
  const record = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  const layers = record(doc) ? doc.layers : undefined;
  if (!Array.isArray(layers)) throw bad("has no layers");
  const entries = layers.filter(record);
  const models_ = entries.filter((l) => l.mediaType === OLLAMA_MODEL_LAYER);
  if (models_.length === 0) throw bad(`has no layer of media type ${OLLAMA_MODEL_LAYER}`);
  if (models_.length > 1) throw bad(`has ${models_.length} model layers, not one`);
  const layer = models_[0]!;
  const digest = typeof layer.digest === "string" ? layer.digest : "";
  const m = SHA256_DIGEST.exec(digest);
  if (!m) throw bad(`names the model layer "${excerpt(digest, 80)}", not sha256:<64 hex digits>`);
  const blobOf = (hex: string) => path.join(models, "blobs", `sha256-${hex}`);
  const model = { sha256: m[1]!, size: sizeOf(layer.size), blob: blobOf(m[1]!) };
  const others: ManifestBlob[] = [];
  const unnamed: Manifest["unnamed"] = [];
  const seen = new Set([model.sha256]);
  // The config is a blob too (Ollama writes it as one and reads it to know the model's family).
  const rest = [...(record(doc) && record(doc.config) ? [doc.config] : []), ...entries];
  for (const l of rest) {
    if (l === layer) continue;
    const mediaType = typeof l.mediaType === "string" ? l.mediaType : "";
    const d = typeof l.digest === "string" ? l.digest : "";
    const hex = SHA256_DIGEST.exec(d)?.[1];
    if (hex === undefined) unnamed.push({ mediaType, digest: d });
    else if (!seen.has(hex)) {
      seen.add(hex);
      others.push({ mediaType, sha256: hex, size: sizeOf(l.size), blob: blobOf(hex) });
    }
  }
  return { model, others, unnamed };
}
