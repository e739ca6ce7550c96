// `ollama://model:tag` against a fake Ollama store built in a temp folder: the manifest found by
// Ollama's name rules and defaults, the model layer's blob read as the GGUF, names that would
// leave the store refused, the store's own links kept inside it, and --verify checking the blob
// against the manifest's digest with no other input.

import { createHash } from "node:crypto";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Checkpoint } from "../../src/checkpoint/checkpoint.js";
import { loadTarget } from "../../src/checkpoint/targets.js";
import { verifyCheckpoint } from "../../src/integrity/verify.js";
import { buildReport, exitStatus } from "../../src/inspection.js";
import { ollamaModelsDir, parseOllamaTarget } from "../../src/ollama/models.js";
import { jsonDocument } from "../../src/report/json.js";
import { PLAIN } from "../../src/report/style.js";
import { renderTable } from "../../src/report/table.js";
import { inspect } from "../helpers/cli.js";
import { familyFile } from "../helpers/gguf.js";
import { tempDir } from "../helpers/safetensors.js";
import { assertSchema } from "../helpers/schema.js";

const tmp = tempDir("inspect-ollama-");
afterAll(tmp.cleanup);
let n = 0;

const GGUF = familyFile("llamaQ4KM").bytes;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

interface Layer {
  mediaType: string;
  bytes: Buffer;
  /** Size the manifest states; default the bytes'. */
  size?: number;
  /** Written as its blob (default true). */
  write?: boolean;
  /** The digest the manifest states; default sha256:<its bytes' hex>. */
  digest?: string;
}

const CONFIG = Buffer.from('{"model_format":"gguf","model_family":"llama"}');
const TEMPLATE = Buffer.from("{{ .Prompt }}");
const CONFIG_TYPE = "application/vnd.docker.container.image.v1+json";
const TEMPLATE_TYPE = "application/vnd.ollama.image.template";

interface Model {
  /** manifests/<host>/<namespace>/<model>/<tag>, from the store's root. */
  at: string[];
  /**
   * The manifest's text; default: its config, one model layer naming `blob`, and `layers`
   * (default a template layer), each blob written.
   */
  manifest?: string;
  blob?: Buffer;
  /** Size the manifest states; default the blob's. */
  size?: number;
  layers?: Layer[];
}

/** A store with these models in a new folder; returns its root. */
function store(models: Model[]): string {
  const root = path.join(tmp.dir, `models-${n++}`);
  mkdirSync(path.join(root, "blobs"), { recursive: true });
  for (const m of models) {
    const blob = m.blob ?? GGUF;
    const hex = sha(blob);
    writeFileSync(path.join(root, "blobs", `sha256-${hex}`), blob);
    const layers = m.layers ?? [{ mediaType: TEMPLATE_TYPE, bytes: TEMPLATE }];
    for (const l of [{ mediaType: CONFIG_TYPE, bytes: CONFIG }, ...layers])
      if (l.write !== false)
        writeFileSync(path.join(root, "blobs", `sha256-${sha(l.bytes)}`), l.bytes);
    const entry = (l: Layer) => ({
      mediaType: l.mediaType,
      digest: l.digest ?? `sha256:${sha(l.bytes)}`,
      size: l.size ?? l.bytes.length,
    });
    const dir = path.join(root, "manifests", ...m.at.slice(0, -1));
    mkdirSync(dir, { recursive: true });
    const manifest =
      m.manifest ??
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        config: entry({ mediaType: CONFIG_TYPE, bytes: CONFIG }),
        layers: [
          {
            mediaType: "application/vnd.ollama.image.model",
            digest: `sha256:${hex}`,
            size: m.size ?? blob.length,
          },
          ...layers.map(entry),
        ],
      });
    writeFileSync(path.join(dir, m.at[m.at.length - 1]!), manifest);
  }
  return root;
}

const load = (target: string, root: string, more: NodeJS.ProcessEnv = {}) =>
  loadTarget(target, { env: { OLLAMA_MODELS: root, ...more }, userAgent: "inspect/test" });

const errors = (cp: Checkpoint) =>
  cp.findings.filter((f) => f.severity === "error").map((f) => f.code);

