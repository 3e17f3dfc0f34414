/**
 * Query images: an image uploaded to search with (POST /api/search, a drop on the search page) is
 * kept under DATA_DIR/uploads/queries/<sha256> so the search URL can name it (`?qimg=<sha>`) and
 * be reloaded or shared. Anyone may upload one, so the store is a bounded cache, not storage:
 * at most `maxFiles` files and `maxBytes` bytes (the least recently used go first) and nothing
 * older than `ttlMs` since it was last used. An evicted image's URL answers 404 "upload it again".
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors';

export interface QueryImageLimits {
  /** Most files kept (default 256). */
  maxFiles: number;
  /** Most bytes kept, all files together (default 256 MiB). */
  maxBytes: number;
  /** A file unused for this long is dropped (default 24 h). */
  ttlMs: number;
}

export const DEFAULT_QUERY_IMAGE_LIMITS: QueryImageLimits = { maxFiles: 256, maxBytes: 256 * 1024 * 1024, ttlMs: 24 * 3600_000 };

const SHA256_HEX = /^[0-9a-f]{64}$/;
const TMP_PREFIX = '.tmp-';

export function queryImagesDir(dataDir: string): string {
  return path.join(dataDir, 'uploads', 'queries');
}

export interface QueryImageStore {
  readonly dir: string;
  readonly limits: QueryImageLimits;
  /** Keep `bytes` (refused when over `maxFileBytes`); its sha256, the id a URL can name. */
  save(bytes: Buffer, maxFileBytes: number): Promise<string>;
  /** The bytes of a kept image (and it counts as used); NOT_FOUND once evicted. */
  read(sha: string): Promise<Buffer>;
  remove(sha: string): Promise<void>;
  /** Enforce the limits now; what is left. */
  prune(): Promise<{ files: number; bytes: number }>;
}

export function openQueryImageStore(dataDir: string, limits: Partial<QueryImageLimits> = {}, now: () => number = Date.now): QueryImageStore {
  const dir = queryImagesDir(dataDir);
  const lim: QueryImageLimits = { ...DEFAULT_QUERY_IMAGE_LIMITS, ...limits };
  const fileOf = (sha: string) => {
    if (!SHA256_HEX.test(sha)) throw new AppError('INVALID_INPUT', `a query image id is a sha256 (64 lowercase hex digits), got "${String(sha).slice(0, 80)}"`);
    return path.join(dir, sha);
  };

  async function prune(): Promise<{ files: number; bytes: number }> {
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      return { files: 0, bytes: 0 };
    }
    const t = now();
    const live: { file: string; size: number; used: number }[] = [];
    for (const name of names) {
      const file = path.join(dir, name);
      const st = await fs.stat(file).catch(() => null);
      if (!st?.isFile()) continue;
      const used = st.mtimeMs;
      // A half-written upload from a crashed process: gone after a minute.
      if (name.startsWith(TMP_PREFIX)) {
        if (t - used > 60_000) await fs.rm(file, { force: true });
        continue;
      }
      if (!SHA256_HEX.test(name) || t - used > lim.ttlMs) await fs.rm(file, { force: true });
      else live.push({ file, size: st.size, used });
    }
    live.sort((a, b) => b.used - a.used); // most recently used first
    let files = 0;
    let bytes = 0;
    for (const f of live) {
      if (files + 1 > lim.maxFiles || bytes + f.size > lim.maxBytes) await fs.rm(f.file, { force: true });
      else {
        files += 1;
        bytes += f.size;
      }
    }
    return { files, bytes };
  }

  return {
    dir,
    limits: lim,
    async save(bytes, maxFileBytes) {
      if (bytes.length === 0) throw new AppError('INVALID_INPUT', 'the query image is empty');
      const cap = Math.min(maxFileBytes, lim.maxBytes);
      if (bytes.length > cap) {
        throw new AppError('PAYLOAD_TOO_LARGE', `the query image is ${(bytes.length / 1048576).toFixed(1)} MiB; the limit is ${(cap / 1048576).toFixed(0)} MiB`);
      }
      const sha = createHash('sha256').update(bytes).digest('hex');
      const file = fileOf(sha);
      await fs.mkdir(dir, { recursive: true });
      // Written aside and renamed, so a reader never sees half a file.
      const tmp = path.join(dir, `${TMP_PREFIX}${randomUUID()}`);
      await fs.writeFile(tmp, bytes);
      await fs.rename(tmp, file);
      const stamp = new Date(now());
      await fs.utimes(file, stamp, stamp);
      await prune();
      return sha;
    },
    async read(sha) {
      const file = fileOf(sha);
      const gone = () => new AppError('NOT_FOUND', `query image ${sha.slice(0, 12)}… is no longer kept here (query images are kept for a while only): upload it again`);
      const st = await fs.stat(file).catch(() => null);
      if (!st || now() - st.mtimeMs > lim.ttlMs) throw gone();
      const bytes = await fs.readFile(file).catch(() => {
        throw gone(); // evicted between the stat and the read
      });
      const stamp = new Date(now());
      await fs.utimes(file, stamp, stamp).catch(() => undefined); // used: last to be evicted
      return bytes;
    },
    async remove(sha) {
      await fs.rm(fileOf(sha), { force: true });
    },
    prune,
  };
}
