// model.safetensors.index.json: {"metadata": {"total_size": N, …}, "weight_map": {tensor: shard}}.
// Read with the strict cursor rather than JSON.parse: total_size stays exact, and a tensor listed
// twice in weight_map (which JSON.parse would silently collapse) is reported.
//
// Two readings. `readIndexJson` builds the tensor → shard map. `readIndexDigests` builds no
// string per tensor: per shard it keeps the count and a keyed digest of the names listed for it
// (name-digest.ts), which is all the cross-check needs when the index agrees with the shards. A
// tensor DeepSeek-V3's 92,000-entry index costs a string and a map entry each in the first, and
// about a quarter of that in the second. Whenever the digest reading cannot vouch for its result
// (a name that may be listed twice, any error), it returns undefined and the caller reads the
// map, which reports exactly.

import { isUtf8 } from "node:buffer";
import type { FindingCode } from "../../core/codes.js";
import { InspectError } from "../../core/errors.js";
import { FindingSink } from "../../core/finding-sink.js";
import type { Finding } from "../../core/findings.js";
import { excerpt, nameOf } from "../../core/text.js";
import {
  COLON,
  COMMA,
  firstInvalidUtf8,
  isDigit,
  isWs,
  JsonCursor,
  LBRACE,
  MINUS,
  QUOTE,
  RBRACE,
} from "../json-cursor.js";
import {
  emptyDigest,
  halfSipHash,
  hashOut,
  HashPairSet,
  type NameDigest,
  type NameKey,
} from "../name-digest.js";

export interface IndexContent {
  weightMap: Map<string, string>;
  totalSize?: bigint;
  totalParameters?: bigint;
  findings: Finding[];
}

export interface IndexDigests {
  /** Per shard, in the order weight_map first names it: its tensors' count and name digest. */
  listed: Map<string, NameDigest>;
  /** Entries in weight_map, all names distinct. */
  tensorCount: number;
  totalSize?: bigint;
  totalParameters?: bigint;
}

/** Thrown inside the digest reading when only the full reading can say what is wrong. */
class NeedsMap {}

class IndexReader extends JsonCursor {
  private readonly weightMap = new Map<string, string>();
  private totalSize: bigint | undefined;
  private totalParameters: bigint | undefined;
  private sawWeightMap = false;
  private entries = 0;

  // Digest reading only.
  private readonly listed = new Map<string, NameDigest>();
  private readonly seen: HashPairSet | undefined;

  constructor(
    b: Buffer,
    private readonly sink: FindingSink,
    private readonly key?: NameKey,
  ) {
    super(b, 0, "index");
    // About 96 index bytes per entry in real (indented) indexes; the set grows if there are more.
    if (key) this.seen = new HashPairSet(Math.ceil(b.length / 96));
  }

  read(): IndexContent {
    this.top();
    return {
      weightMap: this.weightMap,
      ...this.totals(),
      findings: this.sink.finish(),
    };
  }

  readDigests(): IndexDigests {
    this.top();
    return { listed: this.listed, tensorCount: this.entries, ...this.totals() };
  }

  private totals(): { totalSize?: bigint; totalParameters?: bigint } {
    return {
      ...(this.totalSize !== undefined ? { totalSize: this.totalSize } : {}),
      ...(this.totalParameters !== undefined ? { totalParameters: this.totalParameters } : {}),
    };
  }

