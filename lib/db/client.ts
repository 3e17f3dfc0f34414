/**
 * Prisma adapter: one PrismaClient per database URL (and access mode) per process, cached on
 * globalThis so Next.js dev reloads do not open a new handle on every change. SQLite (`file:`
 * URLs, the default) goes through better-sqlite3, PostgreSQL (`postgres://`, `postgresql://`)
 * through `pg`. Migrations are in migrate.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';
import { PrismaClient as PgPrismaClient } from '../generated/prisma-pg/client';
import { AppError } from '../errors';
import { sqliteAdapter } from './sqlite-adapter';

export type Db = PrismaClient;
export type DbProvider = 'sqlite' | 'postgresql';

// Lets a read-only open pass SQLite's `immutable=1` URI parameter (see getDb). better-sqlite3 reads
// this once, when it opens its first database; plain paths mean the same with it on or off.
process.env.SQLITE_USE_URI ??= '1';

const cache = globalThis as unknown as { __clipdexDb?: Map<string, PrismaClient> };

export function providerOf(url: string): DbProvider {
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  if (url.startsWith('file:')) return 'sqlite';
  throw new AppError(
    'INVALID_INPUT',
    `DATABASE_URL "${redact(url)}" is not supported: use file:/path/to/clipdex.db (SQLite) or postgresql://user:password@host:5432/db.`,
  );
}

/** The URL with its password replaced by *** (for messages). */
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

export function sqliteFile(url: string): string {
  return path.resolve(url.slice('file:'.length));
}

export interface NotWritable {
  dir: string;
  reason: string;
  /** The whole file system is read-only (not just this user's permissions). */
  readOnlyFs: boolean;
}

/** Why `dir` cannot be written, or undefined when it can (or does not exist yet: it is created later). */
export function notWritable(dir: string): NotWritable | undefined {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EROFS') return { dir, reason: 'it is on a read-only file system', readOnlyFs: true };
    if (code === 'EACCES' || code === 'EPERM') return { dir, reason: 'this user may not write to it', readOnlyFs: false };
    return undefined;
  }
}

/** Why the SQLite database's folder cannot be written (always undefined on PostgreSQL). */
export function readOnlyReason(url: string): NotWritable | undefined {
  return providerOf(url) === 'sqlite' ? notWritable(path.dirname(sqliteFile(url))) : undefined;
}

export function readOnlyMessage(dir: string, reason: string, what: string): string {
  return `the data directory ${dir} is read-only (${reason}): ${what}. Searching and \`clipdex stats\` work on an already migrated read-only data dir; to ingest, delete or reindex, make it writable or point CLIPDEX_DATA_DIR at a writable directory.`;
}

const WRITES = new Set(['create', 'createMany', 'createManyAndReturn', 'update', 'updateMany', 'updateManyAndReturn', 'upsert', 'delete', 'deleteMany']);

/**
 * The client for `url`. `readOnly` (a data dir that cannot be written) opens SQLite read-only
 * and refuses every write with a message naming the directory, instead of SQLite's "attempt to
 * write a readonly database" halfway through an ingest.
 */
export function getDb(url: string, opts: { readOnly?: Omit<NotWritable, 'readOnlyFs'> } = {}): PrismaClient {
  cache.__clipdexDb ??= new Map();
  const ro = opts.readOnly;
  const key = ro ? `ro:${url}` : url;
  const existing = cache.__clipdexDb.get(key);
  if (existing) return existing;
  let client: PrismaClient;
  if (providerOf(url) === 'postgresql') {
    // The PostgreSQL client is generated from the same models (prisma/postgres/schema.prisma is
    // written from prisma/schema.prisma), so it has the same API; only its nominal type differs.
    client = new PgPrismaClient({ adapter: lazyPgAdapter(url) }) as unknown as PrismaClient;
  } else if (ro) {
    const file = sqliteFile(url);
    // A WAL database on a read-only file system opens only as immutable (SQLite cannot create its
    // -shm file there). The adapter strips one `file:` prefix, so two make a URI filename.
    const name = readOnlyReason(url)?.readOnlyFs ? `file:file:${encodeURI(file)}?mode=ro&immutable=1` : file;
    client = new PrismaClient({ adapter: sqliteAdapter({ url: name, readonly: true, fileMustExist: true }) });
  } else {
    const file = sqliteFile(url);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Its connection is known to sql-runner.ts, which runs an ingest's bulk writes on it.
    const owner: PrismaClient = new PrismaClient({ adapter: sqliteAdapter({ url: file, timeout: 10_000 }, () => owner) });
    client = owner;
  }
  if (ro) {
    client = client.$extends({
      query: {
        $allModels: {
          $allOperations({ operation, model, args, query }) {
            if (WRITES.has(operation)) throw new AppError('CONFLICT', readOnlyMessage(ro.dir, ro.reason, `clipdex cannot ${operation} ${model} rows there`));
            return query(args);
          },
        },
      },
    }) as unknown as PrismaClient;
  }
  cache.__clipdexDb.set(key, client);
  return client;
}

/**
 * The PostgreSQL adapter factory, with `pg` and @prisma/adapter-pg imported on the first connect
 * rather than when this module loads: on SQLite (the default) nothing pays their ~50 ms load,
 * which is a fifth of a CLI search's start (bench/startup.ts). Prisma only calls connect().
 */
function lazyPgAdapter(url: string): PrismaPg {
  let real: Promise<PrismaPg> | undefined;
  const load = () => (real ??= import('@prisma/adapter-pg').then(({ PrismaPg: Pg }) => new Pg({ connectionString: url })));
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: async () => (await load()).connect(),
    connectToShadowDb: async () => (await load()).connectToShadowDb(),
  } as unknown as PrismaPg;
}

/** Close and forget every cached client (tests, CLI exit). */
export async function closeDbs(): Promise<void> {
  const all = [...(cache.__clipdexDb?.values() ?? [])];
  cache.__clipdexDb?.clear();
  await Promise.all(all.map((c) => c.$disconnect()));
}

/**
 * SQLite settings for a server and a CLI sharing one file: WAL lets searches read while an ingest
 * writes, and busy_timeout makes a second writer wait instead of failing at once (a transaction
 * that still loses the race is retried by `withBusyRetry`). No-op on PostgreSQL.
 */
export async function tuneSqlite(db: PrismaClient, url?: string): Promise<void> {
  if (url && providerOf(url) !== 'sqlite') return;
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await db.$queryRawUnsafe('PRAGMA busy_timeout = 10000');
  await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
}
