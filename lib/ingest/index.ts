/**
 * lib/ingest — a corpus file into clipdex: stream records (lib/corpus), batch them, preprocess
 * and embed (lib/clip, the next two batches preprocessing while the current one is in the model), store
 * originals + thumbnails (lib/store), commit one transaction per batch (lib/db), then add the new
 * vectors to the HNSW indexes (lib/index). Bad lines are reported, never fatal; re-ingesting adds
 * nothing; a killed ingest is completed by running it again. A failed ingest leaves its dataset
 * 'failed' (never 'ingesting') and no stored file that no row names (cleanup.ts). jobs.ts runs
 * ingest and re-index as lib/jobs jobs; a cancelled ingest stops between batches, like a killed one.
 */
export { ingestCorpus } from './ingest-corpus';
export { deleteDataset } from './delete-dataset';
export { deleteImage, type DeletedImage } from './delete-image'; // issue 11: a near-duplicate's extras
export { startIngestJob, startReindexJob, type IngestJobParams, type IngestJobResult, type ReindexJobResult } from './jobs';
export { reembedMissing, type ReembedProgress, type ReembedSummary } from './reembed';
export { readImageOcr, runOcrStage, type ImageOcr, type OcrStageSummary } from './ocr-stage'; // issue 11: text in images
export { MAX_BATCH_SIZE } from './types';
export type { IngestDeps, IngestOptions, IngestProgress, IngestStage, IngestSummary, LineError } from './types';
