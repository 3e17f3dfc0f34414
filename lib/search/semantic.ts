/**
 * The semantic signal: the HNSW index, restricted to the labels that pass the filters through
 * hnswlib's filter callback. Label sets are cached per (index, filter) and index version; a new
 * version (an ingest added vectors, a reload) or a few seconds (text found by OCR later, which no
 * index version follows) replace an entry.
 */
import { datasetLabels, filteredImageLabels, isEmptyFilter, type ImageFilter } from '../db';
import type { HnswIndex, SearchHit } from '../index';
import { REQUEST_CATCH_UP_WAIT_MS } from '../index/types';
import type { SearchDeps } from './deps';

const TTL_MS = 10_000;
const MAX_ENTRIES = 64;
const cache = new Map<string, { version: number; at: number; labels: Set<number> }>();

/** Labels of `index` that pass `filter` (undefined: no filter). Text indexes know only datasets. */
export async function filterLabels(deps: SearchDeps, index: HnswIndex, filter: ImageFilter): Promise<Set<number> | undefined> {
  if (isEmptyFilter(filter)) return undefined;
  const key = `${index.kind}:${index.modelId}:${JSON.stringify(filter)}`;
  let entry = cache.get(key);
  const onlyDataset = Object.keys(filter).every((k) => k === 'datasetId' || (filter as Record<string, unknown>)[k] === undefined);
  if (!entry || entry.version !== index.version || (!onlyDataset && Date.now() - entry.at > TTL_MS)) {
    const labels =
      index.kind === 'text' || onlyDataset
        ? await datasetLabels(deps.db, filter.datasetId!, index.kind, index.modelId)
        : await filteredImageLabels(deps.db, filter, index.modelId);
    if (cache.size >= MAX_ENTRIES) cache.clear();
    entry = { version: index.version, at: Date.now(), labels: new Set(labels) };
    cache.set(key, entry);
    setKeys.set(entry.labels, key);
  }
  return entry.labels;
}

/** The filter each label set of filterLabels stands for (the index keeps its brute force by it: nearest). */
const setKeys = new WeakMap<ReadonlySet<number>, string>();

/**
 * issue 13 (target 3): how a filtered search runs (bench/filter-strategies.ts, 100k × 512):
 * - few labels (at most EXACT_MAX_FLOATS / dim: 20,000 at 512-d, 40,000 at 256-d): exact, through
 *   the index's native brute force over their vectors (searchAmong) — ~0.1 ms for 1,000 labels,
 *   against ~80 ms for hnswlib's filter callback, which walks far through a graph where few nodes
 *   pass. The brute force of a filter's labels is built off the request after its first search
 *   (~90 µs a 512-d vector: hnswlib hands vectors out as JavaScript arrays), which, like any search
 *   meanwhile, goes one of the ways below; index changes are then applied to it label by label;
 * - at least POST_FILTER_FRACTION of the index, when asking for want / fraction × 2 neighbours stays
 *   within the search's ef: no callback, the unfiltered search's first matches (½ of the labels:
 *   3.2 ms against 6.8 ms, the same recall);
 * - otherwise, or when the post-filter leaves fewer than asked: the callback, as before.
 * When both the brute force and the post-filter could answer, the brute force is taken only while
 * it computes fewer distances than the graph search may (ef × 2M): with a calibrated ef of 128 a
 * search of a 20k-vector index at ½ took 0.58 ms by post-filter against 1.03 ms by brute force.
 */
export const EXACT_MAX_FLOATS = 10_240_000;
export const POST_FILTER_FRACTION = 0.1;

/** The `want` nearest labels to `q` among `allowed` (all when undefined), those in `exclude` left out. */
export async function nearest(
  index: HnswIndex,
  q: Float32Array,
  want: number,
  allowed: Set<number> | undefined,
  exclude?: ReadonlySet<number>,
  opts: { exactMaxFloats?: number; key?: string } = {},
): Promise<SearchHit[]> {
  // Never holds the request for a whole batch another process added (issue 13, target 5).
  await index.refreshIfStale({ waitMs: REQUEST_CATCH_UP_WAIT_MS });
  const excluded = (h: SearchHit) => exclude?.has(h.label) ?? false;
  // how many results there can be: the passing labels, less the excluded ones among them
  let reachable = allowed?.size ?? index.size();
  for (const l of exclude ?? []) if (allowed === undefined || allowed.has(l)) reachable--;
  const key = allowed && (opts.key ?? setKeys.get(allowed));
  const live = index.size();
  // the post-filter: the unfiltered search's first matches, when enough labels pass and asking
  // want / fraction × 2 stays within the configured ef (not a lower calibrated one: that would
  // send fractions it answers well, 10–30 %, to the slower callback)
  const ask = allowed !== undefined && live > 0 ? Math.min(live, Math.ceil((want / Math.min(1, allowed.size / live)) * 2) + (exclude?.size ?? 0)) : 0;
  const postFilter = allowed !== undefined && live > 0 && allowed.size >= live * POST_FILTER_FRACTION && ask <= Math.max(index.configuredEfSearch, want);
  if (
    allowed !== undefined &&
    key !== undefined &&
    allowed.size * index.dim <= (opts.exactMaxFloats ?? EXACT_MAX_FLOATS) &&
    (!postFilter || allowed.size <= index.efSearch * 2 * index.m)
  ) {
    // undefined while its brute force is being built: one of the ways below answers meanwhile
    const hits = index.searchAmong(q, want + (exclude?.size ?? 0), allowed, key);
    if (hits) return hits.filter((h) => !excluded(h)).slice(0, want);
  }
  if (postFilter) {
    const hits = index.search(q, ask).filter((h) => allowed.has(h.label) && !excluded(h));
    if (hits.length >= Math.min(want, reachable)) return hits.slice(0, want);
  }
  const filter = allowed === undefined && exclude === undefined ? undefined : (l: number) => !exclude?.has(l) && (allowed === undefined || allowed.has(l));
  let ef = want;
  let raw = index.search(q, want, filter, ef);
  // A selective filter (a small dataset in a big index) can leave HNSW's beam short of `want`
  // matches: widen the beam a few times before accepting fewer results.
  for (let i = 0; i < 3 && filter && raw.length < Math.min(want, reachable); i++) {
    ef *= 4;
    raw = index.search(q, want, filter, ef);
  }
  return raw;
}