describe("ollama:// names", () => {
  it.each([
    ["ollama://llama3.1:8b", ["registry.ollama.ai", "library", "llama3.1", "8b"]],
    ["ollama://llama3.1", ["registry.ollama.ai", "library", "llama3.1", "latest"]],
    ["ollama://acme/tiny:q4_K_M", ["registry.ollama.ai", "acme", "tiny", "q4_K_M"]],
    ["ollama://hf.co/org/repo:Q4_K_M", ["hf.co", "org", "repo", "Q4_K_M"]],
    ["ollama://localhost:5000/org/m", ["localhost:5000", "org", "m", "latest"]],
  ])("%s", (target, parts) => {
    const p = parseOllamaTarget(target);
    expect([p.host, p.namespace, p.model, p.tag]).toEqual(parts);
  });

  it.each([
    ["ollama://../etc:passwd", "the namespace must start"],
    ["ollama://a/../../x", "more than host/namespace/model"],
    ["ollama://..:x", "the model must start"],
    ["ollama://model:..", "the tag must start"],
    ["ollama://na.me/m:t/x", "the namespace"],
    ["ollama://ns.x/model", "the namespace"],
    ["ollama://model:", "the tag is empty"],
    ["ollama://a\\b", "a character Ollama does not allow"],
    ["ollama://m@sha256:00", "take no digest"],
    ["ollama://ns/m:tag@sha256:00", "take no digest"],
    [`ollama://${"m".repeat(81)}`, "longer than 80"],
  ])("%s is refused before any file is read", async (target, why) => {
    const cp = await load(target, store([]));
    expect(cp.findings[0]!.code).toBe("USAGE");
    expect(cp.findings[0]!.message).toContain(why);
  });
});

