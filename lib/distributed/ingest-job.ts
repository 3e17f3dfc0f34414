/**
 * An ingest in distributed mode, as seen by the process that starts it (the CLI or a web node):
 * the same Job row, progress, per-line errors and summary as lib/ingest's in-process job, but
 * the work is queued as slices of the file (queue.ts) and done by `clipdex worker` processes.
 * Slices finish in any order; their line errors are released in slice order, so the report reads
 * in line order as today. A cancel removes the slices not yet started and waits for those in
 * hand; a slice that fails for good (after its retries) fails the ingest the same way.
 * issue 11's stages: workers read the text in each batch they commit (OCR, slice-worker.ts), and
 * this process links the near-duplicates of the images added with its own index replica as the
 * slices report (link-added.ts; workers hold no index); `ocr: false` marks the images added 'skipped'.
 */
import path from 'node:path';
import { countRecords, detectFormat, statOrThrow } from '../corpus';
import { checkDatasetName } from '../datasets/name';
import { forgetDuplicateScan, linkPending } from '../duplicates';
import { findDataset, maxVectorLabel, openDatasetForIngest, setDatasetStatus } from '../db';
import { AppError } from '../errors';
import { runJob, type JobContext, type StartedJob } from '../jobs';
import { describeOcrStage, lastImageId, markOcrSkipped, type OcrStageSummary } from '../ingest/ocr-stage';
import { addCounts, nearDuplicatesNote, MAX_BATCH_SIZE, MAX_ERRORS_KEPT, type IngestDeps, type IngestOptions, type IngestStage, type IngestSummary } from '../ingest/types';
import { SLICE_JOB, type SliceData, type SliceResult } from './queue';
import { addedImageLinker } from './link-added';
import { addOcr, emptyOcr, ocrSummary } from './ocr-slices';
import { runSlices } from './run-slices';
import { shareCorpus } from './share';
import { checkSliceable, sliceStarts } from './slices';

type Params = Pick<IngestOptions, 'path' | 'dataset' | 'format' | 'texts' | 'batchSize' | 'nearDuplicates'> & { ocr?: boolean };
/** lib/ingest/jobs.ts's IngestJobResult (not imported: that module imports this one). */
type Result = Omit<IngestSummary, 'errors'> & { ocr?: OcrStageSummary & { skipped?: number } };
type Deps = Pick<IngestDeps, 'config' | 'db' | 'model' | 'indexes' | 'store'>;

/** Batches per slice: a slice is the unit of retry (and of work lost to a killed worker). */
export const BATCHES_PER_SLICE = Number(process.env.CLIPDEX_BATCHES_PER_SLICE ?? 4);

export async function startDistributedIngestJob(
  deps: Deps,
  params: Params,
  hooks: Pick<IngestOptions, 'onLineError'> = {},
): Promise<StartedJob<Result>> {
  params = { ...params, dataset: checkDatasetName(params.dataset) };
  const readOpts = { texts: params.texts, maxLineBytes: deps.config.maxLineBytes };
  if (params.format) await statOrThrow(params.path);
  const format = params.format ?? (await detectFormat(params.path, readOpts));
  checkSliceable(format);
  const batchSize = params.batchSize ?? deps.config.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new AppError('INVALID_INPUT', `batch size must be an integer from 1 to ${MAX_BATCH_SIZE}, got ${batchSize}`);
  }
  const existing = await findDataset(deps.db, params.dataset);
  return runJob<Result>(deps.db, 'ingest', { ...params, distributed: true }, (ctx) => coordinate(deps, { ...params, format, batchSize }, ctx, hooks), {
    datasetId: existing?.id,
  });
}

