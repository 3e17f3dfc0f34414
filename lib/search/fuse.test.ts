import { describe, expect, it } from 'vitest';
import { collapseGroups, fuseRanks, orderCandidates } from './fuse';

describe('fuseRanks (reciprocal rank fusion)', () => {
  it('puts what both signals found first, then alternates the rest by rank', () => {
    expect(fuseRanks([{ ids: [1, 2, 3], weight: 1 }, { ids: [4, 3, 5], weight: 1 }])).toEqual([3, 1, 4, 2, 5]);
  });
  it('follows the weights, and keeps one list as it is', () => {
    expect(fuseRanks([{ ids: [1, 2], weight: 1 }, { ids: [3, 4], weight: 2 }])).toEqual([3, 4, 1, 2]);
    expect(fuseRanks([{ ids: [9, 8, 7], weight: 1 }])).toEqual([9, 8, 7]);
    expect(fuseRanks([])).toEqual([]);
  });
});

describe('collapseGroups', () => {
  it('keeps the best of each group and lists the others under it', () => {
    const group = new Map([[2, 100], [5, 100], [7, 100], [3, 200], [6, 200]]);
    expect(collapseGroups([1, 2, 3, 4, 5, 6, 7], (id) => group.get(id))).toEqual([
      { id: 1, similar: [] },
      { id: 2, similar: [5, 7] },
      { id: 3, similar: [6] },
      { id: 4, similar: [] },
    ]);
  });
});

describe('orderCandidates', () => {
  // 1 and 2: the nearest vectors; 9: a rare word's only keyword match, far from the query's vector
  // (found beyond the nearest-vector pool, its cosine computed from its stored vector).
  const cands = [
    { id: 1, cosine: 0.9 },
    { id: 2, cosine: 0.8 },
    { id: 9, cosine: 0.1, keywordRank: 1 },
  ];
  it('hybrid: a keyword match beyond the semantic pool still has a semantic rank, and beats a semantic-only first hit', () => {
    const r = orderCandidates('hybrid', cands);
    expect(r.order).toEqual([9, 1, 2]);
    expect([...r.semanticRank]).toEqual([[1, 1], [2, 2], [9, 3]]);
  });
  it('semantic and keyword rankings use one signal; with no cosine at all (a filter-only query) the keyword list', () => {
    expect(orderCandidates('semantic', cands).order).toEqual([1, 2, 9]);
    expect(orderCandidates('keyword', cands).order).toEqual([9]);
    const browse = [{ id: 5, keywordRank: 2 }, { id: 4, keywordRank: 1 }];
    for (const r of ['hybrid', 'semantic', 'keyword'] as const) expect(orderCandidates(r, browse).order).toEqual([4, 5]);
  });
});
