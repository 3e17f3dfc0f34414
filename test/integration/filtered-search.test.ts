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

const DIM = 32;
const N = 2_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-filtered-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let seed = 7;
const rand = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32 - 0.5;
};
const unit = (v: Float32Array) => {
  const r = 1 / Math.hypot(...v);
  return v.map((x) => x * r);
};
const vec = () => unit(Float32Array.from({ length: DIM }, rand));
const vectors = new Map<number, Float32Array>();
const index = HnswIndex.create({ dir, kind: 'image', modelId: 'm', dim: DIM, m: 16, efConstruction: 200, efSearch: 768 });
const labels = Array.from({ length: N }, (_, i) => i + 1);
for (const l of labels) vectors.set(l, vec());
index.add(labels, labels.map((l) => vectors.get(l)!));

/** The exact top `k` among `allowed`, without the labels in `exclude`. */
function exact(q: Float32Array, k: number, allowed: Iterable<number>, exclude: ReadonlySet<number> = new Set()): number[] {
  const dot = (v: Float32Array) => v.reduce((s, x, i) => s + x * q[i], 0);
  return [...allowed]
    .filter((l) => vectors.has(l) && !exclude.has(l))
    .map((l) => [l, dot(vectors.get(l)!)] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([l]) => l);
}

describe('filtered semantic search', () => {
  it('few labels: exact, through the native brute force, with the same scores as the index', async () => {
    const allowed = new Set(labels.filter((l) => l % 37 === 0)); // 54 labels
    expect(allowed.size * DIM).toBeLessThanOrEqual(EXACT_MAX_FLOATS);
    for (let i = 0; i < 20; i++) {
      const q = vec();
      const hits = await nearest(index, q, 10, allowed);
      expect(hits.map((h) => h.label)).toEqual(exact(q, 10, allowed));
      const dot = vectors.get(hits[0].label)!.reduce((s, x, j) => s + x * q[j], 0);
      expect(hits[0].score).toBeCloseTo(dot, 5);
      // the query images of a "like" search are left out, and the rest still fills the page
      const exclude = new Set(hits.slice(0, 3).map((h) => h.label));
      expect((await nearest(index, q, 10, allowed, exclude)).map((h) => h.label)).toEqual(exact(q, 10, allowed, exclude));
    }
  });

  it('keeps the brute force of a label set while the index is unchanged, and follows adds and deletes', async () => {
    const allowed = new Set([3, 5, 7, 11, 13, 10_001]); // 10,001 is not in the index yet
    const q = vec();
    expect((await nearest(index, q, 10, allowed)).map((h) => h.label).sort((a, b) => a - b)).toEqual([3, 5, 7, 11, 13]);
    vectors.set(10_001, q); // the query itself: the best match once it is there
    index.add([10_001], [q]);
    expect((await nearest(index, q, 10, allowed))[0].label).toBe(10_001);
    index.remove([10_001, 7]);
    vectors.delete(10_001);
    vectors.delete(7);
    expect((await nearest(index, q, 10, allowed)).map((h) => h.label).sort((a, b) => a - b)).toEqual([3, 5, 11, 13]);
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
