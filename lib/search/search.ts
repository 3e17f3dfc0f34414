/**
 * Search: embed the query (lib/clip), ask the HNSW index for offset + k (+1 to know whether a
 * next page exists) with ef ≥ that, restricted to a dataset's labels through hnswlib's filter
 * callback, then hydrate labels into results from the database.
 */
import type { Engine } from '../engine';
import { bytesToVector, datasetLabels, findDataset, imageVectorOf, imagesByLabels, textsByLabels } from '../db';
import { AppError } from '../errors';
import type { HnswIndex } from '../index';
import { storedImageQuery } from '../adapters/apply'; // issue 12: an adapter projects a stored image vector used as a query
import { MAX_WINDOW } from './limits';
import type { ImageHit, SearchInput, SearchOptions, SearchRequest, SearchResult, TextHit } from './types';

export { MAX_WINDOW };

const thumbUrl = (sha: string) => `/api/thumbs/${sha}`;
const imageUrl = (sha: string) => `/api/images/${sha}`;

export type SearchDeps = Pick<Engine, 'db' | 'model' | 'indexes'>;

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

// Dataset filters: label sets cached per (index, dataset, index version). A new version (an
// ingest added vectors, a reload) replaces the entry.
const filterCache = new Map<string, { version: number; labels: Set<number> }>();

async function datasetLabelSet(deps: SearchDeps, index: HnswIndex, name: string | undefined): Promise<Set<number> | undefined> {
  if (!name) return undefined;
  const ds = await findDataset(deps.db, name);
  if (!ds) throw new AppError('NOT_FOUND', `no dataset called "${name}"`);
  const key = `${index.kind}:${index.modelId}:${ds.id}`;
  let entry = filterCache.get(key);
  if (!entry || entry.version !== index.version) {
    entry = { version: index.version, labels: new Set(await datasetLabels(deps.db, ds.id, index.kind, index.modelId)) };
    filterCache.set(key, entry);
  }
  return entry.labels;
}

async function knn(deps: SearchDeps, index: HnswIndex, q: Float32Array, o: SearchOptions, exclude?: ReadonlySet<number>) {
  const w = windowOf(o);
  await index.refreshIfStale();
  const set = await datasetLabelSet(deps, index, o.dataset);
  const filter =
    set === undefined && exclude === undefined ? undefined : (l: number) => !exclude?.has(l) && (set === undefined || set.has(l));
  const want = w.offset + w.k + 1;
  const reachable = (set?.size ?? index.size()) - (exclude?.size ?? 0);
  let ef = want;
  let raw = index.search(q, want, filter, ef);
  // A selective filter (a small dataset in a big index) can leave HNSW's beam short of `want`
  // matches: widen the beam a few times before accepting fewer results.
  for (let i = 0; i < 3 && filter && raw.length < Math.min(want, reachable); i++) {
    ef *= 4;
    raw = index.search(q, want, filter, ef);
  }
  const hits = raw.filter((h) => h.score >= w.minScore);
  return { page: hits.slice(w.offset, w.offset + w.k), hasMore: hits.length > w.offset + w.k, w };
}

async function imageResult(deps: SearchDeps, q: Float32Array, o: SearchOptions, t0: number, exclude?: ReadonlySet<number>): Promise<SearchResult<ImageHit>> {
  const { page, hasMore, w } = await knn(deps, deps.indexes.image, q, o, exclude);
  const rows = await imagesByLabels(deps.db, page.map((h) => h.label));
  const hits: ImageHit[] = [];
  for (const h of page) {
    const r = rows.get(h.label);
    if (!r) continue; // deleted since the index was saved
    hits.push({
      kind: 'image', imageId: r.imageId, score: h.score, captions: r.captions, dataset: r.dataset,
      width: r.width, height: r.height, sha256: r.sha256, thumbUrl: thumbUrl(r.sha256), imageUrl: imageUrl(r.sha256),
    });
  }
  return { hits, k: w.k, offset: w.offset, hasMore, tookMs: performance.now() - t0 };
}

