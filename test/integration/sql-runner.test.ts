/**
 * lib/db/sql-runner.ts on real databases: inside a SQLite transaction the statements run on the
 * connection Prisma's transaction holds (and roll back with it); elsewhere, and on PostgreSQL
 * (when CLIPDEX_TEST_POSTGRES_URL is set), through Prisma. Both ways read back the same rows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDbs, getDb, migrateDatabase, vectorToBytes, bytesToVector, type Db } from '../../lib/db';
import { insertRows, isUniqueViolation, prismaRunner, sqlRunner } from '../../lib/db/sql-runner';
import { connectionOf } from '../../lib/db/sqlite-adapter';
import { Prisma } from '../../lib/generated/prisma/client';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-sqlrunner-'));
const targets = [
  { name: 'SQLite', url: `file:${path.join(dir, 'runner.db')}`, sqlite: true },
  ...(process.env.CLIPDEX_TEST_POSTGRES_URL ? [{ name: 'PostgreSQL', url: process.env.CLIPDEX_TEST_POSTGRES_URL, sqlite: false }] : []),
];
afterAll(async () => {
  await closeDbs();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function dataset(db: Db, name: string): Promise<number> {
  await db.dataset.deleteMany({ where: { name } });
  await db.model.upsert({ where: { id: 'r'.repeat(16) }, create: { id: 'r'.repeat(16), name: 'm', layout: 'hf', dim: 2 }, update: {} });
  return (await db.dataset.create({ data: { name, format: 'pairs' } })).id;
}

describe.each(targets)('sql-runner on $name', ({ url, sqlite }) => {
  it('inserts and reads back what Prisma reads: ids as numbers, dates, nulls, blobs', async () => {
    await migrateDatabase(url);
    const db = getDb(url);
    const ds = await dataset(db, 'runner-rows');
    const at = new Date('2026-11-30T12:34:56.789Z');
    const ways: string[] = [];
    const created = await db.$transaction(async (tx) => {
      const run = sqlRunner(db, tx);
      ways.push(sqlite && connectionOf(db)?.inTransaction ? 'direct' : 'prisma');
      const rows = await insertRows<{ id: number; sha256: string }>(
        run, 'Image', ['datasetId', 'sha256', 'width', 'height', 'format', 'bytes', 'externalId', 'line', 'createdAt'],
        [[ds, 'a'.repeat(64), 3, 4, 'png', 10, null, 1, at], [ds, 'b'.repeat(64), 5, 6, 'jpeg', 20, 'ext-b', 2, at]],
        ['id', 'sha256'],
      );
      const ids = rows.map((r) => r.id);
      await insertRows(run, 'ImageVector', ['imageId', 'modelId', 'data'], ids.map((id, i) => [id, 'r'.repeat(16), vectorToBytes(new Float32Array([i, -0.5]))]));
      const back = await run.query<{ id: number; n: number }>(Prisma.sql`SELECT "imageId" AS "id", 7 AS "n" FROM "ImageVector" WHERE "imageId" IN (${Prisma.join(ids)})`);
      expect(back.every((r) => typeof r.id === 'number' && typeof r.n === 'number')).toBe(true);
      return rows;
    });
    expect(ways).toEqual([sqlite ? 'direct' : 'prisma']);
    expect(created.map((r) => typeof r.id)).toEqual(['number', 'number']);
    // Prisma reads the rows as if it had written them.
    const images = await db.image.findMany({ where: { datasetId: ds }, orderBy: { sha256: 'asc' }, include: { vectors: true } });
    expect(images.map((i) => [i.sha256[0], i.width, i.format, i.externalId, i.line, i.createdAt.toISOString()])).toEqual([
      ['a', 3, 'png', null, 1, at.toISOString()],
      ['b', 5, 'jpeg', 'ext-b', 2, at.toISOString()],
    ]);
    expect(images.map((i) => Array.from(bytesToVector(i.vectors[0].data)))).toEqual([[0, -0.5], [1, -0.5]]);
    // The same SELECT outside a transaction goes through Prisma, with the same numbers.
    const viaPrisma = await prismaRunner(db).query<{ id: number }>(Prisma.sql`SELECT "id" FROM "Image" WHERE "datasetId" = ${ds} ORDER BY "id"`);
    expect(viaPrisma).toEqual([...created].sort((a, b) => a.id - b.id).map((r) => ({ id: r.id })));
  });

  it('rolls back with the transaction, and reports a unique violation as one', async () => {
    const db = getDb(url);
    const ds = await dataset(db, 'runner-rollback');
    const failing = db.$transaction(async (tx) => {
      const run = sqlRunner(db, tx);
      await insertRows(run, 'Text', ['datasetId', 'text', 'createdAt'], [[ds, 'kept?', new Date()]]);
      await insertRows(run, 'Text', ['datasetId', 'text', 'createdAt'], [[ds, 'kept?', new Date()]]); // @@unique([datasetId, text])
    });
    const err = await failing.then(() => undefined, (e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
    expect(await db.text.count({ where: { datasetId: ds } })).toBe(0);
    // The next transaction runs (the adapter's lock was freed).
    await db.$transaction(async (tx) => insertRows(sqlRunner(db, tx), 'Text', ['datasetId', 'text', 'createdAt'], [[ds, 'kept', new Date()]]));
    expect(await db.text.count({ where: { datasetId: ds } })).toBe(1);
  });
});

describe('isUniqueViolation', () => {
  it('knows the shapes and nothing else', () => {
    expect(isUniqueViolation({ code: 'P2002' })).toBe(true);
    expect(isUniqueViolation({ code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'UniqueConstraintViolation' } } } })).toBe(true);
    expect(isUniqueViolation(Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBe(true);
    expect(isUniqueViolation({ code: '23505' })).toBe(true);
    expect(isUniqueViolation(new Error('database is locked'))).toBe(false);
    expect(isUniqueViolation({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' })).toBe(false);
  });
});
