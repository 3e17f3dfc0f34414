/** Jobs as the browser sees them: lib/jobs records turned into plain, serialisable JobView objects (lib/views). */
import type { Engine } from '@/lib/engine';
import { CANCELLABLE_KINDS, getJob, getJobLineErrors, type JobRecord } from '@/lib/jobs';
import type { JobView } from '@/lib/views/jobs';
import { AppError } from '@/lib/errors';
import { fileLabel, hidePaths } from '@/lib/views/hide-paths';

/** How many per-line errors the page lists (all of them are in the TSV download). */
export const LINE_ERRORS_SHOWN = 100;

function datasetOf(job: JobRecord, names: Map<number, string>): string | null {
  const p = job.params as { dataset?: unknown } | null;
  if (p && typeof p.dataset === 'string') return p.dataset;
  return job.datasetId !== null ? (names.get(job.datasetId) ?? null) : null;
}

/**
 * A per-line error as shown to anyone (page, JSON, SSE, the TSV download): the file is named inside
 * the corpus, never by its server path (A12). One shape for every viewer, admin or not: the path
 * an operator passed is theirs already, and an uploaded file's server path means nothing to anyone.
 */
export function lineErrorView(e: { line: number; reason: string; file?: string | null }): JobView['lineErrors'][number] {
  return { line: e.line, reason: hidePaths(e.reason), file: fileLabel(e.file) };
}

export function toJobView(job: JobRecord, opts: { names?: Map<number, string>; lineErrors?: JobView['lineErrors'] } = {}): JobView {
  const started = job.startedAt?.getTime();
  const end = job.finishedAt?.getTime() ?? Date.now();
  const rate = started ? job.processed / Math.max(0.001, (end - started) / 1000) : 0;
  const result = job.result && typeof job.result === 'object' && !Array.isArray(job.result) ? (job.result as Record<string, unknown>) : null;
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    processed: job.processed,
    total: job.total,
    errors: job.errors,
    message: job.message === null ? null : hidePaths(job.message), // e.g. "nothing to evaluate in <file>"
    rate,
    dataset: datasetOf(job, opts.names ?? new Map()),
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    result,
    lineErrors: opts.lineErrors ?? [],
    cancellable: job.status === 'queued' || (job.status === 'running' && CANCELLABLE_KINDS.has(job.kind)),
  };
}

/** A job with its first per-line errors; AppError NOT_FOUND when there is none with that id. */
export async function loadJobView(engine: Pick<Engine, 'db'>, id: string, withErrors = true): Promise<JobView> {
  if (!/^[0-9a-f-]{8,64}$/i.test(id)) throw new AppError('INVALID_INPUT', `"${id.slice(0, 80)}" is not a job id`);
  const job = await getJob(engine.db, id);
  if (!job) throw new AppError('NOT_FOUND', `no job ${id}`);
  const lineErrors = withErrors && job.errors > 0 ? await getJobLineErrors(engine.db, id, { limit: LINE_ERRORS_SHOWN }) : [];
  return toJobView(job, { lineErrors: lineErrors.map(lineErrorView) });
}
