/**
 * File-system adapter for image originals and thumbnails. Names are derived from the sha256 of the
 * bytes, so a write is idempotent: if the final file exists it is left alone; otherwise the bytes
 * go to a unique temp file in the same folder, which is renamed over the final name (atomic on
 * POSIX). A crash leaves at worst a `*.tmp-*` file, which `sweepTemp` removes.
 */
import { createHash, randomBytes } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../errors';
import { isAlive } from '../process';

export interface StoredFile {
  bytes: Buffer;
  contentType: string;
  ext: string;
}

export interface BlobStore {
  root: string;
  /**
   * Store an original (ext = sharp's format name: png, jpeg, webp, …). Resolves true when this
   * call created the file, false when it was already there (ingest removes only files it created
   * when their batch fails to commit).
   */
  putOriginal(sha256: string, format: string, bytes: Buffer): Promise<boolean>;
  /**
   * Store a thumbnail: a WebP, or (issue 13) an original that is its own thumbnail, in its own
   * format (jpeg, png or webp; store/thumbnail.ts originalIsThumbnail). Resolves false when that
   * file is already there. Which one an image gets depends on its bytes only, so a sha256 has one;
   * readers take the WebP first should a store ever hold two. `ofOriginal`: the bytes are the
   * stored original's, so the thumbnail is a hard link to that file where the file system allows
   * (issue 13: no second file to create; written as usual otherwise).
   */
  putThumbnail(sha256: string, bytes: Buffer, format?: string, opts?: { ofOriginal?: boolean }): Promise<boolean>;
  hasOriginal(sha256: string): Promise<boolean>;
  hasThumbnail(sha256: string): Promise<boolean>;
  readOriginal(sha256: string): Promise<StoredFile>;
  readThumbnail(sha256: string): Promise<StoredFile>;
  /** Remove the original and thumbnail of a sha256 (no error when absent). */
  remove(sha256: string): Promise<void>;
  /**
   * Move the original and thumbnail of a sha256 out of sight (to temp names `sweepTemp` knows):
   * readers and `put*` see them absent until `restore` puts them back or `discard` deletes them.
   * Lets a cleanup re-check, after the files are gone, that no row took them meanwhile.
   */
  setAside(sha256: string): Promise<{ restore(): Promise<void>; discard(): Promise<void> }>;
  /**
   * Remove temp files left by killed processes (not those of live writers). Lists the store's
   * folders only when a writer on this machine died since the last sweep (its marker is left), or
   * once for a store written before markers existed; otherwise resolves 0 at once.
   */
  sweepTemp(): Promise<number>;
}

const SHA_RE = /^[0-9a-f]{64}$/;
const isSha256 = (s: string): boolean => SHA_RE.test(s);
export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** sharp format name → file extension and content type. Anything else is stored as .bin. */
const FORMATS: Record<string, { ext: string; type: string }> = {
  jpeg: { ext: 'jpg', type: 'image/jpeg' },
  png: { ext: 'png', type: 'image/png' },
  webp: { ext: 'webp', type: 'image/webp' },
  gif: { ext: 'gif', type: 'image/gif' },
  avif: { ext: 'avif', type: 'image/avif' },
  heif: { ext: 'heic', type: 'image/heic' },
  tiff: { ext: 'tif', type: 'image/tiff' },
  svg: { ext: 'svg', type: 'image/svg+xml' },
  bmp: { ext: 'bmp', type: 'image/bmp' },
};
const TYPE_BY_EXT = new Map(Object.values(FORMATS).map((f) => [f.ext, f.type]));
/** Every extension an original can have, the usual ones first (FORMATS has not changed since the first release). */
const ORIGINAL_EXTS = [...Object.values(FORMATS).map((f) => f.ext), 'bin'];
/** Thumbnail file extensions, the usual one (WebP) first. */
const THUMB_EXTS = ['webp', 'jpg', 'png'];

