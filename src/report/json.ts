// The --json document (schema/inspect.schema.json). Integers are written from BigInt, so counts
// and sizes are exact at any magnitude; objects keyed by untrusted names (metadata) are written
// from pairs, never built as JS objects (a key "__proto__" would vanish). Strings are written with
// the characters that could drive a terminal as \uXXXX escapes (jsonSafe): the same values, safe to
// print.

import type { QuantizationFacts } from "../analysis/facts.js";
import type { Report, TensorRow } from "./report.js";
import { jsonSafe } from "../core/escape.js";
import { JSON_PIECE_CHARS } from "../core/limits.js";
import type { Finding } from "../core/findings.js";
import {
  alternativesText,
  bitsText,
  laptopText,
  loadedFor,
  notesOf,
  serverText,
  shareText,
  weightsOnlyText,
} from "./hardware-words.js";

export const SCHEMA_VERSION = 1;

type Json = string | number | bigint | boolean | null | Json[] | JsonObject | JsonItems;
/** Ordered pairs, so that keys keep their order and no prototype is involved. */
class JsonObject {
  constructor(readonly pairs: Array<[string, Json | undefined]>) {}
}
/**
 * An array made JSON one item at a time as it is written, for lists as long as their input (a
 * checksums file's million files): never held as JSON values, nor as one string, all at once.
 */
class JsonItems {
  constructor(
    readonly items: readonly unknown[],
    readonly each: (item: unknown) => Json,
  ) {}
}
/** What `stringify` leaves for `expand` to write in pieces. */
type Deferred = string | JsonItems;
const obj = (pairs: Array<[string, Json | undefined]>) => new JsonObject(pairs);

/**
 * Our own typed records (never objects keyed by names from a file) as JSON: own keys in order,
 * undefined left out, bigint exact, Maps as objects only when their keys are ours.
 */
function plain(v: unknown): Json | undefined {
  if (v === undefined || typeof v === "function") return undefined;
  if (
    v === null ||
    typeof v === "string" ||
    typeof v === "number" ||
    typeof v === "bigint" ||
    typeof v === "boolean"
  )
    return v;
  if (Array.isArray(v)) return v.map((x) => plain(x) ?? null);
  if (v instanceof JsonObject || v instanceof JsonItems) return v;
  return obj(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, plain(x)]));
}

/**
 * JSON text of `v`. With `big`, a string longer than JSON_PIECE_CHARS, and a JsonItems list, is
 * not written: it is put in `big` and a raw NUL stands in its place (JSON text never holds one:
 * JSON.stringify escapes it), for `expand` to write in pieces. A 99 MB tensor name is then never
 * copied whole again.
 */
export function stringify(v: Json, big?: Deferred[]): string {
  switch (typeof v) {
    case "string":
      if (big !== undefined && v.length > JSON_PIECE_CHARS) {
        big.push(v);
        return "\u0000";
      }
      return jsonSafe(JSON.stringify(v));
    case "number":
    case "boolean":
      return String(v);
    case "bigint":
      return v.toString();
    default:
      if (v === null) return "null";
      if (Array.isArray(v)) return "[" + v.map((x) => stringify(x, big)).join(",") + "]";
      if (v instanceof JsonItems) {
        if (big === undefined) return stringify(v.items.map(v.each));
        big.push(v);
        return "\u0000";
      }
      return (
        "{" +
        v.pairs
          .filter(([, x]) => x !== undefined)
          .map(([k, x]) => stringify(k, big) + ":" + stringify(x!, big))
          .join(",") +
        "}"
      );
  }
}

function findingJson(f: Finding): Json {
  return obj([
    ["severity", f.severity],
    ["code", f.code],
    ["message", f.message],
    ["hint", f.hint],
    ["file", f.file],
    ["tensor", f.tensor],
    ["offset", f.offset],
  ]);
}

