// model.safetensors.index.json: {"metadata": {"total_size": N, …}, "weight_map": {tensor: shard}}.
// Read with the strict cursor rather than JSON.parse: total_size stays exact, and a tensor listed
// twice in weight_map (which JSON.parse would silently collapse) is reported.

import { isUtf8 } from "node:buffer";
import type { FindingCode } from "../../core/codes.js";
import { InspectError } from "../../core/errors.js";
import { FindingSink } from "../../core/finding-sink.js";
import type { Finding } from "../../core/findings.js";
import { excerpt, nameOf } from "../../core/text.js";
import { firstInvalidUtf8, isDigit, JsonCursor, LBRACE, MINUS, QUOTE } from "../json-cursor.js";

export interface IndexContent {
  weightMap: Map<string, string>;
  totalSize?: bigint;
  totalParameters?: bigint;
  findings: Finding[];
}

class IndexReader extends JsonCursor {
  private readonly weightMap = new Map<string, string>();
  private totalSize: bigint | undefined;
  private totalParameters: bigint | undefined;
  private sawWeightMap = false;

  constructor(
    b: Buffer,
    private readonly sink: FindingSink,
  ) {
    super(b, 0, "index");
  }

  read(): IndexContent {
    if (!isUtf8(this.b)) {
      this.p = firstInvalidUtf8(this.b);
      this.invalid(`not valid UTF-8 at byte ${this.where()}`);
    }
    this.ws();
    if (this.b[this.p] !== LBRACE)
      this.invalid(`expected a JSON object, found ${this.describe(this.b[this.p])}`);
    this.object(() => {
      const key = this.string();
      this.colon();
      if (key === "weight_map") this.weightMapValue();
      else if (key === "metadata") this.metadataValue();
      else this.skipValue();
    });
    this.ws();
    if (this.p < this.len)
      this.invalid(
        `unexpected ${this.describe(this.b[this.p])} after the closing brace at byte ${this.where()}`,
      );
    if (!this.sawWeightMap) this.invalid("it has no weight_map");
    if (this.weightMap.size === 0) this.invalid("its weight_map is empty");
    return {
      weightMap: this.weightMap,
      ...(this.totalSize !== undefined ? { totalSize: this.totalSize } : {}),
      ...(this.totalParameters !== undefined ? { totalParameters: this.totalParameters } : {}),
      findings: this.sink.finish(),
    };
  }

  private weightMapValue(): void {
    if (this.b[this.p] !== LBRACE)
      this.invalid(`weight_map is a JSON ${this.kindAt()}, expected an object`);
    this.sawWeightMap = true;
    this.object(() => {
      const tensor = this.string();
      this.colon();
      if (this.b[this.p] !== QUOTE)
        this.invalid(
          `weight_map entry ${nameOf(tensor)} is a JSON ${this.kindAt()}, expected a shard file name`,
        );
      const shard = this.string();
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

  private metadataValue(): void {
    if (this.b[this.p] !== LBRACE) {
      this.skipValue();
      return;
    }
    this.object(() => {
      const key = this.string();
      this.colon();
      if (key !== "total_size" && key !== "total_parameters") {
        this.skipValue();
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
