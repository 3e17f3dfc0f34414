/**
 * lib/query — the search query language (pure: no database, no model): `parseQuery` never fails
 * (unknown syntax is words), `parseQueryChecked` adds the length limits, `queryChips` turns a
 * parsed query into removable chips. parse.ts documents the syntax.
 */
export { parseQuery, cleanQueryText, hasPositiveText, hasFilters, pieceCount, semanticParts } from './parse';
export { queryChips, removeSpan } from './chips';
export { parseQueryChecked, MAX_QUERY_CHARS, MAX_QUERY_PIECES } from './limits';
export type { ParsedQuery, QueryTerm, QueryFilters, QueryChip, QuerySort, Comparison, NumberFilter, DateFilter, Span } from './types';
