/**
 * The zod schemas of the search contract (lib/views/search-query.ts describes it), the single
 * source for GET/POST /api/search, the search page and the OpenAPI document
 * (/api/openapi.json). A bad value, or more than one query, is INVALID_INPUT naming the
 * parameter and what is allowed; the API also refuses unknown parameters.
 */
import { z } from 'zod';
import { MAX_DATASET_NAME_CHARS } from '../datasets/name';
import { MAX_WINDOW } from '../search/limits';
import { fieldsOf, parseInput } from './parse';
import { DEFAULT_K, EMPTY_QUERY, MAX_K, MAX_QUERY_CHARS, SEARCH_MODES, SEARCH_RANKINGS, type SearchQuery } from './search-query';

const MODE_WORDS = [...SEARCH_MODES, ...SEARCH_RANKINGS];
const MODE_ERROR = `mode must be one of ${SEARCH_MODES.map((m) => `"${m}"`).join(', ')} (what comes back) and/or one of ${SEARCH_RANKINGS.map((m) => `"${m}"`).join(', ')} (how images are ranked), comma-separated`;

/**
 * `mode` (issue 11): what comes back (image|text, default image) and how image results are ranked
 * (hybrid|semantic|keyword, default hybrid), comma-separated (`mode=text,keyword`), at most one of each.
 */
const modeField = z
  .string()
  .regex(new RegExp(`^(${MODE_WORDS.join('|')})(,(${MODE_WORDS.join('|')}))?$`), { error: (iss) => `${MODE_ERROR}; got ${JSON.stringify(String(iss.input).slice(0, 40))}` })
  .refine((v) => v.split(',').filter((w) => (SEARCH_MODES as readonly string[]).includes(w)).length <= 1 && v.split(',').filter((w) => (SEARCH_RANKINGS as readonly string[]).includes(w)).length <= 1, {
    error: (iss) => `${MODE_ERROR}, at most one of each; got ${JSON.stringify(String(iss.input).slice(0, 40))}`,
  })
  .transform((v) => {
    const words = v.split(',');
    return {
      want: (words.find((w) => (SEARCH_MODES as readonly string[]).includes(w)) ?? 'image') as SearchQuery['mode'],
      ranking: (words.find((w) => (SEARCH_RANKINGS as readonly string[]).includes(w)) ?? 'hybrid') as SearchQuery['ranking'],
    };
  })
  .default({ want: 'image', ranking: 'hybrid' });

/** Images one `like=` search may name (a collection as a query, issue 14). */
export const MAX_LIKE_IDS = 50;
const LIKE_ERROR = `like must be an image id (a positive integer), or up to ${MAX_LIKE_IDS} of them separated by commas`;
const LIKE_RE = new RegExp(`^[1-9]\\d{0,14}(,[1-9]\\d{0,14}){0,${MAX_LIKE_IDS - 1}}$`);
/** "42" → 42 (one image, as before); "1,2,2,3" → [1, 2, 3] (the mean of their vectors). */
const likeIds = (s: string): number | number[] => {
  const ids = [...new Set(s.split(',').map(Number))];
  return ids.length === 1 ? ids[0] : ids;
};

const intParam = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be an integer from ${min} to ${max}` })
    .int({ error: `${name} must be an integer from ${min} to ${max}` })
    .min(min, { error: `${name} must be an integer from ${min} to ${max}` })
    .max(max, { error: `${name} must be an integer from ${min} to ${max}` });

/** The parameters that say how to search (both GET and POST). */
const pageFields = {
  mode: modeField.describe(
    'What to get back — image (default) or text (captions with their images) — and how images are ranked — hybrid (default: meaning and words fused), semantic (CLIP only) or keyword (words only) — comma-separated, e.g. "text" or "image,keyword" or "keyword".',
  ),
  collapse: z
    .enum(['0', '1', 'false', 'true'])
    .transform((v) => v === '1' || v === 'true')
    .default(true)
    .describe('1 (default): one result per group of near-duplicates, the others in its `similar`; 0: every image.'),
  k: intParam('k', 1, MAX_K).default(DEFAULT_K).describe(`Results per page (1–${MAX_K}).`),
  offset: intParam('offset', 0, MAX_WINDOW * 10 - 1).default(0).describe('Results to skip, for the next page (offset + k ≤ 10000).'),
  min: z.coerce
    .number({ error: 'min must be a number from 0 to 1' })
    .min(0, { error: 'min must be a number from 0 to 1' })
    .max(1, { error: 'min must be a number from 0 to 1' })
    .default(0)
    .describe('Leave out results with a lower cosine similarity (0–1).'),
  dataset: z
    .string()
    .max(MAX_DATASET_NAME_CHARS, { error: `dataset is a dataset name: at most ${MAX_DATASET_NAME_CHARS} characters` })
    .optional()
    .describe('Only results from this dataset (its name).'),
};

/** What to search with: exactly one of them. */
const queryFields = {
  q: z
    .string()
    .trim()
    .max(MAX_QUERY_CHARS, { error: `q must be at most ${MAX_QUERY_CHARS} characters` })
    .optional()
    .describe(
      'Search by this text (English or Chinese), in the query language: words, "exact phrase", -exclude, word^2, dataset:NAME, format:png, width>=N, height<N, added>=YYYY-MM-DD, has:text, sort:new. Beside like or qimg it refines the image ("but red").',
    ),
  like: z
    .string()
    .trim()
    .regex(LIKE_RE, { error: LIKE_ERROR })
    .transform(likeIds)
    .optional()
    .describe(
      `Search by a stored image: its id (a hit's imageId); or by up to ${MAX_LIKE_IDS} stored images, comma-separated (1,2,3), by the mean of their vectors. The images themselves are left out of the results.`,
    ),
  qimg: z
    .string()
    .regex(/^[0-9a-f]{64}$/, { error: 'qimg must be a query image id: 64 lowercase hex digits, as POST /api/search answered it in query.qimg' })
    .optional()
    .describe('Search by an image uploaded earlier with POST /api/search (its query.qimg). Kept for a while only.'),
};

