/**
 * A validation file's embedding in distributed mode (REDIS_URL): `clipdex worker` processes do the
 * model's work (lib/distributed/eval-slices.ts), this process makes embed-corpus.ts's own pass over
 * the file with their image vectors, and the text batches that pass lists go to the workers. What
 * comes out is the set a single-process run builds (same rows, order, links, skipped lines and
 * warnings; the same vectors), so the recall is counted by the same code on the same numbers.
 */
import type { AdaptedModel } from '../adapters/apply';
import type { Config } from '../config';
import { detectFormat } from '../corpus';
import type { JobContext } from '../jobs';
import { embedCorpusForEval, type EmbedCorpusOptions, type EmbeddedCorpus } from './embed-corpus';
import type { EvalModel, QueuedVectors } from './eval-vectors';

export interface EvalQueue {
  config: Pick<Config, 'redisUrl' | 'queue' | 'blobDir' | 'maxLineBytes' | 'batchSize'>;
  /** jobId names the queued slices and their files; a cancel (signal) removes the slices not started. */
  ctx: Pick<JobContext, 'jobId' | 'signal' | 'progress'>;
}

type Options = Pick<EmbedCorpusOptions, 'texts' | 'format' | 'batchSize' | 'keepUnlinkedTexts' | 'onProgress'>;

/**
 * A pairs file or a MUGE TSV + JSONL. A folder is embedded in this process, said in a warning: its
 * records are files, not lines to slice. Workers hold no adapter: they send the frozen model's
 * vectors and the adapter projects them here, as an adapted model's encoders do (lib/adapters/apply.ts).
 */
export async function embedCorpusOnWorkers(path: string, model: EvalModel, queue: EvalQueue, opts: Options): Promise<EmbeddedCorpus> {
  const t0 = performance.now();
  const format = opts.format ?? (await detectFormat(path, { texts: opts.texts, maxLineBytes: queue.config.maxLineBytes }));
  if (format === 'folder') {
    const set = await embedCorpusForEval(path, model, opts);
    set.warnings.unshift(`${path} is a folder: it was embedded in this process (workers take pairs files and MUGE image TSVs, whose lines can be sliced)`);
    return set;
  }
  // texts / images files: refused by embedCorpusForEval, as without REDIS_URL.
  if (format !== 'pairs' && format !== 'muge') return embedCorpusForEval(path, model, opts);
  const batchSize = opts.batchSize ?? queue.config.batchSize;
  const progress = async (processed: number, total: number) => void (await opts.onProgress?.(processed, total));
  const adapted = model as Partial<Pick<AdaptedModel, 'projectImageVector' | 'projectTextVector'>>;
  const { evalQueueSession } = await import('../distributed/eval-slices');
  const session = evalQueueSession(queue.config, queue.ctx, model.info.id);
  try {
    const images = await session.images(path, format, batchSize, progress);
    if (adapted.projectImageVector) for (const [k, v] of images) if (typeof v !== 'string') images.set(k, adapted.projectImageVector(v));
    // The pass: this process reads the file again (no model work), the workers' images looked up.
    const queued: QueuedVectors = { images, textBatches: [] };
    const set = await embedCorpusForEval(path, model, { ...opts, format: opts.format, batchSize, onProgress: undefined, queued });
    const texts = await session.texts(queued.textBatches, progress);
    // The pass gave the texts their rows in the order of its batches: the vectors go there.
    texts.forEach((v, row) => set.texts.data.set(adapted.projectTextVector ? adapted.projectTextVector(v) : v, row * set.texts.dim));
    set.seconds = (performance.now() - t0) / 1000;
    return set;
  } finally {
    await session.close();
  }
}
