/**
 * Recall@K by exact search. A query's rank is the number of non-positive candidates that score at
 * least as high as its best positive: a hit at K means rank < K. Ties go against the query
 * (a negative that scores exactly as high as the best positive is counted ahead of it), so the
 * figure never depends on the order of rows in the file.
 */
import { scoreBlock, type EmbeddingMatrix } from './matrix';

/** A query with no positive among the candidates; left out of every recall. */
export const NO_POSITIVE = -1;
/** Rank given by an ANN search when no positive is among the neighbours it returned. */
export const NOT_FOUND_RANK = 0x7fffffff;

/** One image↔text link: row indices into the text and image matrices. */
export interface Link {
  text: number;
  image: number;
}

/** positives[q] = sorted, distinct candidate indices that count as right answers for query q. */
export function buildPositives(links: Link[], direction: 'text_to_image' | 'image_to_text', queries: number): number[][] {
  const sets: Set<number>[] = Array.from({ length: queries }, () => new Set<number>());
  for (const l of links) {
    const [q, c] = direction === 'text_to_image' ? [l.text, l.image] : [l.image, l.text];
    if (q < 0 || q >= queries) throw new Error(`link names query ${q}, outside 0..${queries - 1}`);
    sets[q].add(c);
  }
  return sets.map((s) => [...s].sort((a, b) => a - b));
}

export interface RankOptions {
  /** Called after each block of queries with the number done so far. */
  onProgress?: (done: number) => void | Promise<void>;
  /** Upper bound on the scores buffer (block × candidates); default 4 M doubles (32 MB). */
  maxScores?: number;
}

/** Exact ranks of every query (NO_POSITIVE where it has none) by brute force over all candidates. */
export async function exactRanks(
  queries: EmbeddingMatrix,
  candidates: EmbeddingMatrix,
  positives: number[][],
  opts: RankOptions = {},
): Promise<Int32Array> {
  if (positives.length !== queries.rows) throw new Error(`${positives.length} positive sets for ${queries.rows} queries`);
  const ranks = new Int32Array(queries.rows).fill(NO_POSITIVE);
  const nc = candidates.rows;
  if (nc === 0) return ranks;
  const block = Math.max(4, Math.min(256, Math.floor((opts.maxScores ?? 4 * 1024 * 1024) / nc) & ~3));
  const scores = new Float64Array(block * nc);
  for (let q0 = 0; q0 < queries.rows; q0 += block) {
    const q1 = Math.min(queries.rows, q0 + block);
    scoreBlock(queries, q0, q1, candidates, scores);
    for (let q = q0; q < q1; q++) {
      const pos = positives[q];
      if (pos.length === 0) continue;
      const o = (q - q0) * nc;
      let best = -Infinity;
      for (const p of pos) if (scores[o + p] > best) best = scores[o + p];
      let above = 0;
      for (let c = 0; c < nc; c++) if (scores[o + c] >= best) above++;
      // every positive scoring ≥ best (at least the best one itself) is not a competitor
      for (const p of pos) if (scores[o + p] >= best) above--;
      ranks[q] = above;
    }
    await opts.onProgress?.(q1);
    // let a server's event loop breathe between blocks
    await new Promise((r) => setImmediate(r));
  }
  return ranks;
}

/** Percentage of queries (those with a positive) whose rank is below k. */
export function recallAt(ranks: Int32Array, k: number): number {
  let n = 0;
  let hits = 0;
  for (const r of ranks) {
    if (r === NO_POSITIVE) continue;
    n++;
    if (r < k) hits++;
  }
  return n === 0 ? 0 : (100 * hits) / n;
}

export function countQueries(ranks: Int32Array): number {
  let n = 0;
  for (const r of ranks) if (r !== NO_POSITIVE) n++;
  return n;
}

/** R@1/5/10 and their mean, in percent (as EasyNLP and Chinese-CLIP print them). */
export interface RecallRow {
  r1: number;
  r5: number;
  r10: number;
  mean: number;
}

export function recallRow(ranks: Int32Array): RecallRow {
  const r1 = recallAt(ranks, 1);
  const r5 = recallAt(ranks, 5);
  const r10 = recallAt(ranks, 10);
  return { r1, r5, r10, mean: (r1 + r5 + r10) / 3 };
}
