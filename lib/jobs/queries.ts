/** Reading jobs back (pages, the CLI, polling from another process). */
import type { Db } from '../db';
import type { JobKind, JobLineErrorView, JobStatus, JobRecord } from './types';

type JobRow = Awaited<ReturnType<Db['job']['findFirstOrThrow']>>;

function parseJson(s: string | null): unknown {
  if (s === null) return null;
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

function toView(r: JobRow): JobRecord {
  return {
    id: r.id,
    kind: r.kind as JobKind,
    status: r.status as JobStatus,
    datasetId: r.datasetId,
    params: parseJson(r.params),
    processed: r.processed,
    total: r.total,
    errors: r.errors,
    message: r.message,
    result: parseJson(r.result),
    pid: r.pid,
    host: r.host,
    heartbeatAt: r.heartbeatAt,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    updatedAt: r.updatedAt,
  };
}

export async function getJob(db: Db, id: string): Promise<JobRecord | null> {
  const r = await db.job.findUnique({ where: { id } });
  return r ? toView(r) : null;
}

export async function listJobs(db: Db, opts: { kind?: JobKind; status?: JobStatus; datasetId?: number; limit?: number } = {}): Promise<JobRecord[]> {
  const rows = await db.job.findMany({
    where: { kind: opts.kind, status: opts.status, datasetId: opts.datasetId },
    orderBy: { createdAt: 'desc' },
    take: opts.limit ?? 50,
  });
  return rows.map(toView);
}

/** A job's per-line errors in line order (paged; `limit` 0 = all). */
export async function getJobLineErrors(db: Db, jobId: string, opts: { offset?: number; limit?: number } = {}): Promise<JobLineErrorView[]> {
  const rows = await db.jobLineError.findMany({
    where: { jobId },
    orderBy: [{ line: 'asc' }, { id: 'asc' }],
    skip: opts.offset ?? 0,
    take: opts.limit === 0 ? undefined : opts.limit ?? 1000,
  });
  return rows.map((r) => (r.file ? { line: r.line, reason: r.reason, file: r.file } : { line: r.line, reason: r.reason }));
}
