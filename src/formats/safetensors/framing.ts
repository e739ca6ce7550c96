// The 8-byte length prefix and the header bytes: reference steps 1-5, cheapest first, and nothing
// allocated before the length has been checked against the limit and the file size.

import { InspectError } from "../../core/errors.js";
import { MAX_HEADER_BYTES, SNIFF_BYTES } from "../../core/limits.js";
import { group, plural } from "../../core/text.js";
import type { ByteSource } from "../../sources/source.js";
import { identify } from "../sniff.js";

export const PREFIX_BYTES = 8;

export interface Framed {
  /** N, the header length, padding included. */
  headerLength: bigint;
  header: Buffer;
}

/** Reads 8 + N bytes and stops. Throws InspectError naming a look-alike before any length error. */
export async function readFraming(src: ByteSource): Promise<Framed> {
  const prefix = await src.read(0n, PREFIX_BYTES);
  if (prefix.length < PREFIX_BYTES) {
    await failAsLookalike(src);
    throw new InspectError(
      "HEADER_TOO_SMALL",
      prefix.length === 0
        ? "file is empty (0 bytes)"
        : `file is ${plural(prefix.length, "byte")}, too short for the 8-byte header length`,
      { offset: 0n, hint: "the download may have failed; fetch the file again" },
    );
  }
  const n = prefix.readBigUInt64LE(0);
  if (n > MAX_HEADER_BYTES) {
    await failAsLookalike(src);
    throw new InspectError(
      "HEADER_TOO_LARGE",
      `header length ${group(n)} is above the limit of ${group(MAX_HEADER_BYTES)} bytes`,
      { offset: 0n, hint: "the first 8 bytes are not a safetensors length prefix" },
    );
  }
  if (src.size !== undefined && BigInt(PREFIX_BYTES) + n > src.size) {
    await failAsLookalike(src);
    throw new InspectError(
      "INVALID_HEADER_LENGTH",
      `header length ${group(n)} runs past the end of the file: only ${group(src.size - BigInt(PREFIX_BYTES))} bytes follow the prefix`,
      {
        offset: 0n,
        hint: `${group(BigInt(PREFIX_BYTES) + n - src.size)} bytes missing: the file is truncated inside its header, or is not safetensors`,
      },
    );
  }
  const header = await src.read(BigInt(PREFIX_BYTES), Number(n));
  if (BigInt(header.length) < n) {
    // Only a stream can end early here: a file's size was checked above.
    await failAsLookalike(src);
    throw new InspectError(
      "INVALID_HEADER_LENGTH",
      `header length ${group(n)} runs past the end of the input: it ended after ${group(header.length)} header bytes`,
      {
        offset: BigInt(PREFIX_BYTES + header.length),
        hint: "the input is truncated inside its header",
      },
    );
  }
  return { headerLength: n, header };
}

/** When framing fails, say what the file is if its first bytes tell. */
export async function failAsLookalike(src: ByteSource): Promise<void> {
  const start = await src.read(0n, SNIFF_BYTES);
  const what = identify(start);
  if (what) throw new InspectError(what.code, what.message, what.hint ? { hint: what.hint } : {});
}