const ONE_QUERY = 'give q (a text), like (a stored image id) or qimg (an uploaded query image id) — at most one image, with or without a text';
const countImages = (v: { like?: number | number[]; qimg?: string }) => Number(v.like !== undefined) + Number(v.qimg !== undefined);
const queryOk = (v: { q?: string; like?: number | number[]; qimg?: string }) => countImages(v) <= 1 && (!!v.q || countImages(v) === 1);

/** GET /api/search. */
export const searchGetSchema = z
  .strictObject({ ...queryFields, ...pageFields })
  .refine(queryOk, { error: ONE_QUERY });

/** POST /api/search: these text fields beside the `image` file (q: a text to refine it with). */
export const searchPostSchema = z.strictObject({ q: queryFields.q, ...pageFields });

/** The search page's URL: the same fields, no offset; other parameters are ignored. */
const searchPageSchema = z
  .object({ ...queryFields, ...pageFields, offset: z.unknown().optional() })
  .refine((v) => countImages(v) <= 1, { error: ONE_QUERY });

type Parsed = {
  q?: string;
  like?: number | number[];
  qimg?: string;
  mode: { want: SearchQuery['mode']; ranking: SearchQuery['ranking'] };
  collapse: boolean;
  k: number;
  min: number;
  dataset?: string;
};
const toQuery = (v: Parsed): SearchQuery => ({
  mode: v.mode.want, ranking: v.mode.ranking, collapse: v.collapse, q: v.q ?? '', like: v.like, qimg: v.qimg, k: v.k, min: v.min, dataset: v.dataset ?? '',
});

/** A GET request whose repeated `mode` parameters are one comma-separated value (other repeats stay refused). */
export function joinRepeatedModes(req: Request): Request {
  const url = new URL(req.url);
  if (url.searchParams.getAll('mode').length < 2) return req;
  url.search = (joinModes(url.searchParams) as URLSearchParams).toString();
  return new Request(url, req);
}

/** `mode` may be repeated (`mode=text&mode=keyword`): one comma-separated value; other repeats stay refused. */
function joinModes(src: URLSearchParams | FormData): URLSearchParams | FormData {
  const modes = src.getAll('mode');
  if (modes.length < 2 || modes.some((m) => typeof m !== 'string')) return src;
  const out = src instanceof URLSearchParams ? new URLSearchParams(src) : new FormData();
  if (!(src instanceof URLSearchParams)) for (const [k, v] of src.entries()) (out as FormData).append(k, v);
  out.delete('mode');
  out.set('mode', modes.join(','));
  return out;
}

/** GET /api/search's query string → the search and its offset; INVALID_INPUT when anything is off. */
export function parseSearchGet(params: URLSearchParams): { query: SearchQuery; offset: number } {
  const v = parseInput(searchGetSchema, fieldsOf(joinModes(params)));
  return { query: toQuery(v), offset: v.offset };
}

/** POST /api/search's text fields (the `image` file aside) → how to search with the uploaded image. */
export function parseSearchPost(form: FormData): { query: SearchQuery; offset: number } {
  const v = parseInput(searchPostSchema, fieldsOf(joinModes(form), ['image']), 'form field');
  return { query: toQuery(v), offset: v.offset };
}

/**
 * The search page's URL (Next's searchParams). Never throws: a bad URL gives the default query
 * (keeping the typed text) and the reason, which the page shows.
 */
export function parseSearchPage(src: Record<string, string | string[] | undefined>): { query: SearchQuery; error?: string } {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(src)) {
    // mode may be repeated (mode=text&mode=keyword); other repeats: the first counts.
    const v = Array.isArray(value) ? (key === 'mode' ? value.join(',') : value[0]) : value;
    if (v !== undefined && v.trim() !== '') flat[key] = v;
  }
  try {
    return { query: toQuery(parseInput(searchPageSchema, flat)) };
  } catch (err) {
    return { query: { ...EMPTY_QUERY, q: (flat.q ?? '').slice(0, MAX_QUERY_CHARS) }, error: (err as Error).message };
  }
}
