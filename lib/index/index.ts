/**
 * lib/index — the HNSW vector indexes (hnswlib-node), one per kind (image, text) for the active
 * model, saved under DATA_DIR/index as `<kind>-<generation>.hnsw` + `<kind>.json` manifest.
 * They are a cache of the ImageVector/TextVector rows: `openIndexes` reconciles them with the
 * database and says what it repaired; `rebuildIndexes` refills them from the stored vectors.
 */
export { HnswIndex, type Follower, type VectorIndex, type SearchHit, type IndexParams, type RebuildReport, type VectorPage } from './hnsw-index';
export {
  openIndexes,
  rebuildIndexes,
  catchUpWithDatabase,
  CATCH_UP_INTERVAL_MS,
  CATCH_UP_SLICE_MS,
  addInSlices,
  FULL_CHECK_INTERVAL_MS,
  indexDir,
  type IndexDeps,
  type IndexReport,
  type KindReport,
  type Indexes,
  type RebuildProgress,
} from './open-indexes';
export { hnswlibChoice, chooseHnswlib, type HnswlibChoice } from './hnswlib-module';
export { REQUEST_CATCH_UP_WAIT_MS } from './types';
export { readManifest, type IndexManifest, type IndexKind } from './manifest';