function checkSha(sha: string): void {
  if (!isSha256(sha)) throw new AppError('INVALID_INPUT', `"${sha.slice(0, 80)}" is not a sha256 (64 lowercase hex characters)`);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * `madeDirs`: folders this store already created (or found), so an ingest does not pay a mkdir per
 * file (issue 13: the store's system calls were a sixth of the ingest's main thread). A folder
 * removed behind our back is made again when the write finds it missing.
 */
async function ensureDir(dir: string, madeDirs: Set<string>): Promise<void> {
  if (madeDirs.has(dir)) return;
  await fs.mkdir(dir, { recursive: true });
  madeDirs.add(dir);
}

async function writeAtomic(file: string, bytes: Buffer, madeDirs: Set<string>, opts: { checked?: boolean } = {}): Promise<boolean> {
  if (!opts.checked && (await exists(file))) return false;
  const dir = path.dirname(file);
  await ensureDir(dir, madeDirs);
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    try {
      await fs.writeFile(tmp, bytes);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(tmp, bytes);
    }
    await fs.rename(tmp, file);
    return true;
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/**
 * `file` as a hard link to `source`: true when made, false when `file` is already there, undefined
 * when no link can be made (no such source, a folder gone behind our back, another device, a file
 * system without hard links): the caller writes the bytes instead, which makes a missing folder
 * again. A link appears whole, as a rename does.
 */
async function linkAtomic(source: string, file: string, madeDirs: Set<string>): Promise<boolean | undefined> {
  await ensureDir(path.dirname(file), madeDirs);
  try {
    await fs.link(source, file);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EEXIST' ? false : undefined;
  }
}

/**
 * A process that writes to a store leaves a marker `.store-writers/<host>-<pid>` beside its folders
 * while it runs (removed as it exits): a marker still there for a process that is gone says a
 * writer died, perhaps mid-write, so `sweepTemp` lists the folders. Without markers every ingest
 * start listed them all: ~2 million names at a million images (bench/store-lookup.ts times a
 * folder's listing at 2.8 CPU-ms).
 */
const WRITERS_DIR = '.store-writers';
const WRITER_PREFIX = `${os.hostname().replace(/[^A-Za-z0-9_.]/g, '_')}-`;
/** Written after the first full sweep: a store older than the markers is swept once. */
const SWEPT_STAMP = '.swept';
const markersToRemove = new Set<string>();
let exitHookSet = false;

function removeAtExit(marker: string): void {
  markersToRemove.add(marker);
  if (exitHookSet) return;
  exitHookSet = true;
  process.once('exit', () => {
    for (const m of markersToRemove) fsSync.rmSync(m, { force: true });
  });
}

export function createBlobStore(dataDir: string): BlobStore {
  const blobs = path.join(dataDir, 'blobs');
  const thumbs = path.join(dataDir, 'thumbs');
  const dirOf = (base: string, sha: string) => path.join(base, sha.slice(0, 2));
  const thumbPath = (sha: string, ext: string) => path.join(dirOf(thumbs, sha), `${sha}.${ext}`);
  const thumbPaths = (sha: string) => THUMB_EXTS.map((ext) => thumbPath(sha, ext));
  const madeDirs = new Set<string>();
  const writers = path.join(dataDir, WRITERS_DIR);
  let marked: Promise<void> | undefined;
  /** Before this process's first write: its marker (a failure to write it only costs the sweep). */
  const markWriter = (): Promise<void> =>
    (marked ??= (async () => {
      const marker = path.join(writers, `${WRITER_PREFIX}${process.pid}`);
      await ensureDir(writers, madeDirs);
      await fs.writeFile(marker, '');
      removeAtExit(marker);
    })().catch(() => undefined));

  /**
   * The stored original's file name: one access per extension it can have, JPEG first. Not a
   * listing of its two-letter folder: at a million images a folder holds ~4,000 files, and listing
   * one cost ~3.4 CPU-ms a lookup (bench/store-lookup.ts).
   */
  async function findOriginal(sha: string): Promise<string | undefined> {
    for (const ext of ORIGINAL_EXTS) {
      const file = path.join(dirOf(blobs, sha), `${sha}.${ext}`);
      if (await exists(file)) return file;
    }
    return undefined;
  }

  /** The stored thumbnail's file name (one access per format tried, WebP first). */
  async function findThumbnail(sha: string): Promise<string | undefined> {
    for (const file of thumbPaths(sha)) if (await exists(file)) return file;
    return undefined;
  }

  async function readFile(file: string | undefined, sha: string, what: string): Promise<StoredFile> {
    if (!file) throw new AppError('NOT_FOUND', `no ${what} stored for ${sha}`);
    try {
      const bytes = await fs.readFile(file);
      const ext = path.extname(file).slice(1);
      return { bytes, ext, contentType: TYPE_BY_EXT.get(ext) ?? 'application/octet-stream' };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('NOT_FOUND', `no ${what} stored for ${sha}`);
      throw err;
    }
  }

  return {
    root: dataDir,
    async putOriginal(sha, format, bytes) {
      checkSha(sha);
      await markWriter();
      // The same bytes have the same format, so a stored copy has this very name (one access).
      return writeAtomic(path.join(dirOf(blobs, sha), `${sha}.${FORMATS[format]?.ext ?? 'bin'}`), bytes, madeDirs);
    },
    async putThumbnail(sha, bytes, format = 'webp', opts = {}) {
      checkSha(sha);
      const ext = FORMATS[format]?.ext;
      if (!ext || !THUMB_EXTS.includes(ext)) throw new AppError('INTERNAL', `a thumbnail cannot be ${format} (webp, jpeg or png)`);
      await markWriter();
      if (opts.ofOriginal) {
        // putOriginal names the file after the same format
        const linked = await linkAtomic(path.join(dirOf(blobs, sha), `${sha}.${ext}`), thumbPath(sha, ext), madeDirs);
        if (linked !== undefined) return linked;
      }
      return writeAtomic(thumbPath(sha, ext), bytes, madeDirs);
    },
    async hasOriginal(sha) {
      checkSha(sha);
      return (await findOriginal(sha)) !== undefined;
    },
    async hasThumbnail(sha) {
      checkSha(sha);
      return (await findThumbnail(sha)) !== undefined;
    },
    async readOriginal(sha) {
      checkSha(sha);
      return readFile(await findOriginal(sha), sha, 'image');
    },
    async readThumbnail(sha) {
      checkSha(sha);
      // Straight to the read for each format (a WebP thumbnail costs one failed open less than a lookup first).
      for (const file of thumbPaths(sha)) {
        try {
          return await readFile(file, sha, 'thumbnail');
        } catch (err) {
          if (!(err instanceof AppError && err.code === 'NOT_FOUND')) throw err;
        }
      }
      throw new AppError('NOT_FOUND', `no thumbnail stored for ${sha}`);
    },
    async remove(sha) {
      checkSha(sha);
      const orig = await findOriginal(sha);
      if (orig) await fs.rm(orig, { force: true });
      for (const file of thumbPaths(sha)) await fs.rm(file, { force: true });
    },
    async setAside(sha) {
      checkSha(sha);
      await markWriter();
      const moved: { file: string; aside: string }[] = [];
      // Over a copy another writer put back meanwhile: the same bytes (the name is their sha256).
      const restore = async () => {
        for (const m of moved) await fs.rename(m.aside, m.file);
      };
      for (const file of [await findOriginal(sha), ...thumbPaths(sha)]) {
        if (!file) continue;
        const aside = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
        try {
          await fs.rename(file, aside);
          moved.push({ file, aside });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
          await restore().catch(() => undefined);
          throw err;
        }
      }
      return {
        restore,
        discard: async () => {
          for (const m of moved) await fs.rm(m.aside, { force: true });
        },
      };
    },
    async sweepTemp() {
      let top: string[];
      try {
        top = await fs.readdir(writers);
      } catch {
        top = [];
      }
      const dead = top.filter((n) => n.startsWith(WRITER_PREFIX) && !isAlive(Number(n.slice(WRITER_PREFIX.length))));
      const once = !top.includes(SWEPT_STAMP);
      if (!dead.length && !once) return 0;
      let n = 0;
      for (const base of [blobs, thumbs]) {
        let subs: string[];
        try {
          subs = await fs.readdir(base);
        } catch {
          continue;
        }
        for (const sub of subs) {
          let names: string[];
          try {
            names = await fs.readdir(path.join(base, sub));
          } catch {
            continue;
          }
          for (const name of names) {
            const tmp = /\.tmp-(\d+)-/.exec(name);
            if (!tmp || isAlive(Number(tmp[1]))) continue; // a live writer's file
            await fs.rm(path.join(base, sub, name), { force: true });
            n++;
          }
        }
      }
      for (const m of dead) await fs.rm(path.join(writers, m), { force: true });
      if (once) {
        // (a read-only data dir: swept again next time, at no harm)
        await fs
          .mkdir(writers, { recursive: true })
          .then(() => fs.writeFile(path.join(writers, SWEPT_STAMP), ''))
          .catch(() => undefined);
      }
      return n;
    },
  };
}
