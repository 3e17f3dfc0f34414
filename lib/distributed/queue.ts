/**
 * The queue shared by every node in distributed mode: one BullMQ queue on Redis (REDIS_URL),
 * named CLIPDEX_QUEUE. A job on it is one *slice* of a corpus file (a range of its lines), never
 * the records themselves: the file sits on storage every node can read, and Redis only carries
 * line numbers. Slices are retried by BullMQ when a worker fails or dies (its lock expires and
 * another worker's stalled-job check puts the slice back), and the rows a slice writes are
 * idempotent on (dataset, sha256) and (dataset, text), so a retry adds nothing twice. Two more
 * kinds of job carry row ids instead of lines: a re-index's re-embed slices (reembed.ts) and its
 * OCR slices (ocr-slices.ts); and an evaluate's slices (eval-slices.ts) carry lines too but write
 * no rows: their vectors go to a file of the blob dir. The worker tells them apart by the job's name.
 */
import os from 'node:os';
import type { Queue, QueueOptions } from 'bullmq';
import type { ClipModel } from '../clip';
import type { CorpusFormat } from '../corpus';
import type { Config } from '../config';
import { AppError } from '../errors';
import type { Db } from '../db';
import type { AddedCounts, IngestStage, LineError } from '../ingest/types';
import type { BlobStore } from '../store';

/** A worker's engine: no HNSW index (web nodes hold those), the rest as in lib/engine. */
export interface WorkerDeps {
  config: Config;
  db: Db;
  model: ClipModel;
  store: BlobStore;
}

export const workerName = () => `${os.hostname()}:${process.pid}`;

/** How long a worker's lock on a slice lasts without renewal: a killed worker's slice is retried after about this. */
export const LOCK_MS = Number(process.env.CLIPDEX_QUEUE_LOCK_MS ?? 15_000);
/** Attempts per slice (failures: a database down, a worker that died more than once on it). */
export const SLICE_ATTEMPTS = 8;

/** What a queued slice says: enough for any worker to read and commit it on its own. */
export interface SliceData {
  /** The clipdex Job (row) this slice belongs to. */
  jobId: string;
  slice: number;
  path: string;
  format: CorpusFormat;
  /** 1-based line numbers, inclusive. */
  firstLine: number;
  lastLine: number;
  /** The byte `firstLine` begins at in `path` (slices.ts sliceStarts); absent: read from the start (a gzip'd file). */
  startByte?: number;
  datasetId: number;
  modelId: string;
  batchSize: number;
  /** issue 11's OCR stage: read the text in each committed batch's images (absent: off). */
  ocr?: boolean;
  /**
   * The ingest links near-duplicates: each batch records its new image vectors as pending
   * (DuplicatePending) in its transaction, cleared once the coordinator has linked them, so a
   * coordinator killed first leaves them for the next ingest (absent: off, as before).
   */
  nearDuplicates?: boolean;
}

/** OCR done in a slice: the figures of lib/ingest's OcrStageSummary, with each image's time so the coordinator can take quantiles. */
export interface SliceOcr {
  images: number;
  withText: number;
  failed: number;
  incomplete: number;
  /** Images of the slice left unread (the OCR model could not load: `unavailable` says why). */
  remaining: number;
  /** ms per image read. */
  times: number[];
  unavailable?: string;
}

/** What a worker returns for a slice (the coordinator sums them into the ingest summary). */
export interface SliceResult extends AddedCounts {
  records: number;
  good: number;
  errors: LineError[];
  stages: Partial<Record<IngestStage, number>>;
  worker: string;
  /** Image vector rows this slice added: the coordinator finds their near-duplicates with its index (ingest-job.ts). */
  newImageLabels?: number[];
  ocr?: SliceOcr;
}

export const SLICE_JOB = 'ingest-slice';

/** Distributed mode is on: the config check already refused REDIS_URL without PostgreSQL. */
export function isDistributed(config: Pick<Config, 'redisUrl'>): boolean {
  return !!config.redisUrl;
}

export function queueOptions(config: Pick<Config, 'redisUrl'>): QueueOptions {
  if (!config.redisUrl) throw new AppError('CONFIG_INVALID', 'distributed mode needs REDIS_URL (e.g. redis://127.0.0.1:6379)');
  // maxRetriesPerRequest null: a command waits through a Redis restart instead of failing (BullMQ needs it for workers).
  return { connection: { url: config.redisUrl, maxRetriesPerRequest: null } };
}

export async function openQueue(config: Pick<Config, 'redisUrl' | 'queue'>): Promise<Queue<SliceData, SliceResult>> {
  const { Queue } = await import('bullmq');
  return new Queue<SliceData, SliceResult>(config.queue, queueOptions(config));
}
