/**
 * Collapsing near-duplicates for one page without asking for the groups of every candidate.
 * Hybrid search fuses up to a few hundred candidates, but a page shows `k` of them: looking up
 * the group of each candidate cost 10–25 ms at 100,000 images (bench/RESULTS.md, issue 11), most
 * of hybrid's time over semantic-only. The result is the same as collapseGroups over the whole
 * order (lib/search/collapse.test.ts checks it against that on random inputs):
 * - whether an id heads its group depends only on the ids before it, so collapsing a prefix of the
 *   order gives the first heads exactly; the prefix grows in page-sized chunks until it holds one
 *   head more than the page needs (that one answers `hasMore`) or the whole order;
 * - a page head's mates after the prefix are found by its group id (one indexed query, only when
 *   a head on the page is in a group at all).
 */
import { collapseGroups } from './fuse';

export interface CollapseSource {
  /** Group id of each of `ids` that is in a group (others absent). */
  groupsOf(ids: number[]): Promise<Map<number, number>>;
  /** Every image of the given groups, as image id → group id. */
  membersOf(groupIds: number[]): Promise<Map<number, number>>;
}

export interface CollapsedPage {
  page: { id: number; similar: number[] }[];
  hasMore: boolean;
}

/** The page `offset`, `k` of `order` collapsed by group, as collapseGroups(order).slice would give it. */
export async function collapsePage(order: number[], offset: number, k: number, src: CollapseSource): Promise<CollapsedPage> {
  const need = offset + k + 1;
  const group = new Map<number, number>();
  let upto = 0;
  let heads: { id: number; similar: number[] }[] = [];
  while (upto < order.length) {
    // Page-sized chunks first; after that grow by what is still missing (at least a page).
    const next = order.slice(upto, upto + Math.max(k + 1, need - heads.length));
    for (const [id, g] of await src.groupsOf(next)) group.set(id, g);
    upto += next.length;
    heads = collapseGroups(order.slice(0, upto), (id) => group.get(id));
    if (heads.length >= need) break;
  }
  const page = heads.slice(offset, offset + k);
  if (upto < order.length) {
    const pageGroups = new Map<number, { id: number; similar: number[] }>();
    for (const h of page) {
      const g = group.get(h.id);
      if (g !== undefined) pageGroups.set(g, h);
    }
    if (pageGroups.size) {
      const members = await src.membersOf([...pageGroups.keys()]);
      for (const id of order.slice(upto)) {
        const g = members.get(id);
        const h = g === undefined ? undefined : pageGroups.get(g);
        if (h) h.similar.push(id);
      }
    }
  }
  return { page, hasMore: heads.length > offset + k };
}