async function coordinate(
  deps: Deps,
  p: Params & { format: NonNullable<Params['format']>; batchSize: number },
  ctx: JobContext,
  hooks: Pick<IngestOptions, 'onLineError'>,
) {
  const t0 = performance.now();
  const { config, db } = deps;
  const source = path.resolve(p.path);
  const total = await countRecords(source, { format: p.format, maxLineBytes: config.maxLineBytes });
  // issue 11's OCR stage runs in the workers, per committed batch; off, this ingest's images are marked 'skipped'.
  const ocrOn = p.ocr ?? config.ocr.enabled;
  const sinceId = ocrOn ? 0 : await lastImageId(db);
  const ocr = emptyOcr();
  const newImageLabels: number[] = [];
  // Every image vector this ingest commits gets a higher id than this (ids are taken after it is
  // read). A slice retried after a worker died between its commit and its report says it added
  // nothing, so the links are found from the ids, not only from what the slices report.
  const sinceLabel = await maxVectorLabel(db, 'image', deps.model.info.id);
  const linkOn = p.nearDuplicates ?? config.nearDuplicates;
  const linker = addedImageLinker(deps, { allNew: sinceLabel === 0, off: !linkOn });
  const dataset = await openDatasetForIngest(db, { name: p.dataset, format: p.format, source });
  ctx.setDataset(dataset.id);
  if (!linkOn) await forgetDuplicateScan(db, deps.model.info.id);
  // Images an interrupted ingest (this kind or an in-process one) committed but never linked: linked now.
  const dupDeps = { db, index: deps.indexes.image, store: deps.store, modelId: deps.model.info.id, threshold: config.duplicateThreshold };
  const pendingLinked = linkOn ? await linkPending(dupDeps, dataset.id) : 0;
  const shared = await shareCorpus(config.blobDir, source, ctx.jobId);
  const stages: Record<IngestStage, number> = { read: 0, prepare: 0, wait: 0, encode: 0, db: 0, index: 0, save: 0, lookup: 0, preprocess: 0, thumbnail: 0, store: 0 };
  const summary: IngestSummary = {
    dataset: p.dataset, datasetStatus: 'ready', records: 0, good: 0, images: 0, texts: 0, links: 0, duplicates: 0,
    vectorsReused: 0, errorCount: 0, errors: [], seconds: 0, stages, ...(linkOn ? {} : { nearDuplicatesOff: true }),
    ...(pendingLinked ? { pendingLinked } : {}),
  };
  const report = (final = false) =>
    ctx.progress({ processed: summary.records, total: final ? summary.records : Math.max(total, summary.records), errors: summary.errorCount, rate: summary.records / Math.max(1e-3, (performance.now() - t0) / 1000) });

  try {
    const results = new Map<number, SliceResult>();
    let released = 0;
    const release = () => {
      // Line errors in line order: a slice's are released once every slice before it is in.
      while (results.has(released)) {
        const errs = results.get(released)!.errors;
        summary.errorCount += errs.length;
        for (const e of errs) {
          if (summary.errors.length < MAX_ERRORS_KEPT) summary.errors.push(e);
          hooks.onLineError?.(e);
        }
        if (errs.length) ctx.lineErrors(errs);
        released++;
      }
    };
    const settle = (k: number, r: SliceResult) => {
      results.set(k, r);
      summary.records += r.records;
      summary.good += r.good;
      addCounts(summary, r);
      newImageLabels.push(...(r.newImageLabels ?? []));
      linker.add(r.newImageLabels ?? []);
      if (r.ocr) addOcr(ocr, r.ocr);
      for (const [s, v] of Object.entries(r.stages) as [IngestStage, number][]) stages[s] += v;
      release();
      ctx.progress({ message: undefined });
      report();
    };
    // Offsets in the copy the workers read (the same bytes as the source).
    const ranges = await sliceStarts(shared.path, p.batchSize * BATCHES_PER_SLICE);
    const jobs = ranges.map((r, k) => ({
      name: SLICE_JOB,
      data: { jobId: ctx.jobId, slice: k, path: shared.path, format: p.format, ...r, datasetId: dataset.id, modelId: deps.model.info.id, batchSize: p.batchSize, ocr: ocrOn, nearDuplicates: linkOn } satisfies SliceData,
    }));
    const run = await runSlices<SliceData, SliceResult>(config, ctx, jobs, settle, (k) => `slice ${k + 1} of ${jobs.length} (lines ${ranges[k].firstLine}-${ranges[k].lastLine})`, () => report());
    // Whatever was committed gets its near-duplicate links, as an in-process ingest links each batch it commits.
    ctx.progress({ message: 'finding near-duplicates of the images added' });
    // A failed ingest reports its failure, not a second error from the same cause (the database down).
    await linker.finish(await imageLabelsSince(deps, dataset.id, sinceLabel, newImageLabels)).catch((err) => {
      if (!run.failure && !run.lost) throw err;
    });
    stages.index += linker.seconds;
    ctx.progress({ message: undefined });
    if (run.failure) throw new AppError('INTERNAL', `${run.failure}. What was committed is kept; run the same ingest again to finish it.`);
    if (run.lost) {
      throw new AppError(
        'INTERNAL',
        `${run.lost} of the ingest's ${jobs.length} slices vanished from the queue (a Redis restart without persistence? run Redis with appendonly yes): what was committed is kept; run the same ingest again to finish it`,
      );
    }
    if (run.removed) summary.cancelled = true;
  } finally {
    await shared.release().catch(() => undefined);
  }
  const [images, texts] = await Promise.all([db.image.count({ where: { datasetId: dataset.id } }), db.text.count({ where: { datasetId: dataset.id } })]);
  summary.datasetStatus = images + texts > 0 && !summary.cancelled ? 'ready' : 'failed';
  await setDatasetStatus(db, dataset.id, summary.datasetStatus);
  summary.seconds = (performance.now() - t0) / 1000;
  report(!summary.cancelled);
  const { errors: _kept, ...rest } = summary;
  void _kept;
  const result: Result = rest;
  if (!ocrOn) {
    const skipped = await markOcrSkipped(db, dataset.id, sinceId);
    result.ocr = { images: 0, withText: 0, failed: 0, incomplete: 0, remaining: 0, seconds: 0, msPerImage: null, skipped };
  } else if (!summary.cancelled) {
    // seconds: the workers' OCR time summed (it overlaps with embedding, on several machines).
    result.ocr = ocrSummary(ocr, ocr.times.reduce((a, b) => a + b, 0) / 1000);
  }
  return outcomeOf(result);
}

