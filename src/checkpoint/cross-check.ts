// A checkpoint of several files checked as a set: the index against the shards' own headers,
// and the files against each other. None of this is done by the Hub libraries
// (huggingface_hub#4725: "must be checked downstream"). Pure: works on what was read.

import path from "node:path";
import { FindingSink } from "../core/finding-sink.js";
import type { Finding } from "../core/findings.js";
import { group, nameOf, plural } from "../core/text.js";
import { sameDigest, type NameDigest } from "../formats/name-digest.js";
import type { SafetensorsFile } from "../formats/safetensors/read.js";
import { shardNumber } from "./shard-names.js";

export interface ShardIndexContent {
  /** Tensor → shard; a function, because the common case never needs the map built. */
  weightMap: () => ReadonlyMap<string, string>;
  /**
   * Per shard, the count and digest of the names the index lists for it (all distinct), under
   * the key the shard headers' nameDigest was made with; absent when the index was read as a map.
   */
  listed?: ReadonlyMap<string, NameDigest>;
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

/**
 * `-of-N` suffixes against the files that carry them. Hugging Face numbers shards 1..N; OpenAI's
 * gpt-oss numbers them 0..N (three files `-of-00002`), which is accepted when the numbers run
 * from 0 to N exactly, each once.
 */
function shardCounts(names: readonly string[], sink: FindingSink): void {
  const sets = new Map<number, number[]>();
  for (const n of names) {
    const s = shardNumber(n);
    if (!s) continue;
    const set = sets.get(s.count);
    if (set) set.push(s.index);
    else sets.set(s.count, [s.index]);
  }
  for (const [declared, indices] of sets) {
    const present = indices.length;
    const zero = indices.includes(0);
    if (runsExactly(indices, zero ? 0 : 1, declared)) continue;
    const expected = zero ? declared + 1 : declared;
    const suffix = `-of-${String(declared).padStart(5, "0")}`;
    if (present === expected) {
      sink.add(
        "SHARD_COUNT_MISMATCH",
        `${plural(present, "shard")} named ${suffix} are numbered ${numbers(indices)}, not ${zero ? 0 : 1} to ${declared} each once`,
        { hint: "shards of two different sets are mixed, or a file was renamed" },
      );
      continue;
    }
    sink.add(
      "SHARD_COUNT_MISMATCH",
      `${plural(present, "shard")} named ${suffix}, but the names say ${group(expected)}${zero ? " (numbered from 0)" : ""}`,
      {
        hint: present < expected ? "shards are missing" : "shards of two different sets are mixed",
      },
    );
  }
  if (sets.size > 1) {
    sink.add(
      "SHARD_COUNT_MISMATCH",
      `shard names disagree on the total: ${[...sets.keys()].map((c) => `-of-${c}`).join(", ")}`,
    );
  }
}

/** The numbers run from `from` to `to`, each once. */
function runsExactly(indices: readonly number[], from: number, to: number): boolean {
  if (indices.length !== to - from + 1) return false;
  const seen = new Set(indices);
  if (seen.size !== indices.length) return false;
  for (let i = from; i <= to; i++) if (!seen.has(i)) return false;
  return true;
}

const numbers = (indices: readonly number[]) => {
  const sorted = [...indices].sort((a, b) => a - b);
  return sorted.length > 8 ? `${sorted.slice(0, 8).join(", ")}, …` : sorted.join(", ");
};

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

/**
 * The usual case in one pass: every tensor of every shard is listed under that shard, and each
 * shard holds as many tensors as the index lists for it. Then no tensor can be missing,
 * unlisted or stored twice (names are unique within a header), and the per-tensor checks below,
 * which build maps over every name, are skipped. (With digests, digestsAgree answers this
 * without the map.)
 */
function consistent(weightMap: ReadonlyMap<string, string>, shards: readonly ShardRead[]): boolean {
  const listed = new Map<string, number>();
  for (const shard of weightMap.values()) listed.set(shard, (listed.get(shard) ?? 0) + 1);
  for (const s of shards) {
    const names = s.file?.header?.tensors.names;
    if (!names) continue;
    if (names.length !== listed.get(s.name)) return false;
    for (const name of names) if (weightMap.get(name) !== s.name) return false;
  }
  return true;
}

/**
 * The same question from digests, without a map or a string per tensor: each shard's header names
 * and the names the index lists for it have equal counts and digests. The index's names being
 * distinct, that is equality of each shard's set with its listing, which is what `consistent`
 * decides. Unequal digests are certain (an unequal set); equal ones are probable equality, wrong
 * with probability about 2^-64 under the run's random key. Undefined when digests are missing.
 */
function digestsAgree(
  listed: ReadonlyMap<string, NameDigest>,
  shards: readonly ShardRead[],
): boolean | undefined {
  for (const s of shards) {
    const h = s.file?.header;
    if (!h) continue;
    const mine = h.nameDigest;
    const theirs = listed.get(s.name);
    if (mine === undefined || theirs === undefined) return undefined;
    if (!sameDigest(mine, theirs)) return false;
  }
  return true;
}

export function checkShards(index: ShardIndexContent, shards: readonly ShardRead[]): Finding[] {
  const sink = new FindingSink();
  const files = shards.flatMap((s) => (s.file ? [s.file] : []));
  const agree = index.listed ? digestsAgree(index.listed, shards) : undefined;
  if (agree === false) tensorByTensor(index.weightMap(), shards, files, sink);
  else if (agree === undefined) {
    const weightMap = index.weightMap();
    if (!consistent(weightMap, shards)) tensorByTensor(weightMap, shards, files, sink);
  }
  totals(index, shards, files, sink);
  shardCounts(
    shards.map((s) => s.name),
    sink,
  );
  metadataDiffers(files, sink);
  return sink.finish();
}

function tensorByTensor(
  weightMap: ReadonlyMap<string, string>,
  shards: readonly ShardRead[],
  files: readonly SafetensorsFile[],
  sink: FindingSink,
): void {
  const owners = duplicatesAcross(files, sink);
  const byName = new Map(shards.map((s) => [s.name, s.file]));
  for (const [tensor, shard] of weightMap) {
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
      if (!weightMap.has(name)) {
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
}

function totals(
  index: ShardIndexContent,
  shards: readonly ShardRead[],
  files: readonly SafetensorsFile[],
  sink: FindingSink,
): void {
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
}

/** Loose files without an index: only the checks that need no index. */
export function checkFiles(files: readonly SafetensorsFile[], names: readonly string[]): Finding[] {
  const sink = new FindingSink();
  duplicatesAcross(files, sink);
  shardCounts(names, sink);
  metadataDiffers(files, sink);
  return sink.finish();
}
