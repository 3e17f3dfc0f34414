/**
 * issue 13 (target 3): a filtered semantic search picks its way (lib/search/semantic.ts nearest):
 * exact among few labels (the index's native brute force, kept per label set while the index does
 * not change), the unfiltered search's first matches when most labels pass, the filter callback
 * otherwise. Each way must give the exact answer on an index small enough for HNSW to be exact.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { HnswIndex } from '../../lib/index';
import { EXACT_MAX_FLOATS, nearest, POST_FILTER_FRACTION } from '../../lib/search/semantic';
import { exactTopK, unit, unitVectors } from './vector-helpers';

const DIM = 32;
const N = 2_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-filtered-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const vec = unitVectors(DIM, 7);
const vectors = new Map<number, Float32Array>();
const index = HnswIndex.create({ dir, kind: 'image', modelId: 'm', dim: DIM, m: 16, efConstruction: 200, efSearch: 768 });
const labels = Array.from({ length: N }, (_, i) => i + 1);
for (const l of labels) vectors.set(l, vec());
index.add(labels, labels.map((l) => vectors.get(l)!));

/** The exact top `k` among `allowed`, without the labels in `exclude`. */
const exact = (q: Float32Array, k: number, allowed: Iterable<number>, exclude?: ReadonlySet<number>) => exactTopK(vectors, q, k, allowed, exclude);

