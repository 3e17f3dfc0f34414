/**
 * Uploads: write a browser upload (a File/Blob or a web ReadableStream) to DATA_DIR/uploads/
 * chunk by chunk, never holding it whole, and stop as soon as it passes the size limit. A failed
 * or refused upload leaves nothing behind (it is written to a `.part` file and renamed at the end).
 * (Uploaded query images live in lib/search/query-images, a bounded cache.) No next/* imports.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { AppError } from './errors';

export interface SavedUpload {
  /** Absolute path of the stored file. */
  path: string;
  /** Bytes written. */
  bytes: number;
  /** The name the client gave (sanitised), for messages. */
  originalName: string;
}

export interface SaveUploadOptions {
  /** DATA_DIR (the file goes to DATA_DIR/uploads/). */
  dataDir: string;
  /** Refuse anything larger (config maxUploadBytes). */
  maxBytes: number;
  /** Name the client gave the file; only used (sanitised) in the stored name and messages. */
  fileName?: string;
  /** What the file is, for messages ("corpus file", "texts file"). */
  label?: string;
}

export function uploadsDir(dataDir: string): string {
  return path.join(dataDir, 'uploads');
}

/** "1.5 MiB" style sizes (binary units) for messages, as lib/corpus/limits words line limits. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v >= 10 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

function sanitizeName(name: string | undefined): string {
  const base = path.basename(name ?? '').normalize('NFC');
  const clean = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(-80);
  return clean || 'upload';
}

function tooLarge(what: string, maxBytes: number, size?: number): AppError {
  const amount = size === undefined ? `more than ${formatBytes(maxBytes)}` : formatBytes(size);
  return new AppError(
    'PAYLOAD_TOO_LARGE',
    `${what} is ${amount}; the limit is ${formatBytes(maxBytes)} (CLIPDEX_MAX_UPLOAD_BYTES)`,
  );
}

function isBlob(x: unknown): x is Blob {
  return typeof Blob !== 'undefined' && x instanceof Blob;
}

/**
 * Stream `source` to DATA_DIR/uploads/<time>-<random>-<name>. Throws AppError
 * PAYLOAD_TOO_LARGE (over the limit) or INVALID_INPUT (empty); nothing is left on disk then.
 */
export async function saveUpload(
  source: Blob | ReadableStream<Uint8Array>,
  opts: SaveUploadOptions,
): Promise<SavedUpload> {
  const label = opts.label ?? 'file';
  const givenName = opts.fileName ?? (source as { name?: string }).name;
  const originalName = sanitizeName(givenName);
  const what = givenName ? `the ${label} “${path.basename(givenName).slice(0, 120)}”` : `the ${label}`;
  if (isBlob(source)) {
    if (source.size === 0) throw new AppError('INVALID_INPUT', `${what} is empty`);
    if (source.size > opts.maxBytes) throw tooLarge(what, opts.maxBytes, source.size);
  }
  const dir = uploadsDir(opts.dataDir);
  await fs.mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const finalPath = path.join(dir, `${stamp}-${randomUUID().slice(0, 8)}-${originalName}`);
  const partPath = `${finalPath}.part`;

  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > opts.maxBytes) done(tooLarge(what, opts.maxBytes));
      else done(null, chunk);
    },
  });
  const web = isBlob(source) ? source.stream() : source;
  try {
    await pipeline(
      Readable.fromWeb(web as unknown as NodeWebReadableStream<Uint8Array>),
      counter,
      createWriteStream(partPath, { flags: 'wx' }),
    );
    if (bytes === 0) throw new AppError('INVALID_INPUT', `${what} is empty`);
    await fs.rename(partPath, finalPath);
  } catch (err) {
    await fs.rm(partPath, { force: true });
    throw err;
  }
  return { path: finalPath, bytes, originalName };
}

/** Delete stored uploads (after a refused format, a failed job start…); missing files are fine. */
export async function removeUploads(paths: (string | undefined)[]): Promise<void> {
  await Promise.all(paths.filter((p): p is string => !!p).map((p) => fs.rm(p, { force: true })));
}