  private top(): void {
    if (!isUtf8(this.b)) {
      this.p = firstInvalidUtf8(this.b);
      this.invalid(`not valid UTF-8 at byte ${this.where()}`);
    }
    this.ws();
    if (this.b[this.p] !== LBRACE)
      this.invalid(`expected a JSON object, found ${this.describe(this.b[this.p])}`);
    const keys = new Set<string>();
    this.object(() => {
      const key = this.string();
      this.colon();
      if (keys.has(key)) {
        // Two weight_maps would be merged or one dropped, depending on the reader.
        if (key === "weight_map") this.invalid("it has two weight_map objects");
        this.duplicate("$", key);
      } else keys.add(key);
      if (key === "weight_map") this.weightMapValue();
      else if (key === "metadata") this.metadataValue();
      else this.skipUnique(`$.${key}`, this.duplicate);
    });
    this.ws();
    if (this.p < this.len)
      this.invalid(
        `unexpected ${this.describe(this.b[this.p])} after the closing brace at byte ${this.where()}`,
      );
    if (!this.sawWeightMap) this.invalid("it has no weight_map");
    if (this.entries === 0) this.invalid("its weight_map is empty");
  }

  private weightMapValue(): void {
    if (this.b[this.p] !== LBRACE)
      this.invalid(`weight_map is a JSON ${this.kindAt()}, expected an object`);
    this.sawWeightMap = true;
    if (this.key) {
      this.digestEntries();
      return;
    }
    this.object(() => {
      const tensor = this.string();
      this.colon();
      if (this.b[this.p] !== QUOTE)
        this.invalid(
          `weight_map entry ${nameOf(tensor)} is a JSON ${this.kindAt()}, expected a shard file name`,
        );
      const shard = this.shardName();
      this.entries++;
      const before = this.weightMap.get(tensor);
      if (before !== undefined) {
        this.sink.add(
          "INDEX_INVALID",
          `weight_map lists tensor ${nameOf(tensor)} twice${before !== shard ? ` (in ${before} and in ${shard})` : ""}`,
          {
            tensor,
            hint: "JSON parsers keep one entry or the other; loaders disagree",
          },
        );
      }
      this.weightMap.set(tensor, shard);
    });
  }

  /**
   * weight_map in the digest reading: one loop over its entries, where the names are hashed,
   * never made strings. It accepts only what the full reading accepts; anything it does not
   * expect (a syntax error, a value that is not a string, a possible duplicate) throws NeedsMap,
   * and the full reading says what is wrong.
   */
  private digestEntries(): void {
    const key = this.key!;
    const seen = this.seen!;
    const b = this.b;
    const len = this.len;
    this.enter();
    let p = this.p + 1; // '{'
    while (p < len && isWs(b[p]!)) p++;
    if (b[p] === RBRACE) {
      this.p = p + 1;
      this.depth--;
      return;
    }
    let digest: NameDigest | undefined;
    let digestShard = "";
    for (;;) {
      if (b[p] !== QUOTE) throw new NeedsMap();
      // The name: hashed from its raw bytes, which are its UTF-8 unless it has escapes.
      const start = p + 1;
      const q = b.indexOf(QUOTE, start);
      if (q >= 0 && halfSipHash(key, b, start, q)) p = q + 1;
      else {
        // Escapes decoded (or a bad string refused) as the full reading does.
        this.p = p;
        const name = Buffer.from(this.string(), "utf8");
        halfSipHash(key, name, 0, name.length);
        p = this.p;
      }
      const h0 = hashOut[0]!;
      const h1 = hashOut[1]!;
      // The same hash twice is almost surely the same name twice: the full reading reports it.
      if (!seen.add(h0, h1)) throw new NeedsMap();
      while (p < len && isWs(b[p]!)) p++;
      if (b[p] !== COLON) throw new NeedsMap();
      p++;
      while (p < len && isWs(b[p]!)) p++;
      if (b[p] !== QUOTE) throw new NeedsMap();
      this.p = p;
      const shard = this.shardName();
      p = this.p;
      this.entries++;
      if (digest === undefined || shard !== digestShard) {
        digest = this.listed.get(shard);
        if (digest === undefined) this.listed.set(shard, (digest = emptyDigest()));
        digestShard = shard;
      }
      digest.count++;
      digest.lo = (digest.lo + h0) | 0;
      digest.hi = (digest.hi + h1) | 0;
      while (p < len && isWs(b[p]!)) p++;
      const c = b[p] ?? 0;
      if (c === COMMA) {
        p++;
        while (p < len && isWs(b[p]!)) p++;
        continue;
      }
      if (c !== RBRACE) throw new NeedsMap();
      this.p = p + 1;
      this.depth--;
      return;
    }
  }

