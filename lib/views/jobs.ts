/**
 * A job as the browser sees it (GET /api/jobs/[id], server-sent events, action results): plain,
 * serialisable, strings for dates. lib/jobs' `JobRecord` is the row it is made from. Pure (only
 * type imports), so client components may import it.
 */
import type { JobStatus } from '../jobs';

// The pure types file, not lib/jobs' face: the face pulls the runner (node:crypto) into client bundles.
export { isFinished } from '../jobs/types';
export type { JobStatus };

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
  /** Whether a Cancel would be honoured now (queued, or running and of a kind that stops part-way). */
  cancellable: boolean;
}
