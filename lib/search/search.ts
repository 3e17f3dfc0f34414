/**
 * The one search entry point. A text is read with the query language (lib/query): its words are
 * embedded (lib/clip) for the semantic signal and looked up in the keyword index (lib/keyword);
 * its filters restrict both. Image results fuse the two (images.ts); caption results are ranked
 * by meaning (the HNSW text index), held to the query's phrases and exclusions.
 */
import { findDataset, textsByLabels, type ImageFilter } from '../db';
import { AppError } from '../errors';
import { hasFilters, parseQueryChecked, type ParsedQuery } from '../query';
import type { SearchDeps } from './deps';
import { imageResults, keywordCandidates, poolSize } from './images';
import { MAX_WINDOW } from './limits';
import { queryVector } from './query-vector';
import { filterLabels, nearest } from './semantic';
import { SEARCH_RANKINGS, type ImageHit, type SearchOptions, type SearchRequest, type SearchResult, type TextHit } from './types';

export { MAX_WINDOW };
export type { SearchDeps };

/** One page of results: how many, from where, and the score floor. */
interface ResultPage {
  k: number;
  offset: number;
  minScore: number;
}

function windowOf(o: SearchOptions): ResultPage {
  const k = o.k ?? 20;
  const offset = o.offset ?? 0;
  if (!Number.isInteger(k) || k < 1 || k > MAX_WINDOW) throw new AppError('INVALID_INPUT', `k must be an integer from 1 to ${MAX_WINDOW}, got ${k}`);
  if (!Number.isInteger(offset) || offset < 0) throw new AppError('INVALID_INPUT', `offset must be a non-negative integer, got ${offset}`);
  if (offset + k > MAX_WINDOW * 10) throw new AppError('INVALID_INPUT', `offset + k must be at most ${MAX_WINDOW * 10}, got ${offset + k}`);
  const minScore = o.minScore ?? -Infinity;
  if (Number.isNaN(minScore) || minScore > 1) throw new AppError('INVALID_INPUT', `minScore must be a number ≤ 1, got ${o.minScore}`);
  return { k, offset, minScore };
}

/** The filters of the query text (and the `dataset` option, which a `dataset:` in the text replaces). */
async function filterOf(deps: SearchDeps, parsed: ParsedQuery | undefined, dataset: string | undefined): Promise<ImageFilter> {
  const f = parsed?.filters;
  const name = f?.dataset?.value ?? dataset;
  const out: ImageFilter = {};
  if (name) {
    const ds = await findDataset(deps.db, name);
    if (!ds) throw new AppError('NOT_FOUND', `no dataset called "${name.slice(0, 100)}"`);
    out.datasetId = ds.id;
  }
  if (f?.format) out.format = f.format.value;
  if (f?.sizes.length) out.sizes = f.sizes.map(({ field, op, value }) => ({ field, op, value }));
  if (f?.added.length) out.added = f.added.map(({ op, value }) => ({ op, value }));
  if (f?.hasText) out.hasText = true;
  return out;
}

/**
 * The one search entry point: a text, image bytes or a stored image (`imageId`: its stored
 * vector, and the image itself is left out of image results), or an image with a text; what to
 * get back (`want`: images or captions), one page of `k` from `offset`, scores ≥ `minScore`, in
 * `dataset`, ranked by `ranking` (default hybrid), near-duplicates collapsed unless `collapse: false`.
 */
