// The human report: the same Report as the JSON, laid out for a terminal. Every string that came
// from a file goes through escapeForTerminal.

import type { Architecture } from "../analysis/architecture.js";
import type { QuantizationFacts } from "../analysis/facts.js";
import type { Report } from "./report.js";
import type { Finding } from "../core/findings.js";
import { group, plural } from "../core/text.js";
import { cutText } from "../core/escape.js";
import {
  MESSAGE_CHARS,
  TABLE_CELL_CHARS,
  TABLE_MAX_ROWS,
  TABLE_METADATA_ENTRIES,
} from "../core/limits.js";
import { columns, type ColumnOptions } from "./columns.js";
import type { Style } from "./style.js";
import { collapseFirst } from "./patterns.js";
import { headlineLines } from "./headline.js";
import { componentLines } from "./table-components.js";
import { hardwareLines, weightsOnlyLines } from "./table-hardware.js";
import { verificationLines } from "./table-verification.js";
import { countShort, percent } from "./units.js";
import { keep, unglue, wrapLines } from "./wrap.js";

export interface TableOptions {
  /** Only the headline. */
  brief?: boolean;
  tensors?: boolean;
  filter?: (name: string) => boolean;
  style: Style;
  /** The tier thresholds (the same for every target): false once a run has shown them. */
  tiers?: boolean;
}

/**
 * Borderless aligned columns (columns.ts): they read better than boxes and copy-paste cleanly.
 * Fitted to the width: the name column (`shrink`) is cut in the middle, never a number.
 */
function grid(
  head: string[],
  rows: Iterable<readonly string[]>,
  right: number[],
  st: Style,
  options: ColumnOptions = {},
): string {
  return columns(head, rows, {
    right,
    headStyle: (h) => st.bold(h),
    width: st.width,
    ...options,
  });
}

/** `  key          value`, the value wrapped at words under itself. */
export function keyValue(st: Style, k: string, v: string): string[] {
  return wrapLines(v, st.width, `  ${st.dim(k.padEnd(12))} `, " ".repeat(15));
}

/** An untrusted name in a table cell: escaped, and cut when absurdly long. */
const cell = (s: string) => cutText(s, TABLE_CELL_CHARS);

function* mapped<T, U>(items: Iterable<T>, f: (x: T) => U): Iterable<U> {
  for (const x of items) yield f(x);
}

const shapeText = (shape: bigint[]) => "[" + shape.join(", ") + "]";

function severityLabel(f: Finding, st: Style): string {
  const label = f.severity.padEnd(7);
  return f.severity === "error"
    ? st.red(label)
    : f.severity === "warning"
      ? st.yellow(label)
      : st.dim(label);
}

