// A checkpoint of several files checked as a set: the index against the shards' own headers,
// and the files against each other. None of this is done by the Hub libraries
// (huggingface_hub#4725: "must be checked downstream"). Pure: works on what was read.

import path from "node:path";
import { FindingSink } from "../core/finding-sink.js";
import type { Finding } from "../core/findings.js";
import { group, nameOf, plural } from "../core/text.js";
import type { SafetensorsFile } from "../formats/safetensors/read.js";
import { shardNumber } from "./shard-names.js";

export interface ShardIndexContent {
  weightMap: ReadonlyMap<string, string>;
  totalSize?: bigint;
}

/** The shards as the index names them, each with the file read for it (absent: missing). */
export interface ShardRead {
  name: string;
  file?: SafetensorsFile;
}

/** Which files hold each tensor name: the first, and any further copies. */
interface Owners {
  first: Map<string, SafetensorsFile>;
  more: Map<string, SafetensorsFile[]>;
}

const holds = (o: Owners, name: string, f: SafetensorsFile) =>
  o.first.get(name) === f || (o.more.get(name)?.includes(f) ?? false);

/** Tensors stored in more than one file: loaders disagree on which copy wins. */
function duplicatesAcross(files: readonly SafetensorsFile[], sink: FindingSink): Owners {
  const owners: Owners = { first: new Map(), more: new Map() };
  for (const f of files) {
    const names = f.header?.tensors.names;
    if (!names) continue;
    for (const name of names) {
      const first = owners.first.get(name);
      if (first === undefined) owners.first.set(name, f);
      else {
        const more = owners.more.get(name);
        if (more) more.push(f);
        else owners.more.set(name, [f]);
        sink.add(
          "TENSOR_IN_TWO_SHARDS",
          `tensor ${nameOf(name)} is stored in both ${path.basename(first.name)} and ${path.basename(f.name)}`,
          {
            tensor: name,
            file: f.name,
            hint: "loaders keep one copy or the other; re-download or re-shard the checkpoint",
          },
        );
      }
    }
  }
  return owners;
}

/** `-of-N` suffixes against the number of files that carry them. */
function shardCounts(names: readonly string[], sink: FindingSink): void {
  const counts = new Map<number, number>();
  for (const n of names) {
    const s = shardNumber(n);
    if (s) counts.set(s.count, (counts.get(s.count) ?? 0) + 1);
  }
  for (const [declared, present] of counts) {
    if (declared !== present) {
      sink.add(
        "SHARD_COUNT_MISMATCH",
        `${plural(present, "shard")} named -of-${String(declared).padStart(5, "0")}, but the names say ${group(declared)}`,
        {
          hint:
            present < declared ? "shards are missing" : "shards of two different sets are mixed",
        },
      );
    }
  }
  if (counts.size > 1) {
    sink.add(
      "SHARD_COUNT_MISMATCH",
      `shard names disagree on the total: ${[...counts.keys()].map((c) => `-of-${c}`).join(", ")}`,
    );
  }
}

function metadataDiffers(files: readonly SafetensorsFile[], sink: FindingSink): void {
  const read = files.filter((f) => f.header !== undefined);
  const text = (f: SafetensorsFile) => JSON.stringify([...f.header!.metadata]);
  const first = read[0];
  if (!first) return;
  const other = read.find((f) => text(f) !== text(first));
  if (other) {
    sink.add(
      "SHARD_METADATA_DIFFERS",
      `__metadata__ of ${path.basename(other.name)} differs from ${path.basename(first.name)}'s; the report shows the first`,
      {
        file: other.name,
      },
    );
  }
}

export function checkShards(index: ShardIndexContent, shards: readonly ShardRead[]): Finding[] {
  const sink = new FindingSink();
  const files = shards.flatMap((s) => (s.file ? [s.file] : []));
  const owners = duplicatesAcross(files, sink);
  const byName = new Map(shards.map((s) => [s.name, s.file]));

  for (const [tensor, shard] of index.weightMap) {
    const file = byName.get(shard);
    // A missing or unparsable shard is reported once, for itself, not for each of its tensors.
    if (!file?.header?.tensors) continue;
    if (!holds(owners, tensor, file)) {
      const found = owners.first.get(tensor);
      sink.add(
        "TENSOR_MISSING_FROM_SHARD",
        `tensor ${nameOf(tensor)} is listed in ${shard} but that shard does not hold it`,
        {
          tensor,
          file: file.name,
          ...(found ? { hint: `it is in ${path.basename(found.name)}` } : {}),
        },
      );
    }
  }
  for (const f of files) {
    for (const name of f.header?.tensors.names ?? []) {
      if (!index.weightMap.has(name)) {
        sink.add(
          "TENSOR_NOT_IN_INDEX",
          `${path.basename(f.name)} holds tensor ${nameOf(name)}, which the index does not list`,
          {
            tensor: name,
            file: f.name,
            hint: "loaders that follow the index will not load it",
          },
        );
      }
    }
  }
  const complete = shards.every((s) => s.file?.header?.complete);
  if (index.totalSize !== undefined && complete) {
    const bytes = files.reduce((a, f) => a + f.dataBytes, 0n);
    if (bytes !== index.totalSize) {
      sink.add(
        "TOTAL_SIZE_MISMATCH",
        `the index's total_size is ${group(index.totalSize)} but the shards hold ${group(bytes)} bytes of tensors`,
        {
          hint: "total_size should be the sum of tensor bytes (not of file sizes)",
        },
      );
    }
  }
  shardCounts(
    shards.map((s) => s.name),
    sink,
  );
  metadataDiffers(files, sink);
  return sink.finish();
}

/** Loose files without an index: only the checks that need no index. */
export function checkFiles(files: readonly SafetensorsFile[], names: readonly string[]): Finding[] {
  const sink = new FindingSink();
  duplicatesAcross(files, sink);
  shardCounts(names, sink);
  metadataDiffers(files, sink);
  return sink.finish();
}
