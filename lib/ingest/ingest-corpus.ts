/**
 * ingestCorpus: stream records → batches → (prepare batches i+1 and i+2 while batch i is in the
 * model) → encode → one transaction per batch → HNSW add after commit → save every N batches and
 * at the end. Memory is bounded by three batches in flight (two above 64 records a batch), never
 * by the corpus size. Per-record problems become {line, reason} errors and the run goes on.
 */
import path from 'node:path';
import { countRecords, detectFormat, readCorpus, type CorpusRecord } from '../corpus';
import { openDatasetForIngest, setDatasetStatus } from '../db';
import { checkDatasetName } from '../datasets/name';
import { clearPending, forgetDuplicateScan, linkNewImages, linkPending } from '../duplicates';
import { AppError } from '../errors';
import { createLimiter } from '../map-pool';
import { removeUnreferenced } from './cleanup';
import { commitBatch, type EncodedBatch } from './commit';
import { ensureFoundBlobs, prepareBatch, type PreparedBatch } from './prepare';
import { addCounts, MAX_BATCH_SIZE, prepareAhead, MAX_ERRORS_KEPT, type IngestDeps, type IngestOptions, type IngestProgress, type IngestStage, type IngestSummary, type LineError } from './types';

/**
 * Images prepared at once, per CLIPDEX_THREADS. A lane holds an image only while the CPU works on
 * it (prepare.ts); each still spends part of that time queued for libuv's pool or the main thread.
 * Two batches ahead sharing 2 a thread left the cores idle (demo 6.45 against 5.82 s in one A/B),
 * 4 did not (bench/RESULTS.md, pass 3, session 8); once the store's writes left the lanes, 8 beat 4
 * on the 1,000 JPEGs (session 14). The fused decode holds only the model-sized output; large whole
 * decodes are limited on their own (lib/clip/image-processor.ts).
 */
const IMAGE_LANES_PER_THREAD = 8;

/**
 * Whatever fails, the dataset does not stay 'ingesting' once the call returns: it becomes 'failed'
 * (what was committed stays; running the same ingest again completes it).
 */
export async function ingestCorpus(opts: IngestOptions, deps: IngestDeps, onProgress?: (p: IngestProgress) => void): Promise<IngestSummary> {
  let datasetId: number | undefined;
  const onDataset = (id: number) => {
    datasetId = id;
    opts.onDataset?.(id);
  };
  try {
    return await runIngest({ ...opts, onDataset }, deps, onProgress);
  } catch (err) {
    if (datasetId !== undefined) await markDatasetFailed(deps, datasetId);
    throw err;
  }
}

