/** Test helper: find a weight tensor's bytes in an ONNX file (to damage a copy in place, as a disk error would). */

/**
 * Where an initializer's raw_data bytes sit: TensorProto writes `name` (field 8) and then
 * `raw_data` (field 9, tag 0x4a) followed by a varint length.
 */
export function rawDataOf(onnx: Buffer, tensor: string): { start: number; length: number } {
  const key = Buffer.concat([Buffer.from(tensor), Buffer.from([0x4a])]);
  const at = onnx.indexOf(key);
  if (at < 0) throw new Error(`no initializer ${tensor} with raw_data`);
  let p = at + key.length;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    const b = onnx[p++];
    length |= (b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  return { start: p, length };
}

