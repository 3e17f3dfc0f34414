/**
 * lib/adapters — adapters trained by `clipdex train` (lib/train) and how they are used: the
 * residual linear map per tower, its files under DATA_DIR/adapters/<name>/ (atomic, tied to one
 * model id), a ClipModel wrapper that projects what the towers return (evaluate, predict,
 * classify), the adapter's own HNSW indexes built from the stored vectors (no re-embedding), and
 * which adapter searches use (active.json, CLIPDEX_ADAPTER, --adapter).
 */
export { project, projectRows, projectInto, zeroWeights, zeroTower, type AdapterWeights, type TowerWeights } from './adapter';
export {
  ADAPTER_NAME,
  adaptersDir,
  checkAdapterName,
  saveAdapter,
  loadAdapter,
  listAdapters,
  readAdapterManifest,
  adapterExists,
  assertAdapterFits,
  sweepAdapterTemp,
  type Adapter,
  type AdapterManifest,
  type Recall,
} from './store';
export { adaptModel, loadAdaptedModel, isAdaptedModel, storedImageQuery, type AdaptedModel } from './apply';
export { openAdapterIndexes, adapterIndexDir, type AdapterIndexReport } from './adapter-index';
export {
  readActiveAdapter,
  searchAdapterName,
  adaptEngine,
  getSearchEngine,
  activateAdapter,
  deactivateAdapter,
  deleteAdapter,
  type AdaptedEngine,
} from './active';
