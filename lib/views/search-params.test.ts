import { describe, expect, it } from 'vitest';
import { MAX_LIKE_IDS, parseSearchGet, parseSearchPage, parseSearchPost } from './search-params';
import { EMPTY_QUERY, directionOf, searchHref, toSearchParams } from './search-query';

const get = (qs: string) => parseSearchGet(new URLSearchParams(qs));
const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
};
const SHA = 'a'.repeat(64);

describe('the search contract (GET/POST /api/search, the search page)', () => {
  it('parses each kind of query with defaults', () => {
    expect(get('q=dog')).toEqual({ query: { mode: 'image', ranking: 'hybrid', collapse: true, q: 'dog', like: undefined, qimg: undefined, k: 24, min: 0, dataset: '' }, offset: 0 });
    expect(get('q=%20dog%20&mode=text&k=5&offset=10&min=0.25&dataset=100%25%20cotton')).toEqual({
      query: { mode: 'text', ranking: 'hybrid', collapse: true, q: 'dog', like: undefined, qimg: undefined, k: 5, min: 0.25, dataset: '100% cotton' },
      offset: 10,
    });
    expect(get('like=42').query).toMatchObject({ like: 42, q: '' });
    expect(get(`qimg=${SHA}&mode=text`).query).toMatchObject({ qimg: SHA, mode: 'text' });
    expect(get('q=dog&like=').query.like).toBeUndefined(); // empty counts as absent
  });

  it('reads mode as what comes back and how images are ranked (issue 11), comma-separated or repeated', () => {
    expect(get('q=dog&mode=keyword').query).toMatchObject({ mode: 'image', ranking: 'keyword' });
    expect(get('q=dog&mode=text,semantic').query).toMatchObject({ mode: 'text', ranking: 'semantic' });
    expect(get('q=dog&mode=keyword,image').query).toMatchObject({ mode: 'image', ranking: 'keyword' });
    expect(get('q=dog&mode=text&mode=keyword').query).toMatchObject({ mode: 'text', ranking: 'keyword' });
    expect(refusal(() => get('q=dog&mode=image,text'))).toMatch(/at most one of each; got "image,text"/);
    expect(refusal(() => get('q=dog&mode=hybrid,keyword'))).toMatch(/at most one of each/);
    expect(refusal(() => get('q=dog&mode=fuzzy'))).toMatch(/"hybrid", "semantic", "keyword".*got "fuzzy"/);
    expect(get('q=dog&collapse=0').query.collapse).toBe(false);
    expect(refusal(() => get('q=dog&collapse=maybe'))).toBe('collapse must be one of "0", "1", "false", "true"; got "maybe"');
    // An image with a text ("this, but red").
    expect(get('like=42&q=red').query).toMatchObject({ like: 42, q: 'red' });
    expect(toSearchParams(get('like=42&q=red&mode=keyword&collapse=0').query).toString()).toBe('like=42&q=red&mode=keyword&collapse=0');
    expect(parseSearchPage({ q: 'dog', mode: ['text', 'keyword'] }).query).toMatchObject({ mode: 'text', ranking: 'keyword' });
  });

  it('refuses bad values naming the parameter and what is allowed, never ignoring them', () => {
    expect(refusal(() => get('q=dog&mode=t2i'))).toMatch(/^mode must be one of "image", "text" \(what comes back\).*; got "t2i"$/);
    expect(refusal(() => get('q=dog&mode=pictures'))).toMatch(/mode must be one of "image", "text"/);
    expect(refusal(() => get('q=dog&k=0'))).toBe('k must be an integer from 1 to 200');
    expect(refusal(() => get('q=dog&k=abc'))).toBe('k must be an integer from 1 to 200');
    expect(refusal(() => get('q=dog&k=1e9'))).toBe('k must be an integer from 1 to 200');
    expect(refusal(() => get('q=dog&offset=-5'))).toMatch(/^offset must be an integer from 0 to 9999$/);
    // one problem, said once (two checks on 1e18 word it the same way)
    expect(refusal(() => get('q=dog&offset=1e18'))).toMatch(/^offset must be an integer from 0 to 9999$/);
    expect(refusal(() => get('q=dog&min=NaN'))).toBe('min must be a number from 0 to 1');
    expect(refusal(() => get('q=dog&min=2'))).toBe('min must be a number from 0 to 1');
    expect(refusal(() => get('like=-1'))).toMatch(/like must be an image id/);
    expect(refusal(() => get('qimg=../../etc/passwd'))).toMatch(/qimg must be a query image id/);
    expect(refusal(() => get(`q=${'x'.repeat(501)}`))).toBe('q must be at most 500 characters');
    expect(refusal(() => get('q=dog&dataset=' + 'x'.repeat(101)))).toMatch(/dataset is a dataset name: at most 100/);
  });

  it('refuses unknown and repeated parameters, and anything but exactly one query', () => {
    expect(refusal(() => get('q=dog&limit=5'))).toBe('unknown parameter "limit" (allowed: q, like, qimg, mode, collapse, k, offset, min, dataset)');
    expect(refusal(() => get('q=dog&k=5&k=6'))).toBe('k is given more than once; give it once');
    expect(refusal(() => get(''))).toMatch(/^give q \(a text\), like \(a stored image id\) or qimg/);
    expect(refusal(() => get(`like=3&qimg=${SHA}`))).toMatch(/at most one image/);
    expect(refusal(() => get('k=5&mode=text'))).toMatch(/^give q/);
  });

  it('POST takes the image beside the same fields and a refining q, and no like/qimg', () => {
    const form = new FormData();
    form.set('image', new Blob([new Uint8Array([1, 2, 3])]), 'q.png');
    form.set('mode', 'text');
    form.set('k', '5');
    expect(parseSearchPost(form)).toEqual({ query: { mode: 'text', ranking: 'hybrid', collapse: true, q: '', like: undefined, qimg: undefined, k: 5, min: 0, dataset: '' }, offset: 0 });
    form.set('q', 'but red');
    expect(parseSearchPost(form).query.q).toBe('but red');
    form.set('like', '3');
    expect(refusal(() => parseSearchPost(form))).toMatch(/^unknown form field "like" \(allowed: q, mode, collapse, k, offset, min, dataset\)/);
  });

  it('the page reads the same URL, ignores foreign parameters, and reports a bad value instead of throwing', () => {
    expect(parseSearchPage({ q: 'dog', mode: 'text', utm_source: 'x' })).toEqual({ query: { ...EMPTY_QUERY, q: 'dog', mode: 'text', like: undefined, qimg: undefined } });
    expect(parseSearchPage({})).toEqual({ query: { ...EMPTY_QUERY, like: undefined, qimg: undefined } });
    const bad = parseSearchPage({ q: 'dog', mode: 'i2i' });
    expect(bad.error).toMatch(/mode must be one of "image", "text"/);
    expect(bad.query.q).toBe('dog');
  });

  it('serialises back to the same contract (page URL ↔ parse round trip)', () => {
    for (const qs of ['q=dog', 'q=dog&mode=text&k=48&min=0.3&dataset=a', 'like=42', `qimg=${SHA}&mode=text`]) {
      const { query } = get(qs);
      expect(toSearchParams(query).toString()).toBe(qs);
      expect(parseSearchPage(Object.fromEntries(new URLSearchParams(qs))).query).toEqual(query);
    }
    expect(searchHref(EMPTY_QUERY)).toBe('/');
    expect(directionOf(get('q=a&mode=text').query)).toBe('t2t');
    expect(directionOf(get('like=1&mode=text').query)).toBe('i2t');
  });
});

describe('like=<ids> (a collection as the query, issue 14)', () => {
  it('one id stays a number; several are a de-duplicated list; the URL keeps them', () => {
    expect(get('like=42').query.like).toBe(42);
    expect(get('like=3,1,3,2').query.like).toEqual([3, 1, 2]);
    expect(toSearchParams(get('like=3,1,2').query).toString()).toBe('like=3%2C1%2C2');
  });
  it('refuses a bad list, naming the rule', () => {
    for (const bad of ['like=1,,2', 'like=0,1', 'like=1,-2', 'like=a,b', `like=${Array.from({ length: MAX_LIKE_IDS + 1 }, (_, i) => i + 1).join(',')}`]) {
      expect(() => get(bad), bad).toThrow(/like must be an image id \(a positive integer\), or up to 50 of them separated by commas/);
    }
  });
});
