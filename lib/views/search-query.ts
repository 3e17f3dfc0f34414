/**
 * A search as the URL holds it — the one contract of the search page, GET/POST /api/search and
 * the search form (so a search can be shared, reloaded and paged):
 *   q=<text> and/or like=<image id> | qimg=<uploaded query image sha256>   what to search with
 *   mode=image|text[,hybrid|semantic|keyword]   what to get back (default image) and how it is
 *                                               ranked (default hybrid); comma-separated or repeated
 *   collapse=0                                  show near-duplicates one by one
 *   k, min, dataset (and offset, API only)
 * e.g. /?q=a+red+bus&k=48  ·  /?like=42 ("more like this")  ·  /?like=42&q=red ("this, but red")
 *   ·  /?qimg=<sha>&mode=text  ·  /?q=QX-4471&mode=keyword
 * Pure and dependency-free (no zod, no server imports): the browser bundle uses it. The
 * validating parser is lib/views/search-params.ts.
 */
import { MAX_QUERY_CHARS } from '../query/limits';
import { SEARCH_RANKINGS, type SearchRanking, type SearchWant } from '../search/types';

export type { SearchWant, SearchRanking };
export { SEARCH_RANKINGS, MAX_QUERY_CHARS };

/** The page's four directions: query kind (text or image) → what comes back. */
export type SearchDirection = 't2i' | 't2t' | 'i2i' | 'i2t';

export const DIRECTIONS: { value: SearchDirection; label: string; title: string }[] = [
  { value: 't2i', label: 'Text → image', title: 'Find images that match a description' },
  { value: 't2t', label: 'Text → text', title: 'Find captions that match a description' },
  { value: 'i2t', label: 'Image → text', title: 'Find captions that describe an image' },
  { value: 'i2i', label: 'Image → image', title: 'Find images that look like an image' },
];

export const SEARCH_MODES = ['image', 'text'] as const satisfies readonly SearchWant[];
export const K_CHOICES = [12, 24, 48, 96] as const;
export const DEFAULT_K = 24;
export const MAX_K = 200;

/** The page's ranking control: the signals that order image results. */
export const RANKINGS: { value: SearchRanking; label: string; title: string }[] = [
  { value: 'hybrid', label: 'Hybrid', title: 'Meaning and words together (default)' },
  { value: 'semantic', label: 'Meaning', title: 'Visual similarity to the description only (CLIP)' },
  { value: 'keyword', label: 'Words', title: 'Words in captions, text in images and file names only' },
];

export interface SearchQuery {
  /** What to get back: images or captions. */
  mode: SearchWant;
  /** How image results are ranked (default hybrid). */
  ranking: SearchRanking;
  /** One card per near-duplicate group (default true). */
  collapse: boolean;
  /** Text query, in the query language (lib/query); beside an image it refines it ("but red"). */
  q: string;
  /** Image id of a stored image ("more like this"), or several (a collection: the mean of their vectors). */
  like?: number | number[];
  /** sha256 of an uploaded query image. */
  qimg?: string;
  /** Results per page. */
  k: number;
  /** Minimum score, 0…1. */
  min: number;
  /** Dataset name filter ('' = all). */
  dataset: string;
}

export const EMPTY_QUERY: SearchQuery = { mode: 'image', ranking: 'hybrid', collapse: true, q: '', k: DEFAULT_K, min: 0, dataset: '' };

export const hasImage = (q: SearchQuery): boolean => q.like !== undefined || q.qimg !== undefined;

export function directionOf(q: SearchQuery): SearchDirection {
  return `${hasImage(q) ? 'i' : 't'}2${q.mode === 'text' ? 't' : 'i'}` as SearchDirection;
}

/** Is there something to search for? */
export function isRunnable(q: SearchQuery): boolean {
  return hasImage(q) || q.q.trim().length > 0;
}

/** URL search params for a query, defaults left out; `offset` only for the JSON API. */
export function toSearchParams(q: SearchQuery, extra?: { offset?: number }): URLSearchParams {
  const p = new URLSearchParams();
  if (q.qimg) p.set('qimg', q.qimg);
  else if (q.like !== undefined) p.set('like', String(q.like));
  if (q.q) p.set('q', q.q);
  const mode = [q.mode !== 'image' ? q.mode : '', q.ranking !== 'hybrid' ? q.ranking : ''].filter(Boolean).join(',');
  if (mode) p.set('mode', mode);
  if (!q.collapse) p.set('collapse', '0');
  if (q.k !== DEFAULT_K) p.set('k', String(q.k));
  if (q.min > 0) p.set('min', String(Math.round(q.min * 100) / 100));
  if (q.dataset) p.set('dataset', q.dataset);
  if (extra?.offset) p.set('offset', String(extra.offset));
  return p;
}

export function searchHref(q: SearchQuery): string {
  const s = toSearchParams(q).toString();
  return s ? `/?${s}` : '/';
}

/** A stable key for one search (used to reset the result list when the query changes). */
export function queryKey(q: SearchQuery): string {
  return toSearchParams(q).toString();
}
