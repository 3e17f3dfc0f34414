/**
 * The parsed query as removable chips (the search page shows them): each says what one piece
 * does and carries the query text without that piece, so removing a chip is a new URL.
 */
import type { ParsedQuery, QueryChip, Span } from './types';

const OPS: Record<string, string> = { '>=': '≥', '<=': '≤', '>': '>', '<': '<', '=': '=' };

/** `source` without the text at `span`, spaces tidied. */
export function removeSpan(source: string, span: Span): string {
  return `${source.slice(0, span[0])} ${source.slice(span[1])}`.replace(/\s+/g, ' ').trim();
}

export function queryChips(q: ParsedQuery): QueryChip[] {
  const out: (QueryChip & { at: number })[] = [];
  const add = (kind: QueryChip['kind'], label: string, span: Span) => out.push({ kind, label, without: removeSpan(q.source, span), at: span[0] });
  const w = (weight: number) => (weight !== 1 ? ` ×${weight}` : '');
  for (const t of q.terms) add(t.phrase ? 'phrase' : 'word', `${t.phrase ? `“${t.text}”` : t.text}${w(t.weight)}`, t.span);
  for (const t of q.exclude) add('exclude', `not ${t.phrase ? `“${t.text}”` : t.text}`, t.span);
  const f = q.filters;
  if (f.dataset) add('filter', `dataset: ${f.dataset.value}`, f.dataset.span);
  if (f.format) add('filter', `format: ${f.format.value}`, f.format.span);
  for (const s of f.sizes) add('filter', `${s.field} ${OPS[s.op]} ${s.value}`, s.span);
  for (const a of f.added) add('filter', `added ${OPS[a.op]} ${a.value}`, a.span);
  if (f.hasText) add('filter', 'has text in image', f.hasText.span);
  if (q.sortSpan) add('sort', q.sort === 'new' ? 'newest first' : 'by relevance', q.sortSpan);
  return out.sort((a, b) => a.at - b.at).map(({ at: _at, ...c }) => (void _at, c));
}