function tensorJson(t: TensorRow, withFile: boolean): Json {
  return obj([
    ["name", t.name],
    ["dtype", t.dtype],
    ["shape", t.shape],
    ["parameters", t.parameters],
    ["bytes", t.bytes],
    ["offsets", t.offsets],
    ["file", withFile ? t.file : undefined],
  ]);
}

/**
 * Total, and stored, active and optional when they apply: the same for a target and a component.
 * A dense model's active parameters are all that load: the total without optional modules, so a
 * script needs no fallback. Only an MoE whose top-k is unknown has no active count.
 */
function parameterPairs(s: Report): Array<[string, Json | undefined]> {
  const p = s.parameters;
  const dense = s.moe === undefined && !s.components?.some((c) => c.summary.moe !== undefined);
  return [
    ["total", p.total],
    ["stored", p.stored],
    ["active", p.active ?? (dense ? p.total - (p.optional?.parameters ?? 0n) : undefined)],
    ["optional", plain(p.optional)],
  ];
}

/**
 * Each of our names beside the JSON's newer one for it (schema version 1 only adds fields): the
 * old `requiredBytes`, `perDeviceBytes` and `usableBytes` meant three different things.
 */
function aliased(v: Json | undefined, names: Record<string, string>): Json | undefined {
  if (!(v instanceof JsonObject)) return v;
  return obj(
    v.pairs.flatMap(([k, x]) =>
      names[k]
        ? [
            [k, x],
            [names[k], x],
          ]
        : [[k, x]],
    ),
  );
}

const PER_DEVICE = {
  perDeviceBytes: "perDeviceRequiredBytes",
  usableBytes: "perDeviceUsableBytes",
};

/**
 * The words schema version 1 had beside the structured fields that now carry their meaning
 * (deprecated in the schema): written from those fields by the report, as the table writes them.
 */
function withWords(
  v: Json | undefined,
  words: Record<string, Json | undefined>,
  before?: string,
): Json | undefined {
  if (!(v instanceof JsonObject)) return v;
  const extra = Object.entries(words);
  const at = before === undefined ? -1 : v.pairs.findIndex(([k]) => k === before);
  const pairs = [...v.pairs];
  pairs.splice(at < 0 ? pairs.length : at, 0, ...extra);
  return obj(pairs);
}

function hardwareJson(hw: NonNullable<Report["hardware"]>): Json {
  const top = plain(hw) as JsonObject;
  const a = hw.assumptions;
  return obj(
    top.pairs.flatMap(([k, v]): Array<[string, Json | undefined]> => {
      switch (k) {
        case "weightsOnlyCause":
          return [
            ["weightsOnlyReason", weightsOnlyText(hw.weightsOnlyCause)],
            [k, v],
          ];
        case "assumptions":
          return [
            [
              k,
              withWords(
                v,
                {
                  gpuShare: shareText(a.serverReference.usableShare),
                  laptop: laptopText(a.laptopReference),
                  referenceServer: serverText(a.serverReference),
                  notes: notesOf(hw),
                },
                "laptopReference",
              ),
            ],
          ];
        case "cluster":
          return [
            [
              k,
              withWords(
                v,
                { singleNodeAlternatives: alternativesText(hw) },
                "singleNodeAlternativeDevices",
              ),
            ],
          ];
        case "optional":
          return [
            [
              k,
              (v as Json[]).map(
                (o, i) => withWords(o, { loadedFor: loadedFor(hw.optional[i]!.kind) }) ?? null,
              ),
            ],
          ];
        case "requiredBytes":
          return [
            [k, v],
            ["oneDeviceRequiredBytes", v],
          ];
        case "precisions":
          return [
            [
              k,
              (v as Json[]).map(
                (r, i) =>
                  withWords(
                    aliased(r, { requiredBytes: "oneDeviceRequiredBytes" }),
                    {
                      bitsPerWeight: bitsText(hw.precisions[i]!),
                    },
                    "weightBits",
                  ) ?? null,
              ),
            ],
          ];
        case "devices":
          return [[k, (v as Json[]).map((r) => aliased(r, PER_DEVICE) ?? null)]];
        case "fit":
          return [
            [
              k,
              aliased(v, {
                requiredBytes: "totalRequiredBytes",
                ...PER_DEVICE,
                marginBytes: "perDeviceMarginBytes",
              }),
            ],
          ];
        default:
          return [[k, v]];
      }
    }),
  );
}

