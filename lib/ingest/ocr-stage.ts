/**
 * issue 11: the OCR stage of an ingest (and of `clipdex reindex --ocr`): read the text in stored
 * originals with lib/ocr and keep it on the Image row (ocrText, ocrStatus 'done' | 'failed' |
 * 'skipped', ocrError). It runs after the images are committed and indexed, so an image whose OCR
 * fails (or a stage that is cancelled, killed or has no model) is still there and found by its
 * vector; its row says what happened, and `clipdex reindex --ocr` reads what is left (NULL = not
 * run). Results are written in small batches and handed to the keyword index as they land.
 */
import type { Config } from '../config';
import { withBusyRetry, type Db } from '../db';
import { describeError } from '../errors';
import { syncKeywordDocs } from '../keyword';
import { getOcrEngine, type OcrEngine } from '../ocr';
import type { BlobStore } from '../store';

export type OcrStatus = 'done' | 'failed' | 'skipped';

export interface OcrStageSummary {
  /** Images read in this stage (done or failed). */
  images: number;
  /** Images in which some text was found. */
  withText: number;
  failed: number;
  /** Images the per-image time limit stopped part-way (the text read before it is kept). */
  incomplete: number;
  /** Images left unread: the stage was cancelled or the model could not load (`clipdex reindex --ocr` reads them). */
  remaining: number;
  seconds: number;
  /** Per image read, in ms (null when none was). */
  msPerImage: { median: number; p90: number } | null;
  cancelled?: boolean;
  /** Why no image could be read at all (the OCR model is missing or broken). */
  unavailable?: string;
}

export interface OcrStageDeps {
  config: Config;
  db: Db;
  store: BlobStore;
}

/** Which images a stage reads: one dataset's unread images (an ingest), or every image still without OCR (a backfill). */
export type OcrScope = { datasetId: number } | { backfill: true; retryFailed?: boolean } | { imageIds: number[]; backfill?: { retryFailed?: boolean } };

export interface OcrStageOptions {
  onProgress?: (p: { processed: number; total: number; rate: number }) => void;
  signal?: AbortSignal;
  /** Another engine (tests: a tiny time limit). Default: the process's, from the config. */
  engine?: OcrEngine;
  /** Each image's time (ms) is pushed here too (issue 15: workers' figures are merged by the coordinator). */
  times?: number[];
}

/** Rows written (and synced to the keyword index) together. */
const WRITE_EVERY = 16;

/** The images a stage of this scope reads (issue 15: also how a distributed backfill lists them). */
export function ocrScopeWhere(scope: OcrScope): object {
  if ('datasetId' in scope) return { datasetId: scope.datasetId, ocrStatus: null };
  // issue 15: a worker's share: one committed batch's unread images, or a slice of a backfill's.
  if ('imageIds' in scope) return { id: { in: scope.imageIds }, ...(scope.backfill ? ocrScopeWhere({ backfill: true, ...scope.backfill }) : { ocrStatus: null }) };
  const statuses: (OcrStatus | null)[] = [null, 'skipped', ...(scope.retryFailed ? (['failed'] as const) : [])];
  return { OR: statuses.map((ocrStatus) => ({ ocrStatus })) };
}

