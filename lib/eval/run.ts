/**
 * The evaluate command's work, shared by the CLI and the evaluate job: build the set (from a file
 * or a dataset), evaluate it exactly and through HNSW, and format the report as EasyNLP prints it.
 */
import type { Db } from '../db';
import type { CorpusFormat } from '../corpus';
import type { HnswParams } from './ann';
import { loadDatasetEvalSet } from './dataset';
import { embedCorpusForEval, type EvalModel, type SkippedLine } from './embed-corpus';
import { evaluateEmbeddings, type EvalProgress, type EvalResult } from './evaluate';

export interface EvaluateRunOptions {
  /** HNSW parameters for the ANN figures; leave out to skip them. */
  hnsw?: HnswParams;
  onProgress?: (p: EvalProgress) => void | Promise<void>;
}

export interface EvaluateRunResult {
  /** what was evaluated: a file path or `dataset:<name>` */
  source: string;
  model: { id: string; name: string };
  result: EvalResult;
  skipped: SkippedLine[];
}

export async function evaluateFile(
  path: string,
  model: EvalModel,
  opts: EvaluateRunOptions & { texts?: string; format?: CorpusFormat; batchSize?: number } = {},
): Promise<EvaluateRunResult> {
  const set = await embedCorpusForEval(path, model, {
    texts: opts.texts,
    format: opts.format,
    batchSize: opts.batchSize,
    onProgress: (processed, total) => opts.onProgress?.({ phase: 'embed', processed, total }),
  });
  const result = await evaluateEmbeddings(set, { hnsw: opts.hnsw, onProgress: opts.onProgress, embedSeconds: set.seconds });
  return { source: path, model: { id: model.info.id, name: model.info.name }, result, skipped: set.skipped };
}

export async function evaluateDataset(
  db: Db,
  dataset: string,
  model: EvalModel,
  opts: EvaluateRunOptions = {},
): Promise<EvaluateRunResult> {
  const t0 = performance.now();
  const set = await loadDatasetEvalSet(db, dataset, model.info);
  const result = await evaluateEmbeddings(set, {
    hnsw: opts.hnsw,
    onProgress: opts.onProgress,
    embedSeconds: (performance.now() - t0) / 1000,
  });
  return { source: `dataset:${dataset}`, model: { id: model.info.id, name: model.info.name }, result, skipped: [] };
}

const pct = (x: number) => x.toFixed(2).padStart(6);

/**
 * HNSW minus exact. It can come out slightly positive: exact search counts a negative tied with
 * the best positive as ahead of it (e.g. two different files with the same pixels), while HNSW
 * returns tied neighbours in whatever order its graph gives.
 */
function annDelta(d: number): string {
  if (Math.abs(d) < 0.005) return 'no loss from approximate search';
  return d < 0 ? `${(-d).toFixed(2)} points lost to approximate search` : `${d.toFixed(2)} points above exact, from tied scores`;
}

/** Plain-text report: the recall table (exact, then HNSW), counts and time. */
export function formatEvalReport(run: EvaluateRunResult): string {
  const r = run.result;
  const lines = [
    `Evaluated ${run.source} with model ${run.model.name} (${run.model.id})`,
    `${r.images} images, ${r.texts} texts, ${r.detail.links} links (duplicates merged)`,
    '',
    '                  R@1    R@5   R@10   mean',
    `text→image     ${pct(r.text_to_image.r1)} ${pct(r.text_to_image.r5)} ${pct(r.text_to_image.r10)} ${pct(r.text_to_image.mean)}`,
    `image→text     ${pct(r.image_to_text.r1)} ${pct(r.image_to_text.r5)} ${pct(r.image_to_text.r10)} ${pct(r.image_to_text.mean)}`,
    `mean recall    ${pct(r.mean_recall)}   (exact search, ${r.seconds.toFixed(2)} s)`,
  ];
  if (r.ann) {
    const a = r.ann;
    lines.push(
      '',
      `HNSW (M=${a.m}, efConstruction=${a.ef_construction}, efSearch=${a.ef_search}):`,
      `text→image     ${pct(a.text_to_image.r1)} ${pct(a.text_to_image.r5)} ${pct(a.text_to_image.r10)} ${pct(a.text_to_image.mean)}`,
      `image→text     ${pct(a.image_to_text.r1)} ${pct(a.image_to_text.r5)} ${pct(a.image_to_text.r10)} ${pct(a.image_to_text.mean)}`,
      `mean recall    ${pct(a.mean_recall)}   (${annDelta(a.mean_recall - r.mean_recall)}, ${a.seconds.toFixed(2)} s)`,
    );
  }
  if (run.skipped.length > 0) lines.push('', `${run.skipped.length} line${run.skipped.length === 1 ? '' : 's'} skipped (see the warnings above)`);
  return lines.join('\n');
}
