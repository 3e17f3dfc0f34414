/**
 * Staged uploads: the bytes of a corpus (or validation) file arrive first, streamed to
 * DATA_DIR/staged-uploads/ by a route handler, with the size limit enforced while they stream;
 * the server action that starts the work then names the staged file by its id. So no server
 * action body ever carries file bytes (their limit stays at 1 MB), and memory does not grow with
 * the size of an upload.
 *
 * A staged file that is never used expires: `sweepStagedUploads` deletes those not written to for
 * STAGED_UPLOAD_TTL_MS, and every new upload runs it. `claimStagedUpload` moves the file into
 * DATA_DIR/uploads/ (a rename, same file system), so a long ingest never loses its input to the
 * sweep. No next/* imports.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { notWritable, readOnlyMessage } from './db';
import { AppError } from './errors';
import { formatBytes, removeUploads, uploadsDir } from './uploads';

/** An unused staged upload is deleted after an hour without writes. */
export const STAGED_UPLOAD_TTL_MS = 60 * 60 * 1000;

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface StagedUpload {
  /** Opaque id to hand to the server action (a random UUID). */
  id: string;
  /** The name the client gave (sanitised), for messages. */
  name: string;
  bytes: number;
}

export interface ClaimedUpload extends StagedUpload {
  /** Absolute path of the file, now in DATA_DIR/uploads/ and owned by the caller. */
  path: string;
}

export interface StageOptions {
  dataDir: string;
  /** Refuse anything larger (config maxUploadBytes). */
  maxBytes: number;
  /** The client's file name; only used, sanitised, in messages and the stored name. */
  fileName?: string;
  /** The request's Content-Length, when it gave one: a body declared too large is refused unread. */
  declaredBytes?: number;
  /** What the file is, for messages ("file", "texts file"). */
  label?: string;
}

export function stagedDir(dataDir: string): string {
  return path.join(dataDir, 'staged-uploads');
}

/** The client's file name reduced to a safe, short basename ("upload" when nothing is left). */
function sanitizeUploadName(name: string | undefined): string {
  // ASCII only and short: it becomes part of a file name on disk (255 bytes at most).
  const base = path.basename((name ?? '').replace(/\\/g, '/')).normalize('NFC');
  const clean = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(-80);
  return clean || 'upload';
}

function describe(label: string, name: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const shown = path.basename((name ?? '').replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 120);
  return shown ? `the ${label} “${shown}”` : `the ${label}`;
}

function uploadTooLarge(what: string, maxBytes: number, size?: number): AppError {
  const amount = size === undefined ? `more than ${formatBytes(maxBytes)}` : formatBytes(size);
  return new AppError(
    'PAYLOAD_TOO_LARGE',
    `${what} is ${amount}; the limit is ${formatBytes(maxBytes)} (CLIPDEX_MAX_UPLOAD_BYTES). Nothing was stored`,
  );
}

function toNodeReadable(source: Readable | ReadableStream<Uint8Array>): Readable {
  return source instanceof Readable ? source : Readable.fromWeb(source as unknown as NodeWebReadableStream<Uint8Array>);
}

/**
 * Stream `source` into staged/<id>.<name>, never holding it whole. Over the limit (declared or
 * counted) → AppError PAYLOAD_TOO_LARGE; empty → INVALID_INPUT; either way nothing stays on disk.
 */
export async function stageUpload(source: Readable | ReadableStream<Uint8Array> | null, opts: StageOptions): Promise<StagedUpload> {
  const what = describe(opts.label ?? 'file', opts.fileName);
  if (opts.declaredBytes !== undefined && opts.declaredBytes > opts.maxBytes) throw uploadTooLarge(what, opts.maxBytes, opts.declaredBytes);
  if (!source || opts.declaredBytes === 0) throw new AppError('INVALID_INPUT', `${what} is empty. Nothing was stored`);
  // A read-only data dir (probe D1) is said plainly, not as the file system's EROFS.
  const ro = notWritable(opts.dataDir);
  if (ro) throw new AppError('CONFLICT', readOnlyMessage(ro.dir, ro.reason, `${what} cannot be stored (nothing was stored)`));
  const dir = stagedDir(opts.dataDir);
  await fs.mkdir(dir, { recursive: true });
  void sweepStagedUploads(opts.dataDir).catch(() => undefined);
  const id = randomUUID();
  const name = sanitizeUploadName(opts.fileName);
  const finalPath = path.join(dir, `${id}.${name}`);
  // A leading dot keeps partial files apart from finished ones (`<id>.<name>`) whatever the name.
  const partPath = path.join(dir, `.${id}.part`);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > opts.maxBytes) done(uploadTooLarge(what, opts.maxBytes));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(toNodeReadable(source), counter, createWriteStream(partPath, { flags: 'wx' }));
    if (bytes === 0) throw new AppError('INVALID_INPUT', `${what} is empty. Nothing was stored`);
    await fs.rename(partPath, finalPath);
  } catch (err) {
    await fs.rm(partPath, { force: true });
    throw err;
  }
  return { id, name, bytes };
}

