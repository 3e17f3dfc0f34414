/**
 * The search query language. It never fails: anything it does not understand is taken as words,
 * and an unmatched quote is an ordinary character.
 *
 *   red dress               words: found by meaning (CLIP) and as words (keyword index)
 *   "exact phrase"          must appear as written (caption, text in the image or file name)
 *   -word  -"a phrase"      leave out results that contain it, and push the meaning away from it
 *   word^2  "a phrase"^3    weight (0 < w ≤ 10): counts w times as much, by meaning and as words
 *   dataset:NAME  dataset:"a name"   format:png   width>=640  height<480  (>= > <= < = or :)
 *   added>=2026-01-01       the day an image was added (UTC), same comparisons
 *   has:text                only images with text found in them (OCR)
 *   sort:new                newest first, among the results that pass the score cut-off
 *
 * Weights are written `^w` after the word or phrase (Lucene's syntax), not `2:red dress`, because
 * `name:value` already means a filter and a suffix leaves no doubt about what it applies to.
 */
import type { Comparison, NumberFilter, ParsedQuery, QueryFilters, QueryTerm, Span } from './types';

const FORMATS: Record<string, string> = { png: 'png', jpeg: 'jpeg', jpg: 'jpeg', webp: 'webp', gif: 'gif', tiff: 'tiff', tif: 'tiff', avif: 'avif', heif: 'heif' };
const MAX_WEIGHT = 10;
const MAX_DIMENSION = 1_000_000;

/** Control characters (C0, DEL, C1, and the Unicode line/paragraph separators) become spaces. */
export function cleanQueryText(raw: string): string {
  // eslint-disable-next-line no-control-regex
  return raw.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);

function weightOf(s: string): number | undefined {
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(s)) return undefined;
  const w = Number(s);
  return w > 0 && w <= MAX_WEIGHT ? w : undefined;
}

const COMPARE = /^(width|height|added)(>=|<=|>|<|=|:)(.+)$/i;

/**
 * A calendar day from 0001-01-01 to 9998-12-31: the filter compares against the next day too, and
 * 9999-12-31's next day has a five-digit year that neither PostgreSQL's timestamp cast nor
 * SQLite's text comparison takes; year 0 is out of PostgreSQL's range.
 */
function validDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const year = Number(s.slice(0, 4));
  if (year < 1 || year > 9998) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

/** A token that is a filter (or sort), applied to `q`; false when it is not one (then it is a word). */
function applyFilter(token: string, value: string, span: Span, q: ParsedQuery): boolean {
  const f: QueryFilters = q.filters;
  const colon = token.indexOf(':');
  const key = colon > 0 ? token.slice(0, colon).toLowerCase() : '';
  if (key === 'dataset' && value) return (f.dataset = { value, span }), true;
  if (key === 'format' && FORMATS[value.toLowerCase()]) return (f.format = { value: FORMATS[value.toLowerCase()], span }), true;
  if (key === 'has' && value.toLowerCase() === 'text') return (f.hasText = { span }), true;
  if (key === 'sort' && /^(new|newest|relevance)$/i.test(value)) {
    q.sort = value.toLowerCase() === 'relevance' ? 'relevance' : 'new';
    q.sortSpan = span;
    return true;
  }
  const m = COMPARE.exec(token);
  if (!m) return false;
  const field = m[1].toLowerCase();
  const op = (m[2] === ':' ? '=' : m[2]) as Comparison;
  if (field === 'added') {
    if (!validDay(m[3])) return false;
    f.added.push({ op, value: m[3], span });
    return true;
  }
  if (!/^\d+$/.test(m[3]) || Number(m[3]) > MAX_DIMENSION) return false;
  f.sizes.push({ field: field as NumberFilter['field'], op, value: Number(m[3]), span });
  return true;
}