export function ocrEngineFor(config: Config): OcrEngine {
  return getOcrEngine({ threads: config.threads, maxImagePixels: config.maxImagePixels, timeoutMs: config.ocr.timeoutMs });
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** Read the text of the images in scope; never throws for one image (its row records the failure). */
export async function runOcrStage(deps: OcrStageDeps, scope: OcrScope, opts: OcrStageOptions = {}): Promise<OcrStageSummary> {
  const t0 = performance.now();
  const { db, store } = deps;
  const todo = await db.image.findMany({ where: ocrScopeWhere(scope), select: { id: true, sha256: true }, orderBy: { id: 'asc' } });
  const summary: OcrStageSummary = { images: 0, withText: 0, failed: 0, incomplete: 0, remaining: todo.length, seconds: 0, msPerImage: null };
  const finish = (times: number[]) => {
    summary.seconds = (performance.now() - t0) / 1000;
    const sorted = times.sort((a, b) => a - b);
    summary.msPerImage = sorted.length ? { median: Math.round(quantile(sorted, 0.5)), p90: Math.round(quantile(sorted, 0.9)) } : null;
    return summary;
  };
  if (!todo.length) return finish([]);
  const engine = opts.engine ?? ocrEngineFor(deps.config);
  try {
    await engine.ready();
  } catch (err) {
    summary.unavailable = describeError(err);
    return finish([]);
  }

  const times: number[] = [];
  let pending: { id: number; text: string | null; status: OcrStatus; error: string | null }[] = [];
  const flush = async () => {
    const rows = pending;
    pending = [];
    if (!rows.length) return;
    // updateMany: an image deleted meanwhile is simply not there any more.
    const withText = rows.filter((r) => r.text).map((r) => r.id);
    // One transaction for the text and its keyword documents, so they never disagree; retried when
    // another process's ingest holds the SQLite write lock (lib/db/retry.ts).
    await withBusyRetry(() =>
      db.$transaction(async (tx) => {
        for (const r of rows) await tx.image.updateMany({ where: { id: r.id }, data: { ocrText: r.text, ocrStatus: r.status, ocrError: r.error } });
        if (withText.length) await syncKeywordDocs(tx as Db, withText);
      }),
    );
  };
  const report = () => opts.onProgress?.({ processed: summary.images, total: todo.length, rate: summary.images / Math.max(1e-3, (performance.now() - t0) / 1000) });
  report();
  for (const img of todo) {
    if (opts.signal?.aborted) {
      summary.cancelled = true;
      break;
    }
    const t = performance.now();
    try {
      const { bytes } = await store.readOriginal(img.sha256);
      const r = await engine.readText(bytes);
      const note = r.complete ? null : `stopped at the ${deps.config.ocr.timeoutMs} ms limit (CLIPDEX_OCR_TIMEOUT_MS) after ${r.lines.length} of ${r.boxes} text boxes: the text may be incomplete`;
      pending.push({ id: img.id, text: r.text, status: 'done', error: note });
      if (r.text) summary.withText++;
      if (!r.complete) summary.incomplete++;
    } catch (err) {
      pending.push({ id: img.id, text: null, status: 'failed', error: describeError(err).slice(0, 500) });
      summary.failed++;
    }
    times.push(performance.now() - t);
    opts.times?.push(times[times.length - 1]);
    summary.images++;
    summary.remaining--;
    if (pending.length >= WRITE_EVERY) await flush();
    report();
  }
  await flush();
  return finish(times);
}

/** Images this ingest added with OCR turned off: marked 'skipped' (a backfill reads them). Returns how many. */
export async function markOcrSkipped(db: Db, datasetId: number, sinceId: number): Promise<number> {
  const r = await db.image.updateMany({ where: { datasetId, id: { gt: sinceId }, ocrStatus: null }, data: { ocrStatus: 'skipped' } });
  return r.count;
}

/** The largest Image.id now (0 when none): images with a larger id were added after this call. */
export async function lastImageId(db: Db): Promise<number> {
  const r = await db.image.aggregate({ _max: { id: true } });
  return r._max.id ?? 0;
}

/** One line for a job message or the CLI: what the OCR stage did. */
export function describeOcrStage(s: OcrStageSummary): string {
  if (s.unavailable) return `OCR did not run (${s.unavailable}); ${s.remaining} images left for clipdex reindex --ocr`;
  const parts = [`text found in ${s.withText} of ${s.images} images read`];
  if (s.failed) parts.push(`${s.failed} OCR failures`);
  if (s.incomplete) parts.push(`${s.incomplete} stopped at the time limit`);
  if (s.remaining) parts.push(`${s.remaining} left unread (run clipdex reindex --ocr)`);
  return parts.join(', ');
}

export interface ImageOcr {
  /** null: OCR has not run on it (ingested before OCR existed, or interrupted). */
  status: OcrStatus | null;
  text: string | null;
  error: string | null;
}

/** What OCR found in one image, for its detail page (null: no such image). */
export async function readImageOcr(db: Db, imageId: number): Promise<ImageOcr | null> {
  if (!Number.isSafeInteger(imageId) || imageId < 1) return null;
  const row = await db.image.findUnique({ where: { id: imageId }, select: { ocrText: true, ocrStatus: true, ocrError: true } });
  if (!row) return null;
  const status = row.ocrStatus === 'done' || row.ocrStatus === 'failed' || row.ocrStatus === 'skipped' ? row.ocrStatus : null;
  return { status, text: row.ocrText, error: row.ocrError };
}
