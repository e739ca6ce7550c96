// The ggml tensor types a GGUF file may store, by their id in the file, with the block size (values
// per block) and type size (bytes per block) that fix a tensor's byte length:
// bytes = elements / blockSize × typeSize, the row (innermost dimension) a multiple of blockSize.
//
// Source: llama.cpp `ggml/include/ggml.h` (enum ggml_type, GGML_TYPE_COUNT = 43 in the build that
// node-llama-cpp 3.21.1 ships) and `ggml/src/ggml.c` (type_traits: blck_size, type_size as the
// sizeof of the block structs declared in `ggml/src/ggml-common.h`). Ids 4, 5 (Q4_2, Q4_3),
// 31-33 (Q4_0_4_4 …) and 36-38 (IQ4_NL_4_4 …) were removed: their traits have block size 0, so
// llama.cpp's reader refuses them ("not a multiple of block size (0)"). See docs/gguf.md.

export interface GgmlType {
  /** The id stored in the tensor info. */
  readonly id: number;
  /** As gguf-dump and llama.cpp's logs print it, upper case: "Q4_K", "F16". */
  readonly name: string;
  /** Values per block. */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly typeSize: number;
  /** Plain floating point values (can hold NaN/inf as stored); false for integers and quantized blocks. */
  readonly float: boolean;
  /** Block-quantized (ggml_is_quantized). */
  readonly quantized: boolean;
  /** Where the block layout is declared. */
  readonly source: string;
}

const QK_K = 256;
const COMMON = "ggml-common.h";

function t(
  id: number,
  name: string,
  blockSize: number,
  typeSize: number,
  kind: "float" | "int" | "quant",
  source: string,
): GgmlType {
  return {
    id,
    name,
    blockSize,
    typeSize,
    float: kind === "float",
    quantized: kind === "quant",
    source,
  };
}

