/**
 * Jobs run in-process, one at a time (the model and SQLite's single writer gain nothing from
 * more), as rows in the Job table: queued → running → done | failed | cancelled, progress
 * persisted at most every 250 ms and emitted at once to in-process subscribers (the web app turns
 * those into server-sent events; another process polls the row). Each job has an AbortController:
 * `cancelJob` aborts it here, or marks the row 'cancelling' for the process that runs it, which
 * polls its row while running. A process that dies leaves its jobs 'running':
 * `markInterruptedJobs` fails them at the next start.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import type { Db } from '../db';
import { withBusyRetry } from '../db/retry';
import { AppError, describeError } from '../errors';
import { isAlive } from '../process';
import { getJob } from './queries';
import { isFinished, type JobContext, type JobEvent, type JobKind, type JobLineErrorView, type JobOutcome, type JobProgress, type JobRecord } from './types';

export const PERSIST_INTERVAL_MS = 250;
/** How often a running job reads its row for a cancel asked for by another process. */
export const CANCEL_POLL_MS = 500;
const INTERRUPTED_MESSAGE = 'interrupted: the process stopped; run the ingest again to finish it';
/** Kinds whose handler stops part-way on its signal; any job can be cancelled while queued. */
export const CANCELLABLE_KINDS: ReadonlySet<JobKind> = new Set(['ingest', 'reindex', 'train']); // train: between steps (lib/train)

interface RunnerState {
  bus: EventEmitter;
  queue: Promise<unknown>;
  last: Map<string, JobEvent>;
  /** This process's unfinished jobs. */
  controllers: Map<string, AbortController>;
}
const g = globalThis as unknown as { __clipdexJobs?: RunnerState };
function state(): RunnerState {
  g.__clipdexJobs ??= { bus: new EventEmitter().setMaxListeners(0), queue: Promise.resolve(), last: new Map(), controllers: new Map() };
  g.__clipdexJobs.controllers ??= new Map(); // a state cached by an older build (Next.js dev reload)
  return g.__clipdexJobs;
}

function emit(e: JobEvent): void {
  const s = state();
  s.last.set(e.jobId, e);
  if (e.type === 'done' || e.type === 'failed' || e.type === 'cancelled') setTimeout(() => s.last.delete(e.jobId), 60_000).unref?.();
  s.bus.emit(e.jobId, e);
}

/**
 * Receive a job's events in this process. The latest event is replayed at once (so a late
 * subscriber sees where the job is). Returns the unsubscribe function.
 */
export function subscribe(jobId: string, cb: (e: JobEvent) => void): () => void {
  const s = state();
  s.bus.on(jobId, cb);
  const last = s.last.get(jobId);
  if (last) queueMicrotask(() => cb(last));
  return () => s.bus.off(jobId, cb);
}

export interface StartedJob<R> {
  id: string;
  /** Settles when the job ends (rejects only if the job could not be recorded at all). */
  done: Promise<JobOutcome<R> | JobFailure>;
}

/**
 * A handler that threw, or a job cancelled before it started: the message is stored; `error`
 * (this process only) keeps its code; `cancelled` says the job ended 'cancelled', not 'failed'.
 */
export interface JobFailure {
  failed: true;
  message: string;
  error: unknown;
  cancelled?: boolean;
}

export type JobHandler<R> = (ctx: JobContext) => Promise<JobOutcome<R>>;

/** Create the Job row (queued) and run `handler` after the jobs before it. */
export async function runJob<R>(db: Db, kind: JobKind, params: unknown, handler: JobHandler<R>, opts: { datasetId?: number } = {}): Promise<StartedJob<R>> {
  const id = randomUUID();
  await db.job.create({ data: { id, kind, status: 'queued', pid: process.pid, host: HOST, heartbeatAt: new Date(), params: JSON.stringify(params ?? {}), datasetId: opts.datasetId ?? null } });
  const s = state();
  const ctl = new AbortController();
  s.controllers.set(id, ctl);
  emit({ type: 'queued', jobId: id, kind });
  // Other machines judge this job by its beat (jobProcessMayRun), queued or running.
  const beat = setInterval(() => {
    db.job.updateMany({ where: { id }, data: { heartbeatAt: new Date() } }).catch(() => undefined);
  }, heartbeatMs());
  beat.unref?.();
  const done = s.queue
    .then(() => execute(db, { id, kind, datasetId: opts.datasetId }, handler, ctl))
    .finally(() => {
      clearInterval(beat);
      s.controllers.delete(id);
    });
  s.queue = done.catch(() => undefined);
  return { id, done };
}

const CANCELLED_BEFORE_START = 'cancelled before it started';

