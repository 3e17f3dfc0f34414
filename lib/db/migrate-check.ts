/**
 * A fast "is this database already migrated?" check, so that every CLI command does not spawn
 * the Prisma CLI (about 3 s): compare the applied rows of `_prisma_migrations` with the folders
 * of prisma/migrations. Any doubt (no table, unreadable folder) answers false → migrate.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './client';

function migrationsDir(): string | undefined {
  const candidates = [path.resolve('prisma', 'migrations')];
  try {
    candidates.unshift(fileURLToPath(new URL('../../prisma/migrations', import.meta.url)));
  } catch {
    // bundled: import.meta.url is not a file URL
  }
  return candidates.find((d) => fs.existsSync(d));
}

export async function isMigrated(db: Db): Promise<boolean> {
  try {
    const dir = migrationsDir();
    if (!dir) return false;
    const wanted = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(rows.map((r) => r.migration_name));
    return wanted.length > 0 && wanted.every((w) => applied.has(w));
  } catch {
    return false;
  }
}
