'use server';
import { AppError } from '@/lib/errors';
import { startReindexJob } from '@/lib/ingest';
import { parseOcrFlag } from '@/lib/views/ocr-flag';
import { adminAction } from '@/app/_lib/result';
import { loadJobView } from '@/app/_lib/jobs';

/**
 * Re-index: a job that rebuilds both HNSW indexes from the stored vectors (re-embedding only what
 * the model change requires); with the form's `ocr` / `retryFailedOcr` checkboxes, then the OCR
 * backfill, as `clipdex reindex --ocr [--retry-failed-ocr]` (issue 11).
 */
export const reindexAction = adminAction(async (form, engine) => {
  const ocr = parseOcrFlag('ocr', form.get('ocr')) === true;
  const retryFailedOcr = parseOcrFlag('retryFailedOcr', form.get('retryFailedOcr')) === true;
  if (retryFailedOcr && !ocr) throw new AppError('INVALID_INPUT', 'retrying failed OCR goes with reading the images not read yet: tick both');
  const started = await startReindexJob(engine, { ocr, retryFailedOcr });
  return { job: await loadJobView(engine, started.id, false) };
});