async function execute<R>(
  db: Db,
  job: { id: string; kind: JobKind; datasetId?: number },
  handler: JobHandler<R>,
  ctl: AbortController,
): Promise<JobOutcome<R> | JobFailure> {
  const { id, kind } = job;
  const t0 = performance.now();
  // Only a queued row starts: a cancel from another process turned it 'cancelling' meanwhile.
  const started = ctl.signal.aborted ? 0 : (await db.job.updateMany({ where: { id, status: 'queued' }, data: { status: 'running', pid: process.pid, host: HOST, startedAt: new Date() } })).count;
  if (started === 0) {
    await db.job.update({ where: { id }, data: { status: 'cancelled', message: CANCELLED_BEFORE_START, finishedAt: new Date() } });
    emit({ type: 'cancelled', jobId: id, message: CANCELLED_BEFORE_START });
    return { failed: true, cancelled: true, message: CANCELLED_BEFORE_START, error: new AppError('CONFLICT', CANCELLED_BEFORE_START) };
  }
  const cur: JobProgress = { processed: 0, total: 0, errors: 0, rate: 0 };
  let pendingErrors: JobLineErrorView[] = [];
  let datasetId: number | undefined;
  let lastWrite = 0;
  let writing: Promise<void> = Promise.resolve();
  let dirty = false;

  const persist = (): Promise<void> => {
    dirty = false;
    lastWrite = Date.now();
    const errs = pendingErrors;
    pendingErrors = [];
    const snapshot = { ...cur };
    writing = writing.then(async () => {
      await db.job.update({
        where: { id },
        data: { processed: snapshot.processed, total: snapshot.total, errors: snapshot.errors, message: snapshot.message ?? null, ...(datasetId ? { datasetId } : {}) },
      });
      for (let i = 0; i < errs.length; i += 500) {
        await db.jobLineError.createMany({ data: errs.slice(i, i + 500).map((e) => ({ jobId: id, line: e.line, reason: e.reason, file: e.file ?? null })) });
      }
    });
    return writing;
  };
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    dirty = true;
    if (timer) return;
    const wait = Math.max(0, PERSIST_INTERVAL_MS - (Date.now() - lastWrite));
    timer = setTimeout(() => {
      timer = undefined;
      if (dirty) persist().catch(() => undefined);
    }, wait);
  };
  // A cancel asked for by another process only reaches this one through the row. Only a kind
  // that acts on its signal polls (the others ignore it and end 'done' anyway), and only until it fires.
  const poll = CANCELLABLE_KINDS.has(kind)
    ? setInterval(() => {
        if (ctl.signal.aborted) return clearInterval(poll);
        db.job
          .findUnique({ where: { id }, select: { status: true } })
          .then((r) => r?.status === 'cancelling' && ctl.abort())
          .catch(() => undefined);
      }, CANCEL_POLL_MS)
    : undefined;
  poll?.unref?.();

  const ctx: JobContext = {
    jobId: id,
    signal: ctl.signal,
    progress(p) {
      Object.assign(cur, p);
      if (p.rate === undefined) cur.rate = cur.processed / Math.max(1e-3, (performance.now() - t0) / 1000);
      emit({ type: 'progress', jobId: id, ...cur });
      schedule();
    },
    lineErrors(errs) {
      pendingErrors.push(...errs);
      schedule();
    },
    setDataset(d) {
      datasetId = d;
      // At once: a kill before the row names its dataset would leave that dataset 'ingesting'
      // (markInterruptedJobs marks the datasets the rows name).
      persist().catch(() => undefined);
    },
  };

  let outcome: JobOutcome<R> | JobFailure;
  try {
    outcome = await handler(ctx);
  } catch (err) {
    outcome = { failed: true, message: describeError(err), error: err };
  }
  clearInterval(poll);
  if (timer) clearTimeout(timer);
  await persist().catch(() => undefined);
  // A handler that finished everything before it saw the cancel says so with `cancelled: false`.
  // A kind that cannot stop part-way ignores its signal: when a cancel aimed at the queued job
  // lands just after it started (cancelJob read 'queued', then aborted), it ran to the end: done.
  const cancelled = outcome.cancelled ?? (ctl.signal.aborted && CANCELLABLE_KINDS.has(kind));
  outcome = { ...outcome, cancelled };
  const failed = outcome.failed === true;
  const message = outcome.message ?? (cancelled ? 'cancelled' : null);
  try {
    await withBusyRetry(() =>
      db.job.update({
        where: { id },
        data: {
          status: cancelled ? 'cancelled' : failed ? 'failed' : 'done',
          message,
          result: 'result' in outcome ? JSON.stringify(outcome.result ?? null) : null,
          finishedAt: new Date(),
        },
      }),
    );
  } catch (err) {
    // A job that failed (a full disk, say) reports its own error, not the one from recording it.
    // Its row stays 'running': jobProcessMayRun reads it as over once its controller is gone (so
    // deletes are not refused), and markInterruptedJobs marks it at the next start.
    if (!failed && !cancelled) throw err;
  }
  // An ingest that threw (a database error mid-way) never leaves its dataset 'ingesting'.
  const ds = datasetId ?? job.datasetId;
  if (kind === 'ingest' && (failed || cancelled) && ds !== undefined) {
    await db.dataset.updateMany({ where: { id: ds, status: 'ingesting' }, data: { status: 'failed' } }).catch(() => undefined);
  }
  if (cancelled) emit({ type: 'cancelled', jobId: id, message: message ?? 'cancelled' });
  else if (failed) emit({ type: 'failed', jobId: id, message: message ?? 'failed' });
  else emit({ type: 'done', jobId: id, result: 'result' in outcome ? outcome.result : null, message: message ?? undefined });
  return outcome;
}

