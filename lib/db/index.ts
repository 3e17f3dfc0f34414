/**
 * lib/db — the Prisma client (SQLite through better-sqlite3 by default) and migrations.
 * The database is clipdex's source of truth: metadata, image↔text links, jobs, and the durable
 * copy of every embedding (ImageVector/TextVector), from which the HNSW indexes are rebuilt.
 */
export { getDb, closeDbs, tuneSqlite, providerOf, notWritable, readOnlyReason, readOnlyMessage, type Db, type DbProvider, type NotWritable } from './client';
export { migrateDatabase, isMigrated, migrationsDir } from './migrate';
export { vectorToBytes, bytesToVector } from './vectors';
export { withBusyRetry } from './retry';
export { listVectorLabels, countVectors, loadVectors, loadModelVectors, vectorsOfImages, iterateVectors, maxVectorLabel, otherModelLabels, sampleVectors, type LabeledVector, type VectorKind } from './vector-queries';
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
export {
  imagesByLabels,
  textsByLabels,
  imageVectorOf,
  isPostgresDb,
  imageFilterSql,
  isEmptyFilter,
  filteredImageLabels,
  labelsOfImages,
  imageExtras,
  imageIdsOfLabels,
  keywordDocsOf,
  type ImageRow,
  type TextRow,
  type ImageFilter,
  type FilterOp,
} from './search-queries';
export { findImage, type ImageDetail } from './find-image';