export function renderTable(s: Report, o: TableOptions): string {
  const st = o.style;
  // The answer first (headline.ts); --brief stops there. Details follow.
  const lines: string[] = headlineLines(s, st);
  if (o.brief) return unglue(lines.join("\n")) + "\n";
  lines.push("");
  const kv = (k: string, v: string) => lines.push(...keyValue(st, k, v));
  const components = (h: string[], r: string[][], right: number[], shrink?: number) =>
    grid(h, r, right, st, shrink !== undefined ? { shrink } : {});
  const from = sourceLine(s, st);
  if (from) kv("source", from);

  const readable = s.files.some((f) => f.headerBytes > 0n);
  // Alternatives: their sums describe no model; each has its row (table-components.ts).
  if (s.checkpoint.alternatives) {
    kv("format", `${s.format}, ${plural(s.files.length, "file")}`);
    for (const l of componentLines(s, st, components)) lines.push(l);
    for (const l of findingLines(s, st)) lines.push(l);
    return unglue(lines.join("\n")) + "\n";
  }
  if (readable) {
    const headerText =
      s.files.length === 1
        ? `header ${plural(s.bytes.headers, "byte")}${s.bytes.headerPadding > 0n ? ` (${group(s.bytes.headerPadding)} padding)` : ""}`
        : `${s.files.length} files, headers ${plural(s.bytes.headers, "byte")}`;
    kv("format", `${s.format}, ${headerText}`);
    if (s.partial) kv("partial", st.yellow(partialLine(s, st)));
    const part = s.partial ? st.yellow(" (partial)") : "";
    kv("tensors", group(s.tensorCount) + part);
    const [params, ...more] = parameterLines(s, st);
    kv("parameters", params! + part);
    for (const line of more) kv("", line);
    const unchecked = s.files.some((f) => !f.sizeChecked) ? " as declared (size not checked)" : "";
    kv(
      "size",
      `${st.bytes(s.bytes.total)}${unchecked}; tensor data ${keep(st.bytes(s.bytes.tensors))}${part}`,
    );
    if (s.architecture) {
      // An adapter or a bare set of layers may have no name or shape to state: say so.
      kv("architecture", architectureLine(s.architecture) || st.dim("unknown (no config.json)"));
      if (s.architecture.inferred.length > 0)
        kv("", st.dim(`inferred: ${cutText(s.architecture.inferred.join("; "), MESSAGE_CHARS)}`));
    }
    if (s.quantization) kv("quantization", quantizationLine(s.quantization, st));
    if (s.fileType) kv("file type", fileTypeLine(s));
    if (s.tokenizer) kv("tokenizer", tokenizerLine(s.tokenizer));
    kv("metadata", metadataLine(s.metadata, st));
  }
  if (!readable && s.partial?.fromIndex) indexOnlyLines(s, kv, st);
  if (s.dtypes.length > 0) {
    lines.push("");
    lines.push(
      grid(
        ["dtype", "tensors", "parameters", "bytes", "share"],
        s.dtypes.map((d) => [
          d.dtype,
          group(d.tensors),
          group(d.parameters),
          group(d.bytes),
          percent(d.bytes, s.bytes.tensors),
        ]),
        [1, 2, 3, 4],
        st,
      ),
    );
  }

  if (o.tensors) {
    const collapsed = collapseFirst(
      (function* () {
        for (const t of s.tensors()) if (!o.filter || o.filter(t.name)) yield t;
      })(),
      TABLE_MAX_ROWS,
    );
    lines.push("");
    lines.push(
      ...wrapLines(
        `Tensors${o.filter ? ` matching the filter` : ""}: ${group(collapsed.tensors)} in ${plural(collapsed.patterns, "row")} (repeated layers collapsed; --json lists each)`,
        st.width,
        "  ",
      ).map((l) => st.bold(l)),
    );
    if (collapsed.patterns > 0) {
      lines.push(
        grid(
          ["name", "dtype", "shape", "count", "parameters", "total"],
          mapped(collapsed.rows, (p) => [
            cell(p.pattern),
            p.dtype,
            shapeText(p.shape),
            p.count === 1 ? "" : `×${group(p.count)}`,
            group(p.parameters),
            group(p.totalParameters),
          ]),
          [3, 4, 5],
          st,
          {
            shrink: 0,
            hidden: collapsed.patterns - collapsed.rows.length,
            more: (hidden) => st.dim(`… ${plural(hidden, "more row")}; --json lists every tensor`),
          },
        ),
      );
    }
  } else if (s.largest.length > 1) {
    lines.push("");
    lines.push(st.bold("  Largest tensors"));
    lines.push(
      grid(
        ["name", "dtype", "shape", "parameters", "size"],
        s.largest.map((t) => [
          cell(t.name),
          t.dtype,
          shapeText(t.shape),
          group(t.parameters),
          st.bytes(t.bytes),
        ]),
        [3, 4],
        st,
        { shrink: 0 },
      ),
    );
  }

  for (const l of componentLines(s, st, components)) lines.push(l);

  if (s.hardware) {
    lines.push("");
    const hw = s.hardware.languageModel
      ? hardwareLines(
          s.hardware,
          st,
          (h, r, right, options) => grid(h, r, right, st, options),
          o.tiers !== false,
        )
      : weightsOnlyLines(s.hardware, st);
    if (s.partial)
      hw.splice(
        1,
        0,
        ...wrapLines(
          s.partial.fromIndex
            ? "· from the index: its total_size and config.json, no shard read"
            : "· partial: from the weights read, not the whole model's",
          st.width,
          "  ",
          "    ",
        ).map((l) => st.yellow(l)),
      );
    for (const l of hw) lines.push(l);
  }
  if (s.verification) {
    lines.push("");
    for (const l of verificationLines(s.verification, st, (h, r, right, more, shrink) =>
      grid(h, r, right, st, {
        ...(more ? { more } : {}),
        ...(shrink !== undefined ? { shrink } : {}),
      }),
    ))
      lines.push(l);
  }

  for (const l of findingLines(s, st)) lines.push(l);
  // Glue (wrap.ts) that reached a table cell unwrapped is a space too.
  return unglue(lines.join("\n")) + "\n";
}

/** The findings, each message wrapped under itself, past the severity; the code keeps its line. */
function findingLines(s: Report, st: Style): string[] {
  if (s.findings.length === 0) return [];
  const lines = ["", st.bold("  Findings")];
  const under = " ".repeat(10);
  for (const f of s.findings) {
    lines.push(
      ...wrapLines(
        `${st.cyan(f.code)}  ${cutText(f.message, MESSAGE_CHARS)}`,
        st.width,
        `  ${severityLabel(f, st)} `,
        under,
      ),
    );
    if (f.hint)
      lines.push(
        ...wrapLines("hint: " + cutText(f.hint, MESSAGE_CHARS), st.width, under, under + "  ").map(
          (l) => under + st.dim(l.slice(under.length)),
        ),
      );
  }
  return lines;
}

