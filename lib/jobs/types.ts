export type JobKind = 'ingest' | 'reindex' | 'evaluate' | 'train'; // train: issue 12 (lib/train/job.ts)
export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

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
  | { type: 'failed'; jobId: string; message: string };

export interface JobView {
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
  signal: AbortSignal;
}

/** A job's outcome: the result stored as JSON; `failed` ends it as failed with that message. */
export interface JobOutcome<R> {
  result: R;
  message?: string;
  failed?: boolean;
}
