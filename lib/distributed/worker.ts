/**
 * `clipdex worker`: a stateless process that takes slices off the queue until stopped. It opens
 * the database (migrating it if needed), the model and the shared blob store, never an index.
 * A slice that throws (PostgreSQL down, a file the worker cannot read) is retried by BullMQ with
 * back-off, up to SLICE_ATTEMPTS; a worker that dies mid-slice loses its lock and another
 * worker's stalled-job check hands the slice on (after about LOCK_MS).
 */
import type { Job, Worker } from 'bullmq';
import { loadClipModel } from '../clip';
import { getConfig } from '../config';
import { closeDbs, ensureModelRow, getDb, isMigrated, migrateDatabase } from '../db';
import { AppError, describeError } from '../errors';
import { createBlobStore } from '../store';
import { LOCK_MS, isDistributed, queueOptions, type SliceData, type SliceResult } from './queue';
import { EVAL_IMAGES_JOB, EVAL_TEXTS_JOB, processEvalSlice, type EvalSliceData } from './eval-slices';
import { OCR_JOB, processOcrSlice, type OcrSliceData } from './ocr-slices';
import { REEMBED_JOB, processReembedSlice, type ReembedSliceData } from './reembed';
import { processSlice, workerName, type BatchCounts, type WorkerDeps } from './slice-worker';

/** Prisma's messages quote the calling code over several lines; the reason is the last one. */
export function oneLine(err: unknown): string {
  const lines = describeError(err).split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.length > 1 ? `${lines[0].startsWith('internal error') ? 'internal error: ' : ''}${lines.at(-1)}` : (lines[0] ?? '');
}

export interface RunningWorker {
  name: string;
  deps: WorkerDeps;
  /** Finish the slices in hand, then stop. */
  close(): Promise<void>;
}

export async function startWorker(opts: { concurrency: number; log: (m: string) => void }): Promise<RunningWorker> {
  const config = getConfig();
  if (!isDistributed(config)) {
    throw new AppError('CONFIG_INVALID', 'clipdex worker needs distributed mode: set REDIS_URL (e.g. redis://127.0.0.1:6379) and a PostgreSQL DATABASE_URL');
  }
  let db = getDb(config.databaseUrl);
  if (!(await isMigrated(db, config.databaseUrl))) {
    await closeDbs();
    await migrateDatabase(config.databaseUrl);
    db = getDb(config.databaseUrl);
  }
  const model = await loadClipModel(config.modelDir, { threads: config.threads, maxImagePixels: config.maxImagePixels, batchSize: config.batchSize });
  await ensureModelRow(db, model.info);
  const deps: WorkerDeps = { config, db, model, store: createBlobStore(config.blobDir) };
  const { Worker } = await import('bullmq');
  const name = workerName();
  const worker: Worker<SliceData, SliceResult> = new Worker<SliceData, SliceResult>(
    config.queue,
    async (job: Job<SliceData, SliceResult>) => {
      if (job.name === OCR_JOB) {
        const t = performance.now();
        const od = job.data as unknown as OcrSliceData;
        const r = await processOcrSlice(deps, od);
        opts.log(`OCR slice ${od.slice} (${od.imageIds.length} images) of job ${od.jobId}: ${r.images} read, text in ${r.withText}, ${r.failed} failed in ${((performance.now() - t) / 1000).toFixed(2)} s`);
        return r as unknown as SliceResult;
      }
      if (job.name === EVAL_IMAGES_JOB || job.name === EVAL_TEXTS_JOB) {
        // An evaluate's slice (eval-slices.ts): its vectors go to a file, rewritten whole by a retry.
        const t = performance.now();
        const ed = job.data as unknown as EvalSliceData;
        const r = await processEvalSlice(deps, ed);
        const what = ed.part === 'texts' ? `text batches ${ed.first}-${ed.last}` : `lines ${ed.first}-${ed.last}`;
        opts.log(`evaluate slice ${ed.slice} (${what}) of job ${ed.jobId}: ${r.images} images, ${r.texts} texts embedded, ${r.unreadable} unreadable in ${((performance.now() - t) / 1000).toFixed(2)} s${job.attemptsMade ? ` (attempt ${job.attemptsMade + 1})` : ''}`);
        if (process.env.CLIPDEX_TEST_SLICE_PAUSE_MS) {
          // Test hook: a window after the file is written in which a test can SIGKILL this worker.
          process.stdout.write(`evaluate slice ${ed.slice} (${ed.part}) written\n`);
          await new Promise((r) => setTimeout(r, Number(process.env.CLIPDEX_TEST_SLICE_PAUSE_MS)));
        }
        return r as unknown as SliceResult;
      }
      if (job.name === REEMBED_JOB) {
        // A re-index's slice of ids (reembed.ts): no per-batch record needed, its insert skips what a dead attempt wrote.
        const t = performance.now();
        const rd = job.data as unknown as ReembedSliceData;
        const r = await processReembedSlice(deps, rd);
        opts.log(`re-embed slice ${rd.slice} (${rd.ids.length} ${rd.kind}s) of job ${rd.jobId}: ${r.embedded} embedded, ${r.errors.length} errors in ${((performance.now() - t) / 1000).toFixed(2)} s`);
        return r as unknown as SliceResult;
      }
      const d = job.data;
      const t = performance.now();
      // Batches an earlier attempt committed (it died or lost the database after them).
      const committed = { ...((job.progress as { committed?: Record<number, BatchCounts> } | undefined)?.committed ?? {}) };
      const r = await processSlice(deps, d, {
        committed,
        onBatchCommitted: async (batch, counts) => {
          committed[batch] = counts;
          await job.updateProgress({ committed });
          if (process.env.CLIPDEX_TEST_SLICE_PAUSE_MS) {
            // Test hook: a window after each commit in which a test can SIGKILL this worker.
            process.stdout.write(`slice ${d.slice} batch ${batch} committed\n`);
            await new Promise((r) => setTimeout(r, Number(process.env.CLIPDEX_TEST_SLICE_PAUSE_MS)));
          }
        },
      });
      opts.log(`slice ${d.slice} (lines ${d.firstLine}-${d.lastLine}) of job ${d.jobId}: ${r.images} images, ${r.texts} texts, ${r.duplicates} already there, ${r.errors.length} errors in ${((performance.now() - t) / 1000).toFixed(2)} s${job.attemptsMade ? ` (attempt ${job.attemptsMade + 1})` : ''}`);
      return r;
    },
    {
      ...queueOptions(config),
      concurrency: opts.concurrency,
      lockDuration: LOCK_MS,
      stalledInterval: Math.max(1000, Math.floor(LOCK_MS / 2)),
      // A slice whose worker died is handed on; one that kills every worker it meets fails in the end.
      maxStalledCount: 5,
      name,
    },
  );
  worker.on('failed', (job, err) => opts.log(`slice ${job?.data.slice ?? '?'} of job ${job?.data.jobId ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'} of ${job?.opts.attempts ?? '?'}; retried with back-off): ${oneLine(err)}`));
  // Redis going away is reported, not fatal: ioredis reconnects and the worker resumes.
  let said = { text: '', at: 0 };
  worker.on('error', (err) => {
    // ioredis retries about every second: say it once, then every 30 s while it lasts.
    const text = `queue: ${oneLine(err)}; reconnecting`;
    if (text !== said.text || Date.now() - said.at > 30_000) opts.log(text);
    said = { text, at: text === said.text ? said.at : Date.now() };
  });
  await worker.waitUntilReady();
  return {
    name,
    deps,
    async close() {
      await worker.close();
      await model.close();
      await closeDbs();
    },
  };
}
