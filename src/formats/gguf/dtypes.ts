// The ggml types as entries of the dtype registry (formats/dtypes.ts): format "gguf", their ggml
// name, and the block layout from ggml-types.ts (Q4_K: 256 elements in 144 bytes).

import type { Dtype } from "../dtypes.js";
import { GGML_TYPES } from "./ggml-types.js";

export const GGUF_DTYPES: readonly Dtype[] = GGML_TYPES.map((t) => ({
  format: "gguf",
  name: t.name,
  kind: t.quantized ? "quantized" : t.float ? "float" : "int",
  blockElements: t.blockSize,
  blockBytes: t.typeSize,
}));
