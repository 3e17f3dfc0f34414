/**
 * lib/jobs — background work as Job rows with persisted progress (at most every 250 ms), per-line
 * errors as JobLineError rows, in-process events (`queued | progress | done | failed | cancelled`)
 * for server-sent events, and cancellation (an AbortSignal per job, honoured across processes
 * through the row). Jobs run one at a time in the process that started them; jobs of a process
 * that died are failed at the next engine start. Pure infrastructure: the kinds of work live with
 * their rooms (lib/ingest/jobs.ts, lib/eval/job.ts) and call `runJob`.
 */
export type { JobKind, JobStatus, JobEvent, JobProgress, JobRecord, JobLineErrorView, JobContext, JobOutcome } from './types';
export { isFinished } from './types';
export {
  runJob,
  cancelJob,
  subscribe,
  markInterruptedJobs,
  jobProcessMayRun,
  CANCELLABLE_KINDS,
  PERSIST_INTERVAL_MS,
  CANCEL_POLL_MS,
  type StartedJob,
  type JobHandler,
  type JobFailure,
} from './runner';
export { getJob, listJobs, getJobLineErrors } from './queries';
