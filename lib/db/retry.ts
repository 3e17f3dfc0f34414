/**
 * Retrying a write that lost a race for SQLite's single write lock. Two processes on one data
 * dir (the web server's ingest beside a CLI ingest) take turns: busy_timeout makes a statement
 * wait for the lock, but a deferred transaction that has already read cannot wait (its snapshot
 * would be stale), so SQLite answers at once with SQLITE_BUSY(_SNAPSHOT). Prisma reports it as
 * "database is locked", or P1008 "Operation has timed out" (the better-sqlite3 adapter maps
 * SQLITE_BUSY to a socket timeout). The transaction was rolled back, so running it again is safe.
 */
export function isBusyError(err: unknown): boolean {
  for (let e = err as { code?: unknown; originalCode?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && (e.code === 'P1008' || e.code.startsWith('SQLITE_BUSY'))) return true;
    // A driver adapter's error as it reaches us unwrapped (a failed COMMIT): { kind, originalCode } in its cause.
    if (typeof e.originalCode === 'string' && e.originalCode.startsWith('SQLITE_BUSY')) return true;
    if (typeof e.message === 'string' && /database is locked|SQLITE_BUSY|Operation has timed out/i.test(e.message)) return true;
  }
  return false;
}

export interface BusyRetryOptions {
  /** Attempts in all (default 10: about 25 s of back-off on top of busy_timeout's waits). */
  attempts?: number;
  /** First back-off in ms, doubled each time up to 4 s, with jitter so two writers do not collide again. */
  baseMs?: number;
}

export async function withBusyRetry<T>(fn: () => Promise<T>, opts: BusyRetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 10;
  const base = opts.baseMs ?? 50;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isBusyError(err)) throw err;
      const wait = Math.min(4000, base * 2 ** (attempt - 1)) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