describe('filtered semantic search', () => {
  it('few labels: exact, through the native brute force built off the first search, with the same scores as the index', async () => {
    const allowed = new Set(labels.filter((l) => l % 37 === 0)); // 54 labels
    expect(allowed.size * DIM).toBeLessThanOrEqual(EXACT_MAX_FLOATS);
    const searchAmong = vi.spyOn(index, 'searchAmong');
    const q0 = vec();
    // the first search of a filter starts the build and is answered another way (here exactly too)
    expect((await nearest(index, q0, 10, allowed, undefined, { key: 'few' })).map((h) => h.label)).toEqual(exact(q0, 10, allowed));
    expect(searchAmong.mock.results[0].value).toBeUndefined();
    await index.exactReady('few');
    for (let i = 0; i < 20; i++) {
      const q = vec();
      const hits = await nearest(index, q, 10, allowed, undefined, { key: 'few' });
      expect(searchAmong.mock.results.at(-1)!.value).toBeDefined(); // answered by the brute force
      expect(hits.map((h) => h.label)).toEqual(exact(q, 10, allowed));
      const dot = vectors.get(hits[0].label)!.reduce((s, x, j) => s + x * q[j], 0);
      expect(hits[0].score).toBeCloseTo(dot, 5);
      // the query images of a "like" search are left out, and the rest still fills the page
      const exclude = new Set(hits.slice(0, 3).map((h) => h.label));
      expect((await nearest(index, q, 10, allowed, exclude, { key: 'few' })).map((h) => h.label)).toEqual(exact(q, 10, allowed, exclude));
    }
    searchAmong.mockRestore();
  });

  it('brings a filter’s brute force up to date with adds, deletes, replaced vectors and a new label set', async () => {
    const q = vec();
    const top = async (allowed: Set<number>) => {
      const hits = index.searchAmong(q, 10, allowed, 'follow');
      expect(hits).toBeDefined();
      return hits!.map((h) => h.label);
    };
    const first = new Set([3, 5, 7, 11, 13, 10_001]); // 10,001 is not in the index yet
    expect(index.searchAmong(q, 10, first, 'follow')).toBeUndefined(); // building
    await index.exactReady('follow');
    expect((await top(first)).sort((a, b) => a - b)).toEqual([3, 5, 7, 11, 13]);
    vectors.set(10_001, q); // the query itself: the best match once it is there
    index.add([10_001], [q]);
    expect((await top(first))[0]).toBe(10_001);
    index.remove([10_001, 7]);
    vectors.delete(10_001);
    vectors.delete(7);
    expect((await top(first)).sort((a, b) => a - b)).toEqual([3, 5, 11, 13]);
    // another set for the same filter (the next version of its labels): 17 in, 3 out
    expect((await top(new Set([5, 11, 13, 17]))).sort((a, b) => a - b)).toEqual([5, 11, 13, 17]);
    // two versions of the set in turn (searches in flight hold an older one): 17, the newest
    // label of the brute force, leaves and comes back, again and again
    for (let i = 0; i < 4; i++) {
      expect((await top(new Set([3, 5, 11, 13]))).sort((a, b) => a - b)).toEqual([3, 5, 11, 13]);
      expect((await top(new Set([5, 11, 13, 17]))).sort((a, b) => a - b)).toEqual([5, 11, 13, 17]);
    }
    // fewer asked than pass: still the exact best ones
    const few = new Set([3, 5, 11, 13, 17]);
    expect(index.searchAmong(q, 2, few, 'follow')!.map((h) => h.label)).toEqual(exact(q, 2, few));
    // a vector replaced in place: the brute force is rebuilt, not left stale
    const moved = unit(q.map((x) => -x));
    vectors.set(5, moved);
    index.add([5], [moved]);
    const again = new Set([5, 11, 13, 17]);
    expect(index.searchAmong(q, 10, again, 'follow')).toBeUndefined();
    await index.exactReady('follow');
    const order = await top(again);
    expect(order.at(-1)).toBe(5); // now the farthest
    expect(order).toEqual(exact(q, 10, again));
  });

  it('drops every brute force when the graph is replaced (clear, load)', async () => {
    const small = HnswIndex.create({ dir, kind: 'image', modelId: 'm', dim: DIM, m: 16, efConstruction: 100, efSearch: 64 });
    small.add([1, 2, 3], [vec(), vec(), vec()]);
    const set = new Set([1, 2, 3]);
    expect(small.searchAmong(vec(), 3, set, 'c')).toBeUndefined();
    await small.exactReady('c');
    expect(small.searchAmong(vec(), 3, set, 'c')).toHaveLength(3);
    small.clear();
    expect(small.searchAmong(vec(), 3, set, 'c')).toBeUndefined(); // a new graph: built again
    await small.exactReady('c');
    expect(small.searchAmong(vec(), 3, set, 'c')).toEqual([]); // and it is empty
  });

  it('rebuilds a filter’s brute force off the request when many labels join at once', async () => {
    const before = new Set(labels.slice(0, 100));
    expect(index.searchAmong(vec(), 10, before, 'grow')).toBeUndefined();
    await index.exactReady('grow');
    expect(index.searchAmong(vec(), 10, before, 'grow')).toHaveLength(10);
    const added = Array.from({ length: 600 }, (_, i) => 20_001 + i);
    for (const l of added) vectors.set(l, vec());
    index.add(added, added.map((l) => vectors.get(l)!));
    const after = new Set([...before, ...added]);
    const q = vec();
    expect(index.searchAmong(q, 10, after, 'grow')).toBeUndefined(); // over 500 new: rebuilt meanwhile
    expect((await nearest(index, q, 10, after, undefined, { key: 'grow' })).map((h) => h.label)).toEqual(exact(q, 10, after)); // answered another way
    await index.exactReady('grow');
    expect(index.searchAmong(q, 10, after, 'grow')!.map((h) => h.label)).toEqual(exact(q, 10, after));
  });

  it('without the exact way: most labels take the unfiltered search’s first matches, a small share the callback; both exact here', async () => {
    const searchAmong = vi.spyOn(index, 'searchAmong');
    const search = vi.spyOn(index, 'search');
    const half = new Set(labels.filter((l) => l % 2 === 0));
    const twentieth = new Set(labels.filter((l) => l % 20 === 0)); // 5 %: under POST_FILTER_FRACTION
    expect(twentieth.size).toBeLessThan(N * POST_FILTER_FRACTION);
    for (let i = 0; i < 10; i++) {
      const q = vec();
      search.mockClear();
      expect((await nearest(index, q, 10, half, undefined, { exactMaxFloats: 0 })).map((h) => h.label)).toEqual(exact(q, 10, half));
      expect(search.mock.calls.map((c) => typeof c[2])).toEqual(['undefined']); // no callback
      search.mockClear();
      expect((await nearest(index, q, 10, twentieth, undefined, { exactMaxFloats: 0 })).map((h) => h.label)).toEqual(exact(q, 10, twentieth));
      expect(search.mock.calls.map((c) => typeof c[2])).toEqual(['function']);
    }
    expect(searchAmong).not.toHaveBeenCalled();
    search.mockRestore();
    searchAmong.mockRestore();
  });
});
