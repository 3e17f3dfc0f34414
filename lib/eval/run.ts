/**
 * The evaluate command's work, shared by the CLI and the evaluate job: build the set (from a file
 * or a dataset), evaluate it under the chosen protocol (clipdex: exactly and through HNSW), and
 * format the report as EasyNLP prints it.
 */
import type { Db } from '../db';
import type { CorpusFormat } from '../corpus';
import { AppError } from '../errors';
import type { HnswParams } from './ann';
import { loadDatasetEvalSet } from './dataset';
import { embedCorpusForEval, type EvalModel, type SkippedLine } from './embed-corpus';
import { embedCorpusOnWorkers, type EvalQueue } from './run-queued';
import { evaluateEmbeddings, evaluateReference, type EvalProgress, type EvalResult } from './evaluate';
import { MEAN_RECALL_DEFINITION, type EvalProtocol } from './protocols';

export interface EvaluateRunOptions {
  /** HNSW parameters for the ANN figures (clipdex protocol only); leave out to skip them. */
  hnsw?: HnswParams;
  /** default clipdex */
  protocol?: EvalProtocol;
  onProgress?: (p: EvalProgress) => void | Promise<void>;
}

export interface EvaluateRunResult {
  /** what was evaluated: a file path or `dataset:<name>` */
  source: string;
  model: { id: string; name: string };
  result: EvalResult;
  skipped: SkippedLine[];
  /** doubts about the whole input (a line's problems are in `skipped`) */
  warnings: string[];
}

export async function evaluateFile(
  path: string,
  model: EvalModel,
  opts: EvaluateRunOptions & { texts?: string; format?: CorpusFormat; batchSize?: number; queue?: EvalQueue } = {},
): Promise<EvaluateRunResult> {
  const protocol = opts.protocol ?? 'clipdex';
  const embedOpts = {
    texts: opts.texts,
    format: opts.format,
    batchSize: opts.batchSize,
    keepUnlinkedTexts: protocol === 'chinese-clip',
    onProgress: (processed: number, total: number) => opts.onProgress?.({ phase: 'embed', processed, total }),
  };
  // Distributed mode: the workers embed (run-queued.ts).
  const set = opts.queue ? await embedCorpusOnWorkers(path, model, opts.queue, embedOpts) : await embedCorpusForEval(path, model, embedOpts);
  const warnings = [...set.warnings];
  let result: EvalResult;
  if (protocol === 'clipdex') {
    result = await evaluateEmbeddings(set, { hnsw: opts.hnsw, onProgress: opts.onProgress, embedSeconds: set.seconds });
  } else {
    result = await evaluateReference(protocol, { ...set, textsFile: opts.texts }, { onProgress: opts.onProgress, embedSeconds: set.seconds });
    if (result.detail.missing_image_ids) {
      warnings.push(
        `${result.detail.missing_image_ids} image id${result.detail.missing_image_ids === 1 ? '' : 's'} named in ${opts.texts ?? 'the texts JSONL'} ha${result.detail.missing_image_ids === 1 ? 's' : 've'} no image in ${path}: each counts as a missed image→text query (Chinese-CLIP's evaluation_tr.py refuses such a file)`,
      );
    }
  }
  return { source: path, model: { id: model.info.id, name: model.info.name }, result, skipped: set.skipped, warnings };
}

export async function evaluateDataset(
  db: Db,
  dataset: string,
  model: EvalModel,
  opts: EvaluateRunOptions = {},
): Promise<EvaluateRunResult> {
  if (opts.protocol && opts.protocol !== 'clipdex') {
    throw new AppError(
      'INVALID_INPUT',
      `--protocol ${opts.protocol} needs the validation file itself: an ingested dataset keeps one row per distinct image and text, so the file's lines and ids are gone (use --protocol clipdex, or evaluate the file)`,
    );
  }
  const t0 = performance.now();
  const set = await loadDatasetEvalSet(db, dataset, model.info);
  const result = await evaluateEmbeddings(set, {
    hnsw: opts.hnsw,
    onProgress: opts.onProgress,
    embedSeconds: (performance.now() - t0) / 1000,
  });
  return { source: `dataset:${dataset}`, model: { id: model.info.id, name: model.info.name }, result, skipped: [], warnings: [] };
}

/** Exit-1 condition: no query had a right answer among the candidates, in any direction. */
export function nothingEvaluated(run: EvaluateRunResult): string | undefined {
  const r = run.result;
  if (r.detail.answerable_queries > 0) return undefined;
  const why =
    r.detail.text_queries === 0 && r.detail.image_queries === 0
      ? 'no image-text pair could be read'
      : 'no text has an image of the file among its right answers';
  return `nothing to evaluate in ${run.source}: ${why}${run.skipped.length ? ` (${run.skipped.length} line${run.skipped.length === 1 ? '' : 's'} skipped)` : ''}`;
}

const PROTOCOL_LINE: Record<EvalProtocol, string> = {
  clipdex: 'protocol clipdex: identical images and texts merged, their captions all right answers',
  easynlp: 'protocol easynlp: text i ↔ image i, one candidate per line, text→image only',
  'chinese-clip': 'protocol chinese-clip: one candidate per image id and per text line, texts without an image count as misses',
};

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
  const protocol = r.protocol ?? 'clipdex';
  const counts =
    protocol === 'clipdex'
      ? `${r.images} images, ${r.texts} texts, ${r.detail.links} links (duplicates merged)`
      : `${r.images} image candidates, ${r.texts} text candidates; ${r.detail.text_queries} text→image queries${r.image_to_text ? `, ${r.detail.image_queries} image→text queries` : ''}`;
  const lines = [
    `Evaluated ${run.source} with model ${run.model.name} (${run.model.id})`,
    PROTOCOL_LINE[protocol],
    counts,
    ...(r.detail.texts_without_image ? [`${r.detail.texts_without_image} text${r.detail.texts_without_image === 1 ? ' names' : 's name'} no image of the file: counted as misses`] : []),
    '',
    '                  R@1    R@5   R@10   mean',
    `text→image     ${pct(r.text_to_image.r1)} ${pct(r.text_to_image.r5)} ${pct(r.text_to_image.r10)} ${pct(r.text_to_image.mean)}`,
    ...(r.image_to_text ? [`image→text     ${pct(r.image_to_text.r1)} ${pct(r.image_to_text.r5)} ${pct(r.image_to_text.r10)} ${pct(r.image_to_text.mean)}`] : []),
    `mean recall    ${pct(r.mean_recall)}   (${MEAN_RECALL_DEFINITION[protocol]}; exact search, ${r.seconds.toFixed(2)} s)`,
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
