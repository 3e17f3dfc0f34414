/**
 * SQL written once (Prisma.sql, the same text on SQLite and PostgreSQL) and run one of two ways:
 * - inside a transaction on SQLite, straight on the better-sqlite3 connection that Prisma's
 *   transaction holds open: the statements are part of that transaction (SQLite's transactions
 *   belong to the connection), roll back with it, and cost what SQLite costs;
 * - anywhere else (PostgreSQL, or SQLite outside a transaction) through Prisma's $queryRaw.
 *
 * issue 13: Prisma's client engine compiles every query on the main thread, and the cost grows
 * with the rows. Writing 32 images and their vectors in one transaction took 13.5 ms of CPU through
 * createManyAndReturn, 5.8 ms through $queryRaw, 2.1 ms this way, transaction included
 * (bench/ingest/prisma-queries.ts). An ingest's main thread is its busiest, so the reads and
 * writes of its batches go this way.
 */
import type Database from 'better-sqlite3';
import { Prisma } from '../generated/prisma/client';
import type { Db } from './client';
import { connectionOf } from './sqlite-adapter';

export interface SqlRunner {
  /** Rows of a SELECT, or of an INSERT … RETURNING; integers as numbers (clipdex's ids fit). */
  query<T>(q: Prisma.Sql): Promise<T[]>;
  /** How many rows it changed. */
  execute(q: Prisma.Sql): Promise<number>;
}

type RawClient = Pick<Db, '$queryRaw' | '$executeRaw'>;

/**
 * The runner for `db`, or for its transaction `tx`: the direct way when `db` is a SQLite client
 * whose connection is open, else Prisma's (on `tx`). Given `tx`, the statements are part of that
 * transaction, and one that finds it over (Prisma's timeout) is refused, as `tx` itself would
 * refuse it. Without `tx`, a statement runs as Prisma's own queries outside a transaction do on
 * that one connection: in autocommit, or inside a transaction then open on it (for reads, and for
 * writes that may be repeated).
 */
export function sqlRunner(db: Db, tx?: RawClient): SqlRunner {
  const conn = connectionOf(db);
  return conn?.open ? direct(conn, tx !== undefined) : prismaRunner(tx ?? db);
}

/** Prisma's $queryRaw, with SQLite's integers (bigint there) as numbers, as on the direct way. */
export function prismaRunner(tx: RawClient): SqlRunner {
  return {
    query: async <T>(q: Prisma.Sql) => (await tx.$queryRaw<Record<string, unknown>[]>(q)).map(numbers) as T[],
    execute: (q) => tx.$executeRaw(q),
  };
}

function numbers(row: Record<string, unknown>): Record<string, unknown> {
  for (const k in row) if (typeof row[k] === 'bigint') row[k] = Number(row[k]);
  return row;
}

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function prepared(conn: Database.Database, sql: string): Database.Statement {
  let cache = statements.get(conn);
  if (!cache) statements.set(conn, (cache = new Map()));
  let st = cache.get(sql);
  if (!st) {
    if (cache.size >= 256) cache.clear(); // texts differ by row count: bounded, not unbounded
    st = conn.prepare(sql);
    if (st.reader) st.safeIntegers(false); // ids as numbers, as Prisma returns them
    cache.set(sql, st);
  }
  return st;
}

/** A value as better-sqlite3 binds it, written the way Prisma's SQLite adapter writes it. */
function bindable(v: unknown): unknown {
  if (v === undefined) return null;
  if (v instanceof Date) return v.toISOString().replace('Z', '+00:00');
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}

function direct(conn: Database.Database, inTransaction: boolean): SqlRunner {
  const open = () => {
    if (inTransaction && !conn.inTransaction) throw new Error('Transaction already closed: a statement came after its transaction ended (timed out?)');
  };
  return {
    query: async <T>(q: Prisma.Sql) => (open(), prepared(conn, q.sql).all(...q.values.map(bindable)) as T[]),
    execute: async (q) => (open(), prepared(conn, q.sql).run(...q.values.map(bindable)).changes),
  };
}

/** Rows per INSERT: far below both databases' bound-parameter limits (SQLite 32,766; PostgreSQL 65,535). */
const ROWS_PER_INSERT = 500;

/**
 * INSERT `rows` (values in `columns` order) into `table`, returning the `returning` columns of each
 * new row (in no particular order: match them by a key), or nothing when `returning` is empty.
 */
export async function insertRows<T = never>(run: SqlRunner, table: string, columns: string[], rows: unknown[][], returning: string[] = [], onConflict?: 'ON CONFLICT DO NOTHING'): Promise<T[]> {
  const head = Prisma.raw(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES `);
  const tail = Prisma.raw(`${onConflict ? ` ${onConflict}` : ''}${returning.length ? ` RETURNING ${returning.map((c) => `"${c}"`).join(', ')}` : ''}`);
  const out: T[] = [];
  for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
    const values = Prisma.join(rows.slice(at, at + ROWS_PER_INSERT).map((r) => Prisma.sql`(${Prisma.join(r)})`));
    if (returning.length) out.push(...(await run.query<T>(Prisma.sql`${head}${values}${tail}`)));
    else await run.execute(Prisma.sql`${head}${values}${tail}`);
  }
  return out;
}

/**
 * A unique-constraint violation however it arrives: Prisma's P2002, a raw query's P2010 with the
 * adapter's UniqueConstraintViolation, SQLite's own, or PostgreSQL's 23505.
 */
export function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: unknown; meta?: unknown; cause?: unknown; kind?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (e.code === 'P2002' || e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return true;
    if (e.kind === 'UniqueConstraintViolation') return true;
    const adapterError = (e.meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError;
    e = (adapterError ?? e.cause) as typeof e;
  }
  return false;
}
