/**
 * The same recall through an HNSW graph (hnswlib-node, inner-product space, built in memory over
 * the candidates with the configured M / efConstruction / efSearch), so the loss from approximate
 * search shows next to the exact figure. The index is a throwaway: nothing is written to disk.
 */
import hnswlib from 'hnswlib-node';
import { NOT_FOUND_RANK, NO_POSITIVE } from './recall';
import { rowOf, type EmbeddingMatrix } from './matrix';

export interface HnswParams {
  m: number;
  efConstruction: number;
  efSearch: number;
}

/** Neighbours asked for per query: enough for R@10. */
export const ANN_K = 10;

export interface AnnRanksOptions {
  onProgress?: (done: number) => void | Promise<void>;
}

/**
 * Rank of the first positive among the ANN's ANN_K neighbours of each query (NOT_FOUND_RANK when
 * none is there, NO_POSITIVE for queries without positives). Valid for recall at K ≤ ANN_K.
 */
export async function annRanks(
  queries: EmbeddingMatrix,
  candidates: EmbeddingMatrix,
  positives: number[][],
  params: HnswParams,
  opts: AnnRanksOptions = {},
): Promise<Int32Array> {
  const ranks = new Int32Array(queries.rows).fill(NO_POSITIVE);
  if (candidates.rows === 0) return ranks;
  const index = new hnswlib.HierarchicalNSW('ip', candidates.dim);
  // a fixed seed: the same corpus gives the same ANN figure on every run
  index.initIndex({ maxElements: candidates.rows, m: params.m, efConstruction: params.efConstruction, randomSeed: 100 });
  for (let c = 0; c < candidates.rows; c++) {
    index.addPoint(Array.from(rowOf(candidates, c)), c);
    if (c % 1024 === 1023) await new Promise((r) => setImmediate(r));
  }
  const k = Math.min(ANN_K, candidates.rows);
  index.setEf(Math.max(params.efSearch, k));
  for (let q = 0; q < queries.rows; q++) {
    const pos = positives[q];
    if (pos.length > 0) {
      const { neighbors } = index.searchKnn(Array.from(rowOf(queries, q)), k);
      const set = new Set(pos);
      const at = neighbors.findIndex((n) => set.has(n));
      ranks[q] = at < 0 ? NOT_FOUND_RANK : at;
    }
    if (q % 256 === 255 || q === queries.rows - 1) {
      await opts.onProgress?.(q + 1);
      await new Promise((r) => setImmediate(r));
    }
  }
  return ranks;
}
