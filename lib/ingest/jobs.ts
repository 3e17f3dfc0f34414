/**
 * Ingest and re-index as lib/jobs jobs: this room owns its kinds of work and hands them to the
 * generic runner (`runJob`), so lib/jobs stays infrastructure that knows nothing of ingest. Both
 * take the structural `IngestDeps` (the engine satisfies it), never the engine itself.
 */
import { detectFormat, statOrThrow } from '../corpus';
import { checkDatasetName } from '../datasets';
import { findDataset } from '../db';
import { rescanDuplicates } from '../duplicates';
import { rebuildIndexes } from '../index';
import { runJob, type StartedJob } from '../jobs';
import { ingestCorpus } from './ingest-corpus';
import { describeOcrStage, ocrAfterIngest, ocrBackfill, type OcrStageSummary } from './ocr-stage-job'; // issue 11: OCR stage
import { reembedMissing } from './reembed';
import { rebuildKeywordDocs } from '../keyword';
import { nearDuplicatesNote, type IngestDeps, type IngestOptions, type IngestSummary } from './types';

export type IngestJobParams = Pick<IngestOptions, 'path' | 'dataset' | 'format' | 'texts' | 'batchSize' | 'nearDuplicates'> & {
  /** issue 11: read the text in the images added (default: config.ocr.enabled, CLIPDEX_OCR). */
  ocr?: boolean;
};
export type IngestJobResult = Omit<IngestSummary, 'errors'> & { ocr?: OcrStageSummary & { skipped?: number } };

/**
 * Run an ingest as a job: progress, per-line errors as JobLineError rows, the summary as result.
 * A cancel stops it after the batch being committed; the job ends 'cancelled' with what it kept,
 * and running the same ingest again completes it (records already there are skipped).
 */
export async function startIngestJob(
  deps: IngestDeps,
  params: IngestJobParams,
  hooks: Pick<IngestOptions, 'onBatchCommitted' | 'onLineError'> = {},
): Promise<StartedJob<IngestJobResult>> {
  // issue 15: with REDIS_URL the work goes to `clipdex worker` processes through the queue.
  if (deps.config.redisUrl) return (await import('../distributed/ingest-job')).startDistributedIngestJob(deps, params, hooks);
  // Refuse a bad dataset name or a path that cannot be read before a job row exists for it.
  params = { ...params, dataset: checkDatasetName(params.dataset) };
  if (params.format) await statOrThrow(params.path);
  else await detectFormat(params.path, { texts: params.texts, maxLineBytes: deps.config.maxLineBytes });
  const existing = await findDataset(deps.db, params.dataset);
  return runJob<IngestJobResult>(
    deps.db,
    'ingest',
    params,
    async (ctx) => {
      const ocr = await ocrAfterIngest(deps, ctx, params.ocr ?? deps.config.ocr.enabled);
      const summary = await ingestCorpus(
        {
          ...params,
          signal: ctx.signal,
          onLineError: (e) => {
            ctx.lineErrors([e]);
            hooks.onLineError?.(e);
          },
          onBatchCommitted: hooks.onBatchCommitted,
          onDataset: (id) => ctx.setDataset(id),
        },
        deps,
        (p) => ctx.progress(ocr.progress(p)),
      );
      const { errors: _kept, ...rest } = summary;
      void _kept;
      const result: IngestJobResult = { ...rest, ...(await ocr.run(summary)) };
      const added = `${summary.images} images, ${summary.texts} texts, ${summary.links} links added; ${summary.duplicates} duplicates; ${summary.errorCount} errors${ocr.describe(result.ocr)}${nearDuplicatesNote(summary)}`;
      if (summary.cancelled || result.ocr?.cancelled) {
        return { result, cancelled: true, message: `cancelled after ${summary.records} records: ${added}; run the same ingest again to finish it` };
      }
      if (summary.good === 0) return { result, failed: true, cancelled: false, message: `nothing could be ingested (${summary.errorCount} errors)` };
      return { result, cancelled: false, message: added };
    },
    { datasetId: existing?.id },
  );
}

export interface ReindexJobResult {
  reembedded: { images: number; texts: number };
  indexed: { images: number; texts: number };
  errors: number;
  /** issue 11: `clipdex reindex --ocr`: the OCR backfill. */
  ocr?: OcrStageSummary;
}

/**
 * Re-embed items lacking a vector for the active model (from stored originals), then rebuild both
 * indexes. A cancel stops the re-embedding between batches (what was embedded is kept and indexed)
 * and skips the rebuild; once the rebuild has begun, the job finishes.
 */
export async function startReindexJob(deps: IngestDeps, opts: { ocr?: boolean; retryFailedOcr?: boolean } = {}): Promise<StartedJob<ReindexJobResult>> {
  return runJob<ReindexJobResult>(deps.db, 'reindex', opts, async (ctx) => {
    // issue 15: with REDIS_URL the embedding is done by `clipdex worker` processes through the queue.
    const re = deps.config.redisUrl
      ? await (await import('../distributed/reembed')).reembedThroughQueue(deps, ctx)
      : await reembedMissing(deps, (p) => ctx.progress({ processed: p.done, total: p.total, message: `embedding ${p.kind}s` }), undefined, ctx.signal);
    ctx.lineErrors(re.errors);
    const { config, db, model, indexes } = deps;
    if (re.cancelled) {
      const result: ReindexJobResult = {
        reembedded: { images: re.images, texts: re.texts },
        indexed: { images: indexes.image.size(), texts: indexes.text.size() },
        errors: re.errors.length,
      };
      return { result, cancelled: true, message: `cancelled after re-embedding ${re.images} images and ${re.texts} texts (kept and indexed); run the re-index again to finish` };
    }
    const indexDeps = { db, dataDir: config.dataDir, modelId: model.info.id, dim: model.info.dim, hnsw: config.hnsw };
    await rebuildIndexes(indexDeps, (p) => ctx.progress({ processed: p.done, total: p.total, message: `indexing ${p.kind} vectors` }), indexes);
    // issue 11: the keyword documents rebuilt from the rows too (a re-index repairs everything derived)
    const totalImages = await db.image.count();
    await rebuildKeywordDocs(db, (done) => ctx.progress({ processed: done, total: totalImages, message: 'rebuilding the keyword index' }));
    // issue 11: near-duplicate groups found again from the rebuilt index (also the backfill of a library ingested before them)
    const dupDeps = { db, index: indexes.image, store: deps.store, modelId: model.info.id, threshold: config.duplicateThreshold };
    await rescanDuplicates(dupDeps, (p) => ctx.progress({ processed: p.done, total: p.total, message: 'finding near-duplicates' }), ctx.signal);
    const result: ReindexJobResult = {
      reembedded: { images: re.images, texts: re.texts },
      indexed: { images: indexes.image.size(), texts: indexes.text.size() },
      errors: re.errors.length,
    };
    const message = `re-embedded ${re.images} images and ${re.texts} texts; indexed ${result.indexed.images} image and ${result.indexed.texts} text vectors`;
    if (!opts.ocr) return { result, cancelled: false, message };
    // issue 15: with REDIS_URL the workers read the images, in slices through the queue.
    result.ocr = deps.config.redisUrl
      ? await (await import('../distributed/ocr-slices')).ocrBackfillThroughQueue(deps, ctx, opts.retryFailedOcr === true)
      : await ocrBackfill(deps, ctx, opts.retryFailedOcr === true);
    return { result, cancelled: result.ocr.cancelled === true, message: `${message}; ${describeOcrStage(result.ocr)}` };
  });
}
