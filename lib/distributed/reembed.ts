/**
 * Re-embedding (`clipdex reindex`, the admin page's re-index) in distributed mode: the images and
 * texts without a vector for the active model are queued as slices of their ids, and workers embed
 * them (images from the stored originals on the shared blob store), as lib/ingest/reembed.ts does in
 * one process. Each batch's insert leaves out, in its transaction, the vectors already there (one
 * per item and model, unique in the schema), so a slice retried after its worker died adds nothing
 * twice (two attempts racing meet the unique constraint: that attempt fails and is retried). The rest of a re-index (the starting node's
 * index rebuild, keyword documents, near-duplicates, OCR backfill) stays in lib/ingest/jobs.ts.
 */
import { vectorToBytes } from '../db';
import { AppError } from '../errors';
import { preprocessStoredImages, type ReembedSummary } from '../ingest/reembed';
import type { IngestDeps, LineError } from '../ingest/types';
import type { JobContext } from '../jobs';
import { VECTORS_CHANNEL } from './follow';
import { BATCHES_PER_SLICE } from './ingest-job';
import { runSlices } from './run-slices';
import { workerName, type WorkerDeps } from './queue';

export const REEMBED_JOB = 'reembed-slice';

export interface ReembedSliceData {
  jobId: string;
  slice: number;
  kind: 'image' | 'text';
  /** Rows to embed (those that got a vector for the model meanwhile are skipped). */
  ids: number[];
  modelId: string;
  batchSize: number;
}

export interface ReembedSliceResult {
  embedded: number;
  errors: LineError[];
  worker: string;
}

/** The starting process: queue the missing items, wait, and sum (lib/ingest/jobs.ts's re-embed step). */
export async function reembedThroughQueue(deps: IngestDeps, ctx: Pick<JobContext, 'jobId' | 'signal' | 'progress'>): Promise<ReembedSummary> {
  const { config, db, model } = deps;
  const modelId = model.info.id;
  const where = { vectors: { none: { modelId } } };
  const ids = {
    image: (await db.image.findMany({ where, select: { id: true }, orderBy: { id: 'asc' } })).map((r) => r.id),
    text: (await db.text.findMany({ where, select: { id: true }, orderBy: { id: 'asc' } })).map((r) => r.id),
  };
  const per = config.batchSize * BATCHES_PER_SLICE;
  const jobs: { name: string; data: ReembedSliceData }[] = [];
  for (const kind of ['image', 'text'] as const) {
    for (let i = 0; i < ids[kind].length; i += per) {
      jobs.push({ name: REEMBED_JOB, data: { jobId: ctx.jobId, slice: jobs.length, kind, ids: ids[kind].slice(i, i + per), modelId, batchSize: config.batchSize } });
    }
  }
  const out: ReembedSummary = { images: 0, texts: 0, errors: [] };
  const total = ids.image.length + ids.text.length;
  let done = 0;
  const progress = () => ctx.progress({ processed: done, total, message: 'embedding images and texts on the workers' });
  if (jobs.length) {
    const run = await runSlices<ReembedSliceData, ReembedSliceResult>(
      config,
      ctx,
      jobs,
      (k, r) => {
        const d = jobs[k].data;
        if (d.kind === 'image') out.images += r.embedded;
        else out.texts += r.embedded;
        out.errors.push(...r.errors);
        done += d.ids.length;
        progress();
      },
      (k) => `re-embed slice ${k + 1} of ${jobs.length} (${jobs[k].data.kind}s ${jobs[k].data.ids[0]}-${jobs[k].data.ids.at(-1)})`,
      progress,
    );
    if (run.failure) throw new AppError('INTERNAL', `${run.failure}. What was embedded is kept; run the re-index again to finish it.`);
    if (run.lost) throw new AppError('INTERNAL', `${run.lost} of the re-index's ${jobs.length} slices vanished from the queue (a Redis restart without persistence? run Redis with appendonly yes): what was embedded is kept; run the re-index again to finish it`);
    if (run.removed) out.cancelled = true;
  }
  // This node's replica takes the workers' vectors now (the job reports its size; the rebuild reads the database anyway).
  await Promise.all([deps.indexes.image.refreshIfStale({ now: true }), deps.indexes.text.refreshIfStale({ now: true })]);
  out.errors.sort((a, b) => a.line - b.line);
  return out;
}

/** A worker: embed one slice's items, a batch at a time, each batch's vectors in one insert. */
export async function processReembedSlice(deps: WorkerDeps, d: ReembedSliceData): Promise<ReembedSliceResult> {
  const { db, model, store } = deps;
  if (d.modelId !== model.info.id) {
    throw new AppError('CONFIG_INVALID', `this worker's model is ${model.info.id} but the re-index was started with ${d.modelId}: give every node the same CLIPDEX_MODEL_DIR`);
  }
  const res: ReembedSliceResult = { embedded: 0, errors: [], worker: workerName() };
  const missing = { vectors: { none: { modelId: d.modelId } } };
  for (let i = 0; i < d.ids.length; i += d.batchSize) {
    const chunk = d.ids.slice(i, i + d.batchSize);
    let created = 0;
    if (d.kind === 'image') {
      const rows = await db.image.findMany({ where: { id: { in: chunk }, ...missing }, orderBy: { id: 'asc' }, select: { id: true, sha256: true, line: true } });
      const ok = await preprocessStoredImages({ store, model }, rows, res.errors);
      if (ok.length) {
        const vs = await model.encodePixels(ok.map((o) => o.pixels));
        const data = ok.map((o, k) => ({ imageId: o.id, modelId: d.modelId, data: vectorToBytes(vs[k]) }));
        created = await db.$transaction(async (tx) => {
          const there = new Set((await tx.imageVector.findMany({ where: { modelId: d.modelId, imageId: { in: ok.map((o) => o.id) } }, select: { imageId: true } })).map((r) => r.imageId));
          return (await tx.imageVector.createMany({ data: data.filter((r) => !there.has(r.imageId)) })).count;
        });
      }
    } else {
      const rows = await db.text.findMany({ where: { id: { in: chunk }, ...missing }, orderBy: { id: 'asc' }, select: { id: true, text: true } });
      if (rows.length) {
        const vs = await model.encodeTexts(rows.map((r) => r.text));
        const data = rows.map((r, k) => ({ textId: r.id, modelId: d.modelId, data: vectorToBytes(vs[k]) }));
        created = await db.$transaction(async (tx) => {
          const there = new Set((await tx.textVector.findMany({ where: { modelId: d.modelId, textId: { in: rows.map((r) => r.id) } }, select: { textId: true } })).map((r) => r.textId));
          return (await tx.textVector.createMany({ data: data.filter((r) => !there.has(r.textId)) })).count;
        });
      }
    }
    res.embedded += created;
    // Every node's replica catches up at once (follow.ts); best effort, as after an ingest batch.
    if (created) await db.$executeRawUnsafe(`NOTIFY ${VECTORS_CHANNEL}`).catch(() => undefined);
  }
  return res;
}
