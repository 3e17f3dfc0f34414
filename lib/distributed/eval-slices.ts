/**
 * `clipdex evaluate` of a file in distributed mode (issue 15): the embedding, its cost, is done by
 * `clipdex worker` processes, in two rounds of queued slices, and Redis carries line and batch
 * numbers and counts, never records or vectors (those go through files of the shared blob dir,
 * eval-slice-file.ts). Images: slices of the file's lines; a worker embeds its slice's distinct
 * images with lib/eval's own encoder (eval-vectors.ts: same preprocessing, same model; an image's
 * vector does not depend on the images encoded with it). Texts: a text's vector does depend a
 * little on the texts encoded with it (they share a padding length), so the starting process
 * first makes its pass over the file with the image vectors (lib/eval/run-queued.ts), which lists
 * the very batches of texts a single-process run encodes, and the workers encode those batches.
 * A retried slice (its worker died) rewrites its file whole; the files go when the evaluate ends.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config';
import { countRecords, type CorpusRecord } from '../corpus';
import { parseMugeImageLine, parsePairLine } from '../corpus/parse-line';
import { AppError } from '../errors';
import { encodeEvalImages, type ImageVectorOrReason } from '../eval/eval-vectors';
import type { JobContext } from '../jobs';
import { readEvalSliceFile, writeEvalSliceFile, type EvalSliceVectors } from './eval-slice-file';
import { BATCHES_PER_SLICE } from './ingest-job';
import { workerName, type WorkerDeps } from './queue';
import { runSlices } from './run-slices';
import { shareCorpus, type SharedCorpus } from './share';
import { readLineRecords, sliceRanges, sliceStarts } from './slices';

export const EVAL_IMAGES_JOB = 'evaluate-embed-images';
export const EVAL_TEXTS_JOB = 'evaluate-embed-texts';

export interface EvalSliceData {
  jobId: string;
  slice: number;
  /** Images of a pairs file or a MUGE image TSV (lines), or text batches (a JSON file of string[][], the slice's own). */
  part: 'pairs' | 'muge-images' | 'texts';
  path: string;
  /** 1-based, inclusive: line numbers, or the numbers of the batches the texts file holds (for messages). */
  first: number;
  last: number;
  /** Lines: the byte `first` begins at (slices.ts sliceStarts); absent: read from the start (a gzip'd file). */
  startByte?: number;
  modelId: string;
  /** Images: records per encode call. */
  batchSize: number;
  /** Where the worker writes the slice's vectors (under the blob dir). */
  out: string;
}

export interface EvalSliceResult {
  /** Lines read (images) or texts embedded: the progress count. */
  count: number;
  images: number;
  /** Images that could not be read (their lines are reported by the starting process's pass). */
  unreadable: number;
  texts: number;
  worker: string;
}

/** The records of lines first..last (the single-process reader's parsers), from the slice's byte offset. */
function readLinesOf(d: EvalSliceData, maxLineBytes: number): Promise<CorpusRecord[]> {
  return readLineRecords(d.path, d.part === 'pairs' ? parsePairLine : parseMugeImageLine, d.first, d.last, maxLineBytes, d.startByte);
}

/** A worker: embed one slice (its distinct images, or its text batches) and write the vectors to `d.out`. */
export async function processEvalSlice(deps: Pick<WorkerDeps, 'config' | 'model'>, d: EvalSliceData): Promise<EvalSliceResult> {
  const { model, config } = deps;
  if (d.modelId !== model.info.id) {
    throw new AppError('CONFIG_INVALID', `this worker's model is ${model.info.id} but the evaluate was started with ${d.modelId}: give every node the same CLIPDEX_MODEL_DIR`);
  }
  const res: EvalSliceResult = { count: 0, images: 0, unreadable: 0, texts: 0, worker: workerName() };
  const images = new Map<string, ImageVectorOrReason>();
  const texts: Float32Array[] = [];
  if (d.part === 'texts') {
    const batches = JSON.parse(await fs.readFile(d.path, 'utf8')) as string[][]; // batches first..last, no more
    for (const b of batches) {
      // The model splits a call into runs of CLIPDEX_BATCH_SIZE: a smaller one here would pad differently.
      if (b.length > config.batchSize) {
        throw new AppError('CONFIG_INVALID', `this worker's CLIPDEX_BATCH_SIZE is ${config.batchSize} but the evaluate encodes ${b.length} texts at once: give every node the same CLIPDEX_BATCH_SIZE`);
      }
      texts.push(...(await model.encodeTexts(b)));
    }
    res.count = res.texts = texts.length;
  } else {
    const records = await readLinesOf(d, config.maxLineBytes);
    for (let i = 0; i < records.length; i += d.batchSize) {
      const batch = new Map<string, Buffer>();
      for (const rec of records.slice(i, i + d.batchSize)) {
        if (rec.kind !== 'pair' && rec.kind !== 'image') continue;
        const sha = createHash('sha256').update(rec.image).digest('hex');
        if (!images.has(sha)) batch.set(sha, rec.image);
      }
      const vs = batch.size ? await encodeEvalImages(model, [...batch.values()]) : [];
      [...batch.keys()].forEach((sha, k) => images.set(sha, vs[k]));
    }
    res.count = records.length;
    res.unreadable = [...images.values()].filter((v) => typeof v === 'string').length;
    res.images = images.size - res.unreadable;
  }
  await writeEvalSliceFile(d.out, { modelId: d.modelId, dim: model.info.dim, images, texts });
  return res;
}

