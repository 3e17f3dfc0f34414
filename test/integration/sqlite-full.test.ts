/**
 * A full disk during a transaction (D2 of ../shared/reviews/hostile-probe-2026-11.md): the
 * transaction fails with SQLite's "database or disk is full", nothing of it is kept, and the next
 * transactions run. SQLite's max_page_count makes the file full at a chosen size; that ends only
 * the failing statement. A disk that is really full can make SQLite end the whole transaction
 * itself, and then, before lib/db/sqlite-adapter.ts, every later transaction waited forever on the
 * driver adapter's lock: the second test does that (it fails without the wrapper).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDbs, getDb, migrateDatabase } from '../../lib/db';

/** `p`, or a rejection naming `what` after `ms`: a hang fails the test instead of timing out the file. */
function within<T>(p: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe('a transaction that fills the database', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-full-'));
  const url = `file:${path.join(dir, 'test.db')}`;
  afterAll(async () => {
    await closeDbs();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fails with SQLITE_FULL, keeps none of its rows, and the next transactions run', async () => {
    await migrateDatabase(url);
    const db = getDb(url);
    const ds = await db.dataset.create({ data: { name: 'full', format: 'pairs' } });
    const [{ page_count: pages }] = await db.$queryRawUnsafe<{ page_count: bigint }[]>('PRAGMA page_count');
    await db.$queryRawUnsafe(`PRAGMA max_page_count = ${Number(pages) + 4}`);

    const filling = db.$transaction(async (tx) => {
      for (let i = 0; i < 200; i++) await tx.text.create({ data: { datasetId: ds.id, text: `${i} ${'x'.repeat(8000)}` } });
    });
    await expect(within(filling, 'the filling transaction')).rejects.toThrow(/full/i);
    expect(await within(db.text.count(), 'a count')).toBe(0);

    // Writes Prisma wraps in a transaction, and interactive ones, still run.
    await within(db.dataset.update({ where: { id: ds.id }, data: { status: 'failed' } }), 'an update');
    await within(db.$transaction(async (tx) => tx.text.create({ data: { datasetId: ds.id, text: 'small' } })), 'a transaction');
    await db.$queryRawUnsafe(`PRAGMA max_page_count = ${2 ** 30}`);
    await within(db.$transaction(async (tx) => tx.text.create({ data: { datasetId: ds.id, text: 'y'.repeat(100_000) } })), 'a large write');
    expect(await db.text.count()).toBe(2);
    expect((await db.dataset.findUniqueOrThrow({ where: { id: ds.id } })).status).toBe('failed');
  });

  it('a COMMIT that fails (a deferred foreign key) keeps nothing and does not stop the next transaction', async () => {
    const db = getDb(url);
    const before = await db.text.count();
    const failing = db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('PRAGMA defer_foreign_keys = ON'); // checked at COMMIT, which then fails with the transaction still open
      await tx.$executeRawUnsafe(`INSERT INTO "Text" ("datasetId", "text", "createdAt") VALUES (999999, 'orphan', '2026-11-30T00:00:00.000+00:00')`);
    });
    await expect(within(failing, 'the failing commit')).rejects.toThrow(/ForeignKeyConstraintViolation|FOREIGN KEY/);
    await within(db.$transaction(async (tx) => tx.text.count()), 'the next transaction');
    expect(await db.text.count()).toBe(before);
  });

  it('a transaction that SQLite ended itself does not stop the next one', async () => {
    const db = getDb(url);
    const before = await db.text.count();
    const ended = db.$transaction(async (tx) => {
      await tx.text.create({ data: { datasetId: (await tx.dataset.findFirstOrThrow()).id, text: 'rolled back' } });
      await tx.$executeRawUnsafe('ROLLBACK'); // what SQLite does itself on SQLITE_FULL or SQLITE_IOERR
      throw new Error('after the rollback');
    });
    await expect(within(ended, 'the ended transaction')).rejects.toThrow(/after the rollback/);
    await within(db.$transaction(async (tx) => tx.text.count()), 'the next transaction');
    expect(await db.text.count()).toBe(before);
  });
});
