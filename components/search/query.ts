/**
 * The search query as the URL holds it (so a search can be shared and reloaded), shared by the
 * page (server), the JSON API and the search form (browser). Pure: no server or DOM imports.
 *   /?q=a+red+bus&mode=t2i&k=24&min=0.2&dataset=demo
 *   /?mode=i2i&like=42            ("more like this" on image 42)
 *   /?mode=i2t&qimg=<sha256>      (an uploaded query image, kept under DATA_DIR/uploads/queries)
 */
export type SearchMode = 't2i' | 'i2t' | 'i2i';

export const MODES: { value: SearchMode; label: string; title: string }[] = [
  { value: 't2i', label: 'Text → image', title: 'Find images that match a description' },
  { value: 'i2t', label: 'Image → text', title: 'Find captions that describe an image' },
  { value: 'i2i', label: 'Image → image', title: 'Find images that look like an image' },
];

export const K_CHOICES = [12, 24, 48, 96] as const;
export const DEFAULT_K = 24;
export const MAX_K = 200;
export const MAX_QUERY_CHARS = 500;

export interface SearchQuery {
  mode: SearchMode;
  /** Text query (text→image). */
  q: string;
  /** Image id of a stored image ("more like this"). */
  like?: number;
  /** sha256 of an uploaded query image. */
  qimg?: string;
  /** Results per page. */
  k: number;
  /** Minimum score, 0…1. */
  min: number;
  /** Dataset name filter ('' = all). */
  dataset: string;
}

type ParamSource = URLSearchParams | Record<string, string | string[] | undefined>;

function get(src: ParamSource, key: string): string | undefined {
  if (src instanceof URLSearchParams) return src.get(key) ?? undefined;
  const v = src[key];
  return Array.isArray(v) ? v[0] : v;
}

function clampNumber(raw: string | undefined, def: number, lo: number, hi: number, int = false): number {
  if (raw === undefined || raw.trim() === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n)) return def;
  const v = Math.min(hi, Math.max(lo, n));
  return int ? Math.round(v) : v;
}

export function isMode(s: unknown): s is SearchMode {
  return s === 't2i' || s === 'i2t' || s === 'i2i';
}

export function parseSearchQuery(src: ParamSource): SearchQuery {
  const rawMode = get(src, 'mode');
  const likeRaw = get(src, 'like');
  const like = likeRaw && /^\d{1,12}$/.test(likeRaw) ? Number(likeRaw) : undefined;
  const qimgRaw = get(src, 'qimg');
  const qimg = qimgRaw && /^[0-9a-f]{64}$/.test(qimgRaw) ? qimgRaw : undefined;
  const hasImage = like !== undefined || qimg !== undefined;
  let mode: SearchMode = isMode(rawMode) ? rawMode : hasImage ? 'i2i' : 't2i';
  if (mode === 't2i' && hasImage && !(get(src, 'q') ?? '').trim()) mode = 'i2i';
  return {
    mode,
    q: (get(src, 'q') ?? '').slice(0, MAX_QUERY_CHARS),
    like: qimg ? undefined : like,
    qimg,
    k: clampNumber(get(src, 'k'), DEFAULT_K, 1, MAX_K, true),
    min: clampNumber(get(src, 'min'), 0, 0, 1),
    dataset: (get(src, 'dataset') ?? '').slice(0, 200),
  };
}

/** Is there something to search for in this mode? */
export function isRunnable(q: SearchQuery): boolean {
  return q.mode === 't2i' ? q.q.trim().length > 0 : q.like !== undefined || q.qimg !== undefined;
}

/** URL search params for a query, defaults left out; `offset` only for the JSON API. */
export function toSearchParams(q: SearchQuery, extra?: { offset?: number }): URLSearchParams {
  const p = new URLSearchParams();
  if (q.mode === 't2i') {
    if (q.q) p.set('q', q.q);
  } else if (q.qimg) p.set('qimg', q.qimg);
  else if (q.like !== undefined) p.set('like', String(q.like));
  p.set('mode', q.mode);
  if (q.k !== DEFAULT_K) p.set('k', String(q.k));
  if (q.min > 0) p.set('min', String(Math.round(q.min * 100) / 100));
  if (q.dataset) p.set('dataset', q.dataset);
  if (extra?.offset) p.set('offset', String(extra.offset));
  return p;
}

export function searchHref(q: SearchQuery): string {
  return `/?${toSearchParams(q).toString()}`;
}

/** A stable key for one search (used to reset the result list when the query changes). */
export function queryKey(q: SearchQuery): string {
  return toSearchParams(q).toString();
}
