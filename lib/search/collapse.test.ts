import { describe, expect, it } from 'vitest';
import { collapsePage, type CollapseSource } from './collapse';
import { collapseGroups } from './fuse';

/** A seeded generator (mulberry32), so a failure replays. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A source over a fixed id → group map that records what it was asked. */
function source(groups: Map<number, number>) {
  const asked: number[] = [];
  const src: CollapseSource = {
    groupsOf: async (ids) => {
      asked.push(...ids);
      return new Map(ids.filter((id) => groups.has(id)).map((id) => [id, groups.get(id)!]));
    },
    membersOf: async (gids) => new Map([...groups].filter(([, g]) => gids.includes(g))),
  };
  return { src, asked };
}

describe('collapsePage', () => {
  it('gives the page and hasMore of collapseGroups over the whole order, on random orders and groups', async () => {
    const r = rng(11);
    for (let trial = 0; trial < 400; trial++) {
      const n = Math.floor(r() * 120);
      const order = Array.from({ length: n }, (_, i) => i + 1).sort(() => r() - 0.5);
      // Anything from no groups to most ids in a few big groups; some group members outside the order.
      const nGroups = 1 + Math.floor(r() * 20);
      const share = r();
      const groups = new Map<number, number>();
      for (let id = 1; id <= n + 30; id++) if (r() < share) groups.set(id, 1000 + Math.floor(r() * nGroups));
      const k = 1 + Math.floor(r() * 12);
      const offset = Math.floor(r() * 3) * k;
      const full = collapseGroups(order, (id) => groups.get(id));
      const got = await collapsePage(order, offset, k, source(groups).src);
      expect(got.page, `trial ${trial}`).toEqual(full.slice(offset, offset + k));
      expect(got.hasMore, `trial ${trial}`).toBe(full.length > offset + k);
    }
  });

  it('looks up the groups of a page-sized prefix only when nothing collapses', async () => {
    const order = Array.from({ length: 200 }, (_, i) => i + 1);
    const { src, asked } = source(new Map());
    const got = await collapsePage(order, 0, 24, src);
    expect(got.page.map((g) => g.id)).toEqual(order.slice(0, 24));
    expect(got.hasMore).toBe(true);
    expect(asked).toEqual(order.slice(0, 25));
  });

  it('extends the prefix when collapsing removed hits, and lists a head\'s mates found past the prefix', async () => {
    const order = Array.from({ length: 100 }, (_, i) => i + 1);
    // 1..10 one group (one head), 60 and 90 in the group of 11.
    const groups = new Map<number, number>([...Array.from({ length: 10 }, (_, i) => [i + 1, 1] as [number, number]), [11, 11], [60, 11], [90, 11]]);
    const { src, asked } = source(groups);
    const got = await collapsePage(order, 0, 5, src);
    expect(got.page).toEqual([
      { id: 1, similar: [2, 3, 4, 5, 6, 7, 8, 9, 10] },
      { id: 11, similar: [60, 90] },
      { id: 12, similar: [] },
      { id: 13, similar: [] },
      { id: 14, similar: [] },
    ]);
    expect(asked.length).toBeLessThan(30);
  });
});