/**
 * Ask a job to stop. A queued job never starts; a running job of a CANCELLABLE_KINDS kind stops at
 * its next safe point (an ingest: after the batch it is committing) and ends 'cancelled', keeping
 * what it committed. Works across processes: the row turns 'cancelling' and the process running
 * the job notices within CANCEL_POLL_MS. Returns the job as it is now.
 */
export async function cancelJob(db: Db, id: string): Promise<JobRecord> {
  const job = await getJob(db, id);
  if (!job) throw new AppError('NOT_FOUND', `no job ${id}`);
  if (isFinished(job.status)) throw new AppError('CONFLICT', `job ${id} has already ended (${job.status}); there is nothing to cancel`);
  if (job.status === 'running' && !CANCELLABLE_KINDS.has(job.kind)) {
    throw new AppError('CONFLICT', `a running ${job.kind} job cannot be stopped part-way; only ${[...CANCELLABLE_KINDS].join(', ')} jobs can (any job can be cancelled while it is queued)`);
  }
  // This process's job stops at once; another process's sees the row within CANCEL_POLL_MS.
  state().controllers.get(id)?.abort();
  if (job.pid !== null && !jobProcessMayRun(job)) {
    // Nobody is left to act on a cancel: fail it as interrupted now.
    await markInterruptedJobs(db);
  } else if (job.status !== 'cancelling') {
    await db.job.updateMany({ where: { id, status: { in: ['queued', 'running'] } }, data: { status: 'cancelling' } });
  }
  return (await getJob(db, id)) ?? job;
}

/** This machine's name, stored with a job's pid (processes on several machines share one database). */
const HOST = os.hostname();
/** A row from before the host column (NULL) was written by a single-machine install: this host's. */
const onThisHost = (host: string | null) => host === null || host === HOST;

/**
 * How often a process touches its jobs' `heartbeatAt`, and how long a silence means its machine is
 * gone (clocks of the machines are compared: keep them in sync, as NTP does; 10 minutes is the margin).
 */
export const JOB_HEARTBEAT_MS = 20_000;
export const JOB_STALE_MS = 10 * 60_000;
/** CLIPDEX_TEST_JOB_HEARTBEAT_MS: a test's shorter beat. */
const heartbeatMs = () => Number(process.env.CLIPDEX_TEST_JOB_HEARTBEAT_MS) || JOB_HEARTBEAT_MS;

/**
 * Whether a job's process may still be running: this machine's when its process exists; another
 * machine's (distributed mode: its pid says nothing here) while its beat is fresh. A generous
 * silence (JOB_STALE_MS) before giving up on it: a busy process may beat late, never for minutes.
 */
export const jobProcessMayRun = (j: { id?: string; pid: number | null; host: string | null; heartbeatAt: Date | null }): boolean => {
  if (j.pid === null) return false;
  // This process's own job runs while it holds the job's controller (a job whose final status
  // could not be written, on a full disk, stays 'running' in its row but is over).
  if (j.id !== undefined && j.pid === process.pid && onThisHost(j.host)) return state().controllers.has(j.id);
  return onThisHost(j.host) ? isAlive(j.pid) : !j.heartbeatAt || Date.now() - j.heartbeatAt.getTime() < JOB_STALE_MS;
};

/**
 * Jobs left 'running', 'queued' or 'cancelling' by a process that no longer exists are marked
 * failed (a cancel that was under way: cancelled). Returns how many. Jobs of live processes (a
 * web server beside this CLI) are left alone.
 */
export async function markInterruptedJobs(db: Db): Promise<number> {
  const stale = await db.job.findMany({
    where: { status: { in: ['running', 'queued', 'cancelling'] } },
    select: { id: true, pid: true, host: true, heartbeatAt: true, kind: true, datasetId: true, status: true },
  });
  const mine = state().controllers;
  // Another machine's job (distributed mode): its pid says nothing here, its beat does.
  const dead = stale.filter((j) => j.pid === null || (j.pid === process.pid && onThisHost(j.host) ? !mine.has(j.id) : !jobProcessMayRun(j)));
  if (!dead.length) return 0;
  for (const j of dead) {
    const cancelling = j.status === 'cancelling';
    const message = j.kind === 'ingest' ? INTERRUPTED_MESSAGE : `interrupted: the process stopped; start the ${j.kind} again`;
    await db.job.update({ where: { id: j.id }, data: { status: cancelling ? 'cancelled' : 'failed', message, finishedAt: new Date() } });
  }
  // A dataset its interrupted ingest left half-done says so until the ingest is run again.
  const datasets = dead.filter((j) => j.kind === 'ingest' && j.datasetId !== null).map((j) => j.datasetId!);
  if (datasets.length) await db.dataset.updateMany({ where: { id: { in: datasets }, status: 'ingesting' }, data: { status: 'failed' } });
  return dead.length;
}
