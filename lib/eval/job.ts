/**
 * The 'evaluate' job: the evaluate command run in the background of the web server, with its
 * progress persisted by lib/jobs, skipped lines as the job's line errors, and the recall table as
 * the job's result (so past runs stay listed for comparison). An uploaded file is deleted when the
 * job ends: evaluation never ingests it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CorpusFormat } from '../corpus';
import type { Engine } from '../engine';
import { AppError } from '../errors';
import { hidePaths } from '../views/hide-paths';
import { listJobs, runJob, type JobContext, type StartedJob } from '../jobs';
import { isEvaluateJobResult, type EvaluateJobResult } from './job-result';
import type { EvalProtocol } from './protocols';
import { evaluateDataset, evaluateFile, nothingEvaluated, type EvaluateRunResult } from './run';

export interface EvaluateJobParams {
  /** Evaluate an ingested dataset… */
  dataset?: string;
  /** …or a file on the server (an upload). */
  path?: string;
  texts?: string;
  format?: CorpusFormat;
  /** How recall is counted (protocols.ts); default clipdex. */
  protocol?: EvalProtocol;
  /** What to call the run on the page (the uploaded file's name). */
  label?: string;
  /** Delete `path` and `texts` when the job ends (uploads). */
  removeFiles?: boolean;
}

const PHASE_MESSAGES = { embed: 'embedding the file', exact: 'exact search', ann: 'HNSW search' } as const;

async function runEvaluateJob(engine: Engine, params: EvaluateJobParams, ctx: JobContext) {
  const opts = {
    hnsw: engine.config.hnsw,
    protocol: params.protocol,
    onProgress: (p: { phase: keyof typeof PHASE_MESSAGES; processed: number; total: number }) =>
      ctx.progress({ processed: p.processed, total: p.total, message: PHASE_MESSAGES[p.phase] }),
  };
  try {
    let run: EvaluateRunResult;
    if (params.dataset) {
      run = await evaluateDataset(engine.db, params.dataset, engine.model, opts);
    } else if (params.path) {
      // Distributed mode: the workers embed the file (lib/distributed/eval-slices.ts).
      const queue = engine.config.redisUrl ? { config: engine.config, ctx } : undefined;
      run = await evaluateFile(params.path, engine.model, { ...opts, texts: params.texts, format: params.format, batchSize: engine.config.batchSize, queue });
      ctx.lineErrors(run.skipped);
      ctx.progress({ errors: run.skipped.length });
    } else {
      throw new AppError('INVALID_INPUT', 'an evaluate job needs a dataset or a file');
    }
    const r = run.result;
    const result: EvaluateJobResult = {
      label: params.dataset ?? params.label ?? run.source,
      source: params.dataset ? 'dataset' : 'file',
      model: run.model,
      evaluation: r,
      skipped: run.skipped.length,
    };
    // The job's message is shown to anyone: name an upload as its user did, not by its server path (A12).
    const nothing = nothingEvaluated({ ...run, source: params.dataset ? run.source : (params.label ?? path.basename(run.source)) });
    if (nothing) return { result, failed: true, message: nothing };
    return {
      result,
      message: `mean recall ${r.mean_recall.toFixed(2)}${r.protocol === 'clipdex' ? '' : ` (${r.protocol})`} (${r.images} images, ${r.texts} texts${run.skipped.length ? `, ${run.skipped.length} line${run.skipped.length === 1 ? '' : 's'} skipped` : ''})`,
    };
  } finally {
    if (params.removeFiles) await Promise.all([params.path, params.texts].filter((p): p is string => !!p).map((p) => fs.rm(p, { force: true })));
  }
}

export async function startEvaluateJob(engine: Engine, params: EvaluateJobParams): Promise<StartedJob<unknown>> {
  if (!params.dataset === !params.path) throw new AppError('INVALID_INPUT', 'choose a dataset or upload a validation file (one of the two)');
  const started = await runJob(engine.db, 'evaluate', params, (ctx) => runEvaluateJob(engine, params, ctx));
  // A job cancelled while queued never runs the handler, whose `finally` deletes the upload.
  const upload = params.removeFiles ? [params.path, params.texts].filter((p): p is string => !!p) : [];
  void started.done.then(async (o) => void (o.cancelled && (await Promise.all(upload.map((p) => fs.rm(p, { force: true })))))).catch(() => undefined);
  return started;
}

export interface PastEvaluation {
  jobId: string;
  status: string;
  createdAt: Date;
  finishedAt: Date | null;
  message: string | null;
  result: EvaluateJobResult | null;
}

/** The latest evaluate runs, newest first, for comparison on the page. */
export async function listEvaluations(engine: Pick<Engine, 'db'>, limit = 20): Promise<PastEvaluation[]> {
  const jobs = await listJobs(engine.db, { kind: 'evaluate', limit });
  return jobs.map((j) => ({
    jobId: j.id,
    status: j.status,
    createdAt: j.createdAt,
    finishedAt: j.finishedAt,
    message: j.message === null ? null : hidePaths(j.message), // shown to anyone: no server paths (A12)
    result: isEvaluateJobResult(j.result) ? j.result : null,
  }));
}