export interface JsonOptions {
  /** Include `tensors`, narrowed by `filter` when given. */
  tensors?: boolean;
  filter?: (name: string) => boolean;
}

/** The document as chunks (one per tensor when listed), so a million-tensor list streams out. */
export function* jsonDocument(s: Report, options: JsonOptions = {}): Iterable<string> {
  const multi = s.files.length > 1;
  const hw = s.hardware;
  const head = obj([
    ["schemaVersion", SCHEMA_VERSION],
    ["ok", s.ok],
    ["target", s.target],
    ["source", plain(s.source)],
    ["format", s.format],
    ["checkpoint", plain(s.checkpoint)],
    [
      "files",
      s.files.map((f) =>
        obj([
          ["path", f.path],
          ["bytes", f.bytes],
          ["sizeChecked", f.sizeChecked],
          ["headerBytes", f.headerBytes],
          ["headerPaddingBytes", f.headerPaddingBytes],
          ["tensorCount", f.tensorCount],
        ]),
      ),
    ],
    ["tensorCount", s.tensorCount],
    ["partial", s.partial !== undefined],
    ["incomplete", s.partial && incompleteJson(s)],
    [
      "parameters",
      obj([...parameterPairs(s), ["byDtype", obj(s.dtypes.map((d) => [d.dtype, d.parameters]))]]),
    ],
    [
      "bytes",
      obj([
        ["total", s.bytes.total],
        ["tensors", s.bytes.tensors],
        ["headers", s.bytes.headers],
        ["headerPadding", s.bytes.headerPadding],
        ["byDtype", obj(s.dtypes.map((d) => [d.dtype, d.bytes]))],
      ]),
    ],
    ["bitsPerWeight", s.bitsPerWeight],
    ["fileType", plain(s.fileType)],
    ["tokenizer", plain(s.tokenizer)],
    ["architecture", plain(s.architecture)],
    ["quantization", s.quantization && quantizationJson(s.quantization)],
    ["moe", plain(s.moe)],
    ["metadata", obj(s.metadata)],
    ["largestTensors", s.largest.map((t) => tensorJson(t, multi))],
    ["hardware", hw === null ? null : hardwareJson(hw)],
    ["verification", s.verification && verificationJson(s.verification)],
    ["components", s.components && s.components.map((c) => componentJson(c.name, c.summary))],
    ["findings", s.findings.map(findingJson)],
  ]);
  const big: Deferred[] = [];
  const text = stringify(head, big);
  if (!options.tensors) {
    yield* expand(text + "\n", big);
    return;
  }
  yield* expand(text.slice(0, -1) + ',"tensors":[', big);
  let first = true;
  let batch = "";
  for (const t of s.tensors()) {
    if (options.filter && !options.filter(t.name)) continue;
    batch += (first ? "" : ",") + stringify(tensorJson(t, multi), big);
    first = false;
    if (batch.length > 1 << 16 || big.length > 0) {
      yield* expand(batch, big);
      batch = "";
    }
  }
  yield batch + "]}\n";
}

/** Text from `stringify(…, big)` with each NUL replaced by the next deferred value, in pieces. */
function* expand(text: string, big: Deferred[]): Iterable<string> {
  if (big.length === 0) {
    yield text;
    return;
  }
  const parts = text.split("\u0000");
  const deferred = big.splice(0);
  for (let i = 0; i < parts.length; i++) {
    if (parts[i]!.length > 0) yield parts[i]!;
    const d = deferred[i];
    if (typeof d === "string") yield* stringPieces(d);
    else if (d !== undefined) yield* itemPieces(d);
  }
}

