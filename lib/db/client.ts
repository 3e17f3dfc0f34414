/**
 * Prisma adapter: one PrismaClient per database URL per process (cached on globalThis so Next.js
 * dev reloads do not open a new handle on every change), and `migrateDatabase`.
 *
 * SQLite (`file:` URLs, the default) goes through better-sqlite3 and is migrated with Prisma's
 * offline JS schema engine. PostgreSQL (`postgres://` / `postgresql://`) goes through `pg`; Prisma
 * 6.19's schema engine cannot migrate through the pg adapter (prisma/orm#27403: "Column type
 * 'name' could not be deserialized"), so the same Prisma-generated migration files under
 * prisma/postgres/migrations are applied by `migratePostgres` below, recorded in Prisma's own
 * `_prisma_migrations` table shape.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client';
import { PrismaClient as PgPrismaClient } from '../generated/prisma-pg/client';
import { AppError } from '../errors';

export type Db = PrismaClient;
export type DbProvider = 'sqlite' | 'postgresql';

const cache = globalThis as unknown as { __clipdexDb?: Map<string, PrismaClient> };

export function providerOf(url: string): DbProvider {
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  if (url.startsWith('file:')) return 'sqlite';
  throw new AppError(
    'INVALID_INPUT',
    `DATABASE_URL "${redact(url)}" is not supported: use file:/path/to/clipdex.db (SQLite) or postgresql://user:password@host:5432/db.`,
  );
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

function sqliteFile(url: string): string {
  return path.resolve(url.slice('file:'.length));
}

export function getDb(url: string): PrismaClient {
  cache.__clipdexDb ??= new Map();
  const existing = cache.__clipdexDb.get(url);
  if (existing) return existing;
  let client: PrismaClient;
  if (providerOf(url) === 'postgresql') {
    // The PostgreSQL client is generated from the same models (prisma/postgres/schema.prisma is
    // written from prisma/schema.prisma), so it has the same API; only its nominal type differs.
    client = new PgPrismaClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as PrismaClient;
  } else {
    const file = sqliteFile(url);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    client = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: file }) });
  }
  cache.__clipdexDb.set(url, client);
  return client;
}

/** Close and forget every cached client (tests, CLI exit). */
export async function closeDbs(): Promise<void> {
  const all = [...(cache.__clipdexDb?.values() ?? [])];
  cache.__clipdexDb?.clear();
  await Promise.all(all.map((c) => c.$disconnect()));
}

/**
 * SQLite settings for a server and a CLI sharing one file: WAL lets searches read while an ingest
 * writes, and busy_timeout makes a second writer wait instead of failing at once. No-op on PostgreSQL.
 */
export async function tuneSqlite(db: PrismaClient, url?: string): Promise<void> {
  if (url && providerOf(url) !== 'sqlite') return;
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await db.$queryRawUnsafe('PRAGMA busy_timeout = 10000');
  await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
}

const run = promisify(execFile);
/**
 * The project root (where prisma/ and node_modules/prisma live). Under tsx and vitest this file's
 * own path gives it; in the Next.js server bundle import.meta.url is not this file, but the server
 * runs in the project root.
 */
function findProjectRoot(): string {
  const candidates: string[] = [];
  try {
    candidates.push(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..'));
  } catch {
    // not a file: URL (bundled)
  }
  candidates.push(process.cwd());
  const root = candidates.find((c) => fs.existsSync(path.join(c, 'prisma', 'schema.prisma')));
  if (!root) throw new AppError('INTERNAL', `cannot find the clipdex project folder (prisma/schema.prisma) from ${candidates.join(' or ')}`);
  return root;
}
const projectRoot = findProjectRoot();

/** The migration folders for a database URL's provider. */
export function migrationsDir(url: string): string {
  return providerOf(url) === 'postgresql'
    ? path.join(projectRoot, 'prisma', 'postgres', 'migrations')
    : path.join(projectRoot, 'prisma', 'migrations');
}

/** Apply pending migrations (idempotent). */
export async function migrateDatabase(url: string): Promise<void> {
  if (providerOf(url) === 'postgresql') return migratePostgres(url);
  fs.mkdirSync(path.dirname(sqliteFile(url)), { recursive: true });
  try {
    await run(process.execPath, [path.join(projectRoot, 'node_modules', 'prisma', 'build', 'index.js'), 'migrate', 'deploy'], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string };
    throw new AppError('INTERNAL', `database migration failed for ${redact(url)}: ${(e.stderr || e.stdout || String(err)).trim()}`, { cause: err });
  }
}

async function migratePostgres(url: string): Promise<void> {
  const dir = migrationsDir(url);
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    throw new AppError('INTERNAL', `cannot connect to PostgreSQL at ${redact(url)}: ${(err as Error).message}`, { cause: err });
  }
  try {
    // One migrator at a time (two processes starting together).
    await client.query('SELECT pg_advisory_lock(7150420)');
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const done = new Set(
      (await client.query<{ migration_name: string }>('SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL')).rows.map(
        (r) => r.migration_name,
      ),
    );
    for (const name of fs.readdirSync(dir).filter((n) => fs.existsSync(path.join(dir, n, 'migration.sql'))).sort()) {
      if (done.has(name)) continue;
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      const checksum = crypto.createHash('sha256').update(sql).digest('hex');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query(
          'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)',
          [crypto.randomUUID(), checksum, name],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new AppError('INTERNAL', `PostgreSQL migration ${name} failed: ${(err as Error).message}`, { cause: err });
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(7150420)').catch(() => undefined);
    await client.end();
  }
}
