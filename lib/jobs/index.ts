/**
 * lib/jobs — background work (ingest, reindex, evaluate) as Job rows with persisted progress
 * (at most every 250 ms), per-line errors as JobLineError rows, and in-process events
 * (`queued | progress | done | failed`) for server-sent events. Jobs run one at a time in the
 * process that started them; jobs of a process that died are failed at the next engine start.
 */
export type { JobKind, JobStatus, JobEvent, JobProgress, JobView, JobLineErrorView, JobContext, JobOutcome } from './types';
export { runJob, subscribe, markInterruptedJobs, INTERRUPTED_MESSAGE, PERSIST_INTERVAL_MS, type StartedJob, type JobHandler, type JobFailure } from './runner';
export { getJob, listJobs, getJobLineErrors } from './queries';
export {
  startJob,
  startIngestJob,
  startReindexJob,
  registerJobHandler,
  type EngineJobHandler,
  type IngestJobParams,
  type IngestJobResult,
  type ReindexResult,
} from './start';
