import { describe, expect, it } from 'vitest';
import { parseQuery, pieceCount, semanticParts } from './parse';
import { queryChips, removeSpan } from './chips';
import { MAX_QUERY_CHARS, MAX_QUERY_PIECES, parseQueryChecked } from './limits';

const words = (raw: string) => parseQuery(raw).terms.map((t) => [t.text, t.phrase, t.weight]);

describe('parseQuery', () => {
  it('reads words, phrases, exclusions and weights', () => {
    const q = parseQuery('red "summer dress"^2 -cat -"blue sky" bus^3');
    expect(q.terms.map((t) => [t.text, t.phrase, t.weight])).toEqual([
      ['red', false, 1],
      ['summer dress', true, 2],
      ['bus', false, 3],
    ]);
    expect(q.exclude.map((t) => [t.text, t.phrase])).toEqual([
      ['cat', false],
      ['blue sky', true],
    ]);
    expect(semanticParts(q)).toEqual([
      { text: 'red', weight: 1 },
      { text: 'summer dress', weight: 2 },
      { text: 'bus', weight: 3 },
    ]);
  });

  it('reads every filter, and sort', () => {
    const q = parseQuery('dataset:"my set" format:JPG width>=640 height<480 added>=2026-01-01 has:text sort:new cat');
    expect(q.filters.dataset?.value).toBe('my set');
    expect(q.filters.format?.value).toBe('jpeg');
    expect(q.filters.sizes.map((s) => [s.field, s.op, s.value])).toEqual([
      ['width', '>=', 640],
      ['height', '<', 480],
    ]);
    expect(q.filters.added.map((a) => [a.op, a.value])).toEqual([['>=', '2026-01-01']]);
    expect(q.filters.hasText).toBeDefined();
    expect(q.sort).toBe('new');
    expect(words(q.source)).toEqual([['cat', false, 1]]);
    expect(parseQuery('width:100').filters.sizes[0]).toMatchObject({ op: '=', value: 100 });
  });

  it('never fails: unknown or malformed syntax is words, an unmatched quote is literal', () => {
    expect(words('colour:red has:wings format:bmp width>=abc added>=2026-13-45')).toEqual([
      ['colour:red', false, 1],
      ['has:wings', false, 1],
      ['format:bmp', false, 1],
      ['width>=abc', false, 1],
      ['added>=2026-13-45', false, 1],
    ]);
    // Days whose next day or whose year the databases cannot compare stay words (not a 500 on PostgreSQL).
    expect(words('added<=9999-12-31 added>=0000-01-01')).toEqual([
      ['added<=9999-12-31', false, 1],
      ['added>=0000-01-01', false, 1],
    ]);
    expect(parseQuery('added<=9998-12-31').filters.added.map((a) => a.value)).toEqual(['9998-12-31']);
    expect(words('red "dress')).toEqual([
      ['red', false, 1],
      ['"dress', false, 1],
    ]);
    expect(words('a^0 b^11 c^ ^')).toEqual([
      ['a^0', false, 1],
      ['b^11', false, 1],
      ['c^', false, 1],
      ['^', false, 1],
    ]);
    expect(words('"" "  "')).toEqual([]);
    expect(words('QX-4471 well-known')).toEqual([
      ['QX-4471', false, 1],
      ['well-known', false, 1],
    ]);
  });

  it('takes a lone "-", only operators and control characters without failing', () => {
    expect(parseQuery('-').terms).toEqual([]);
    expect(parseQuery('- - -').exclude).toEqual([]);
    const ops = parseQuery('"" - ^ :');
    expect(ops.exclude).toEqual([]);
    expect(ops.terms.map((t) => t.text)).toEqual(['^', ':']);
    const ctl = parseQuery('red\u0000dress\u001b[31m\u2028x');
    expect(ctl.source).not.toMatch(/[\u0000-\u001f\u2028]/);
    expect(ctl.terms.map((t) => t.text)).toEqual(['red', 'dress', '[31m', 'x']);
  });

  it('keeps Chinese as words', () => {
    expect(words('红烧牛肉面 -辣')).toEqual([['红烧牛肉面', false, 1]]);
    expect(parseQuery('红烧牛肉面 -辣').exclude[0].text).toBe('辣');
  });
});

describe('limits', () => {
  it('refuses a 100 KB query and too many pieces with the limit in the message', () => {
    expect(() => parseQueryChecked('a'.repeat(100 * 1024))).toThrow(new RegExp(`limit is ${MAX_QUERY_CHARS}`));
    const many = Array.from({ length: MAX_QUERY_PIECES + 1 }, (_, i) => `w${i}`).join(' ');
    expect(many.length).toBeLessThanOrEqual(MAX_QUERY_CHARS);
    expect(() => parseQueryChecked(many)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining(`limit is ${MAX_QUERY_PIECES}`) }));
    expect(pieceCount(parseQueryChecked('a b -c dataset:x'))).toBe(4);
  });
});

describe('chips', () => {
  it('name each piece and rewrite the query without it', () => {
    const q = parseQuery('red "summer dress" -cat width>=640 sort:new');
    const chips = queryChips(q);
    expect(chips.map((c) => [c.kind, c.label, c.without])).toEqual([
      ['word', 'red', '"summer dress" -cat width>=640 sort:new'],
      ['phrase', '“summer dress”', 'red -cat width>=640 sort:new'],
      ['exclude', 'not cat', 'red "summer dress" width>=640 sort:new'],
      ['filter', 'width ≥ 640', 'red "summer dress" -cat sort:new'],
      ['sort', 'newest first', 'red "summer dress" -cat width>=640'],
    ]);
    // Removing a chip and parsing again leaves the others.
    const again = parseQuery(chips[2].without);
    expect(again.exclude).toEqual([]);
    expect(again.terms.length).toBe(2);
    expect(removeSpan('a  b  c', [3, 4])).toBe('a c');
  });
});
