/**
 * Whether an hnswlib index file is whole. hnswlib's saveIndex writes through a std::ofstream and
 * checks nothing, so on a full disk it leaves a short file and reports success; moved into place,
 * that file is "corrupted" at the next start and the index is rebuilt from the database. The
 * layout (hnswalg.h, saveIndex) is a 96-byte header, `count × sizeDataPerElement` bytes of level 0,
 * then per element a u32 byte length and that many bytes of upper-level links. Walking those
 * lengths gives the size a whole file has; only the header and the tail are read.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

const HEADER_BYTES = 96;
const CHUNK = 1 << 20;

export interface HnswFileShape {
  count: number;
  sizeDataPerElement: number;
  /** The size a whole file with this header has. */
  bytes: number;
}

/** Reads `file`'s header and link lengths; throws if it is shorter or longer than they say. */
export async function checkHnswFile(file: string): Promise<HnswFileShape> {
  const fh = await fs.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const header = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await fh.read(header, 0, HEADER_BYTES, 0);
    if (bytesRead < HEADER_BYTES) throw short(file, size, `its ${HEADER_BYTES}-byte header`);
    const count = Number(header.readBigUInt64LE(16));
    const sizeDataPerElement = Number(header.readBigUInt64LE(24));
    let pos = HEADER_BYTES + count * sizeDataPerElement;
    if (!Number.isSafeInteger(pos) || pos > size) throw short(file, size, `${count} elements of ${sizeDataPerElement} bytes`);
    // The link lengths, read forward a chunk at a time (most are 0: only upper-level elements have links).
    const buf = Buffer.alloc(CHUNK);
    let bufStart = 0;
    let bufEnd = 0;
    for (let i = 0; i < count; i++) {
      if (pos + 4 > bufEnd) {
        if (pos + 4 > size) throw short(file, size, `the link lengths of ${count} elements (ends at element ${i})`);
        bufStart = pos;
        bufEnd = pos + (await fh.read(buf, 0, Math.min(CHUNK, size - pos), pos)).bytesRead;
      }
      pos += 4 + buf.readUInt32LE(pos - bufStart);
    }
    if (pos !== size) throw new Error(`index file ${file} is ${size} bytes but its contents say ${pos}`);
    return { count, sizeDataPerElement, bytes: pos };
  } finally {
    await fh.close();
  }
}

/** A file cut short (asNoSpace tells whether the disk was full). */
function short(file: string, size: number, what: string): Error {
  return new Error(`index file ${file} was cut short: ${size} bytes cannot hold ${what}`);
}

/**
 * Run `write` (an hnswlib save to `file`) and check the file is whole. On failure the file is
 * removed and the error says ENOSPC when the disk is out of room.
 */
export async function writeWhole(file: string, write: () => unknown): Promise<void> {
  try {
    await write();
    await checkHnswFile(file);
  } catch (err) {
    await fs.rm(file, { force: true });
    throw await asNoSpace(err as Error, path.dirname(file));
  }
}

/** `err` as an ENOSPC error when the file system of `file` is out of space (hnswlib does not say). */
export async function asNoSpace(err: Error, file: string): Promise<Error> {
  try {
    const s = await fs.statfs(file);
    // Less than a block or 1 MiB left: the write that was cut short ran out of room.
    if (s.bavail * s.bsize < Math.max(s.bsize, 1 << 20)) {
      return Object.assign(new Error(`ENOSPC: no space left on device, ${err.message}`, { cause: err }), { code: 'ENOSPC' });
    }
  } catch {
    // no statfs: keep the plain error
  }
  return err;
}