export async function search(req: SearchRequest & { want: 'image' }, deps: SearchDeps): Promise<SearchResult<ImageHit>>;
export async function search(req: SearchRequest & { want: 'text' }, deps: SearchDeps): Promise<SearchResult<TextHit>>;
export async function search(req: SearchRequest, deps: SearchDeps): Promise<SearchResult<ImageHit> | SearchResult<TextHit>>;
export async function search(req: SearchRequest, deps: SearchDeps): Promise<SearchResult<ImageHit> | SearchResult<TextHit>> {
  const t0 = performance.now();
  if (req.want !== 'image' && req.want !== 'text') throw new AppError('INVALID_INPUT', `want must be "image" or "text", got "${String(req.want).slice(0, 20)}"`);
  const ranking = req.ranking ?? 'hybrid';
  if (!SEARCH_RANKINGS.includes(ranking)) throw new AppError('INVALID_INPUT', `ranking must be one of ${SEARCH_RANKINGS.join(', ')}, got "${String(ranking).slice(0, 20)}"`);
  const w = windowOf(req); // refuse a bad page before spending a model call on the query
  const text = 'text' in req.query ? req.query.text : undefined;
  const parsed = text !== undefined ? parseQueryChecked(text) : undefined;
  const byImage = 'image' in req.query || 'imageId' in req.query || 'imageIds' in req.query;
  if (!byImage && parsed && !parsed.terms.length && !hasFilters(parsed)) {
    if (!text!.trim()) throw new AppError('INVALID_INPUT', 'the search text is empty');
    throw new AppError('INVALID_INPUT', `the search text ${JSON.stringify(text!.slice(0, 40))} has nothing to search for: give words, a "quoted phrase", or a filter such as dataset:NAME`);
  }
  const filter = await filterOf(deps, parsed, req.dataset);
  if (req.want === 'image') {
    const collapse = req.collapse ?? true;
    // The model embeds the query while the keyword index is asked (ONNX runs on its own threads).
    const embedding = queryVector(deps, req.query, parsed);
    const browse = !byImage && !parsed?.terms.length;
    const keyword = keywordCandidates(deps, parsed, filter, ranking, browse, poolSize({ ...w, collapse }));
    const [{ vector, exclude }] = await Promise.all([embedding, keyword]);
    return imageResults(deps, { vector, queryLabels: exclude, parsed, filter, ranking, collapse, keyword, ...w }, t0);
  }
  const { vector } = await queryVector(deps, req.query, parsed);
  if (ranking === 'keyword') throw new AppError('INVALID_INPUT', 'keyword ranking finds images: search for images (mode image), or rank captions by meaning (hybrid or semantic)');
  const imageOnly = Object.entries(filter).filter(([k, v]) => k !== 'datasetId' && v !== undefined);
  if (imageOnly.length) throw new AppError('INVALID_INPUT', `the filters ${imageOnly.map(([k]) => k).join(', ')} apply to images: search for images (mode image) to use them`);
  if (!vector) throw new AppError('INVALID_INPUT', 'a caption search needs words or an image to compare with: filters and exclusions alone only list images');
  return textResult(deps, vector, parsed, filter, w, t0);
}

async function textResult(deps: SearchDeps, q: Float32Array, parsed: ParsedQuery | undefined, filter: ImageFilter, w: ResultPage, t0: number): Promise<SearchResult<TextHit>> {
  const index = deps.indexes.text;
  const phrases = (parsed?.terms ?? []).filter((t) => t.phrase).map((t) => t.text.toLowerCase());
  const exclude = (parsed?.exclude ?? []).map((t) => t.text.toLowerCase());
  const strict = phrases.length > 0 || exclude.length > 0;
  const want = w.offset + w.k + 1;
  const raw = await nearest(index, q, strict ? Math.max(want * 4, 200) : want, await filterLabels(deps, index, filter));
  const scored = raw.filter((h) => h.score >= w.minScore);
  const rows = await textsByLabels(deps.db, strict ? scored.map((h) => h.label) : scored.slice(w.offset, w.offset + w.k).map((h) => h.label));
  // Phrases must appear in the caption and exclusions must not.
  const kept = strict
    ? scored.filter((h) => {
        const t = rows.get(h.label)?.text.toLowerCase();
        return t !== undefined && phrases.every((p) => t.includes(p)) && exclude.every((x) => !t.includes(x));
      })
    : scored;
  const hits: TextHit[] = [];
  for (const h of kept.slice(w.offset, w.offset + w.k)) {
    const r = rows.get(h.label);
    if (!r) continue;
    hits.push({
      kind: 'text', textId: r.textId, score: h.score, text: r.text, dataset: r.dataset,
      images: r.images.map((i) => ({ imageId: i.imageId, sha256: i.sha256, thumbUrl: `/api/thumbs/${i.sha256}`, imageUrl: `/api/images/${i.sha256}` })),
    });
  }
  return { hits, k: w.k, offset: w.offset, hasMore: kept.length > w.offset + w.k, tookMs: performance.now() - t0 };
}
