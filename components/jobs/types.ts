/** A job as the API and the progress component see it (GET /api/jobs/[id], SSE events). */
export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface JobLineErrorView {
  line: number;
  file: string | null;
  reason: string;
}

export interface JobView {
  id: string;
  kind: string;
  status: JobStatus;
  processed: number;
  total: number;
  errors: number;
  message: string | null;
  /** Items per second since the job started. */
  rate: number;
  dataset: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The job's result (an ingest summary, a re-index report…), once done. */
  result: Record<string, unknown> | null;
  /** The first per-line errors (all of them are in /api/jobs/[id]/errors). */
  lineErrors: JobLineErrorView[];
}

export function isFinished(status: JobStatus): boolean {
  return status === 'done' || status === 'failed';
}