/** `key=value, …`: the first TABLE_METADATA_ENTRIES entries, each cut; --json has them all. */
function metadataLine(metadata: ReadonlyArray<[string, string]>, st: Style): string {
  if (metadata.length === 0) return st.dim("none");
  const shown = metadata
    .slice(0, TABLE_METADATA_ENTRIES)
    .map(([k, v]) => `${cell(k)}=${cell(v)}`)
    .join(", ");
  const hidden = metadata.length - TABLE_METADATA_ENTRIES;
  return hidden > 0 ? `${shown} ${st.dim(`… ${group(hidden)} more in --json`)}` : shown;
}

/** No shard read: what the index and config.json tell, each marked with where it came from. */
function indexOnlyLines(s: Report, kv: (k: string, v: string) => void, st: Style): void {
  const p = s.partial!;
  const from = p.fromIndex!;
  kv("partial", st.yellow(partialLine(s, st)));
  if (p.promised) kv("tensors", `${group(p.promised.tensorCount)} ${st.dim("(from the index)")}`);
  kv(
    "parameters",
    from.parameters !== undefined
      ? `${parameterCount(from.parameters)} ${st.dim(`(from config.json: ${cell(from.parametersHow ?? "")})`)}`
      : st.dim("unknown: config.json does not fix every tensor's shape for this architecture"),
  );
  if (p.promised?.tensorBytes !== undefined)
    kv(
      "size",
      `tensor data ${st.bytes(p.promised.tensorBytes)} ${st.dim("(the index's total_size)")}`,
    );
  if (s.architecture)
    kv("architecture", architectureLine(s.architecture) || st.dim("unknown (no config.json)"));
}

/** "8,030,261,248 (8.03 B)"; "21", not "21 (21)". */
function parameterCount(n: bigint): string {
  const short = countShort(n);
  return short === group(n) ? short : `${group(n)} (${keep(short)})`;
}

/** What was not read, and what the index promises for the whole model. */
function partialLine(s: Report, st: Style): string {
  const p = s.partial!;
  const promised = p.promised
    ? `; the index promises ${plural(p.promised.tensorCount, "tensor")}${p.promised.tensorBytes !== undefined ? `, ${st.bytes(p.promised.tensorBytes)} of tensor data` : ""}`
    : "";
  if (p.alone) return `one shard of ${p.shards}, inspected on its own${promised}`;
  if (p.fromIndex)
    return `no shard of ${p.shards} read: what the index and config.json tell, not the weights`;
  const names = p.missing.slice(0, 3).map((n) => cell(n));
  const shown =
    names.length === 0
      ? ""
      : ` (${names.slice(0, 3).join(", ")}${p.missingCount > 3 ? `, ${group(p.missingCount - 3)} more` : ""})`;
  // A GGUF split set's files are parts (gguf-split's word); safetensors' are shards.
  return `${group(p.shards - p.missingCount)} of ${plural(p.shards, p.gguf ? "part" : "shard")} read, ${group(p.missingCount)} missing or unreadable${shown}${promised}`;
}

/** Total (and active for MoE); then optional modules and stored elements when they apply. */
function parameterLines(s: Report, st: Style): string[] {
  const p = s.parameters;
  let first = parameterCount(p.total);
  const m = s.moe;
  if (m) {
    const shared = m.sharedExperts ? `, ${m.sharedExperts} shared` : "";
    first +=
      p.active !== undefined && m.topK !== undefined
        ? `, ${group(p.active)} active (MoE top-${m.topK} of ${m.experts}${shared})`
        : ` (MoE, ${m.experts} experts${shared}; top-k unknown)`;
  }
  const lines = [first];
  if (p.optional) {
    const names = p.optional.modules.map((x) => cell(x.name.replace(/\.$/, ""))).join(", ");
    lines.push(
      `${group(p.optional.parameters)} optional (multi-token prediction: ${names}), ${st.bytes(p.optional.bytes)} not loaded`,
    );
  }
  if (p.stored !== undefined) {
    const q = s.quantization;
    const book =
      q && q.bookkeepingElements > 0n
        ? `, ${group(q.bookkeepingElements)} of them bookkeeping`
        : "";
    lines.push(`${group(p.stored)} elements as stored${book}`);
  }
  return lines;
}

