import type { ClipModel } from '../clip';
import type { Config } from '../config';
import type { CorpusFormat } from '../corpus';
import type { Db } from '../db';
import type { Indexes } from '../index';
import type { BlobStore } from '../store';

export interface IngestOptions {
  path: string;
  /** Dataset name (created when absent; an existing dataset is appended to, duplicates skipped). */
  dataset: string;
  format?: CorpusFormat;
  /** MUGE texts JSONL. */
  texts?: string;
  /** Records per batch (default config.batchSize). */
  batchSize?: number;
  /** Save the HNSW files every this many batches (and at the end). Default 20. */
  saveEveryBatches?: number;
  /** Every per-line error, as it is found (the summary keeps only the first MAX_ERRORS_KEPT). */
  onLineError?: (e: LineError) => void;
  /** Called after each batch is committed, with the ingest's signal (tests pause or kill a child process here). */
  onBatchCommitted?: (batch: number, signal?: AbortSignal) => void | Promise<void>;
  /** Called once the dataset row exists (jobs link themselves to it). */
  onDataset?: (datasetId: number) => void;
  /** Aborting stops the ingest after the batch being committed (the summary says `cancelled`). */
  signal?: AbortSignal;
  /** Link the images added to their near-duplicates (default config.nearDuplicates, CLIPDEX_NEAR_DUPLICATES). */
  nearDuplicates?: boolean;
}

/** What ingest needs: a subset of the Engine, passed explicitly. */
export interface IngestDeps {
  config: Config;
  db: Db;
  model: ClipModel;
  indexes: Indexes;
  store: BlobStore;
}

export interface LineError {
  line: number;
  reason: string;
  file?: string;
}

export interface IngestProgress {
  processed: number;
  total: number;
  errors: number;
  /** Records per second since the start. */
  rate: number;
}

/**
 * Wall-clock stages of the main loop ('wait' = waiting for the next prepared batch; 'read' and
 * 'prepare' run overlapped with 'encode'/'db'), plus the parts of 'prepare' summed over the images
 * prepared at once ('lookup', 'preprocess', 'thumbnail', 'store'; each image's time in a part, its
 * waits included: 'store' counts the file-system round trips queued behind other images' decodes).
 */
export type IngestStage = 'read' | 'prepare' | 'wait' | 'encode' | 'db' | 'index' | 'save' | 'lookup' | 'preprocess' | 'thumbnail' | 'store';

export interface IngestSummary {
  dataset: string;
  datasetStatus: 'ready' | 'failed';
  /** Records read (good and bad). */
  records: number;
  /** Good records: ingested now or already present. Zero means nothing could be ingested. */
  good: number;
  /** New rows this run. */
  images: number;
  texts: number;
  links: number;
  /** Good records that added nothing (already ingested). */
  duplicates: number;
  /** Vectors copied from the same image already embedded by this model (another dataset). */
  vectorsReused: number;
  /** Number of per-line errors. */
  errorCount: number;
  /** The first MAX_ERRORS_KEPT (1000) errors; all of them go through `onLineError`. */
  errors: LineError[];
  seconds: number;
  /** The signal was aborted: the records after `records` were not read (run the ingest again). */
  cancelled?: boolean;
  /** Near-duplicate links were not looked for (`--no-near-duplicates`, CLIPDEX_NEAR_DUPLICATES=0). */
  nearDuplicatesOff?: boolean;
  /** Images an interrupted ingest committed but never checked for near-duplicates, checked by this one first. */
  pendingLinked?: number;
  /** Seconds spent per stage ('prepare' overlaps 'encode'; 'wait' is time the loop waited for it). */
  stages: Record<IngestStage, number>;
}

export const MAX_ERRORS_KEPT = 1000;

/** What an ingest's message adds when it linked no near-duplicates (in-process and distributed say the same). */
export const nearDuplicatesNote = (s: Pick<IngestSummary, 'nearDuplicatesOff'>) =>
  s.nearDuplicatesOff ? '; near-duplicates not linked (clipdex duplicates --rescan links them)' : '';

export const MAX_BATCH_SIZE = 1024;

/**
 * Batches prepared ahead of the one in the model (ingest-corpus.ts): two while batches are small
 * (the default 32), one above this size, where a batch's model inputs alone reach hundreds of MB.
 */
export const prepareAhead = (batchSize: number): number => (batchSize <= 64 ? 2 : 1);

/** What each committed batch adds to an ingest's totals (in-process, per queued slice, and over an ingest's slices). */
export interface AddedCounts {
  images: number;
  texts: number;
  links: number;
  duplicates: number;
  vectorsReused: number;
}

export function addCounts(into: AddedCounts, c: AddedCounts): void {
  into.images += c.images;
  into.texts += c.texts;
  into.links += c.links;
  into.duplicates += c.duplicates;
  into.vectorsReused += c.vectorsReused;
}
