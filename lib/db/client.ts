/**
 * Prisma adapter: one PrismaClient per database URL per process (cached on globalThis so Next.js
 * dev reloads do not open a new SQLite handle on every change), and `migrateDatabase`, which
 * applies prisma/migrations with the offline JS schema engine.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/prisma/client';
import { AppError } from '../errors';

export type Db = PrismaClient;

const cache = globalThis as unknown as { __clipdexDb?: Map<string, PrismaClient> };

function sqlitePath(url: string): string | undefined {
  return url.startsWith('file:') ? url.slice('file:'.length) : undefined;
}

export function getDb(url: string): PrismaClient {
  cache.__clipdexDb ??= new Map();
  const existing = cache.__clipdexDb.get(url);
  if (existing) return existing;
  const file = sqlitePath(url);
  if (!file) {
    throw new AppError(
      'INVALID_INPUT',
      `DATABASE_URL "${url.replace(/:[^:@/]*@/, ':***@')}" is not supported by this build: use a file: URL (SQLite).`,
    );
  }
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const adapter = new PrismaBetterSQLite3({ url: file });
  const client = new PrismaClient({ adapter });
  cache.__clipdexDb.set(url, client);
  return client;
}

/**
 * SQLite settings for a server and a CLI sharing one file: WAL lets searches read while an ingest
 * writes, and busy_timeout makes a second writer wait instead of failing at once.
 */
export async function tuneSqlite(db: PrismaClient): Promise<void> {
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await db.$queryRawUnsafe('PRAGMA busy_timeout = 10000');
  await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
}

/** Close and forget every cached client (tests, CLI exit). */
export async function closeDbs(): Promise<void> {
  const all = [...(cache.__clipdexDb?.values() ?? [])];
  cache.__clipdexDb?.clear();
  await Promise.all(all.map((c) => c.$disconnect()));
}

const run = promisify(execFile);

/** Apply pending migrations (idempotent). Runs the Prisma CLI that ships in node_modules. */
export async function migrateDatabase(url: string): Promise<void> {
  const require = createRequire(import.meta.url);
  const prismaCli = require.resolve('prisma/build/index.js');
  const root = path.resolve(path.dirname(require.resolve('prisma/package.json')), '..', '..');
  const file = sqlitePath(url);
  if (file) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  try {
    await run(process.execPath, [prismaCli, 'migrate', 'deploy'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string };
    throw new AppError('INTERNAL', `database migration failed for ${url}: ${(e.stderr || e.stdout || String(err)).trim()}`, { cause: err });
  }
}
