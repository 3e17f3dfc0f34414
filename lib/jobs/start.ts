/**
 * Starting jobs by kind. 'ingest' and 'reindex' are built in; other kinds (evaluate) register a
 * handler with `registerJobHandler`. Handlers get the engine explicitly, so lib/jobs does not
 * import the engine (which imports lib/jobs to fail interrupted jobs at start).
 */
import fs from 'node:fs/promises';
import type { Engine } from '../engine';
import { detectFormat } from '../corpus';
import { findDataset } from '../db';
import { AppError } from '../errors';
import { rebuildIndexes } from '../index';
import { ingestCorpus, reembedMissing, type IngestOptions, type IngestSummary } from '../ingest';
import { runJob, type StartedJob } from './runner';
import type { JobContext, JobKind, JobOutcome } from './types';

export type EngineJobHandler = (engine: Engine, params: Record<string, unknown>, ctx: JobContext) => Promise<JobOutcome<unknown>>;

const g = globalThis as unknown as { __clipdexJobHandlers?: Map<JobKind, EngineJobHandler> };
const handlers = () => (g.__clipdexJobHandlers ??= new Map());

export function registerJobHandler(kind: JobKind, handler: EngineJobHandler): void {
  handlers().set(kind, handler);
}

async function statInput(p: string): Promise<void> {
  try {
    await fs.stat(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('NOT_FOUND', `corpus not found: ${p}`, { cause: err });
    throw new AppError('INVALID_INPUT', `corpus cannot be read: ${p} (${code})`, { cause: err });
  }
}

export type IngestJobParams = Pick<IngestOptions, 'path' | 'dataset' | 'format' | 'texts' | 'batchSize'>;
export type IngestJobResult = Omit<IngestSummary, 'errors'>;

/** Run an ingest as a job: progress, per-line errors as JobLineError rows, the summary as result. */
export async function startIngestJob(
  engine: Engine,
  params: IngestJobParams,
  hooks: Pick<IngestOptions, 'onBatchCommitted' | 'onLineError'> = {},
): Promise<StartedJob<IngestJobResult>> {
  // Refuse a path that cannot be read before a job row exists for it.
  if (params.format) await statInput(params.path);
  else await detectFormat(params.path, { texts: params.texts, maxLineBytes: engine.config.maxLineBytes });
  const existing = await findDataset(engine.db, params.dataset);
  return runJob<IngestJobResult>(
    engine.db,
    'ingest',
    params,
    async (ctx) => {
      const summary = await ingestCorpus(
        {
          ...params,
          signal: ctx.signal,
          onLineError: (e) => {
            ctx.lineErrors([e]);
            hooks.onLineError?.(e);
          },
          onBatchCommitted: hooks.onBatchCommitted,
          onDataset: (id) => ctx.setDataset(id),
        },
        engine,
        (p) => ctx.progress(p),
      );
      const { errors: _kept, ...result } = summary;
      void _kept;
      const message = `${summary.images} images, ${summary.texts} texts, ${summary.links} links added; ${summary.duplicates} duplicates; ${summary.errorCount} errors`;
      if (summary.good === 0) return { result, failed: true, message: `nothing could be ingested (${summary.errorCount} errors)` };
      return { result, message };
    },
    { datasetId: existing?.id },
  );
}

export interface ReindexResult {
  reembedded: { images: number; texts: number };
  indexed: { images: number; texts: number };
  errors: number;
}

/** Re-embed items lacking a vector for the active model (from stored originals), then rebuild both indexes. */
export async function startReindexJob(engine: Engine): Promise<StartedJob<ReindexResult>> {
  return runJob<ReindexResult>(engine.db, 'reindex', {}, async (ctx) => {
    const re = await reembedMissing(engine, (p) => ctx.progress({ processed: p.done, total: p.total, message: `embedding ${p.kind}s` }));
    ctx.lineErrors(re.errors);
    const deps = { db: engine.db, dataDir: engine.config.dataDir, modelId: engine.model.info.id, dim: engine.model.info.dim, hnsw: engine.config.hnsw };
    await rebuildIndexes(deps, (p) => ctx.progress({ processed: p.done, total: p.total, message: `indexing ${p.kind} vectors` }), engine.indexes);
    const result: ReindexResult = {
      reembedded: { images: re.images, texts: re.texts },
      indexed: { images: engine.indexes.image.size(), texts: engine.indexes.text.size() },
      errors: re.errors.length,
    };
    return { result, message: `re-embedded ${re.images} images and ${re.texts} texts; indexed ${result.indexed.images} image and ${result.indexed.texts} text vectors` };
  });
}

/** Start a job of any kind with its parameters (the web app's entry point). */
export async function startJob(kind: JobKind, params: Record<string, unknown>, engine: Engine): Promise<StartedJob<unknown>> {
  if (kind === 'ingest') {
    if (typeof params.path !== 'string' || typeof params.dataset !== 'string') throw new AppError('INVALID_INPUT', 'an ingest job needs a path and a dataset name');
    return startIngestJob(engine, params as unknown as IngestJobParams);
  }
  if (kind === 'reindex') return startReindexJob(engine);
  const h = handlers().get(kind);
  if (!h) throw new AppError('INVALID_INPUT', `no handler registered for ${kind} jobs`);
  return runJob(engine.db, kind, params, (ctx) => h(engine, params, ctx));
}