describe("ollama:// targets", () => {
  it("the manifest's model layer is the GGUF: same report as the file, source named", async () => {
    const root = store([{ at: ["registry.ollama.ai", "library", "tiny", "8b"] }]);
    const cp = await load("ollama://tiny:8b", root);
    expect(errors(cp)).toEqual([]);
    expect(cp.files).toHaveLength(1);
    expect(path.basename(cp.files[0]!.name)).toBe(`sha256-${sha(GGUF)}`);
    expect(cp.source).toEqual({ kind: "ollama", repo: "library/tiny:8b", root });
    expect(cp.known).toEqual([
      {
        path: cp.files[0]!.name,
        sha256: sha(GGUF),
        size: BigInt(GGUF.length),
        origin: "the Ollama manifest of library/tiny:8b",
      },
      // The config and the other layers, for --verify: never read for the summary.
      ...[
        [CONFIG, CONFIG_TYPE, "config"],
        [TEMPLATE, TEMPLATE_TYPE, "template"],
      ].map(([bytes, layer, kind]) => ({
        path: path.join(root, "blobs", `sha256-${sha(bytes as Buffer)}`),
        sha256: sha(bytes as Buffer),
        size: BigInt((bytes as Buffer).length),
        origin: `the Ollama manifest of library/tiny:8b (its ${kind as string} layer)`,
        layer,
      })),
    ]);
    const doc = JSON.parse([...jsonDocument(buildReport(cp))].join(""));
    assertSchema(doc);
    expect(doc.ok).toBe(true);
    expect(doc.format).toBe("gguf");
    expect(doc.fileType.name).toBe("Q4_K_M");
  });

  it("a namespace and tag, and the default tag latest", async () => {
    const root = store([
      { at: ["registry.ollama.ai", "acme", "tiny", "q8"] },
      { at: ["registry.ollama.ai", "library", "tiny", "latest"] },
    ]);
    expect(errors(await load("ollama://acme/tiny:q8", root))).toEqual([]);
    expect(errors(await load("ollama://tiny", root))).toEqual([]);
  });

  it("OLLAMA_MODELS, else ~/.ollama/models", () => {
    expect(ollamaModelsDir({ OLLAMA_MODELS: "/srv/models" }, "/home/u")).toBe("/srv/models");
    expect(ollamaModelsDir({}, "/home/u")).toBe(path.join("/home/u", ".ollama", "models"));
    expect(ollamaModelsDir({ OLLAMA_MODELS: "" }, "/home/u")).toBe(
      path.join("/home/u", ".ollama", "models"),
    );
  });

  it("a model that is not there: OLLAMA_NOT_FOUND, with the pull command", async () => {
    const cp = await load("ollama://nothere:1b", store([]));
    expect(errors(cp)).toEqual(["OLLAMA_NOT_FOUND"]);
    expect(cp.findings[0]!.hint).toContain("ollama pull library/nothere:1b");
  });

  it.each([
    ["not JSON", "{", "is not JSON"],
    ["no layers", "{}", "has no layers"],
    [
      "no model layer",
      JSON.stringify({ layers: [{ mediaType: "x", digest: "y" }] }),
      "has no layer of media type",
    ],
    [
      "a digest that would be a path",
      JSON.stringify({
        layers: [
          { mediaType: "application/vnd.ollama.image.model", digest: "sha256:../../etc/passwd" },
        ],
      }),
      "not sha256:<64 hex digits>",
    ],
    [
      "two model layers",
      JSON.stringify({
        layers: [0, 1].map(() => ({
          mediaType: "application/vnd.ollama.image.model",
          digest: `sha256:${"a".repeat(64)}`,
        })),
      }),
      "has 2 model layers",
    ],
  ])("a manifest with %s: OLLAMA_MANIFEST_INVALID", async (_, manifest, why) => {
    const cp = await load(
      "ollama://m:t",
      store([{ at: ["registry.ollama.ai", "library", "m", "t"], manifest }]),
    );
    expect(errors(cp)).toEqual(["OLLAMA_MANIFEST_INVALID"]);
    expect(cp.findings[0]!.message).toContain(why);
  });

  it("a manifest above the bound is not read", async () => {
    const big = JSON.stringify({ layers: [], pad: "x".repeat(1 << 20) });
    const cp = await load(
      "ollama://m:t",
      store([{ at: ["registry.ollama.ai", "library", "m", "t"], manifest: big }]),
    );
    expect(errors(cp)).toEqual(["OLLAMA_MANIFEST_INVALID"]);
    expect(cp.findings[0]!.message).toContain("above the 1,048,576");
  });

  it("a blob the manifest names but the store lacks: OLLAMA_BLOB_MISSING", async () => {
    const manifest = JSON.stringify({
      layers: [
        {
          mediaType: "application/vnd.ollama.image.model",
          digest: `sha256:${"b".repeat(64)}`,
          size: 1,
        },
      ],
    });
    const cp = await load(
      "ollama://m:t",
      store([{ at: ["registry.ollama.ai", "library", "m", "t"], manifest }]),
    );
    expect(errors(cp)).toEqual(["OLLAMA_BLOB_MISSING"]);
  });

  it("a blob of another size than the manifest states", async () => {
    const cp = await load(
      "ollama://m:t",
      store([{ at: ["registry.ollama.ai", "library", "m", "t"], size: GGUF.length + 1 }]),
    );
    expect(errors(cp)).toEqual(["OLLAMA_BLOB_SIZE_MISMATCH"]);
  });

  it("a manifest that links outside the store is refused", async () => {
    const root = store([]);
    const outside = path.join(tmp.dir, `outside-${n++}`);
    writeFileSync(outside, "{}");
    mkdirSync(path.join(root, "manifests", "registry.ollama.ai", "library", "m"), {
      recursive: true,
    });
    symlinkSync(outside, path.join(root, "manifests", "registry.ollama.ai", "library", "m", "t"));
    const cp = await load("ollama://m:t", root);
    expect(errors(cp)).toEqual(["LINK_OUTSIDE_TARGET"]);
  });

  it("a manifest that is a folder is not read", async () => {
    const root = store([]);
    mkdirSync(path.join(root, "manifests", "registry.ollama.ai", "library", "m", "t"), {
      recursive: true,
    });
    const cp = await load("ollama://m:t", root);
    expect(cp.findings[0]!.severity).toBe("error");
    expect(cp.files).toEqual([]);
  });
});

