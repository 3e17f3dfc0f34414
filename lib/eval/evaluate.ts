/**
 * evaluateEmbeddings: the `clipdex` protocol — recall both ways (text→image, image→text) over an
 * embedded validation set, by exact search and through HNSW. The set is already deduplicated (one
 * row per distinct image and per distinct text, see embed-corpus.ts), so duplicates are positives
 * of each other, never misses. Queries without any positive are left out of the recall and counted
 * apart. evaluateReference: the `easynlp` and `chinese-clip` protocols (protocols.ts), exact only.
 */
import { annRanks, ANN_K, type HnswParams } from './ann';
import type { EmbeddingMatrix } from './matrix';
import { orderedRanks } from './ordered-ranks';
import { referenceDirections, type EvalProtocol, type ReferenceSet } from './protocols';
import { buildPositives, countQueries, exactRanks, NOT_FOUND_RANK, recallAt, recallRow, type Link, type RecallRow } from './recall';

export interface EvalSet {
  images: EmbeddingMatrix;
  texts: EmbeddingMatrix;
  links: Link[];
}

export type EvalPhase = 'embed' | 'exact' | 'ann';
export interface EvalProgress {
  phase: EvalPhase;
  processed: number;
  total: number;
}

/** Points of the R@K chart. ANN values exist for K ≤ ANN_K only. */
const CURVE_KS = [1, 2, 3, 5, 10, 20, 50] as const;
export interface CurvePoint {
  k: number;
  text_to_image: number;
  /** null where the protocol has no image→text direction (easynlp) */
  image_to_text: number | null;
}

export interface AnnResult {
  text_to_image: RecallRow;
  image_to_text: RecallRow;
  mean_recall: number;
  seconds: number;
  m: number;
  ef_construction: number;
  ef_search: number;
}

export interface EvalResult {
  /** How the figures were counted (protocols.ts). Results stored before protocols had none: clipdex. */
  protocol: EvalProtocol;
  text_to_image: RecallRow;
  /** null under easynlp, which evaluates text→image only */
  image_to_text: RecallRow | null;
  /** per protocol: MEAN_RECALL_DEFINITION */
  mean_recall: number;
  /** candidates: distinct images and texts (clipdex), lines (easynlp), image ids and text lines (chinese-clip) */
  images: number;
  texts: number;
  /** wall time of the exact evaluation, embedding included (ANN time is under ann.seconds) */
  seconds: number;
  ann?: AnnResult;
  /** extra detail for the page: queries that have a positive, the R@K curve, timings */
  detail: {
    text_queries: number;
    image_queries: number;
    links: number;
    embed_seconds: number;
    search_seconds: number;
    curve: CurvePoint[];
    ann_curve?: CurvePoint[];
    /** queries with at least one right answer among the candidates; 0 means nothing could be evaluated */
    answerable_queries: number;
    /** chinese-clip: image ids some text names that have no image in the TSV (misses) */
    missing_image_ids?: number;
    /** chinese-clip: texts none of whose image ids has an image (misses) */
    texts_without_image?: number;
  };
}