type Ctx = Pick<JobContext, 'jobId' | 'signal' | 'progress'>;
type Progress = (processed: number, total: number) => unknown;

/**
 * The starting process's side: the two rounds, each queued and waited for. Throws on a cancel
 * (the slices not started are removed), a slice that failed for good or slices lost by Redis.
 * `close` removes the shared copy and every slice file, whatever the end.
 */
export function evalQueueSession(config: Pick<Config, 'redisUrl' | 'queue' | 'blobDir' | 'maxLineBytes'>, ctx: Ctx, modelId: string) {
  const dir = path.join(config.blobDir, 'eval', ctx.jobId);
  let shared: SharedCorpus | undefined;

  /** Queue `jobs`, wait for them all, then hand each slice's file to `use` in slice order, one file in memory at a time. */
  async function run(jobs: { name: string; data: EvalSliceData }[], total: number, onProgress: Progress, unit: 'lines' | 'texts', use: (s: EvalSliceVectors) => void) {
    await fs.mkdir(dir, { recursive: true });
    const done: number[] = [];
    let processed = 0;
    const r = await runSlices<EvalSliceData, EvalSliceResult>(
      config,
      ctx,
      jobs,
      (k, res) => {
        done.push(k);
        processed += res.count;
        ctx.progress({ message: undefined });
        onProgress(processed, Math.max(total, processed));
      },
      (k) => `evaluate slice ${k + 1} of ${jobs.length} (${unit === 'lines' ? 'lines' : 'text batches'} ${jobs[k].data.first}-${jobs[k].data.last})`,
      () => onProgress(0, total),
    );
    if (r.failure) throw new AppError('INTERNAL', `${r.failure}. Nothing was evaluated; run the evaluate again`);
    if (r.lost) throw new AppError('INTERNAL', `${r.lost} of the evaluate's ${jobs.length} slices vanished from the queue (a Redis restart without persistence? run Redis with appendonly yes): run the evaluate again`);
    if (r.removed || ctx.signal.aborted) throw new AppError('CONFLICT', `evaluate cancelled after ${processed} of ${total} ${unit} were embedded: nothing evaluated`);
    for (const k of done.sort((a, b) => a - b)) use(await readEvalSliceFile(jobs[k].data.out, modelId));
  }
  const slice = (name: string, k: number, d: Omit<EvalSliceData, 'jobId' | 'slice' | 'modelId' | 'out'>) => ({
    name,
    data: { jobId: ctx.jobId, slice: k, modelId, out: path.join(dir, `${name}-${k}.bin`), ...d },
  });

  return {
    /** Round 1: the image vectors (or reasons) of a pairs file or a MUGE image TSV, by sha256. */
    async images(file: string, format: 'pairs' | 'muge', batchSize: number, onProgress: Progress): Promise<Map<string, ImageVectorOrReason>> {
      // Non-blank lines of this one file (a MUGE texts JSONL is not read in this round).
      const total = await countRecords(file, { format: 'pairs', maxLineBytes: config.maxLineBytes });
      shared = await shareCorpus(config.blobDir, file, ctx.jobId);
      const part = format === 'pairs' ? 'pairs' : 'muge-images';
      const ranges = await sliceStarts(shared.path, batchSize * BATCHES_PER_SLICE);
      const jobs = ranges.map((r, k) => slice(EVAL_IMAGES_JOB, k, { part, path: shared!.path, first: r.firstLine, last: r.lastLine, startByte: r.startByte, batchSize }));
      const out = new Map<string, ImageVectorOrReason>();
      await run(jobs, total, onProgress, 'lines', (s) => {
        for (const [sha, v] of s.images) if (!out.has(sha)) out.set(sha, v);
      });
      return out;
    },
    /** Round 2: the vectors of these text batches, in order. */
    async texts(batches: string[][], onProgress: Progress): Promise<Float32Array[]> {
      if (!batches.length) return [];
      await fs.mkdir(dir, { recursive: true });
      // One file of batches a slice: a worker reads only its own texts.
      const jobs = await Promise.all(
        sliceRanges(batches.length, BATCHES_PER_SLICE).map(async (r, k) => {
          const file = path.join(dir, `texts-${k}.json`);
          await fs.writeFile(file, JSON.stringify(batches.slice(r.firstLine - 1, r.lastLine)));
          return slice(EVAL_TEXTS_JOB, k, { part: 'texts', path: file, first: r.firstLine, last: r.lastLine, batchSize: 0 });
        }),
      );
      const total = batches.reduce((n, b) => n + b.length, 0);
      const out: Float32Array[] = [];
      await run(jobs, total, onProgress, 'texts', (s) => {
        for (const v of s.texts) out.push(v);
      });
      if (out.length !== total) throw new AppError('INTERNAL', `the workers sent ${out.length} text vectors for the evaluate's ${total} texts`);
      return out;
    },
    async close(): Promise<void> {
      await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
      await shared?.release().catch(() => undefined);
    },
  };
}