const LIST: readonly GgmlType[] = [
  t(0, "F32", 1, 4, "float", "ggml.c: sizeof(float)"),
  t(1, "F16", 1, 2, "float", "ggml.c: sizeof(ggml_fp16_t)"),
  t(2, "Q4_0", 32, 18, "quant", `${COMMON}: block_q4_0 = half d + 16 nibble bytes`),
  t(3, "Q4_1", 32, 20, "quant", `${COMMON}: block_q4_1 = half d, m + 16 nibble bytes`),
  t(6, "Q5_0", 32, 22, "quant", `${COMMON}: block_q5_0 = half d + 4 high-bit bytes + 16`),
  t(7, "Q5_1", 32, 24, "quant", `${COMMON}: block_q5_1 = half d, m + 4 + 16`),
  t(8, "Q8_0", 32, 34, "quant", `${COMMON}: block_q8_0 = half d + 32 int8`),
  t(9, "Q8_1", 32, 36, "quant", `${COMMON}: block_q8_1 = half d, s + 32 int8`),
  t(10, "Q2_K", QK_K, 84, "quant", `${COMMON}: block_q2_K = 16 scales + 64 quants + half d, dmin`),
  t(
    11,
    "Q3_K",
    QK_K,
    110,
    "quant",
    `${COMMON}: block_q3_K = 32 hmask + 64 quants + 12 scales + half d`,
  ),
  t(
    12,
    "Q4_K",
    QK_K,
    144,
    "quant",
    `${COMMON}: block_q4_K = half d, dmin + 12 scales + 128 quants`,
  ),
  t(
    13,
    "Q5_K",
    QK_K,
    176,
    "quant",
    `${COMMON}: block_q5_K = half d, dmin + 12 scales + 32 qh + 128`,
  ),
  t(14, "Q6_K", QK_K, 210, "quant", `${COMMON}: block_q6_K = 128 ql + 64 qh + 16 scales + half d`),
  t(15, "Q8_K", QK_K, 292, "quant", `${COMMON}: block_q8_K = float d + 256 int8 + 16 int16 sums`),
  t(16, "IQ2_XXS", QK_K, 66, "quant", `${COMMON}: block_iq2_xxs = half d + 32 uint16`),
  t(17, "IQ2_XS", QK_K, 74, "quant", `${COMMON}: block_iq2_xs = half d + 32 uint16 + 8 scales`),
  t(18, "IQ3_XXS", QK_K, 98, "quant", `${COMMON}: block_iq3_xxs = half d + 96 bytes`),
  t(19, "IQ1_S", QK_K, 50, "quant", `${COMMON}: block_iq1_s = half d + 32 qs + 8 uint16 qh`),
  t(20, "IQ4_NL", 32, 18, "quant", `${COMMON}: block_iq4_nl = half d + 16 nibble bytes`),
  t(
    21,
    "IQ3_S",
    QK_K,
    110,
    "quant",
    `${COMMON}: block_iq3_s = half d + 64 qs + 8 qh + 32 signs + 4 scales`,
  ),
  t(22, "IQ2_S", QK_K, 82, "quant", `${COMMON}: block_iq2_s = half d + 64 qs + 8 qh + 8 scales`),
  t(23, "IQ4_XS", QK_K, 136, "quant", `${COMMON}: block_iq4_xs = half d + uint16 + 4 + 128`),
  t(24, "I8", 1, 1, "int", "ggml.c: sizeof(int8_t)"),
  t(25, "I16", 1, 2, "int", "ggml.c: sizeof(int16_t)"),
  t(26, "I32", 1, 4, "int", "ggml.c: sizeof(int32_t)"),
  t(27, "I64", 1, 8, "int", "ggml.c: sizeof(int64_t)"),
  t(28, "F64", 1, 8, "float", "ggml.c: sizeof(double)"),
  t(29, "IQ1_M", QK_K, 56, "quant", `${COMMON}: block_iq1_m = 32 qs + 16 qh + 8 scales`),
  t(30, "BF16", 1, 2, "float", "ggml.c: sizeof(ggml_bf16_t)"),
  t(34, "TQ1_0", QK_K, 54, "quant", `${COMMON}: block_tq1_0 = 48 qs + 4 qh + half d`),
  t(35, "TQ2_0", QK_K, 66, "quant", `${COMMON}: block_tq2_0 = 64 qs + half d`),
  t(39, "MXFP4", 32, 17, "quant", `${COMMON}: block_mxfp4 = E8M0 exponent + 16 nibble bytes`),
  t(40, "NVFP4", 64, 36, "quant", `${COMMON}: block_nvfp4 = 4 UE4M3 scales + 32 nibble bytes`),
  t(41, "Q1_0", 128, 18, "quant", `${COMMON}: block_q1_0 = half d + 16 sign bytes`),
  t(42, "Q2_0", 64, 18, "quant", `${COMMON}: block_q2_0 = half d + 16 bytes of 2-bit codes`),
];

/** One past the largest id llama.cpp defines (GGML_TYPE_COUNT). */
export const GGML_TYPE_COUNT = 43;

/** Ids that once named a type and were removed, with what llama.cpp's type_traits says of them. */
export const REMOVED_GGML_TYPES: ReadonlyMap<number, string> = new Map([
  [4, "Q4_2 (removed in 2023)"],
  [5, "Q4_3 (removed in 2023)"],
  [31, "Q4_0_4_4 (removed: llama.cpp repacks Q4_0 at load time)"],
  [32, "Q4_0_4_8 (removed: llama.cpp repacks Q4_0 at load time)"],
  [33, "Q4_0_8_8 (removed: llama.cpp repacks Q4_0 at load time)"],
  [36, "IQ4_NL_4_4 (removed: llama.cpp repacks IQ4_NL at load time)"],
  [37, "IQ4_NL_4_8 (removed: llama.cpp repacks IQ4_NL at load time)"],
  [38, "IQ4_NL_8_8 (removed: llama.cpp repacks IQ4_NL at load time)"],
]);

const BY_ID: readonly (GgmlType | undefined)[] = (() => {
  const a: (GgmlType | undefined)[] = new Array(GGML_TYPE_COUNT).fill(undefined);
  for (const x of LIST) a[x.id] = x;
  return a;
})();

/** Every type llama.cpp can load, in id order. */
export const GGML_TYPES: readonly GgmlType[] = LIST;

/** The type with this id, or undefined for an id llama.cpp refuses (removed or out of range). */
export function ggmlType(id: number): GgmlType | undefined {
  return id >= 0 && id < GGML_TYPE_COUNT ? BY_ID[id] : undefined;
}