export interface EvaluateOptions {
  /** Build an HNSW index too (default true when hnsw is given). */
  hnsw?: HnswParams;
  onProgress?: (p: EvalProgress) => void | Promise<void>;
  /** Seconds already spent producing the set (embedding); added to `seconds`. */
  embedSeconds?: number;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const roundRow = (r: RecallRow): RecallRow => ({ r1: round(r.r1), r5: round(r.r5), r10: round(r.r10), mean: round(r.mean) });

function curve(t2i: Int32Array, i2t: Int32Array | null, maxK = Infinity): CurvePoint[] {
  const ks = CURVE_KS.filter((k) => k < maxK);
  return (ks.length ? ks : [1]).map((k) => ({
    k,
    text_to_image: round(recallAt(t2i, k)),
    image_to_text: i2t ? round(recallAt(i2t, k)) : null,
  }));
}

export async function evaluateEmbeddings(set: EvalSet, opts: EvaluateOptions = {}): Promise<EvalResult> {
  const t0 = performance.now();
  const { images, texts, links } = set;
  if (images.rows > 0 && texts.rows > 0 && images.dim !== texts.dim) {
    throw new Error(`image vectors have ${images.dim} dimensions but text vectors ${texts.dim}`);
  }
  const t2iPos = buildPositives(links, 'text_to_image', texts.rows);
  const i2tPos = buildPositives(links, 'image_to_text', images.rows);
  const total = texts.rows + images.rows;
  const report = (phase: EvalPhase, processed: number, tot = total) => opts.onProgress?.({ phase, processed, total: tot });

  const t2i = await exactRanks(texts, images, t2iPos, { onProgress: (d) => report('exact', d) });
  const i2t = await exactRanks(images, texts, i2tPos, { onProgress: (d) => report('exact', texts.rows + d) });
  const searchSeconds = (performance.now() - t0) / 1000;
  const t2iRow = recallRow(t2i);
  const i2tRow = recallRow(i2t);
  const embedSeconds = opts.embedSeconds ?? 0;

  const result: EvalResult = {
    protocol: 'clipdex',
    text_to_image: roundRow(t2iRow),
    image_to_text: roundRow(i2tRow),
    mean_recall: round((t2iRow.mean + i2tRow.mean) / 2),
    images: images.rows,
    texts: texts.rows,
    seconds: round(embedSeconds + searchSeconds, 3),
    detail: {
      text_queries: countQueries(t2i),
      image_queries: countQueries(i2t),
      links: links.length,
      embed_seconds: round(embedSeconds, 3),
      search_seconds: round(searchSeconds, 3),
      // R@K with K ≥ the number of candidates is 100% by construction: not worth a point
      curve: curve(t2i, i2t, Math.min(images.rows, texts.rows)),
      answerable_queries: countQueries(t2i) + countQueries(i2t),
    },
  };

  if (opts.hnsw) {
    const a0 = performance.now();
    const at2i = await annRanks(texts, images, t2iPos, opts.hnsw, { onProgress: (d) => report('ann', d) });
    const ai2t = await annRanks(images, texts, i2tPos, opts.hnsw, { onProgress: (d) => report('ann', texts.rows + d) });
    const a = recallRow(at2i);
    const b = recallRow(ai2t);
    result.ann = {
      text_to_image: roundRow(a),
      image_to_text: roundRow(b),
      mean_recall: round((a.mean + b.mean) / 2),
      seconds: round((performance.now() - a0) / 1000, 3),
      m: opts.hnsw.m,
      ef_construction: opts.hnsw.efConstruction,
      ef_search: opts.hnsw.efSearch,
    };
    result.detail.ann_curve = curve(at2i, ai2t, Math.min(ANN_K, images.rows, texts.rows));
  }
  return result;
}

/** Queries with a right answer among the candidates (the others carry NOT_FOUND_RANK). */
const countAnswerable = (ranks: Int32Array) => ranks.reduce((n, r) => n + (r === NOT_FOUND_RANK ? 0 : 1), 0);

/**
 * The `easynlp` and `chinese-clip` protocols: exact ranks in the reference's candidate order,
 * every query counted (one with no right answer is a miss). No HNSW figures: an approximate
 * search has no reference order for ties.
 */
export async function evaluateReference(
  protocol: Exclude<EvalProtocol, 'clipdex'>,
  set: ReferenceSet & { textsFile?: string },
  opts: Pick<EvaluateOptions, 'onProgress' | 'embedSeconds'> = {},
): Promise<EvalResult> {
  const t0 = performance.now();
  const d = referenceDirections(protocol, set, set.textsFile);
  const nt = d.textToImage.queryRows.length;
  const total = nt + (d.imageToText?.queryRows.length ?? 0);
  const report = (processed: number) => opts.onProgress?.({ phase: 'exact', processed, total });
  const t2i = await orderedRanks(d.textToImage, { onProgress: report });
  const i2t = d.imageToText ? await orderedRanks(d.imageToText, { onProgress: (n) => report(nt + n) }) : null;
  const searchSeconds = (performance.now() - t0) / 1000;
  const t2iRow = recallRow(t2i);
  const i2tRow = i2t ? recallRow(i2t) : null;
  const embedSeconds = opts.embedSeconds ?? 0;
  return {
    protocol,
    text_to_image: roundRow(t2iRow),
    image_to_text: i2tRow ? roundRow(i2tRow) : null,
    mean_recall: round(i2tRow ? (t2iRow.mean + i2tRow.mean) / 2 : t2iRow.mean),
    images: d.images,
    texts: d.texts,
    seconds: round(embedSeconds + searchSeconds, 3),
    detail: {
      text_queries: nt,
      image_queries: i2t?.length ?? 0,
      links: d.textToImage.positives.reduce((n, p) => n + p.length, 0),
      embed_seconds: round(embedSeconds, 3),
      search_seconds: round(searchSeconds, 3),
      curve: curve(t2i, i2t, Math.min(d.images, i2t ? d.texts : Infinity)),
      answerable_queries: countAnswerable(t2i) + (i2t ? countAnswerable(i2t) : 0),
      ...(protocol === 'chinese-clip' ? { missing_image_ids: d.missingImageIds.length, texts_without_image: d.textsWithoutImage } : {}),
    },
  };
}

/**
 * The CLI's `--json` object: the recall rows, mean_recall (defined per protocol, see protocols.ts),
 * the candidate counts, time, the protocol, the query counts, and `ann` (clipdex only).
 */
export function toEvalJson(r: EvalResult): Record<string, unknown> {
  return {
    text_to_image: r.text_to_image,
    image_to_text: r.image_to_text,
    mean_recall: r.mean_recall,
    images: r.images,
    texts: r.texts,
    seconds: r.seconds,
    ...(r.ann ? { ann: r.ann } : {}),
    protocol: r.protocol ?? 'clipdex',
    queries: { text_to_image: r.detail.text_queries, image_to_text: r.image_to_text ? r.detail.image_queries : null },
    ...(r.detail.missing_image_ids !== undefined ? { missing_image_ids: r.detail.missing_image_ids } : {}),
    ...(r.detail.texts_without_image !== undefined ? { texts_without_image: r.detail.texts_without_image } : {}),
  };
}