function architectureLine(a: Architecture): string {
  const parts: string[] = [];
  const name = [a.modelType, a.architectures?.[0] && `(${a.architectures[0]})`].filter(Boolean);
  if (name.length > 0) parts.push(cell(name.join(" ")));
  const details: string[] = [];
  if (a.layers !== undefined)
    details.push(`${plural(a.layers, "layer")}${a.mtpLayers ? ` + ${a.mtpLayers} MTP` : ""}`);
  if (a.hiddenSize !== undefined) details.push(`hidden ${group(a.hiddenSize)}`);
  if (a.attentionHeads !== undefined)
    details.push(
      `${a.attentionHeads} heads${a.kvHeads !== undefined && a.attention !== "mla" ? ` / ${a.kvHeads} KV` : ""}`,
    );
  if (a.attention === "mla")
    details.push(
      `MLA (KV rank ${a.kvLoraRank}${a.qkRopeHeadDim ? ` + rope ${a.qkRopeHeadDim}` : ""})`,
    );
  else if (a.headDim !== undefined) details.push(`head dim ${a.headDim}`);
  if (a.vocabSize !== undefined) details.push(`vocab ${group(a.vocabSize)}`);
  if (a.contextLength !== undefined) details.push(`context ${group(a.contextLength)}`);
  if (a.slidingWindow !== undefined) details.push(`window ${group(a.slidingWindow)}`);
  if (a.tiedEmbeddings !== undefined) details.push(a.tiedEmbeddings ? "tied" : "untied");
  return parts.concat(details.map(keep).join(", ")).filter(Boolean).join(": ");
}

function quantizationLine(q: QuantizationFacts, st: Style): string {
  const how: string[] = [];
  if (q.bits !== undefined && q.method !== "fp8") how.push(`${q.bits}-bit`);
  if (q.format !== undefined) how.push(cell(q.format));
  if (q.blockSize !== undefined) how.push(`${q.blockSize.join("×")} blocks`);
  if (q.groupSize !== undefined) how.push(`groups of ${q.groupSize}`);
  const source = q.source === "config" ? "config.json" : "tensor names";
  const head = `${cell(q.method)}${how.length > 0 ? ` ${how.join(", ")}` : ""} (from ${source})`;
  if (!q.counted) return `${head}: not counted, parameters are stored elements`;
  const packed = q.packedTensors > 0 ? `${plural(q.packedTensors, "packed tensor")}, ` : "";
  return `${head}: ${packed}${plural(q.bookkeepingTensors, "bookkeeping tensor")} (${st.bytes(q.bookkeepingBytes)}, 0 parameters)`;
}

/** "Q4_K_M (Q4_K - Medium), 4.89 bits per weight". */
function fileTypeLine(s: Report): string {
  const ft = s.fileType!;
  const name = ft.name
    ? `${cell(ft.name)}${ft.description && ft.description !== ft.name ? ` (${cell(ft.description)})` : ""}`
    : `${ft.id} (a number llama.cpp does not name)`;
  return `${name}${s.bitsPerWeight !== undefined ? `, ${s.bitsPerWeight.toFixed(2)} bits per weight` : ""}`;
}

/** "llama, 32,000 tokens, BOS 1 "<s>", EOS 2 "</s>", chat template". */
function tokenizerLine(t: NonNullable<Report["tokenizer"]>): string {
  const special = (label: string, x: typeof t.bos) =>
    x
      ? `${label} ${x.id}${x.text !== undefined ? ` ${cell(JSON.stringify(x.text))}` : ""}`
      : undefined;
  return [
    t.model !== undefined
      ? cell(t.model) + (t.pre !== undefined ? ` (${cell(t.pre)})` : "")
      : undefined,
    t.vocabSize !== undefined ? `${group(t.vocabSize)} tokens` : undefined,
    t.merges !== undefined ? `${group(t.merges)} merges` : undefined,
    special("BOS", t.bos),
    special("EOS", t.eos),
    t.chatTemplate ? "chat template" : "no chat template",
  ]
    .filter((x): x is string => x !== undefined)
    .join(", ");
}

/** Where the bytes came from, for remote reads and the local cache; nothing for plain paths. */
function sourceLine(s: Report, st: Style): string | undefined {
  const src = s.source;
  if (!src) return undefined;
  const traffic =
    src.requests !== undefined
      ? `; ${plural(src.requests, "request")}, ${st.bytes(BigInt(src.bytesTransferred ?? 0))} transferred`
      : "";
  switch (src.kind) {
    case "hub":
      return `the Hub (${cell(src.endpoint ?? "")}), ${cell(src.repo ?? "")}@${cell(src.revision ?? "")}${src.commit ? `, commit ${src.commit}` : ""}${traffic}`;
    case "url":
      return `HTTP range requests${traffic}`;
    case "ollama":
      return `the Ollama store${src.root ? ` ${cell(src.root)}` : ""}, ${cell(src.repo ?? "")}`;
    case "cache":
      return src.commit
        ? `from the local cache, snapshot ${src.commit}`
        : `the local cache (${cell(src.repo ?? "")})`;
    default:
      return undefined;
  }
}