/** The messages of lib/ingest/jobs.ts, word for word (the CLI and the pages print them). */
function outcomeOf(result: Result) {
  const o = result.ocr;
  const ocrPart = !o ? '' : o.skipped !== undefined ? `; OCR off (${o.skipped} images left for clipdex reindex --ocr)` : `; ${describeOcrStage(o)}`;
  const added = `${result.images} images, ${result.texts} texts, ${result.links} links added; ${result.duplicates} duplicates; ${result.errorCount} errors${ocrPart}${nearDuplicatesNote(result)}`;
  if (result.cancelled) return { result, cancelled: true, message: `cancelled after ${result.records} records: ${added}; run the same ingest again to finish it` };
  if (result.good === 0) return { result, failed: true, cancelled: false, message: `nothing could be ingested (${result.errorCount} errors)` };
  return { result, cancelled: false, message: added };
}

/** This dataset's image vectors above `since` (and what the slices reported), in id order. */
async function imageLabelsSince(deps: Deps, datasetId: number, since: number, reported: number[]): Promise<number[]> {
  const rows = await deps.db.imageVector.findMany({ where: { modelId: deps.model.info.id, id: { gt: since }, image: { datasetId } }, select: { id: true }, orderBy: { id: 'asc' } });
  return [...new Set([...rows.map((r) => r.id), ...reported])].sort((a, b) => a - b);
}
