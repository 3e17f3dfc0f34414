/**
 * The byte stream of a corpus file, gunzipped on the fly when the file starts with the gzip magic
 * bytes (1f 8b): a `.tsv.gz` — or a gzip'd upload saved under any name — reads like the plain
 * file, so detection, line numbers and the line limit all apply to the decompressed bytes.
 * The extension is never trusted: only the magic bytes decide.
 */
import fs from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { AppError } from '../errors';

const GZIP_MAGIC = [0x1f, 0x8b];

export async function isGzipFile(file: string): Promise<boolean> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await fh.close();
  }
}

/**
 * Chunks of the (decompressed) file; a damaged gzip stream ends the iteration with INVALID_INPUT.
 * `start`: the byte to begin at, in a plain file (a gzip'd one cannot seek).
 */
export async function* readBytes(file: string, chunkBytes: number, start = 0): AsyncGenerator<Buffer> {
  const raw = fs.createReadStream(file, { highWaterMark: chunkBytes, start });
  const gzip = await isGzipFile(file).catch(() => false); // an unreadable file fails in the stream, with its own error
  if (gzip && start > 0) {
    raw.destroy();
    throw new AppError('INTERNAL', `${file} is gzip-compressed: it can only be read from its start, not from byte ${start}`);
  }
  let stream: Readable = raw;
  if (gzip) {
    // zlib's smallest chunk is 64 bytes; tests use tiny chunks to split lines across reads.
    const gunzip = zlib.createGunzip({ chunkSize: Math.max(64, chunkBytes) });
    stream = gunzip;
    pipeline(raw, gunzip, () => undefined); // errors surface through the gunzip iterator below
  }
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
  } catch (err) {
    if (gzip && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).code!.startsWith('Z_')) {
      throw new AppError('INVALID_INPUT', `${file} is gzip-compressed but cannot be decompressed (${(err as Error).message}): the file is damaged or cut short`, { cause: err });
    }
    throw err;
  } finally {
    raw.destroy();
    stream.destroy();
  }
}
