// The one typed summary of a target. The JSON document and the table are both renderings of it.
// Pure: no I/O, inputs are what the checkpoint stage read.

import type { Checkpoint } from "../checkpoint/checkpoint.js";
import type { Finding } from "../core/findings.js";
import { LARGEST_TENSORS, U64_MAX } from "../core/limits.js";
import { DTYPES } from "../formats/safetensors/dtypes.js";
import type { SafetensorsFile } from "../formats/safetensors/read.js";
import {
  bytesOf,
  elementsOf,
  shapeOf,
  type TensorTable,
} from "../formats/safetensors/tensor-table.js";
import { estimateHardware, type HardwareEstimate } from "../hardware/tier.js";
import { parametersOf } from "./parameters.js";

export interface FileFacts {
  path: string;
  /** Apparent size; for a stream, what the header declares. */
  bytes: bigint;
  /** False when read from a pipe: `bytes` is then the declared size. */
  sizeChecked: boolean;
  /** N, without the 8-byte prefix; 0 when the prefix could not be read. */
  headerBytes: bigint;
  headerPaddingBytes: bigint;
  tensorCount: number;
}

export interface DtypeTotals {
  dtype: string;
  tensors: number;
  parameters: bigint;
  bytes: bigint;
}

export interface TensorRow {
  name: string;
  dtype: string;
  shape: bigint[];
  parameters: bigint;
  bytes: bigint;
  offsets: [bigint, bigint];
  file: string;
}

export interface Summary {
  target: string;
  format: "safetensors";
  ok: boolean;
  files: FileFacts[];
  tensorCount: number;
  parameters: { total: bigint };
  bytes: { total: bigint; headers: bigint; headerPadding: bigint; tensors: bigint };
  /** Sorted by bytes, largest first. */
  dtypes: DtypeTotals[];
  metadata: Array<[string, string]>;
  largest: TensorRow[];
  /** Null when nothing could be read to base an estimate on. */
  hardware: HardwareEstimate | null;
  findings: Finding[];
  /** Every tensor, in data order, file by file; computed on demand. */
  tensors: () => Iterable<TensorRow>;
}

export interface SummaryOptions {
  /** Warnings become errors (ok false, exit 1). */
  strict?: boolean;
}

function* rowsOf(file: SafetensorsFile): Iterable<TensorRow> {
  const t = file.header?.tensors;
  if (!t) return;
  for (const i of file.order) yield rowOf(file, i);
}

function rowOf(file: SafetensorsFile, i: number): TensorRow {
  const t = file.header!.tensors;
  const dtype = DTYPES[t.dtypes[i]!]!.name;
  return {
    name: t.names[i]!,
    dtype,
    shape: shapeOf(t, i),
    parameters: parametersAt(t, i, dtype),
    bytes: bytesOf(t, i),
    offsets: [t.offsets[2 * i]!, t.offsets[2 * i + 1]!],
    file: file.name,
  };
}

/**
 * Parameters of tensor i, or 0 when its shape overflows what 64 bits can address (an error the
 * layout check reports): such a count is not a fact about the weights.
 */
function parametersAt(t: TensorTable, i: number, dtype: string): bigint {
  const elements = elementsOf(t, i);
  return elements * BigInt(DTYPES[t.dtypes[i]!]!.bits) > U64_MAX
    ? 0n
    : parametersOf(dtype, elements);
}

export function summarize(cp: Checkpoint, options: SummaryOptions = {}): Summary {
  const perDtype = new Map<number, DtypeTotals>();
  const files: FileFacts[] = [];
  let tensorCount = 0;
  let total = 0n;
  let tensorBytes = 0n;
  let headers = 0n;
  let padding = 0n;
  let fileBytes = 0n;
  // Largest tensors: a small sorted buffer, so a million tensors cost one pass.
  const largest: Array<{ file: SafetensorsFile; i: number; bytes: bigint }> = [];

  for (const file of cp.files) {
    const h = file.header;
    const n = h?.tensors.count ?? 0;
    const headerBytes = file.headerLength ?? 0n;
    const pad = BigInt((h?.leadingWhitespace ?? 0) + (h?.trailingWhitespace ?? 0));
    const declared = file.headerLength === undefined ? 0n : 8n + file.headerLength + file.dataBytes;
    files.push({
      path: file.name,
      bytes: file.fileBytes ?? declared,
      sizeChecked: file.fileBytes !== undefined,
      headerBytes,
      headerPaddingBytes: pad,
      tensorCount: n,
    });
    tensorCount += n;
    headers += headerBytes;
    padding += pad;
    fileBytes += file.fileBytes ?? declared;
    if (!h) continue;
    const t = h.tensors;
    for (let i = 0; i < n; i++) {
      const id = t.dtypes[i]!;
      const name = DTYPES[id]!.name;
      const bytes = t.offsets[2 * i + 1]! - t.offsets[2 * i]!;
      const params = parametersAt(t, i, name);
      let d = perDtype.get(id);
      if (!d) perDtype.set(id, (d = { dtype: name, tensors: 0, parameters: 0n, bytes: 0n }));
      d.tensors++;
      d.parameters += params;
      d.bytes += bytes;
      total += params;
      tensorBytes += bytes;
      if (largest.length < LARGEST_TENSORS || bytes > largest[largest.length - 1]!.bytes) {
        let k = largest.length;
        while (k > 0 && largest[k - 1]!.bytes < bytes) k--;
        largest.splice(k, 0, { file, i, bytes });
        if (largest.length > LARGEST_TENSORS) largest.pop();
      }
    }
  }

  const findings = [...cp.findings, ...cp.files.flatMap((f) => f.findings)].map((f) =>
    options.strict && f.severity === "warning" ? { ...f, severity: "error" as const } : f,
  );
  const readable = cp.files.some((f) => f.header !== undefined);
  const first = cp.files.find((f) => f.header !== undefined);
  return {
    target: cp.target,
    format: "safetensors",
    ok: cp.files.length > 0 && !findings.some((f) => f.severity === "error"),
    files,
    tensorCount,
    parameters: { total },
    bytes: { total: fileBytes, headers, headerPadding: padding, tensors: tensorBytes },
    dtypes: [...perDtype.values()].sort((a, b) =>
      a.bytes === b.bytes ? 0 : a.bytes > b.bytes ? -1 : 1,
    ),
    metadata: first ? [...first.header!.metadata] : [],
    largest: largest.map(({ file, i }) => rowOf(file, i)),
    hardware: readable ? estimateHardware(tensorBytes) : null,
    findings,
    tensors: function* () {
      for (const f of cp.files) yield* rowsOf(f);
    },
  };
}
