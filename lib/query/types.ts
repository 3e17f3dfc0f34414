/** The parsed search query (lib/query/parse.ts makes it; lib/search runs it). */

/** A comparison in a filter: `width>=640`, `added<2026-01-01`. `:` is read as `=`. */
export type Comparison = '>=' | '>' | '<=' | '<' | '=';

/** Where in the (cleaned) query text an element came from: [start, end) — a chip removes it. */
export type Span = [number, number];

/** A word or a "quoted phrase": positive (find it) or excluded (`-word`, `-"phrase"`). */
export interface QueryTerm {
  text: string;
  /** Quoted: must appear as written (keyword), all of it. */
  phrase: boolean;
  /** `word^2`: counts twice as much (semantic and keyword). 1 when not given. */
  weight: number;
  span: Span;
}

export interface NumberFilter {
  field: 'width' | 'height';
  op: Comparison;
  value: number;
  span: Span;
}

export interface DateFilter {
  op: Comparison;
  /** YYYY-MM-DD (UTC day), as written. */
  value: string;
  span: Span;
}

export interface QueryFilters {
  dataset?: { value: string; span: Span };
  format?: { value: string; span: Span };
  sizes: NumberFilter[];
  added: DateFilter[];
  /** `has:text`: only images with text found in them (OCR). */
  hasText?: { span: Span };
}

export type QuerySort = 'relevance' | 'new';

export interface ParsedQuery {
  /** The query text the spans point into: control characters replaced by spaces. */
  source: string;
  terms: QueryTerm[];
  exclude: QueryTerm[];
  filters: QueryFilters;
  sort: QuerySort;
  sortSpan?: Span;
}

/** A removable piece of the query as the search page shows it. */
export interface QueryChip {
  kind: 'word' | 'phrase' | 'exclude' | 'filter' | 'sort';
  /** What the chip says, e.g. `"red dress"`, `not cat`, `width ≥ 640`. */
  label: string;
  /** The query text with this piece taken out. */
  without: string;
}
