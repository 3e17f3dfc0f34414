/**
 * issue 11's OCR in distributed mode. Workers read the text (lib/ingest/ocr-stage.ts, which writes
 * the rows and keyword documents): in an ingest, each batch they commit (slice-worker.ts); in
 * `clipdex reindex --ocr`, slices of image ids queued here. A slice retried after its worker died
 * reads only what is still unread (the stage's scope is by status). The starting process merges
 * the workers' figures into the OcrStageSummary an in-process stage reports.
 */
import { AppError } from '../errors';
import { BACKFILL_STAGE } from '../ingest/ocr-stage-job';
import { ocrScopeWhere, runOcrStage, type OcrStageDeps, type OcrStageSummary } from '../ingest/ocr-stage';
import type { JobContext } from '../jobs';
import { workerName, type SliceOcr, type WorkerDeps } from './queue';
import { runSlices } from './run-slices';

export const OCR_JOB = 'ocr-slice';
/** Images per backfill slice: OCR is ~0.1-1 s of CPU an image, so a slice is well under a minute. */
const OCR_PER_SLICE = 32;

export interface OcrSliceData {
  jobId: string;
  slice: number;
  imageIds: number[];
  retryFailed: boolean;
}

export type OcrSliceResult = SliceOcr & { worker: string };

export const emptyOcr = (): SliceOcr => ({ images: 0, withText: 0, failed: 0, incomplete: 0, remaining: 0, times: [] });

/** Add a slice's (or a batch's) OCR figures to `acc`. */
export function addOcr(acc: SliceOcr, r: SliceOcr): void {
  for (const f of ['images', 'withText', 'failed', 'incomplete', 'remaining'] as const) acc[f] += r[f];
  acc.times.push(...r.times);
  acc.unavailable ??= r.unavailable;
}

/** The merged figures as an in-process stage reports them (quantiles over every image's time). */
export function ocrSummary(acc: SliceOcr, seconds: number): OcrStageSummary {
  const sorted = [...acc.times].sort((a, b) => a - b);
  const q = (x: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(x * sorted.length))]);
  return {
    images: acc.images, withText: acc.withText, failed: acc.failed, incomplete: acc.incomplete, remaining: acc.remaining, seconds,
    msPerImage: sorted.length ? { median: q(0.5), p90: q(0.9) } : null,
    ...(acc.unavailable ? { unavailable: acc.unavailable } : {}),
  };
}

/** A worker: read the text of some images (a batch just committed, or a backfill slice). */
export async function readImagesText(deps: WorkerDeps, imageIds: number[], backfill?: { retryFailed: boolean }): Promise<SliceOcr> {
  const times: number[] = [];
  const s = await runOcrStage(deps, { imageIds, ...(backfill ? { backfill } : {}) }, { times });
  return { images: s.images, withText: s.withText, failed: s.failed, incomplete: s.incomplete, remaining: s.remaining, times, ...(s.unavailable ? { unavailable: s.unavailable } : {}) };
}

export async function processOcrSlice(deps: WorkerDeps, d: OcrSliceData): Promise<OcrSliceResult> {
  return { ...(await readImagesText(deps, d.imageIds, { retryFailed: d.retryFailed })), worker: workerName() };
}

/** `clipdex reindex --ocr` in distributed mode: what lib/ingest/ocr-stage-job.ts's ocrBackfill does, on the workers. */
export async function ocrBackfillThroughQueue(deps: OcrStageDeps, ctx: Pick<JobContext, 'jobId' | 'signal' | 'progress'>, retryFailed: boolean): Promise<OcrStageSummary> {
  const t0 = performance.now();
  const todo = (await deps.db.image.findMany({ where: ocrScopeWhere({ backfill: true, retryFailed }), select: { id: true }, orderBy: { id: 'asc' } })).map((r) => r.id);
  const jobs: { name: string; data: OcrSliceData }[] = [];
  for (let i = 0; i < todo.length; i += OCR_PER_SLICE) jobs.push({ name: OCR_JOB, data: { jobId: ctx.jobId, slice: jobs.length, imageIds: todo.slice(i, i + OCR_PER_SLICE), retryFailed } });
  const acc = emptyOcr();
  let done = 0;
  const progress = () => ctx.progress({ processed: done, total: todo.length, rate: done / Math.max(1e-3, (performance.now() - t0) / 1000), message: BACKFILL_STAGE });
  let cancelled = false;
  if (jobs.length) {
    const run = await runSlices<OcrSliceData, OcrSliceResult>(
      deps.config,
      ctx,
      jobs,
      (k, r) => {
        addOcr(acc, r);
        done += jobs[k].data.imageIds.length;
        progress();
      },
      (k) => `OCR slice ${k + 1} of ${jobs.length} (images ${jobs[k].data.imageIds[0]}-${jobs[k].data.imageIds.at(-1)})`,
      progress,
    );
    if (run.failure) throw new AppError('INTERNAL', `${run.failure}. What was read is kept; run clipdex reindex --ocr again to finish it.`);
    if (run.lost) throw new AppError('INTERNAL', `${run.lost} of the OCR's ${jobs.length} slices vanished from the queue (a Redis restart without persistence? run Redis with appendonly yes): run clipdex reindex --ocr again to finish it`);
    cancelled = run.removed > 0;
  }
  // Left unread: the slices a cancel removed (and any image a worker could not read for want of a model).
  acc.remaining += todo.length - done;
  return { ...ocrSummary(acc, (performance.now() - t0) / 1000), ...(cancelled ? { cancelled: true } : {}) };
}