/** Parse a query; never throws (limits are checked by checkQueryLimits). */
export function parseQuery(raw: string): ParsedQuery {
  const s = cleanQueryText(raw);
  const q: ParsedQuery = { source: s, terms: [], exclude: [], filters: { sizes: [], added: [] }, sort: 'relevance' };
  const n = s.length;
  let i = 0;
  const tokenEnd = (from: number) => {
    let j = from;
    while (j < n && !isSpace(s[j])) j++;
    return j;
  };
  const pushTerm = (neg: boolean, t: QueryTerm) => (neg ? q.exclude : q.terms).push(t);

  while (i < n) {
    while (i < n && isSpace(s[i])) i++;
    if (i >= n) break;
    const start = i;
    let neg = false;
    if (s[i] === '-' && i + 1 < n && !isSpace(s[i + 1])) {
      neg = true;
      i++;
    } else if (s[i] === '-' && (i + 1 >= n || isSpace(s[i + 1]))) {
      i++; // a lone "-" excludes nothing: skipped
      continue;
    }
    if (s[i] === '"') {
      const close = s.indexOf('"', i + 1);
      if (close > i) {
        const text = s.slice(i + 1, close).trim().replace(/\s+/g, ' ');
        const end = tokenEnd(close + 1);
        const suffix = s.slice(close + 1, end);
        const w = suffix.startsWith('^') ? weightOf(suffix.slice(1)) : undefined;
        if (text) pushTerm(neg, { text, phrase: true, weight: w ?? 1, span: [start, w !== undefined ? end : close + 1] });
        if (w === undefined && suffix) pushTerm(false, { text: suffix, phrase: false, weight: 1, span: [close + 1, end] });
        i = end;
        continue;
      }
      // Unmatched quote: an ordinary character of the word that follows.
    }
    // filter:"quoted value"
    const qv = /^(dataset|format|has|sort):"/i.exec(s.slice(i, i + 9));
    if (!neg && qv) {
      const close = s.indexOf('"', i + qv[0].length);
      if (close > 0) {
        const value = s.slice(i + qv[0].length, close).trim();
        const end = close + 1;
        if (applyFilter(s.slice(i, end), value, [start, end], q)) {
          i = end;
          continue;
        }
      }
    }
    const end = tokenEnd(i);
    const token = s.slice(i, end);
    i = end;
    const colon = token.indexOf(':');
    if (!neg && applyFilter(token, colon > 0 ? token.slice(colon + 1) : '', [start, end], q)) continue;
    const caret = token.lastIndexOf('^');
    const w = caret > 0 ? weightOf(token.slice(caret + 1)) : undefined;
    pushTerm(neg, { text: w !== undefined ? token.slice(0, caret) : token, phrase: false, weight: w ?? 1, span: [start, end] });
  }
  return q;
}

/** Whether the query has anything to look for (words, phrases) beyond filters and exclusions. */
export const hasPositiveText = (q: ParsedQuery): boolean => q.terms.length > 0;

/** Whether it narrows the results at all (a filter or an exclusion). */
export const hasFilters = (q: ParsedQuery): boolean => {
  const f = q.filters;
  return !!(f.dataset || f.format || f.hasText || f.sizes.length || f.added.length || q.exclude.length);
};

/** How many pieces the query has (the limit on terms counts these). */
export const pieceCount = (q: ParsedQuery): number =>
  q.terms.length + q.exclude.length + q.filters.sizes.length + q.filters.added.length + Number(!!q.filters.dataset) + Number(!!q.filters.format) + Number(!!q.filters.hasText);

/**
 * The text CLIP embeds: the positive words and phrases, unweighted ones together in their order
 * (CLIP reads a description better than separate words), each weighted one on its own.
 */
export function semanticParts(q: ParsedQuery): { text: string; weight: number }[] {
  const plain = q.terms.filter((t) => t.weight === 1).map((t) => t.text);
  const parts = plain.length ? [{ text: plain.join(' '), weight: 1 }] : [];
  for (const t of q.terms) if (t.weight !== 1) parts.push({ text: t.text, weight: t.weight });
  return parts;
}