describe("inspect --verify ollama://", () => {
  it("checks the blob against the manifest's digest with no other input; a changed byte fails", () => {
    const root = store([{ at: ["registry.ollama.ai", "library", "tiny", "8b"] }]);
    const env = { OLLAMA_MODELS: root };
    const ok = inspect(["--verify", "--json", "ollama://tiny:8b"], { env });
    expect(ok.status).toBe(0);
    const file = JSON.parse(ok.stdout).verification.files[0];
    expect([file.status, file.source, file.sha256]).toEqual([
      "match",
      "ollama-manifest",
      sha(GGUF),
    ]);
    // The same size, one byte changed in the tensor data: only the digest can tell.
    const bad = Buffer.from(GGUF);
    bad[bad.length - 100] = bad[bad.length - 100]! ^ 0xff;
    writeFileSync(path.join(root, "blobs", `sha256-${sha(GGUF)}`), bad);
    const r = inspect(["--verify", "ollama://tiny:8b"], { env });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("the Ollama manifest of library/tiny:8b");
  });
});

describe("ollama://model@sha256:… (Ollama's names take no digest)", () => {
  it("is refused in one line that says why and what to type instead", async () => {
    const root = store([]);
    const hex = "ab".repeat(32);
    const cp = await load(`ollama://llama3.1@sha256:${hex}`, root);
    expect(cp.files).toEqual([]);
    expect(cp.findings).toHaveLength(1);
    const f = cp.findings[0]!;
    expect(f.code).toBe("USAGE");
    expect(f.file).toBe(`ollama://llama3.1@sha256:${hex}`);
    expect(f.message).toBe(
      `Ollama's model names take no digest (Ollama refuses \`model@sha256:…\` as an invalid model name)`,
    );
    // The tag; or the blob itself, checked against the digest given.
    expect(f.hint).toBe(
      `name the tag, as \`ollama list\` shows it (ollama://model:tag); to read one blob, name its file: inspect ${path.join(root, "blobs", `sha256-${hex}`)} --sha256 ${hex}`,
    );
  });
});