  private lastShard = "";
  private lastStart = 0;
  private lastEnd = 0;

  /**
   * weight_map values repeat: ~160 distinct shard names among ~92,000 entries, mostly in runs.
   * A value with the same bytes as the previous one reuses its string.
   */
  private shardName(): string {
    const b = this.b;
    const start = this.p + 1;
    const n = this.lastEnd - this.lastStart;
    if (b[start + n] === QUOTE) {
      let k = 0;
      while (k < n && b[start + k] === b[this.lastStart + k]) k++;
      if (k === n) {
        this.p = start + n + 1;
        return this.lastShard;
      }
    }
    // Equal raw bytes mean an equal decoded string, escapes or not.
    const s = this.string();
    this.lastShard = s;
    this.lastStart = start;
    this.lastEnd = this.p - 1;
    return s;
  }

  /** A key repeated in an object: an error, as in a header (JSON readers keep one or the other). */
  private readonly duplicate = (object: string, key: string): void => {
    // The digest reading cannot report; the full reading does.
    if (this.key) throw new NeedsMap();
    this.sink.add(
      "DUPLICATE_KEY",
      `the index repeats key "${excerpt(key)}" in ${excerpt(object)}`,
      {
        hint: "JSON readers keep the first or the last; which one a loader uses is not defined",
      },
    );
  };

  private metadataValue(): void {
    if (this.b[this.p] !== LBRACE) {
      this.skipUnique("$.metadata", this.duplicate);
      return;
    }
    const keys = new Set<string>();
    this.object(() => {
      const key = this.string();
      this.colon();
      if (keys.has(key)) this.duplicate("$.metadata", key);
      else keys.add(key);
      if (key !== "total_size" && key !== "total_parameters") {
        this.skipUnique(`$.metadata.${key}`, this.duplicate);
        return;
      }
      const c = this.b[this.p]!;
      const start = this.p;
      if (c !== MINUS && !isDigit(c)) {
        this.skipValue();
        this.invalid(`metadata.${key} is not a number`);
      }
      const integer = this.number();
      const value = integer ? this.u64Token(start) : undefined;
      if (value === undefined) {
        this.invalid(
          `metadata.${key} is ${excerpt(this.b.toString("latin1", start, this.p))}, not a non-negative integer`,
        );
      }
      if (key === "total_size") this.totalSize = value;
      else this.totalParameters = value;
    });
  }

  private invalid(message: string): never {
    throw new InspectError("INDEX_INVALID", `the index is invalid: ${message}`);
  }

  // Every grammar failure of the index is one code: the index is not usable.
  protected override fatal(
    _code: FindingCode,
    message: string,
    detail: { hint?: string } = {},
  ): never {
    throw new InspectError("INDEX_INVALID", message, {
      ...detail,
      offset: BigInt(this.base + this.p),
    });
  }
}

/** Parses an index file's bytes; throws InspectError INDEX_INVALID when it cannot be used. */
export function readIndexJson(bytes: Buffer): IndexContent {
  return new IndexReader(bytes, new FindingSink()).read();
}

/**
 * The per-shard digests of an index's names under `key`, or undefined when the index must be
 * read with readIndexJson: it is invalid (which that reports), or may list a tensor twice.
 */
export function readIndexDigests(bytes: Buffer, key: NameKey): IndexDigests | undefined {
  try {
    return new IndexReader(bytes, new FindingSink(), key).readDigests();
  } catch (e) {
    if (e instanceof NeedsMap || e instanceof InspectError) return undefined;
    throw e;
  }
}
