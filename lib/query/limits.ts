/**
 * Limits on a query, the same for the API, the page and the CLI. In its own module, free of
 * imports but the error type, so the browser bundle can use the numbers.
 */
import { AppError } from '../errors';
import { parseQuery, pieceCount } from './parse';
import type { ParsedQuery } from './types';

/** Longest query text, in characters. */
export const MAX_QUERY_CHARS = 500;
/** Most pieces (words, phrases, exclusions, filters) in one query. */
export const MAX_QUERY_PIECES = 64;

/** Parse `raw`, refusing a query over the limits with INVALID_INPUT naming them. */
export function parseQueryChecked(raw: string): ParsedQuery {
  if (raw.length > MAX_QUERY_CHARS) {
    throw new AppError('INVALID_INPUT', `the query is ${raw.length} characters long; the limit is ${MAX_QUERY_CHARS}`);
  }
  const q = parseQuery(raw);
  const n = pieceCount(q);
  if (n > MAX_QUERY_PIECES) throw new AppError('INVALID_INPUT', `the query has ${n} words, phrases and filters; the limit is ${MAX_QUERY_PIECES}`);
  return q;
}
