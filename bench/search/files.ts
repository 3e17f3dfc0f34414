/** Reading and writing big float32 / uint32 files in chunks (fs.readFile stops at 2 GiB). */
import fs from 'node:fs';

const CHUNK = 256 * 1024 * 1024;

export function readF32(file: string): Float32Array {
  const size = fs.statSync(file).size;
  const out = new Float32Array(size / 4);
  const bytes = new Uint8Array(out.buffer);
  const fd = fs.openSync(file, 'r');
  try {
    for (let off = 0; off < size; ) {
      const n = fs.readSync(fd, bytes, off, Math.min(CHUNK, size - off), off);
      if (n <= 0) throw new Error(`${file}: short read at byte ${off}`);
      off += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

export function readU32(file: string): Uint32Array {
  const b = fs.readFileSync(file);
  return new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

/** Write through a temp name so an interrupted run never leaves a half file under the real name. */
export function writeTyped(file: string, data: Float32Array | Uint32Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (let off = 0; off < bytes.length; off += CHUNK) fs.writeSync(fd, bytes, off, Math.min(CHUNK, bytes.length - off));
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
