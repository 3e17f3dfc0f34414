/**
 * lib/db — the Prisma client (SQLite through better-sqlite3 by default) and migrations.
 * The database is clipdex's source of truth: metadata, image↔text links, jobs, and the durable
 * copy of every embedding (ImageVector/TextVector), from which the HNSW indexes are rebuilt.
 */
export { getDb, closeDbs, migrateDatabase, tuneSqlite, type Db } from './client';
export { vectorToBytes, bytesToVector } from './vectors';
