import { describe, expect, it } from 'vitest';
import { changeCollections, collectionSearchHref, EMPTY_COLLECTIONS, inCurrent, MAX_QUERY_IMAGES, parseCollections, type CollectionItem } from './collections';

const item = (id: number): CollectionItem => ({ imageId: id, caption: `c${id}`, dataset: 'd', thumbUrl: `/api/thumbs/${id}`, imageUrl: `/api/images/${id}`, width: 72, height: 72 });

describe('collections', () => {
  it('the first Keep creates the default collection and adds to it; a second Keep removes', () => {
    let s = changeCollections(EMPTY_COLLECTIONS, { op: 'toggle', item: item(1), defaultName: 'My images' });
    expect(s.current).toBe('My images');
    expect(inCurrent(s, 1)).toBe(true);
    s = changeCollections(s, { op: 'toggle', item: item(1), defaultName: 'My images' });
    expect(inCurrent(s, 1)).toBe(false);
    expect(s.collections).toHaveLength(1);
  });

  it('keeps images across collections by name; refuses an empty or taken name', () => {
    let s = changeCollections(EMPTY_COLLECTIONS, { op: 'create', name: ' red ' });
    s = changeCollections(s, { op: 'toggle', item: item(1), defaultName: 'x' });
    expect(changeCollections(s, { op: 'create', name: 'red' })).toBe(s);
    expect(changeCollections(s, { op: 'create', name: '  ' })).toBe(s);
    s = changeCollections(s, { op: 'create', name: 'blue' });
    expect(s.current).toBe('blue');
    s = changeCollections(s, { op: 'toggle', item: item(2), defaultName: 'x' });
    expect(s.collections.map((c) => [c.name, c.items.map((i) => i.imageId)])).toEqual([['red', [1]], ['blue', [2]]]);
    s = changeCollections(s, { op: 'delete', name: 'blue' });
    expect(s.current).toBe('red');
  });

  it('reads back what it stored, and drops damaged storage instead of throwing', () => {
    const s = changeCollections(EMPTY_COLLECTIONS, { op: 'toggle', item: item(5), defaultName: 'k' });
    expect(parseCollections(JSON.stringify(s))).toEqual(s);
    expect(parseCollections('{not json')).toEqual(EMPTY_COLLECTIONS);
    expect(parseCollections(JSON.stringify({ current: 'gone', collections: [{ name: 'a', items: [{ imageId: -1 }, item(3)] }] }))).toEqual({
      current: 'a',
      collections: [{ name: 'a', items: [item(3)] }],
    });
  });

  it('searches with at most MAX_QUERY_IMAGES ids', () => {
    const many = { name: 'm', items: Array.from({ length: MAX_QUERY_IMAGES + 5 }, (_, i) => item(i + 1)) };
    const href = collectionSearchHref(many)!;
    expect(href.startsWith('/?like=1,2,3')).toBe(true);
    expect(href.split(',')).toHaveLength(MAX_QUERY_IMAGES);
    expect(collectionSearchHref({ name: 'e', items: [] })).toBeNull();
  });
});
