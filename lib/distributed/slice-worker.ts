/**
 * One slice on a worker: read its lines, then per batch of `batchSize` records the same steps
 * as a single-process ingest (lib/ingest: prepare → encode → one transaction → blobs checked),
 * and a NOTIFY so every web node's index replica catches up at once (follow.ts). Nothing here
 * is kept between slices: a retried slice (its worker died) re-reads and re-commits, and the
 * commit's dedupe inside the transaction makes that add nothing twice.
 */
import type { ClipModel } from '../clip';
import { AppError } from '../errors';
import { createLimiter } from '../map-pool';
import type { Indexes } from '../index';
import { removeUnreferenced } from '../ingest/cleanup';
import { commitBatch, type EncodedBatch } from '../ingest/commit';
import { ensureFoundBlobs, prepareBatch, type PreparedBatch } from '../ingest/prepare';
import { addCounts, type IngestDeps, type IngestStage, type LineError } from '../ingest/types';
import { VECTORS_CHANNEL } from './follow';
import { addOcr, emptyOcr, readImagesText } from './ocr-slices';
import { workerName, type SliceData, type SliceOcr, type SliceResult, type WorkerDeps } from './queue';
import { readSlice } from './slices';

export { workerName, type WorkerDeps } from './queue';

/** One committed batch's share of the slice result (kept on the queued job between attempts). */
export type BatchCounts = Pick<SliceResult, 'records' | 'good' | 'images' | 'texts' | 'links' | 'duplicates' | 'vectorsReused' | 'errors' | 'newImageLabels' | 'ocr'>;

export interface SliceHooks {
  /**
   * Batches an earlier attempt of this slice committed, by number: skipped, their counts reused,
   * so a retried slice reports "added" as a single run would (the rows are right either way).
   */
  committed?: Record<number, BatchCounts>;
  /** After each commit: the worker records it on the queued job before going on. */
  onBatchCommitted?: (batch: number, counts: BatchCounts) => Promise<void> | void;
}

export async function processSlice(deps: WorkerDeps, data: SliceData, hooks: SliceHooks = {}): Promise<SliceResult> {
  if (data.modelId !== deps.model.info.id) {
    throw new AppError(
      'CONFIG_INVALID',
      `this worker's model is ${deps.model.info.id} but the ingest was started with ${data.modelId}: give every node the same CLIPDEX_MODEL_DIR`,
    );
  }
  const stages: Partial<Record<IngestStage, number>> = {};
  const time = async <T>(stage: IngestStage, f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await f();
    } finally {
      stages[stage] = (stages[stage] ?? 0) + (performance.now() - t) / 1000;
    }
  };
  const records = await time('read', () => readSlice(data.path, data.format, data.firstLine, data.lastLine, deps.config.maxLineBytes, data.startByte));
  const res: SliceResult = {
    records: 0, good: 0, images: 0, texts: 0, links: 0, duplicates: 0, vectorsReused: 0, errors: [], stages, worker: workerName(), newImageLabels: [],
    ...(data.ocr ? { ocr: emptyOcr() } : {}),
  };
  // prepare.ts never touches the indexes; the type asks for the whole IngestDeps.
  const ingestDeps = { ...deps, indexes: undefined as unknown as Indexes } satisfies IngestDeps;
  const prepareCtx = { deps: ingestDeps, datasetId: data.datasetId, modelId: data.modelId, lanes: createLimiter(Math.max(2, deps.config.threads * 2)) };
  const commitCtx = { datasetId: data.datasetId, modelId: data.modelId, aliases: new Map<string, number>(), pendingLinks: data.nearDuplicates === true };
  const errors: LineError[] = [];
  const add = (c: BatchCounts) => {
    res.records += c.records;
    res.good += c.good;
    addCounts(res, c);
    errors.push(...c.errors);
    res.newImageLabels!.push(...(c.newImageLabels ?? []));
    if (res.ocr && c.ocr) addOcr(res.ocr, c.ocr);
  };
  for (let i = 0, batch = 0; i < records.length; i += data.batchSize, batch++) {
    const earlier = hooks.committed?.[batch];
    if (earlier) {
      add(earlier);
      continue;
    }
    const b = await time('prepare', () => prepareBatch(records.slice(i, i + data.batchSize), prepareCtx));
    let committed = false;
    try {
      const enc = await time('encode', () => encodeBatch(b, deps.model));
      const c = await time('db', () => commitBatch(deps.db, b, enc, commitCtx));
      committed = true;
      await ensureFoundBlobs(deps, b);
      const dropped = [...b.written].filter((sha) => b.images.get(sha)?.state === 'failed');
      if (dropped.length) await removeUnreferenced(deps, dropped).catch(() => undefined);
      if (c.newImageVectors.labels.length || c.newTextVectors.labels.length) {
        // Best effort: a node that misses it still catches up at its next search (within a second).
        await deps.db.$executeRawUnsafe(`NOTIFY ${VECTORS_CHANNEL}`).catch(() => undefined);
      }
      const counts: BatchCounts = {
        records: b.count, good: c.good, images: c.images, texts: c.texts, links: c.links,
        duplicates: c.duplicates, vectorsReused: c.vectorsReused, errors: [...b.errors, ...c.errors],
        newImageLabels: c.newImageVectors.labels,
        // Before the batch counts as done: a worker killed during OCR leaves it to the retry, which reads what is still unread.
        ...(data.ocr ? { ocr: await ocrBatch(deps, data, b) } : {}),
      };
      add(counts);
      await hooks.onBatchCommitted?.(batch, counts);
    } finally {
      // A batch that never committed leaves no file that no row names (as in lib/ingest).
      if (!committed) await removeUnreferenced(deps, b.written).catch(() => undefined);
    }
  }
  res.errors = errors.sort((x, y) => x.line - y.line);
  return res;
}

/**
 * issue 11's OCR stage for one committed batch: its images in the dataset not read yet (the ones
 * it added, and those an earlier, cancelled run of the same file left unread), as an in-process
 * ingest's stage reads its dataset's. lib/ingest/ocr-stage.ts writes the rows and keyword docs.
 */
async function ocrBatch(deps: WorkerDeps, data: SliceData, b: PreparedBatch): Promise<SliceOcr> {
  const rows = await deps.db.image.findMany({ where: { datasetId: data.datasetId, sha256: { in: [...b.images.keys()] }, ocrStatus: null }, select: { id: true } });
  return readImagesText(deps, rows.map((r) => r.id));
}

async function encodeBatch(b: PreparedBatch, model: ClipModel): Promise<EncodedBatch> {
  const toEncode = [...b.images.values()].filter((s) => s.state === 'encode');
  const imageVectors = new Map<string, Float32Array>();
  const textVectors = new Map<string, Float32Array>();
  if (toEncode.length) {
    const vs = await model.encodePixels(toEncode.map((s) => s.pixels));
    toEncode.forEach((s, i) => imageVectors.set(s.sha, vs[i]));
  }
  if (b.textsToEncode.length) {
    const vs = await model.encodeTexts(b.textsToEncode);
    b.textsToEncode.forEach((t, i) => textVectors.set(t, vs[i]));
  }
  return { imageVectors, textVectors };
}
