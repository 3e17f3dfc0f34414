/**
 * ingestCorpus: stream records → batches → (prepare batch i+1 while batch i is in the model) →
 * encode → one transaction per batch → HNSW add after commit → save every N batches and at the
 * end. Memory is bounded by two batches in flight, never by the corpus size. Per-record problems
 * become {line, reason} errors and the run goes on.
 */
import path from 'node:path';
import { countRecords, detectFormat, readCorpus, type CorpusRecord } from '../corpus';
import { openDatasetForIngest, setDatasetStatus } from '../db';
import { AppError } from '../errors';
import { commitBatch, type EncodedBatch } from './commit';
import { prepareBatch, type PreparedBatch } from './prepare';
import { MAX_BATCH_SIZE, MAX_ERRORS_KEPT, type IngestDeps, type IngestOptions, type IngestProgress, type IngestStage, type IngestSummary, type LineError } from './types';

export async function ingestCorpus(opts: IngestOptions, deps: IngestDeps, onProgress?: (p: IngestProgress) => void): Promise<IngestSummary> {
  const t0 = performance.now();
  const { config, db, model, indexes } = deps;
  const name = opts.dataset.trim();
  if (!name) throw new AppError('INVALID_INPUT', 'the dataset name is empty');
  const batchSize = opts.batchSize ?? config.batchSize;
  // The upper bound keeps one batch's INSERT under SQLite's 32766 bound variables.
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new AppError('INVALID_INPUT', `batch size must be an integer from 1 to ${MAX_BATCH_SIZE}, got ${batchSize}`);
  }
  const saveEvery = opts.saveEveryBatches ?? 20;
  const readOpts = { texts: opts.texts, maxLineBytes: config.maxLineBytes };
  const format = opts.format ?? (await detectFormat(opts.path, readOpts));
  const total = await countRecords(opts.path, { ...readOpts, format });
  const dataset = await openDatasetForIngest(db, { name, format, source: path.resolve(opts.path) });
  opts.onDataset?.(dataset.id);
  await deps.store.sweepTemp().catch(() => 0);

  const stages: Record<IngestStage, number> = { read: 0, prepare: 0, wait: 0, encode: 0, db: 0, index: 0, save: 0, lookup: 0, preprocess: 0, thumbnail: 0, store: 0 };
  const summary: IngestSummary = {
    dataset: name, datasetStatus: 'ready', records: 0, good: 0, images: 0, texts: 0, links: 0, duplicates: 0,
    vectorsReused: 0, errorCount: 0, errors: [], seconds: 0, stages,
  };
  let good = 0;
  const addErrors = (errs: LineError[]) => {
    for (const e of errs) {
      summary.errorCount++;
      if (summary.errors.length < MAX_ERRORS_KEPT) summary.errors.push(e);
      opts.onLineError?.(e);
    }
  };
  const report = (final = false) =>
    onProgress?.({
      processed: summary.records,
      // countRecords is a fast estimate (it counts lines the reader may skip): the end is exact.
      total: final ? summary.records : Math.max(total, summary.records),
      errors: summary.errorCount,
      rate: summary.records / Math.max(1e-3, (performance.now() - t0) / 1000),
    });

  const reader = readCorpus(opts.path, { ...readOpts, format })[Symbol.asyncIterator]();
  let readerDone = false;
  const readBatch = async (): Promise<CorpusRecord[]> => {
    const t = performance.now();
    const out: CorpusRecord[] = [];
    while (!readerDone && out.length < batchSize) {
      const r = await reader.next();
      if (r.done) readerDone = true;
      else out.push(r.value);
    }
    stages.read += (performance.now() - t) / 1000;
    return out;
  };
  const ctx = { deps, datasetId: dataset.id, modelId: model.info.id, concurrency: Math.max(2, config.threads * 2) };
  const nextPrepared = async (): Promise<PreparedBatch | undefined> => {
    const recs = await readBatch();
    return recs.length ? prepareBatch(recs, ctx) : undefined;
  };
  const commitCtx = { datasetId: dataset.id, modelId: model.info.id, aliases: new Map<string, number>(), textsFile: format === 'muge' ? opts.texts : undefined };

  report();
  let pending = nextPrepared();
  let batchNo = 0;
  try {
    for (;;) {
      let t = performance.now();
      const b = await pending;
      stages.wait += (performance.now() - t) / 1000;
      if (!b) break;
      // Overlap: decode/preprocess the next batch while this one is in the model.
      pending = nextPrepared();
      pending.catch(() => undefined); // surfaced when awaited
      stages.prepare += b.prepareSeconds;
      for (const [k, v] of Object.entries(b.parts) as [keyof PreparedBatch['parts'], number][]) stages[k] += v;
      if (opts.signal?.aborted) throw new AppError('CONFLICT', 'ingest cancelled');

      t = performance.now();
      const enc = await encodeBatch(b, deps);
      stages.encode += (performance.now() - t) / 1000;

      t = performance.now();
      const c = await commitBatch(db, b, enc, commitCtx);
      stages.db += (performance.now() - t) / 1000;

      t = performance.now();
      if (c.newImageVectors.labels.length) indexes.image.add(c.newImageVectors.labels, c.newImageVectors.vectors);
      if (c.newTextVectors.labels.length) indexes.text.add(c.newTextVectors.labels, c.newTextVectors.vectors);
      stages.index += (performance.now() - t) / 1000;

      summary.records += b.count;
      summary.images += c.images;
      summary.texts += c.texts;
      summary.links += c.links;
      summary.duplicates += c.duplicates;
      summary.vectorsReused += c.vectorsReused;
      good += c.good;
      addErrors([...b.errors, ...c.errors].sort((x, y) => x.line - y.line));
      batchNo++;
      if (batchNo % saveEvery === 0) await timedSave(deps, stages);
      await opts.onBatchCommitted?.(batchNo);
      report();
    }
  } catch (err) {
    await pending.catch(() => undefined);
    await timedSave(deps, stages).catch(() => undefined);
    await reader.return?.(undefined);
    throw err;
  }
  await timedSave(deps, stages);

  const [images, texts] = await Promise.all([db.image.count({ where: { datasetId: dataset.id } }), db.text.count({ where: { datasetId: dataset.id } })]);
  summary.datasetStatus = images + texts > 0 ? 'ready' : 'failed';
  await setDatasetStatus(db, dataset.id, summary.datasetStatus);
  summary.seconds = (performance.now() - t0) / 1000;
  summary.good = good;
  report(true);
  return summary;
}

async function encodeBatch(b: PreparedBatch, deps: IngestDeps): Promise<EncodedBatch> {
  const toEncode = [...b.images.values()].filter((s) => s.state === 'encode');
  const imageVectors = new Map<string, Float32Array>();
  const textVectors = new Map<string, Float32Array>();
  if (toEncode.length) {
    const vs = await deps.model.encodePixels(toEncode.map((s) => s.pixels));
    toEncode.forEach((s, i) => imageVectors.set(s.sha, vs[i]));
  }
  if (b.textsToEncode.length) {
    const vs = await deps.model.encodeTexts(b.textsToEncode);
    b.textsToEncode.forEach((t, i) => textVectors.set(t, vs[i]));
  }
  return { imageVectors, textVectors };
}

async function timedSave(deps: IngestDeps, stages: Record<IngestStage, number>): Promise<void> {
  const t = performance.now();
  await Promise.all([deps.indexes.image.save(), deps.indexes.text.save()]);
  stages.save += (performance.now() - t) / 1000;
}
