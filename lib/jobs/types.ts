export type JobKind = 'ingest' | 'reindex' | 'evaluate' | 'train'; // train: issue 12 (lib/train/job.ts)
/**
 * 'cancelling' is a cancel asked for (by this process or another) that the running job has not
 * acted on yet; 'cancelled' is a job that stopped part-way on request, keeping what it committed.
 */
export type JobStatus = 'queued' | 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled';

/** A job that will not change any more. */
export function isFinished(status: JobStatus): boolean {
  return status === 'done' || status === 'failed' || status === 'cancelled';
}

export interface JobProgress {
  processed: number;
  total: number;
  errors: number;
  /** Items per second. */
  rate: number;
  message?: string;
}

/** What subscribers (the CLI bar, server-sent events) receive. */
export type JobEvent =
  | { type: 'queued'; jobId: string; kind: JobKind }
  | ({ type: 'progress'; jobId: string } & JobProgress)
  | { type: 'done'; jobId: string; result: unknown; message?: string }
  | { type: 'failed'; jobId: string; message: string }
  | { type: 'cancelled'; jobId: string; message: string };

/** A Job row as lib/jobs reads it back (Dates; the wire shape is lib/views `JobView`). */
export interface JobRecord {
  id: string;
  kind: JobKind;
  status: JobStatus;
  datasetId: number | null;
  params: unknown;
  processed: number;
  total: number;
  errors: number;
  message: string | null;
  result: unknown;
  pid: number | null;
  /** The machine `pid` is on (null: a row from before hosts were recorded). */
  host: string | null;
  /** Last beat of the process holding it (null: a row from before beats were recorded). */
  heartbeatAt: Date | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

export interface JobLineErrorView {
  line: number;
  reason: string;
  file?: string;
}

export interface JobContext {
  jobId: string;
  /** Report progress; persisted at most every 250 ms, emitted to subscribers at once. */
  progress(p: Partial<JobProgress>): void;
  /** Record per-line problems (persisted as JobLineError rows with the next progress write). */
  lineErrors(errs: JobLineErrorView[]): void;
  /** Link the job to a dataset (for the dataset page). */
  setDataset(datasetId: number): void;
  /** Aborted when the job is cancelled (`cancelJob` here or in another process): stop at the next safe point. */
  signal: AbortSignal;
}

/**
 * A job's outcome: the result stored as JSON; `failed` ends it as failed with that message. The
 * runner sets `cancelled` when the signal of a CANCELLABLE_KINDS job was aborted: the job ends
 * 'cancelled', keeping the result (what was done before it stopped). Other kinds ignore the
 * signal and run to the end, so they end 'done' (or 'failed').
 */
export interface JobOutcome<R> {
  result: R;
  message?: string;
  failed?: boolean;
  cancelled?: boolean;
}