/** A JsonItems list as JSON, in batches of about 64 KiB. */
function* itemPieces(list: JsonItems): Iterable<string> {
  const big: Deferred[] = [];
  let batch = "[";
  for (let i = 0; i < list.items.length; i++) {
    batch += (i > 0 ? "," : "") + stringify(list.each(list.items[i]), big);
    if (batch.length > 1 << 16 || big.length > 0) {
      yield* expand(batch, big);
      batch = "";
    }
  }
  yield batch + "]";
}

/** The verification, its list of files (one per file hashed) written as the document is. */
function verificationJson(v: NonNullable<Report["verification"]>): Json {
  return obj(
    Object.entries(v).map(([k, x]): [string, Json | undefined] => [
      k,
      k === "files" ? new JsonItems(v.files, (f) => plain(f) ?? null) : plain(x),
    ]),
  );
}

/** A long string as JSON in pieces of about JSON_PIECE_CHARS, never splitting a surrogate pair. */
function* stringPieces(s: string): Iterable<string> {
  yield '"';
  for (let at = 0; at < s.length;) {
    let end = Math.min(s.length, at + JSON_PIECE_CHARS);
    const c = s.charCodeAt(end - 1);
    if (end < s.length && c >= 0xd800 && c <= 0xdbff) end--;
    yield jsonSafe(JSON.stringify(s.slice(at, end)).slice(1, -1));
    at = end;
  }
  yield '"';
}

/** One model of a multi-model folder: its own totals; its files and findings are in the lists above. */
function componentJson(name: string, s: Report): Json {
  return obj([
    ["name", name],
    ["ok", s.ok],
    ["files", s.files.map((f) => f.path)],
    ["tensorCount", s.tensorCount],
    ["parameters", obj(parameterPairs(s))],
    [
      "bytes",
      obj([
        ["total", s.bytes.total],
        ["tensors", s.bytes.tensors],
      ]),
    ],
    ["bitsPerWeight", s.bitsPerWeight],
    ["fileType", plain(s.fileType)],
    ["architecture", plain(s.architecture)],
    ["quantization", s.quantization && quantizationJson(s.quantization)],
    ["moe", plain(s.moe)],
    // Alternatives (GGUF quantizations) are estimated one by one: the one figure people compare.
    [
      "hardware",
      s.hardware
        ? obj([
            ["precision", s.hardware.precision],
            ["tier", s.hardware.tier],
            ["requiredBytes", s.hardware.requiredBytes],
            ["fits", s.hardware.fit?.fits],
          ])
        : undefined,
    ],
  ]);
}

/** What is missing from a partial checkpoint, and what the index promises for the whole. */
function incompleteJson(s: Report): Json {
  const p = s.partial!;
  return obj([
    ["shards", p.shards],
    ["shardsMissing", p.missingCount],
    ["missing", p.missing],
    [
      "alone",
      p.alone &&
        obj([
          ["shard", p.alone.shard],
          ["name", p.alone.name],
        ]),
    ],
    [
      "indexPromises",
      p.promised &&
        obj([
          ["tensorCount", p.promised.tensorCount],
          ["tensorBytes", p.promised.tensorBytes],
        ]),
    ],
    [
      "fromIndex",
      p.fromIndex &&
        obj([
          ["parameters", p.fromIndex.parameters],
          ["parametersFrom", p.fromIndex.parametersHow],
        ]),
    ],
  ]);
}

function quantizationJson(q: QuantizationFacts): Json {
  return obj([
    ["method", q.method],
    ["source", q.source],
    ["counted", q.counted],
    ["bits", q.bits],
    ["groupSize", q.groupSize],
    ["format", q.format],
    ["blockSize", q.blockSize],
    ["packedTensors", q.packedTensors],
    ["packedParameters", q.packedParameters],
    [
      "bookkeeping",
      obj([
        ["tensors", q.bookkeepingTensors],
        ["elements", q.bookkeepingElements],
        ["bytes", q.bookkeepingBytes],
      ]),
    ],
    ["notes", q.notes],
  ]);
}
