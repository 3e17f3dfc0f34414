/**
 * Ranks as the reference scripts compute them: every candidate is sorted by score, best first,
 * and candidates with equal scores keep their order in the candidate list (a stable sort). A
 * query's rank is the position of its first right answer in that list, so a hit at K means
 * rank < K. The candidate list holds one entry per reference candidate (per line, per image id),
 * each pointing at a row of a deduplicated matrix: byte-identical images share one vector, so
 * they tie exactly and the earlier entry wins, as in the reference code.
 */
import { scoreBlock, type EmbeddingMatrix } from './matrix';
import { NOT_FOUND_RANK } from './recall';

/** One direction of a reference protocol, in the reference's own order. */
export interface OrderedDirection {
  queries: EmbeddingMatrix;
  /** Per query: its row in `queries`, or -1 for a query with no vector (it can only miss). */
  queryRows: Int32Array;
  candidates: EmbeddingMatrix;
  /** Per candidate, in the reference's order (ties go to the earlier one): its row in `candidates`. */
  candidateRows: Int32Array;
  /** Per query: positions in `candidateRows` that are right answers; [] = counted, never a hit. */
  positives: number[][];
}

export interface OrderedRankOptions {
  onProgress?: (done: number) => void | Promise<void>;
  /** Upper bound on the scores buffer (block × distinct candidates); default 4 M doubles. */
  maxScores?: number;
}

/** Rank of every query (NOT_FOUND_RANK when it has no right answer at all). */
export async function orderedRanks(dir: OrderedDirection, opts: OrderedRankOptions = {}): Promise<Int32Array> {
  const { queries, queryRows, candidates, candidateRows, positives } = dir;
  if (positives.length !== queryRows.length) throw new Error(`${positives.length} positive sets for ${queryRows.length} queries`);
  const ranks = new Int32Array(queryRows.length).fill(NOT_FOUND_RANK);
  const nc = candidateRows.length;
  const distinct = candidates.rows;
  // queries grouped by their vector's row, so each row is scored once however many queries share it
  const order = [...queryRows.keys()].filter((q) => queryRows[q] >= 0 && positives[q].length > 0).sort((a, b) => queryRows[a] - queryRows[b]);
  if (nc === 0 || distinct === 0 || order.length === 0) return ranks;
  const block = Math.max(1, Math.min(256, Math.floor((opts.maxScores ?? 4 * 1024 * 1024) / distinct)));
  const scores = new Float64Array(block * distinct);
  const s = new Float64Array(nc);
  for (let i = 0; i < order.length; ) {
    const r0 = queryRows[order[i]];
    const r1 = Math.min(queries.rows, r0 + block);
    scoreBlock(queries, r0, r1, candidates, scores);
    for (; i < order.length && queryRows[order[i]] < r1; i++) {
      const q = order[i];
      const o = (queryRows[q] - r0) * distinct;
      for (let c = 0; c < nc; c++) s[c] = scores[o + candidateRows[c]];
      let best = -Infinity;
      let first = nc;
      for (const p of positives[q]) {
        if (s[p] > best || (s[p] === best && p < first)) {
          best = s[p];
          first = p;
        }
      }
      if (first === nc) continue; // every positive scored NaN: no place in the list
      let rank = 0;
      for (let c = 0; c < nc; c++) if (s[c] > best || (s[c] === best && c < first)) rank++;
      ranks[q] = rank;
    }
    // queries that cannot hit cost nothing: spread them over the progress
    await opts.onProgress?.(Math.round((i * queryRows.length) / order.length));
    // let a server's event loop breathe between blocks
    await new Promise((r) => setImmediate(r));
  }
  return ranks;
}