async function findStaged(dataDir: string, id: string): Promise<{ file: string; name: string } | undefined> {
  let entries: string[];
  try {
    entries = await fs.readdir(stagedDir(dataDir));
  } catch {
    return undefined;
  }
  const file = entries.find((e) => e.startsWith(`${id}.`));
  return file ? { file: path.join(stagedDir(dataDir), file), name: file.slice(id.length + 1) } : undefined;
}

function checkId(id: unknown, label: string): string {
  if (typeof id !== 'string' || !ID.test(id)) {
    throw new AppError('INVALID_INPUT', `the ${label} was not uploaded first: "${String(id).slice(0, 60)}" is not a staged upload id (PUT the file to /api/uploads)`);
  }
  return id;
}

/**
 * Take a staged upload for a job: moved to DATA_DIR/uploads/<id>.<name>, out of the sweep's reach.
 * AppError NOT_FOUND when it does not exist (expired, already used, or never uploaded).
 */
export async function claimStagedUpload(dataDir: string, rawId: unknown, label = 'file'): Promise<ClaimedUpload> {
  const id = checkId(rawId, label);
  const found = await findStaged(dataDir, id);
  if (!found) {
    throw new AppError('NOT_FOUND', `the ${label} upload ${id} is not waiting here (staged uploads expire after ${STAGED_UPLOAD_TTL_MS / 60000} minutes, and each is used once): upload it again`);
  }
  const dest = path.join(uploadsDir(dataDir), `${id}.${found.name}`);
  await fs.mkdir(uploadsDir(dataDir), { recursive: true });
  try {
    await fs.rename(found.file, dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('NOT_FOUND', `the ${label} upload ${id} was just used by another request`);
    throw err;
  }
  const { size } = await fs.stat(dest);
  return { id, name: found.name, bytes: size, path: dest };
}

/** Delete a staged upload that will not be used (the form was abandoned). True when one was there. */
export async function discardStagedUpload(dataDir: string, rawId: unknown): Promise<boolean> {
  const id = checkId(rawId, 'file');
  const found = await findStaged(dataDir, id);
  if (!found) return false;
  await fs.rm(found.file, { force: true });
  return true;
}

/**
 * Discard every staged upload a refused request named (ids it did not claim, or could not):
 * "Nothing was stored" must be true on every refusal path, not only after a claim. Anything that
 * is not an upload id, or no longer waiting (claimed, expired), is passed over.
 */
export async function discardStagedUploads(dataDir: string, ids: unknown[]): Promise<void> {
  for (const id of ids) {
    if (typeof id !== 'string' || !ID.test(id)) continue;
    await discardStagedUpload(dataDir, id).catch(() => false);
  }
}

/**
 * After a refused request: delete the files it claimed, then discard the staged ids it named and
 * did not claim, so that "Nothing was stored" holds on every refusal path.
 */
export async function dropRefusedUploads(dataDir: string, claimedPaths: string[], stagedIds: unknown[]): Promise<void> {
  await removeUploads(claimedPaths);
  await discardStagedUploads(dataDir, stagedIds);
}

/** Delete staged files (and abandoned partial ones) not written to for `maxAgeMs`; returns how many. */
export async function sweepStagedUploads(dataDir: string, opts: { maxAgeMs?: number; now?: number } = {}): Promise<number> {
  const maxAge = opts.maxAgeMs ?? STAGED_UPLOAD_TTL_MS;
  const now = opts.now ?? Date.now();
  const dir = stagedDir(dataDir);
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const e of entries) {
    const file = path.join(dir, e);
    try {
      // mtime, not birth time: a slow upload still being written keeps its partial file fresh.
      const st = await fs.stat(file);
      if (st.isFile() && now - st.mtimeMs > maxAge) {
        await fs.rm(file, { force: true });
        removed += 1;
      }
    } catch {
      // Claimed or removed meanwhile: nothing to do.
    }
  }
  return removed;
}
