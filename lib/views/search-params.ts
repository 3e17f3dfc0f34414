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
import { DEFAULT_K, EMPTY_QUERY, MAX_K, MAX_QUERY_CHARS, SEARCH_MODES, type SearchQuery } from './search-query';

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
  mode: z.enum(SEARCH_MODES).default('image').describe('What to get back: images, or captions (texts with their images).'),
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
    .describe('Search by this text (English or Chinese).'),
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

const ONE_QUERY = 'give exactly one of q (a text), like (a stored image id) or qimg (an uploaded query image id)';
const countQueries = (v: { q?: string; like?: number | number[]; qimg?: string }) => Number(!!v.q) + Number(v.like !== undefined) + Number(v.qimg !== undefined);

/** GET /api/search. */
export const searchGetSchema = z
  .strictObject({ ...queryFields, ...pageFields })
  .refine((v) => countQueries(v) === 1, { error: ONE_QUERY });

/** POST /api/search: these text fields beside the `image` file. */
export const searchPostSchema = z.strictObject(pageFields);

/** The search page's URL: the same fields, no offset; other parameters are ignored. */
const searchPageSchema = z
  .object({ ...queryFields, ...pageFields, offset: z.unknown().optional() })
  .refine((v) => countQueries(v) <= 1, { error: ONE_QUERY });

type Parsed = { q?: string; like?: number | number[]; qimg?: string; mode: SearchQuery['mode']; k: number; min: number; dataset?: string };
const toQuery = (v: Parsed): SearchQuery => ({ mode: v.mode, q: v.q ?? '', like: v.like, qimg: v.qimg, k: v.k, min: v.min, dataset: v.dataset ?? '' });

/** GET /api/search's query string → the search and its offset; INVALID_INPUT when anything is off. */
export function parseSearchGet(params: URLSearchParams): { query: SearchQuery; offset: number } {
  const v = parseInput(searchGetSchema, fieldsOf(params));
  return { query: toQuery(v), offset: v.offset };
}

/** POST /api/search's text fields (the `image` file aside) → how to search with the uploaded image. */
export function parseSearchPost(form: FormData): { query: SearchQuery; offset: number } {
  const v = parseInput(searchPostSchema, fieldsOf(form, ['image']), 'form field');
  return { query: toQuery({ ...v, q: undefined }), offset: v.offset };
}

/**
 * The search page's URL (Next's searchParams). Never throws: a bad URL gives the default query
 * (keeping the typed text) and the reason, which the page shows.
 */
export function parseSearchPage(src: Record<string, string | string[] | undefined>): { query: SearchQuery; error?: string } {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(src)) {
    const v = Array.isArray(value) ? value[0] : value;
    if (v !== undefined && v.trim() !== '') flat[key] = v;
  }
  try {
    return { query: toQuery(parseInput(searchPageSchema, flat)) };
  } catch (err) {
    return { query: { ...EMPTY_QUERY, q: (flat.q ?? '').slice(0, MAX_QUERY_CHARS) }, error: (err as Error).message };
  }
}
