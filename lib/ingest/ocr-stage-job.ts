/**
 * issue 11: the OCR stage inside the ingest and re-index jobs (jobs.ts calls these, a line each).
 * An ingest with OCR is two stages, each with its own progress on the job: "1/2 …" counts the
 * records, "2/2 …" the images read (the job's message names the stage, the page shows it above
 * the bar). When the OCR stage ends, the job's counters go back to the records, so the finished
 * job reads "40 / 40 records" whatever OCR did; the OCR figures are in the result's `ocr`.
 */
import { findDataset } from '../db';
import type { JobContext, JobProgress } from '../jobs';
import { describeOcrStage, lastImageId, markOcrSkipped, runOcrStage, type OcrStageDeps, type OcrStageSummary } from './ocr-stage';
import type { IngestProgress, IngestSummary } from './types';

export { describeOcrStage, type OcrStageSummary } from './ocr-stage';

export const INGEST_STAGE = 'stage 1/2: embedding and storing records';
export const OCR_STAGE = 'stage 2/2: reading text in images (OCR)';
export const BACKFILL_STAGE = 'reading text in images (OCR)';

export interface IngestOcr {
  /** The ingest's progress, with the stage named when OCR follows. */
  progress(p: IngestProgress): Partial<JobProgress>;
  /** After the ingest: OCR (or mark 'skipped'); the `ocr` part of the job's result. */
  run(summary: IngestSummary): Promise<{ ocr?: OcrStageSummary & { skipped?: number } }>;
  /** The job message's OCR part ('' when there is none). */
  describe(ocr: (OcrStageSummary & { skipped?: number }) | undefined): string;
}

export async function ocrAfterIngest(deps: OcrStageDeps, ctx: JobContext, enabled: boolean): Promise<IngestOcr> {
  // Images this ingest adds get larger ids (--no-ocr marks only those 'skipped').
  const sinceId = enabled ? 0 : await lastImageId(deps.db);
  let last: Partial<JobProgress> = {};
  return {
    progress(p) {
      last = { ...p, message: enabled ? INGEST_STAGE : undefined };
      return last;
    },
    async run(summary) {
      const ds = await findDataset(deps.db, summary.dataset);
      if (!ds) return {};
      if (!enabled) {
        const skipped = await markOcrSkipped(deps.db, ds.id, sinceId);
        return { ocr: { images: 0, withText: 0, failed: 0, incomplete: 0, remaining: 0, seconds: 0, msPerImage: null, skipped } };
      }
      // A cancelled ingest stops here: its images stay unread, and running it again reads them
      // (the stage reads every image of the dataset that has not been through OCR yet).
      if (summary.cancelled) return {};
      const ocr = await runOcrStage(deps, { datasetId: ds.id }, {
        signal: ctx.signal,
        onProgress: (p) => ctx.progress({ ...p, message: OCR_STAGE }),
      });
      ctx.progress({ ...last, message: undefined });
      return { ocr };
    },
    describe(ocr) {
      if (!ocr) return '';
      if (ocr.skipped !== undefined) return `; OCR off (${ocr.skipped} images left for clipdex reindex --ocr)`;
      return `; ${describeOcrStage(ocr)}`;
    },
  };
}

/** `clipdex reindex --ocr`: read every image that has no OCR yet ('skipped' included; 'failed' too with retryFailed). */
export async function ocrBackfill(deps: OcrStageDeps, ctx: JobContext, retryFailed: boolean): Promise<OcrStageSummary> {
  return runOcrStage(deps, { backfill: true, retryFailed }, {
    signal: ctx.signal,
    onProgress: (p) => ctx.progress({ ...p, message: BACKFILL_STAGE }),
  });
}
