/** The index module's own types (the hnswlib adapter implements VectorIndex). */
import type { IndexKind } from './manifest';

export interface SearchHit {
  label: number;
  score: number;
}

export interface VectorIndex {
  kind: IndexKind;
  dim: number;
  modelId: string;
  /** Live (not deleted) vectors. */
  size(): number;
  /** Bumped on every in-memory change and reload: a cache key for label sets. */
  readonly version: number;
  add(labels: number[], vectors: Float32Array[]): void;
  remove(labels: number[]): void;
  has(label: number): boolean;
  /** Live labels (for reconciliation). */
  labels(): number[];
  search(q: Float32Array, k: number, filter?: (label: number) => boolean, ef?: number): SearchHit[];
  save(): Promise<void>;
  /**
   * Catch up with changes other processes made (see HnswIndex.follow). `now`: without waiting
   * for the interval (a change was announced). `waitMs`: wait at most this long for the catch-up
   * it starts (the rest goes on in the background). Returns true if anything changed.
   */
  refreshIfStale(opts?: { full?: boolean; now?: boolean; waitMs?: number }): Promise<boolean>;
  /**
   * Every row committed before this call is in the index when it returns (new rows only, no
   * deletion check): for work that must see all of them, such as an ingest's near-duplicate pass;
   * a request uses `refreshIfStale`, which may answer from part of a backlog.
   */
  catchUpFully(): Promise<void>;
}

/**
 * How long a request waits for a catch-up before answering from the rows added so far (the rest
 * is added in the background): a few new rows are searchable at once, a big batch never holds it.
 * Here rather than in open-indexes.ts so lib/search can import it without the database layer.
 */
export const REQUEST_CATCH_UP_WAIT_MS = 50;

/** Keeps an index in step with the database (openIndexes makes one; see HnswIndex.follow). */
export interface Follower {
  /** `behind`: rows are still to be added (its row limit left newer rows, or a full check is pending). */
  catchUp(index: VectorIndex, opts: { full: boolean }): Promise<{ behind: boolean }>;
  intervalMs: number;
  fullIntervalMs: number;
}

export interface IndexParams {
  dir: string;
  kind: IndexKind;
  modelId: string;
  dim: number;
  m: number;
  efConstruction: number;
  efSearch: number;
  /** CLIPDEX_HNSW_EF_SEARCH was set: searches use it, never an ef a rebuild calibrated. */
  efSearchFixed?: boolean;
  /**
   * Threads a rebuild inserts with (CLIPDEX_INDEX_BUILD_THREADS; default: every core), when the
   * parallel builder is there (hnswlib-module.ts builderChoice); without it, one.
   */
  buildThreads?: number;
  /** How much lower than the process the builder's threads run (CLIPDEX_INDEX_BUILD_NICE, 0–19; Linux). */
  buildNice?: number;
  /** A read-only data dir: everything works in memory, `save` writes nothing. */
  readOnly?: boolean;
}
