/** Embeddings are stored as float32 little-endian BLOBs (4 × dim bytes). */
export function vectorToBytes(v: Float32Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(v.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) view.setFloat32(i * 4, v[i], true);
  return out;
}

export function bytesToVector(b: Uint8Array): Float32Array {
  if (b.byteLength % 4 !== 0) throw new Error(`vector blob of ${b.byteLength} bytes is not a whole number of float32`);
  const out = new Float32Array(b.byteLength / 4);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