async function textResult(deps: SearchDeps, q: Float32Array, o: SearchOptions, t0: number): Promise<SearchResult<TextHit>> {
  const { page, hasMore, w } = await knn(deps, deps.indexes.text, q, o);
  const rows = await textsByLabels(deps.db, page.map((h) => h.label));
  const hits: TextHit[] = [];
  for (const h of page) {
    const r = rows.get(h.label);
    if (!r) continue;
    hits.push({
      kind: 'text', textId: r.textId, score: h.score, text: r.text, dataset: r.dataset,
      images: r.images.map((i) => ({ imageId: i.imageId, sha256: i.sha256, thumbUrl: thumbUrl(i.sha256), imageUrl: imageUrl(i.sha256) })),
    });
  }
  return { hits, k: w.k, offset: w.offset, hasMore, tookMs: performance.now() - t0 };
}

async function embedText(deps: SearchDeps, q: string): Promise<Float32Array> {
  const text = q.trim();
  if (!text) throw new AppError('INVALID_INPUT', 'the search text is empty');
  return (await deps.model.encodeTexts([text]))[0];
}

async function embedImage(deps: SearchDeps, bytes: Buffer): Promise<Float32Array> {
  if (!bytes.length) throw new AppError('INVALID_INPUT', 'the query image is empty');
  return (await deps.model.encodeImages([bytes]))[0];
}

async function storedVector(deps: SearchDeps, imageId: number): Promise<{ vector: Float32Array; label: number }> {
  const v = await imageVectorOf(deps.db, imageId, deps.model.info.id);
  if (!v) throw new AppError('NOT_FOUND', `image ${imageId} does not exist or has no vector for the active model (run \`clipdex reindex\`)`);
  return { vector: storedImageQuery(deps.model, bytesToVector(v.data)), label: v.label };
}

/** The normalised mean of unit vectors: the direction a set of images shares (a collection as a query). */
export function meanDirection(vectors: Float32Array[]): Float32Array {
  const out = new Float32Array(vectors[0].length);
  for (const v of vectors) for (let i = 0; i < out.length; i++) out[i] += v[i];
  const norm = Math.hypot(...out);
  if (!(norm > 1e-6)) throw new AppError('INVALID_INPUT', 'these images cancel each other out: their mean vector is zero; search with fewer or other images');
  for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

/** The query's vector; stored images' own vectors (no re-encoding) and their labels, to leave them out. */
async function queryVector(deps: SearchDeps, query: SearchInput): Promise<{ vector: Float32Array; exclude?: Set<number> }> {
  if ('text' in query) return { vector: await embedText(deps, query.text) };
  if ('image' in query) return { vector: await embedImage(deps, query.image) };
  const ids = 'imageId' in query ? [query.imageId] : query.imageIds;
  if (!ids.length) throw new AppError('INVALID_INPUT', 'give at least one image id to search like');
  const stored = await Promise.all(ids.map((id) => storedVector(deps, id)));
  const vector = stored.length === 1 ? stored[0].vector : meanDirection(stored.map((s) => s.vector));
  return { vector, exclude: new Set(stored.map((s) => s.label)) };
}

/**
 * The one search entry point: a text, image bytes or a stored image (`imageId`: its stored
 * vector, and the image itself is left out of image results), and what to get back (`want`:
 * images or captions), one page of `k` from `offset`, scores ≥ `minScore`, in `dataset`.
 */
export async function search(req: SearchRequest & { want: 'image' }, deps: SearchDeps): Promise<SearchResult<ImageHit>>;
export async function search(req: SearchRequest & { want: 'text' }, deps: SearchDeps): Promise<SearchResult<TextHit>>;
export async function search(req: SearchRequest, deps: SearchDeps): Promise<SearchResult<ImageHit> | SearchResult<TextHit>>;
export async function search(req: SearchRequest, deps: SearchDeps): Promise<SearchResult<ImageHit> | SearchResult<TextHit>> {
  const t0 = performance.now();
  if (req.want !== 'image' && req.want !== 'text') throw new AppError('INVALID_INPUT', `want must be "image" or "text", got "${String(req.want).slice(0, 20)}"`);
  windowOf(req); // refuse a bad page before spending a model call on the query
  const { vector, exclude } = await queryVector(deps, req.query);
  return req.want === 'image' ? imageResult(deps, vector, req, t0, exclude) : textResult(deps, vector, req, t0);
}
