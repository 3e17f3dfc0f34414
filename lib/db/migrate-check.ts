/**
 * A fast "is this database already migrated?" check, so that every CLI command does not spawn
 * the Prisma CLI (about 3 s): compare the applied rows of `_prisma_migrations` with the migration
 * folders for the database's provider. Any doubt (no table, unreadable folder) answers false → migrate.
 */
import fs from 'node:fs';
import { migrationsDir, type Db } from './client';

export async function isMigrated(db: Db, url: string): Promise<boolean> {
  try {
    const wanted = fs
      .readdirSync(migrationsDir(url), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
      'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(rows.map((r) => r.migration_name));
    return wanted.length > 0 && wanted.every((w) => applied.has(w));
  } catch {
    return false;
  }
}
