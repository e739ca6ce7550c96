// One .safetensors file: framing, header, layout, file size; every check of the reference loader
// in its order, plus the stricter and advisory ones of the acceptance policy.

import { InspectError } from "../../core/errors.js";
import { FindingSink } from "../../core/finding-sink.js";
import type { Finding } from "../../core/findings.js";
import {
  HUB_MAX_HEADER_BYTES,
  PADDING_FLOOR,
  PADDING_SHARE,
  TRAILING_SNIFF_BYTES,
} from "../../core/limits.js";
import { group, nameOf, plural } from "../../core/text.js";
import type { ByteSource } from "../../sources/source.js";
import { describeTrailing } from "../sniff.js";
import { DTYPES } from "./dtypes.js";
import { PREFIX_BYTES, readFraming } from "./framing.js";
import { readHeaderJson, type HeaderContent } from "./header-json.js";
import { validateLayout } from "./layout.js";
import type { ReadOptions } from "../format.js";
import { offsetAt, type TensorTable } from "../tensor-table.js";

export interface SafetensorsFile {
  format: "safetensors";
  /** As given, or the shard's path inside a checkpoint. */
  name: string;
  /** Size on disk; undefined when read from a pipe. */
  fileBytes: bigint | undefined;
  /** N, when the prefix could be read. */
  headerLength: bigint | undefined;
  /** Present when the header parsed; `complete` false when some entry was malformed. */
  header: HeaderContent | undefined;
  /** Tensor indices in data order; empty when the header did not parse. */
  order: Uint32Array;
  /** Bytes the header says the data section holds (the last tensor's end). */
  dataBytes: bigint;
  findings: Finding[];
}

const FORMATS_TRANSFORMERS_KNOWS = new Set(["pt", "tf", "flax", "mlx"]);

// Reader releases in order, to find the newest one the dtypes require.
const RELEASES = ["0.4.1", "0.6.0", "0.7.0", "0.8.0-rc.0"];

export async function readSafetensors(
  src: ByteSource,
  options: ReadOptions = {},
): Promise<SafetensorsFile> {
  const sink = new FindingSink(src.name);
  const file: SafetensorsFile = {
    format: "safetensors",
    name: src.name,
    fileBytes: src.size,
    headerLength: undefined,
    header: undefined,
    order: new Uint32Array(0),
    dataBytes: 0n,
    findings: sink.list,
  };
  try {
    const { headerLength, header: bytes } = await readFraming(src);
    file.headerLength = headerLength;
    const header = readHeaderJson(bytes, PREFIX_BYTES, sink, options.nameKey);
    file.header = header;
    noteHeader(header, headerLength, sink);
    if (header.complete) {
      const dataStart = BigInt(PREFIX_BYTES) + headerLength;
      const layout = validateLayout(header.tensors, dataStart, sink);
      file.order = layout.order;
      file.dataBytes = layout.dataEnd;
      await checkFileSize(src, header.tensors, layout.order, dataStart, layout.dataEnd, sink);
    } else {
      file.order = Uint32Array.from({ length: header.tensors.count }, (_, i) => i);
    }
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    sink.push(e.toFinding(src.name));
  }
  file.findings = sink.finish();
  return file;
}

/** Reference step 9: the file must end exactly where the last tensor does. */
async function checkFileSize(
  src: ByteSource,
  t: TensorTable,
  order: Uint32Array,
  dataStart: bigint,
  dataEnd: bigint,
  sink: FindingSink,
): Promise<void> {
  const expected = dataStart + dataEnd;
  if (src.size === undefined) {
    sink.add(
      "SIZE_UNCHECKED",
      `read from a stream: the header declares ${group(expected)} bytes in all, but truncation and trailing bytes could not be checked`,
      {
        hint: "inspect the file itself, or redirect it (`< file`) rather than piping it, to check its size",
      },
    );
    return;
  }
  if (src.size < expected) {
    const missing = expected - src.size;
    const available = src.size - dataStart;
    let incomplete = 0;
    let first = -1;
    for (let k = order.length - 1; k >= 0; k--) {
      const i = order[k]!;
      if (offsetAt(t, 2 * i + 1) <= available) break;
      incomplete++;
      first = i;
    }
    const pct = Number((src.size * 10000n) / expected) / 100;
    sink.add(
      "FILE_TRUNCATED",
      `file is truncated: the header declares ${group(expected)} bytes, the file has ${group(src.size)} (${plural(missing, "byte")} missing)`,
      {
        offset: src.size,
        hint: `the download stopped at ${pct.toFixed(2)} %; ${plural(incomplete, "tensor")}${first >= 0 ? ` from ${nameOf(t.names[first]!)} on` : ""} incomplete; download it again`,
      },
    );
  } else if (src.size > expected) {
    const extra = src.size - expected;
    const tail = await src.read(expected, TRAILING_SNIFF_BYTES);
    sink.add(
      "TRAILING_BYTES",
      `${plural(extra, "byte")} follow the last tensor at byte ${group(expected)}`,
      {
        offset: expected,
        hint: `${describeTrailing(tail)}; the reference loader rejects the file`,
      },
    );
  }
}

/** Facts and oddities of the header as a whole. */
function noteHeader(h: HeaderContent, n: bigint, sink: FindingSink): void {
  if (n > HUB_MAX_HEADER_BYTES) {
    sink.add(
      "HEADER_OVER_HUB_LIMIT",
      `header is ${group(n)} bytes, above the 25,000,000 that huggingface_hub and huggingface.js accept`,
      { hint: "the reference loader reads it; Hub tooling (metadata API, model pages) will not" },
    );
  }
  const padding = h.leadingWhitespace + h.trailingWhitespace;
  if (n > BigInt(PADDING_FLOOR) && padding > Number(n) * PADDING_SHARE) {
    sink.add(
      "HEADER_MOSTLY_PADDING",
      `${group(padding)} of the header's ${group(n)} bytes are padding`,
    );
  }
  if (h.metadataState === "absent") {
    sink.add("METADATA_ABSENT", "no __metadata__ in the header");
  } else if (h.metadataState === "null") {
    sink.add("METADATA_NULL", "__metadata__ is null (as mlx-lm writes it)");
  } else {
    const format = h.metadata.get("format");
    if (format === undefined) {
      sink.add("METADATA_FORMAT", '__metadata__ has no "format" key', {
        hint: 'transformers\' from_pretrained refuses such a file as "Incompatible safetensors file"',
      });
    } else if (!FORMATS_TRANSFORMERS_KNOWS.has(format)) {
      sink.add(
        "METADATA_FORMAT",
        `__metadata__ format is "${format}", not one of pt, tf, flax, mlx`,
      );
    }
  }
  let newest = -1;
  const needing: string[] = [];
  // Which dtypes occur, in order of first occurrence: a flag each rather than a Set of every one.
  const seen = new Uint8Array(DTYPES.length);
  const present: number[] = [];
  const dtypes = h.tensors.dtypes;
  for (let i = 0; i < dtypes.length; i++) {
    const id = dtypes[i]!;
    if (seen[id] === 0) {
      seen[id] = 1;
      present.push(id);
    }
  }
  for (const id of present) {
    const since = DTYPES[id]!.since;
    if (since === undefined) continue;
    needing.push(DTYPES[id]!.name);
    newest = Math.max(newest, RELEASES.indexOf(since));
  }
  if (newest >= 0) {
    sink.add(
      "MIN_READER_VERSION",
      `needs safetensors ≥ ${RELEASES[newest]} to load (${needing.sort().join(", ")}); older readers refuse the file`,
    );
  }
}
