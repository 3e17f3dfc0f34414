/**
 * Fusing the two signals' lists into one order, and collapsing near-duplicates. Pure.
 *
 * Reciprocal rank fusion (Cormack et al., 2009): score(d) = Σ_s w_s / (K + rank_s(d)). It needs
 * no calibration between a cosine and a keyword score (they live on different scales, and the
 * keyword score's range depends on the query), rewards agreement between the signals, and a hit
 * found by one signal only keeps its place among that signal's hits. bench/relevance.ts measures it.
 */

/** RRF's K: 60, the value of the paper and of most search engines that offer RRF. */
export const RRF_K = 60;

export interface RankedList {
  /** Ids, best first. */
  ids: number[];
  weight: number;
}

/** The ids of all lists in fused order (ties: the first list's order, then the next). */
export function fuseRanks(lists: RankedList[], k = RRF_K): number[] {
  const score = new Map<number, number>();
  const firstSeen = new Map<number, number>();
  let seen = 0;
  for (const list of lists) {
    list.ids.forEach((id, i) => {
      score.set(id, (score.get(id) ?? 0) + list.weight / (k + i + 1));
      if (!firstSeen.has(id)) firstSeen.set(id, seen++);
    });
  }
  return [...score.keys()].sort((a, b) => score.get(b)! - score.get(a)! || firstSeen.get(a)! - firstSeen.get(b)!);
}

/**
 * One id per group, in order: the first (best) of each group stays and the later members are
 * listed under it. `groupOf` gives an id's group (undefined: in none).
 */
export function collapseGroups(ids: number[], groupOf: (id: number) => number | undefined): { id: number; similar: number[] }[] {
  const out: { id: number; similar: number[] }[] = [];
  const head = new Map<number, { id: number; similar: number[] }>();
  for (const id of ids) {
    const g = groupOf(id);
    const h = g === undefined ? undefined : head.get(g);
    if (h) {
      h.similar.push(id);
      continue;
    }
    const entry = { id, similar: [] as number[] };
    if (g !== undefined) head.set(g, entry);
    out.push(entry);
  }
  return out;
}

/** One candidate of an image search: its cosine to the query (if known) and its keyword rank (if matched). */
export interface FusionCandidate {
  id: number;
  cosine?: number;
  keywordRank?: number;
}

/**
 * The ids in a ranking's order. The semantic list ranks every candidate with a cosine — those the
 * keyword signal found beyond the nearest-vector pool too, so such a hit still counts by how close
 * it is (bench/relevance.ts: without it, a rare word's only match, outside the pool, tied with the
 * semantic signal's first hit and lost rank 1 to it). Returns the semantic ranks it gave as well.
 */
export function orderCandidates(ranking: 'hybrid' | 'semantic' | 'keyword', cands: FusionCandidate[]): { order: number[]; semanticRank: Map<number, number> } {
  const semantic = cands.filter((c) => c.cosine !== undefined).sort((a, b) => b.cosine! - a.cosine! || a.id - b.id);
  const semanticRank = new Map(semantic.map((c, i) => [c.id, i + 1]));
  const keyword = cands.filter((c) => c.keywordRank !== undefined).sort((a, b) => a.keywordRank! - b.keywordRank!);
  // Nothing to embed (a query of only filters): the keyword side's list, whatever the ranking.
  if (ranking === 'keyword' || !semantic.length) return { order: keyword.map((c) => c.id), semanticRank };
  if (ranking === 'semantic' || !keyword.length) return { order: semantic.map((c) => c.id), semanticRank };
  const order = fuseRanks([
    { ids: semantic.map((c) => c.id), weight: 1 },
    { ids: keyword.map((c) => c.id), weight: 1 },
  ]);
  return { order, semanticRank };
}
