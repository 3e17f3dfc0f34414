/**
 * lib/db — the Prisma client (SQLite through better-sqlite3 by default) and migrations.
 * The database is clipdex's source of truth: metadata, image↔text links, jobs, and the durable
 * copy of every embedding (ImageVector/TextVector), from which the HNSW indexes are rebuilt.
 */
export { getDb, closeDbs, migrateDatabase, tuneSqlite, providerOf, type Db, type DbProvider } from './client';
export { vectorToBytes, bytesToVector } from './vectors';
export { listVectorLabels, countVectors, loadVectors, iterateVectors, type LabeledVector, type VectorKind } from './vector-queries';
export {
  ensureModelRow,
  openDatasetForIngest,
  setDatasetStatus,
  findDataset,
  listDatasets,
  datasetLabels,
  deleteDatasetRows,
  collectStats,
  type DatasetStatus,
  type DatasetSummary,
  type DeletedDataset,
  type DbStats,
} from './queries';
export { imagesByLabels, textsByLabels, imageVectorOf, type ImageRow, type TextRow } from './search-queries';
export { isMigrated } from './migrate-check';
