/**
 * A web node's index replicas follow PostgreSQL: a dedicated connection LISTENs on the channel
 * workers NOTIFY after each commit (slice-worker.ts), and each notification runs the indexes'
 * catch-up at once (lib/index: rows above the high-water mark, plus ids that committed late).
 * Notifications carry nothing: one catch-up covers any number of them, so a burst coalesces into
 * one run plus at most one more. When the connection drops (PostgreSQL restarted), it reconnects
 * with back-off and runs a full catch-up, which also finds what was committed meanwhile; searches
 * keep catching up on their own every second whatever happens here.
 */
import type { Client } from 'pg';
import { describeError } from '../errors';
import type { VectorIndex } from '../index';

/** The channel workers NOTIFY after a commit that added vectors. */
export const VECTORS_CHANNEL = 'clipdex_vectors';

export interface VectorFollower {
  /** Catch-ups run so far (tests and the lag bench wait on it). */
  readonly runs: number;
  close(): Promise<void>;
}

export function followVectors(databaseUrl: string, indexes: VectorIndex[], log: (m: string) => void): VectorFollower {
  let client: Client | undefined;
  let closed = false;
  let running: Promise<void> | undefined;
  let again = false;
  let full = false;
  let runs = 0;
  let retryMs = 500;
  let timer: NodeJS.Timeout | undefined;

  const catchUp = (opts: { full?: boolean } = {}) => {
    if (opts.full) full = true;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        const f = full;
        full = false;
        try {
          // Not refreshIfStale({ now }): a catch-up already running (a search's) may have read its
          // top id before the notified commit, and refreshIfStale would only wait for that one.
          // After a reconnect: the full check (deletions, rows missed meanwhile), then every row left.
          await Promise.all(indexes.map(async (i) => {
            if (f) await i.refreshIfStale({ full: true });
            await i.catchUpFully();
          }));
        } catch (err) {
          log(`index catch-up: ${describeError(err)}`);
        }
        runs++;
      } while (again && !closed);
    })().finally(() => {
      running = undefined;
    });
  };

  const connect = async () => {
    if (closed) return;
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: databaseUrl });
    c.on('notification', () => catchUp());
    c.on('error', (err) => {
      log(`change feed: ${describeError(err)}; reconnecting`);
      drop(c);
    });
    c.on('end', () => drop(c));
    try {
      await c.connect();
      await c.query(`LISTEN ${VECTORS_CHANNEL}`);
      if (closed) return void c.end().catch(() => undefined);
      client = c;
      retryMs = 500;
      // Whatever was committed while this node was not listening.
      catchUp({ full: true });
    } catch (err) {
      log(`change feed: cannot listen (${describeError(err)}); retrying in ${retryMs} ms`);
      drop(c);
    }
  };

  const drop = (c: Client) => {
    if (client === c) client = undefined;
    c.end().catch(() => undefined);
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, retryMs);
    timer.unref?.();
    retryMs = Math.min(10_000, retryMs * 2);
  };

  void connect();
  return {
    get runs() {
      return runs;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
      await running;
    },
  };
}
