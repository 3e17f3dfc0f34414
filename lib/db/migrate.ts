/**
 * The one migration path (`clipdex migrate`, `npm run db:migrate`, `npm start`, the e2e server
 * and every engine start): apply the Prisma-generated migration files of the database's provider
 * (prisma/migrations for SQLite, prisma/postgres/migrations for PostgreSQL), each in its own
 * transaction, recorded in Prisma's own `_prisma_migrations` table shape, so `prisma migrate
 * status` still understands the database.
 *
 * Why not `prisma migrate deploy`: Prisma 6.19's schema engine cannot migrate through the pg
 * adapter (prisma/orm#27403: "Column type 'name' could not be deserialized"), and on SQLite it
 * costs a child process (~3 s) and turns a read-only data dir into "External error id#0".
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { AppError } from '../errors';
import { providerOf, readOnlyMessage, readOnlyReason, redact, sqliteFile, type Db, type NotWritable } from './client';

/**
 * The project root (where prisma/ lives). Under tsx, vitest and the prebuilt CLI this file's own path gives it; in
 * the Next.js server bundle import.meta.url is not this file, but the server runs in the root.
 */
function findProjectRoot(): string {
  const candidates: string[] = [];
  try {
    // lib/db/ under tsx and vitest; dist/ or dist/chunks/ in the prebuilt CLI (scripts/build-cli.mjs):
    // the nearest folder above this file that holds prisma/.
    const here = path.dirname(fileURLToPath(import.meta.url));
    candidates.push(path.resolve(here, '..'), path.resolve(here, '..', '..'));
  } catch {
    // not a file: URL (bundled)
  }
  candidates.push(process.cwd());
  const root = candidates.find((c) => fs.existsSync(path.join(c, 'prisma', 'schema.prisma')));
  if (!root) throw new AppError('INTERNAL', `cannot find the clipdex project folder (prisma/schema.prisma) from ${candidates.join(' or ')}`);
  return root;
}
let projectRoot: string | undefined;

/** The migration folders for a database URL's provider. */
export function migrationsDir(url: string): string {
  projectRoot ??= findProjectRoot();
  return providerOf(url) === 'postgresql'
    ? path.join(projectRoot, 'prisma', 'postgres', 'migrations')
    : path.join(projectRoot, 'prisma', 'migrations');
}

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

function listMigrations(url: string): Migration[] {
  const dir = migrationsDir(url);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * A fast "is this database already migrated?" check, so that opening the engine does not
 * migrate every time: compare the applied rows of `_prisma_migrations` with the migration
 * folders. Any doubt (no table, unreadable folder) answers false → migrate.
 */
export async function isMigrated(db: Db, url: string): Promise<boolean> {
  try {
    const wanted = listMigrations(url).map((m) => m.name);
    const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
      'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(rows.map((r) => r.migration_name));
    return wanted.length > 0 && wanted.every((w) => applied.has(w));
  } catch {
    return false;
  }
}

/** Apply pending migrations (idempotent; two processes migrating at once take turns). Returns the names applied. */
export async function migrateDatabase(url: string): Promise<string[]> {
  return providerOf(url) === 'postgresql' ? migratePostgres(url) : migrateSqlite(url);
}

const APPLIED = 'SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL';
const RECORD = 'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, CURRENT_TIMESTAMP, $3, 1)';

function migrateSqlite(url: string): string[] {
  const file = sqliteFile(url);
  const notWritable = (ro: { dir: string; reason: string }) =>
    new AppError('CONFLICT', readOnlyMessage(ro.dir, ro.reason, `its database ${path.basename(file)} cannot be migrated`));
  let ro = readOnlyReason(url);
  if (!ro) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EROFS' || code === 'EACCES') ro = { dir: path.dirname(file), reason: code === 'EROFS' ? 'it is on a read-only file system' : 'this user may not write to it', readOnlyFs: code === 'EROFS' };
      else throw new AppError('INTERNAL', `cannot create the data directory ${path.dirname(file)}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (ro) {
    // Nothing to write is fine: `npm start` on a read-only copy of a migrated data dir goes on.
    if (sqliteIsMigrated(file, url, ro)) return [];
    throw notWritable(ro);
  }
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: 30_000 });
  } catch (err) {
    throw new AppError('INTERNAL', `cannot open the SQLite database ${file}: ${(err as Error).message}`, { cause: err });
  }
  const applied: string[] = [];
  try {
    // Prisma's SQLite migrations that redefine a table turn foreign keys off around a DROP TABLE
    // (which would otherwise cascade); that PRAGMA is a no-op inside a transaction, so it is off
    // for this connection from the start.
    db.pragma('foreign_keys = OFF');
    db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
      "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`);
    for (const m of listMigrations(url)) {
      // IMMEDIATE takes the write lock first, so a second migrator waits, then sees this one's row.
      db.exec('BEGIN IMMEDIATE');
      try {
        if (!db.prepare(APPLIED.replace('$1', '?')).get(m.name)) {
          db.exec(m.sql);
          db.prepare(RECORD.replace('$1', '?').replace('$2', '?').replace('$3', '?')).run(crypto.randomUUID(), m.checksum, m.name);
          applied.push(m.name);
        }
        db.exec('COMMIT');
      } catch (err) {
        db.exec('ROLLBACK');
        throw new AppError('INTERNAL', `SQLite migration ${m.name} failed on ${file}: ${(err as Error).message}`, { cause: err });
      }
    }
    const fk = db.pragma('foreign_key_check') as unknown[];
    if (fk.length) throw new AppError('INTERNAL', `after migrating ${file}: ${fk.length} rows break a foreign key (PRAGMA foreign_key_check)`);
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN') throw notWritable(readOnlyReason(url) ?? { dir: path.dirname(file), reason: 'SQLite cannot write there' });
    throw err;
  } finally {
    db.close();
  }
  return applied;
}

function sqliteIsMigrated(file: string, url: string, ro: NotWritable): boolean {
  if (!fs.existsSync(file)) return false;
  let db: Database.Database | undefined;
  try {
    // See getDb: a WAL database on a read-only file system opens only as immutable.
    db = new Database(ro.readOnlyFs ? `file:${encodeURI(file)}?mode=ro&immutable=1` : file, { readonly: true, fileMustExist: true });
    const stmt = db.prepare(APPLIED.replace('$1', '?'));
    return listMigrations(url).every((m) => stmt.get(m.name) !== undefined);
  } catch {
    return false;
  } finally {
    db?.close();
  }
}

async function migratePostgres(url: string): Promise<string[]> {
  const { default: pg } = await import('pg'); // only PostgreSQL users load it (start-up, bench/startup.ts)
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    throw new AppError('INTERNAL', `cannot connect to PostgreSQL at ${redact(url)}: ${(err as Error).message}`, { cause: err });
  }
  const applied: string[] = [];
  try {
    // One migrator at a time (two processes starting together).
    await client.query('SELECT pg_advisory_lock(7150420)');
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    for (const m of listMigrations(url)) {
      if ((await client.query(APPLIED, [m.name])).rowCount) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(RECORD, [crypto.randomUUID(), m.checksum, m.name]);
        await client.query('COMMIT');
        applied.push(m.name);
      } catch (err) {
        await client.query('ROLLBACK');
        throw new AppError('INTERNAL', `PostgreSQL migration ${m.name} failed on ${redact(url)}: ${(err as Error).message}`, { cause: err });
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(7150420)').catch(() => undefined);
    await client.end();
  }
  return applied;
}
