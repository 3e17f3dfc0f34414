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
  }
  return entry.labels;
}

/** The `want` nearest labels to `q` among `allowed` (all when undefined), those in `exclude` left out. */
export async function nearest(index: HnswIndex, q: Float32Array, want: number, allowed: Set<number> | undefined, exclude?: ReadonlySet<number>): Promise<SearchHit[]> {
  // Never holds the request for a whole batch another process added (issue 13, target 5).
  await index.refreshIfStale({ waitMs: REQUEST_CATCH_UP_WAIT_MS });
  const filter = allowed === undefined && exclude === undefined ? undefined : (l: number) => !exclude?.has(l) && (allowed === undefined || allowed.has(l));
  const reachable = (allowed?.size ?? index.size()) - (exclude?.size ?? 0);
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
