/**
 * The better-sqlite3 driver adapter, with transactions that always end.
 *
 * @prisma/adapter-better-sqlite3 (6.19 and 7.x alike) holds a lock for each interactive
 * transaction and frees it only in the transaction's `commit()` or `rollback()`. Prisma calls
 * those after its own `COMMIT` or `ROLLBACK` statement succeeds, so when that statement fails the
 * lock is never freed and every later transaction, and every write Prisma wraps in one, waits
 * forever. That is what a full disk did: SQLite answers SQLITE_FULL and rolls the whole
 * transaction back itself, Prisma's `ROLLBACK` then fails with "no transaction is active", and an
 * ingest hung with no message instead of reporting the full disk
 * (../shared/reviews/hostile-probe-2026-11.md, D2).
 *
 * Here a transaction's `ROLLBACK` is skipped when SQLite has already ended the transaction, and a
 * failed `COMMIT` or `ROLLBACK` rolls back what is left and frees the lock before the error goes
 * on. The adapter's other behaviour is untouched.
 */
import type Database from 'better-sqlite3';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';

type Adapter = Awaited<ReturnType<PrismaBetterSQLite3['connect']>>;
type Transaction = Awaited<ReturnType<Adapter['startTransaction']>>;

/** The better-sqlite3 handle the adapter's objects keep (a public field of their class). */
function handleOf(o: object): Database.Database | undefined {
  const client = (o as { client?: unknown }).client;
  return client && typeof (client as Database.Database).inTransaction === 'boolean' ? (client as Database.Database) : undefined;
}

function endsAlways(tx: Transaction): Transaction {
  const db = handleOf(tx);
  if (!db) return tx; // not the shape this was written for: leave it as it is
  const executeRaw = tx.executeRaw.bind(tx);
  tx.executeRaw = async (query) => {
    const sql = query.sql.trim().toUpperCase();
    if (sql !== 'COMMIT' && sql !== 'ROLLBACK') return executeRaw(query);
    // SQLite rolls a transaction back itself on some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM).
    if (sql === 'ROLLBACK' && !db.inTransaction) return 0;
    try {
      return await executeRaw(query);
    } catch (err) {
      if (db.inTransaction) {
        try {
          db.exec('ROLLBACK');
        } catch {
          // the error that matters is the one being rethrown
        }
      }
      await tx.rollback(); // only frees the adapter's lock; Prisma will not call it after this error
      throw err;
    }
  };
  return tx;
}

/** The connection under each writable SQLite client, once it has connected (sql-runner.ts). */
const connections = new WeakMap<object, Database.Database>();

/** The better-sqlite3 connection under `client`, once sqliteAdapter's `owner` named that client and it connected (it may have closed since: check `.open`). */
export function connectionOf(client: object): Database.Database | undefined {
  return connections.get(client);
}

/**
 * `new PrismaBetterSQLite3(config)`, whose transactions free their lock however they end.
 * `owner()`: the client the adapter serves, under which connectionOf finds its connection.
 */
export function sqliteAdapter(config: ConstructorParameters<typeof PrismaBetterSQLite3>[0], owner?: () => object): PrismaBetterSQLite3 {
  const factory = new PrismaBetterSQLite3(config);
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => endsAlways(await startTransaction(isolationLevel));
    const conn = handleOf(adapter);
    const client = owner?.();
    if (conn && client) connections.set(client, conn);
    return adapter;
  };
  return factory;
}
