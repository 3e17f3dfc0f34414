/**
 * The stage a running job's message names (lib/ingest writes these English sentences: the CLI and
 * the JSON API show them as they are), mapped to a message key (Job.*) so the page says it in its
 * own language. A message not listed here is shown as written.
 */
export const JOB_STAGE_KEYS: Record<string, string> = {
  'stage 1/2: embedding and storing records': 'stageIngest', // lib/ingest/ocr-stage-job.ts INGEST_STAGE
  'stage 2/2: reading text in images (OCR)': 'stageOcr', // OCR_STAGE
  'reading text in images (OCR)': 'stageBackfill', // BACKFILL_STAGE
  'embedding images': 'stageEmbedImages', // lib/ingest/jobs.ts, the re-index job
  'embedding texts': 'stageEmbedTexts',
  'indexing image vectors': 'stageIndexImages',
  'indexing text vectors': 'stageIndexTexts',
  'rebuilding the keyword index': 'stageKeyword',
  'finding near-duplicates': 'stageDuplicates',
};