async function runIngest(opts: IngestOptions, deps: IngestDeps, onProgress?: (p: IngestProgress) => void): Promise<IngestSummary> {
  const t0 = performance.now();
  const { config, db, model, indexes } = deps;
  const name = checkDatasetName(opts.dataset);
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
  const linkDuplicates = opts.nearDuplicates ?? config.nearDuplicates;
  if (!linkDuplicates) await forgetDuplicateScan(db, model.info.id);
  const dupDeps = { db, index: indexes.image, store: deps.store, modelId: model.info.id, threshold: config.duplicateThreshold };
  // Images an interrupted ingest committed but never checked for near-duplicates: checked now.
  const pendingLinked = linkDuplicates ? await linkPending(dupDeps, dataset.id) : 0;
  await deps.store.sweepTemp().catch(() => 0);

  const stages: Record<IngestStage, number> = { read: 0, prepare: 0, wait: 0, encode: 0, db: 0, index: 0, save: 0, lookup: 0, preprocess: 0, thumbnail: 0, store: 0 };
  const summary: IngestSummary = {
    dataset: name, datasetStatus: 'ready', records: 0, good: 0, images: 0, texts: 0, links: 0, duplicates: 0,
    vectorsReused: 0, errorCount: 0, errors: [], seconds: 0, stages, ...(linkDuplicates ? {} : { nearDuplicatesOff: true }),
    ...(pendingLinked ? { pendingLinked } : {}),
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
  // issue 13: the new images' pixel signatures are read off their preprocessed pixels as they are
  // prepared, so the serial linking step never waits for a thumbnail's decode (bench/RESULTS.md).
  const ctx = { deps, datasetId: dataset.id, modelId: model.info.id, lanes: createLimiter(IMAGE_LANES_PER_THREAD * Math.max(1, config.threads)), signatures: linkDuplicates };
  // Batches are read in order (one reader), then prepared side by side.
  let reading: Promise<unknown> = Promise.resolve();
  const nextPrepared = (): Promise<PreparedBatch | undefined> => {
    const recs = reading.then(readBatch);
    reading = recs.catch(() => undefined);
    const p = recs.then((r) => (r.length ? prepareBatch(r, ctx) : undefined));
    p.catch(() => undefined); // surfaced when awaited
    return p;
  };
  // issue 13: two batches ahead, not one: a batch's own preparation starts and ends with its lanes
  // half idle (lookups first, the slowest images last), which the next batch's images fill in. The
  // batches share one set of lanes, so however many are being prepared, at most that many images
  // (and the whole decodes of the enlarged or 16-bit ones among them) are held at once.
  const ahead = Array.from({ length: prepareAhead(batchSize) }, nextPrepared);
  /** Files the batches prepared ahead wrote; they go with a failed or cancelled run. */
  const dropAhead = async () => {
    const rest = await Promise.all(ahead.splice(0).map((p) => p.catch(() => undefined)));
    await removeUnreferenced(deps, rest.flatMap((b) => [...(b?.written ?? [])])).catch(() => undefined);
  };
  const commitCtx = { datasetId: dataset.id, modelId: model.info.id, aliases: new Map<string, number>(), textsFile: format === 'muge' ? opts.texts : undefined, pendingLinks: linkDuplicates };

  report();
  let batchNo = 0;
  let uncommitted: PreparedBatch | undefined; // its files go if it never commits
  try {
    for (;;) {
      let t = performance.now();
      const b = await ahead.shift()!;
      stages.wait += (performance.now() - t) / 1000;
      if (!b) break;
      uncommitted = b;
      // A cancel stops between batches: this prepared batch is dropped before anything of it is
      // committed, and no further batch is read.
      if (opts.signal?.aborted) {
        summary.cancelled = true;
        break;
      }
      // Overlap: decode/preprocess the next batches while this one is in the model.
      ahead.push(nextPrepared());
      stages.prepare += b.prepareSeconds;
      for (const [k, v] of Object.entries(b.parts) as [keyof PreparedBatch['parts'], number][]) stages[k] += v;

      t = performance.now();
      const enc = await encodeBatch(b, deps);
      stages.encode += (performance.now() - t) / 1000;

      t = performance.now();
      const c = await commitBatch(db, b, enc, commitCtx);
      uncommitted = undefined;
      // Files this batch found rather than wrote: another ingest's cleanup may have taken them.
      await ensureFoundBlobs(deps, b);
      stages.db += (performance.now() - t) / 1000;
      // An image whose thumbnail failed after its original was written got no row.
      const dropped = [...b.written].filter((sha) => b.images.get(sha)?.state === 'failed');
      if (dropped.length) await removeUnreferenced(deps, dropped).catch(() => undefined);

      t = performance.now();
      if (c.newImageVectors.labels.length) indexes.image.add(c.newImageVectors.labels, c.newImageVectors.vectors);
      if (c.newTextVectors.labels.length) indexes.text.add(c.newTextVectors.labels, c.newTextVectors.vectors);
      // issue 11: the new images' near-duplicates, now that the whole batch is in the index.
      if (linkDuplicates) {
        await linkNewImages(dupDeps, c.newImageVectors);
        await clearPending(db, model.info.id, c.newImageVectors.labels);
      }
      stages.index += (performance.now() - t) / 1000;

      summary.records += b.count;
      addCounts(summary, c);
      good += c.good;
      addErrors([...b.errors, ...c.errors].sort((x, y) => x.line - y.line));
      batchNo++;
      if (batchNo % saveEvery === 0) await timedSave(deps, stages);
      await opts.onBatchCommitted?.(batchNo, opts.signal);
      report();
    }
  } catch (err) {
    await dropAhead();
    await removeUnreferenced(deps, [...(uncommitted?.written ?? [])]).catch(() => undefined);
    await timedSave(deps, stages).catch(() => undefined);
    await reader.return?.(undefined);
    throw err;
  }
  if (summary.cancelled) {
    await dropAhead();
    await reader.return?.(undefined);
  }
  if (uncommitted) await removeUnreferenced(deps, uncommitted.written).catch(() => undefined); // dropped by a cancel
  await timedSave(deps, stages);

  const [images, texts] = await Promise.all([db.image.count({ where: { datasetId: dataset.id } }), db.text.count({ where: { datasetId: dataset.id } })]);
  // A cancelled ingest leaves the dataset 'failed' (as an interrupted one) until a re-run completes it.
  summary.datasetStatus = images + texts > 0 && !summary.cancelled ? 'ready' : 'failed';
  await setDatasetStatus(db, dataset.id, summary.datasetStatus);
  summary.seconds = (performance.now() - t0) / 1000;
  summary.good = good;
  report(!summary.cancelled); // a cancelled run keeps the estimated total: "8 / 40", not "8 / 8"
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

/** 'ingesting' → 'failed', retried a little: the error that got us here may be a busy database. */
async function markDatasetFailed(deps: IngestDeps, id: number): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await deps.db.dataset.updateMany({ where: { id, status: 'ingesting' }, data: { status: 'failed' } });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
    }
  }
}

async function timedSave(deps: IngestDeps, stages: Record<IngestStage, number>): Promise<void> {
  const t = performance.now();
  await Promise.all([deps.indexes.image.save(), deps.indexes.text.save()]);
  stages.save += (performance.now() - t) / 1000;
}
