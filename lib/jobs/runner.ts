/**
 * Jobs run in-process, one at a time (the model and SQLite's single writer gain nothing from
 * more), as rows in the Job table: queued → running → done | failed, progress persisted at most
 * every 250 ms and emitted at once to in-process subscribers (the web app turns those into
 * server-sent events; another process polls the row). A process that dies leaves its jobs
 * 'running': `markInterruptedJobs` fails them at the next start.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Db } from '../db';
import { describeError } from '../errors';
import { isAlive } from '../index/manifest';
import type { JobContext, JobEvent, JobKind, JobLineErrorView, JobOutcome, JobProgress } from './types';

export const PERSIST_INTERVAL_MS = 250;
export const INTERRUPTED_MESSAGE = 'interrupted: the process stopped; run the ingest again to finish it';

const g = globalThis as unknown as { __clipdexJobs?: { bus: EventEmitter; queue: Promise<unknown>; last: Map<string, JobEvent> } };
function state() {
  g.__clipdexJobs ??= { bus: new EventEmitter().setMaxListeners(0), queue: Promise.resolve(), last: new Map() };
  return g.__clipdexJobs;
}

function emit(e: JobEvent): void {
  const s = state();
  s.last.set(e.jobId, e);
  if (e.type === 'done' || e.type === 'failed') setTimeout(() => s.last.delete(e.jobId), 60_000).unref?.();
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

/** A handler that threw: the message is stored; `error` (this process only) keeps its code. */
export interface JobFailure {
  failed: true;
  message: string;
  error: unknown;
}

export type JobHandler<R> = (ctx: JobContext) => Promise<JobOutcome<R>>;

/** Create the Job row (queued) and run `handler` after the jobs before it. */
export async function runJob<R>(db: Db, kind: JobKind, params: unknown, handler: JobHandler<R>, opts: { datasetId?: number } = {}): Promise<StartedJob<R>> {
  const id = randomUUID();
  await db.job.create({ data: { id, kind, status: 'queued', pid: process.pid, params: JSON.stringify(params ?? {}), datasetId: opts.datasetId ?? null } });
  emit({ type: 'queued', jobId: id, kind });
  const s = state();
  const done = s.queue.then(() => execute(db, id, handler));
  s.queue = done.catch(() => undefined);
  return { id, done };
}

async function execute<R>(db: Db, id: string, handler: JobHandler<R>): Promise<JobOutcome<R> | JobFailure> {
  const t0 = performance.now();
  await db.job.update({ where: { id }, data: { status: 'running', pid: process.pid, startedAt: new Date() } });
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

  const ctx: JobContext = {
    jobId: id,
    signal: new AbortController().signal,
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
      schedule();
    },
  };

  let outcome: JobOutcome<R> | JobFailure;
  try {
    outcome = await handler(ctx);
  } catch (err) {
    outcome = { failed: true, message: describeError(err), error: err };
  }
  if (timer) clearTimeout(timer);
  await persist().catch(() => undefined);
  const failed = outcome.failed === true;
  const message = outcome.message ?? null;
  await db.job.update({
    where: { id },
    data: {
      status: failed ? 'failed' : 'done',
      message,
      result: 'result' in outcome ? JSON.stringify(outcome.result ?? null) : null,
      finishedAt: new Date(),
    },
  });
  if (failed) emit({ type: 'failed', jobId: id, message: message ?? 'failed' });
  else emit({ type: 'done', jobId: id, result: 'result' in outcome ? outcome.result : null, message: message ?? undefined });
  return outcome;
}

/**
 * Jobs left 'running' or 'queued' by a process that no longer exists are marked failed.
 * Returns how many. Jobs of live processes (a web server beside this CLI) are left alone.
 */
export async function markInterruptedJobs(db: Db): Promise<number> {
  const stale = await db.job.findMany({ where: { status: { in: ['running', 'queued'] } }, select: { id: true, pid: true, kind: true, datasetId: true } });
  const mine = state().last;
  const dead = stale.filter((j) => j.pid === null || (j.pid === process.pid ? !mine.has(j.id) : !isAlive(j.pid)));
  if (!dead.length) return 0;
  for (const kind of new Set(dead.map((j) => j.kind))) {
    const ids = dead.filter((j) => j.kind === kind).map((j) => j.id);
    const message = kind === 'ingest' ? INTERRUPTED_MESSAGE : `interrupted: the process stopped; start the ${kind} again`;
    await db.job.updateMany({ where: { id: { in: ids } }, data: { status: 'failed', message, finishedAt: new Date() } });
  }
  // A dataset its interrupted ingest left half-done says so until the ingest is run again.
  const datasets = dead.filter((j) => j.kind === 'ingest' && j.datasetId !== null).map((j) => j.datasetId!);
  if (datasets.length) await db.dataset.updateMany({ where: { id: { in: datasets }, status: 'ingesting' }, data: { status: 'failed' } });
  return dead.length;
}
