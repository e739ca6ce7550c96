/** Little-endian 8/16/32-bit words as bytes, written out explicitly (test data for decoders). */
export function le(width: 1 | 2 | 4, words: number[]): Uint8Array {
  const b = new Uint8Array(words.length * width);
  const v = new DataView(b.buffer);
  words.forEach((w, i) => {
    if (width === 1) v.setUint8(i, w);
    else if (width === 2) v.setUint16(i * 2, w, true);
    else v.setUint32(i * 4, w >>> 0, true);
  });
  return b;
}