describe("--verify of an ollama:// target checks every layer the manifest lists", () => {
  const at = ["registry.ollama.ai", "library", "tiny", "8b"];
  const PARAMS = Buffer.from('{"stop":["<|eot|>"]}');
  const PARAMS_TYPE = "application/vnd.ollama.image.params";
  const verify = async (root: string) => {
    const cp = await load("ollama://tiny:8b", root);
    const out = await verifyCheckpoint(cp, {});
    return { cp, ...out };
  };
  const rows = (v: Awaited<ReturnType<typeof verify>>["verification"]) =>
    v.files.map((f) => [path.basename(f.path), f.layer ?? "model", f.status, f.source]);
  const blobName = (b: Buffer) => `sha256-${sha(b)}`;

  it("every blob matches: the model, its config, template and parameters", async () => {
    const root = store([
      {
        at,
        layers: [
          { mediaType: TEMPLATE_TYPE, bytes: TEMPLATE },
          { mediaType: PARAMS_TYPE, bytes: PARAMS },
        ],
      },
    ]);
    const { cp, verification, findings } = await verify(root);
    expect(findings).toEqual([]);
    expect(rows(verification)).toEqual([
      [blobName(GGUF), "model", "match", "ollama-manifest"],
      [blobName(CONFIG), CONFIG_TYPE, "match", "ollama-manifest"],
      [blobName(TEMPLATE), TEMPLATE_TYPE, "match", "ollama-manifest"],
      [blobName(PARAMS), PARAMS_TYPE, "match", "ollama-manifest"],
    ]);
    const doc = JSON.parse(
      [...jsonDocument(buildReport(cp, { verification, extraFindings: findings }))].join(""),
    );
    assertSchema(doc);
    expect(doc.verification.files[2].layer).toBe(TEMPLATE_TYPE);
    // The table says which layer each blob is.
    const table = renderTable(buildReport(cp, { verification }), { tensors: false, style: PLAIN });
    expect(table).toContain(`${blobName(TEMPLATE)} (template)`);
  });

  it("without --verify the layers are not read: a missing one is not even seen", async () => {
    const root = store([
      { at, layers: [{ mediaType: TEMPLATE_TYPE, bytes: TEMPLATE, write: false }] },
    ]);
    const cp = await load("ollama://tiny:8b", root);
    expect(errors(cp)).toEqual([]);
    // With it, the missing template is named as the manifest's.
    const { verification, findings } = await verifyCheckpoint(cp, {});
    expect(rows(verification)[2]).toEqual([
      blobName(TEMPLATE),
      TEMPLATE_TYPE,
      "missing",
      "ollama-manifest",
    ]);
    const missing = findings.filter((f) => f.code === "VERIFY_FILE_MISSING");
    expect(missing).toHaveLength(1);
    expect(missing[0]!.message).toBe(
      "missing: the Ollama manifest of library/tiny:8b (its template layer) expects it",
    );
    expect(missing[0]!.hint).toContain("ollama pull");
  });

  it("--sha256 is the model's (one file), the layers still checked against the manifest", async () => {
    const root = store([{ at }]);
    const cp = await load("ollama://tiny:8b", root);
    const { verification, findings } = await verifyCheckpoint(cp, { sha256: sha(GGUF) });
    expect(findings).toEqual([]);
    expect(rows(verification).map((r) => [r[2], r[3]])).toEqual([
      ["match", "argument"],
      ["match", "ollama-manifest"],
      ["match", "ollama-manifest"],
    ]);
  });

  it("a layer changed in place (same size) fails its digest", async () => {
    const root = store([{ at }]);
    const changed = Buffer.from(TEMPLATE);
    changed[0] = changed[0]! ^ 1;
    writeFileSync(path.join(root, "blobs", blobName(TEMPLATE)), changed);
    const { verification, findings } = await verify(root);
    expect(rows(verification)[2]![2]).toBe("mismatch");
    const bad = findings.filter((f) => f.code === "HASH_MISMATCH");
    expect(bad).toHaveLength(1);
    expect(bad[0]!.message).toContain(
      "the Ollama manifest of library/tiny:8b (its template layer)",
    );
  });

  it("a layer of another size than the manifest's is a mismatch, and is not read", async () => {
    const root = store([{ at }]);
    // Replaced by something bigger: settled by its size, never hashed.
    writeFileSync(path.join(root, "blobs", blobName(TEMPLATE)), Buffer.alloc(1 << 20));
    const { verification, findings } = await verify(root);
    const f = verification.files[2]!;
    expect([f.status, f.match, f.bytes, f.bytesRead, f.sha256]).toEqual([
      "mismatch",
      false,
      BigInt(1 << 20),
      0n,
      null,
    ]);
    expect(verification.bytesTotal).toBe(BigInt(GGUF.length + CONFIG.length));
    const size = findings.filter((x) => x.code === "OLLAMA_BLOB_SIZE_MISMATCH");
    expect(size).toHaveLength(1);
    expect(size[0]!.message).toBe(
      `the blob is 1,048,576 bytes, but the Ollama manifest of library/tiny:8b (its template layer) says ${TEMPLATE.length}: not read`,
    );
  });

  it("a layer blob linked outside the store is refused, not read", async () => {
    const root = store([
      { at, layers: [{ mediaType: TEMPLATE_TYPE, bytes: TEMPLATE, write: false }] },
    ]);
    const outside = path.join(tmp.dir, `outside-${n++}`);
    writeFileSync(outside, TEMPLATE);
    symlinkSync(outside, path.join(root, "blobs", blobName(TEMPLATE)));
    const { verification, findings } = await verify(root);
    expect(findings.map((f) => f.code)).toEqual(["LINK_OUTSIDE_TARGET"]);
    expect(verification.files).toHaveLength(2);
  });

  it("a layer named by no SHA-256: OLLAMA_LAYER_INVALID when the model is read", async () => {
    const root = store([
      {
        at,
        layers: [
          { mediaType: TEMPLATE_TYPE, bytes: TEMPLATE },
          {
            mediaType: "application/vnd.ollama.image.license",
            bytes: Buffer.from("MIT"),
            digest: "md5:abc",
          },
        ],
      },
    ]);
    const cp = await load("ollama://tiny:8b", root);
    expect(errors(cp)).toEqual(["OLLAMA_LAYER_INVALID"]);
    expect(cp.findings[0]!.message).toContain('names its license layer "md5:abc"');
    // Read all the same; exit 1 (a finding about the model), not 2.
    expect(cp.files).toHaveLength(1);
    expect(exitStatus(buildReport(cp))).toBe(1);
  });
});
