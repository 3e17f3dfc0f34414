/**
 * The keyword index (lib/keyword, migration 0002_keyword) on real engines: SQLite's FTS5 trigram
 * index and PostgreSQL's pg_trgm (when CLIPDEX_TEST_POSTGRES_URL names a database that may be
 * wiped). The same checks on both: parts of words (Chinese and codes), phrases, exclusions,
 * weights, filters, the backfill at migrate, and deletes that take the documents with them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDbs, getDb, migrateDatabase, tuneSqlite, type Db } from '../../lib/db';
import { keywordSearch, rebuildKeywordDocs, syncKeywordDocs, type KeywordQuery } from '../../lib/keyword';
import { parseQuery } from '../../lib/query';

const pgUrl = process.env.CLIPDEX_TEST_POSTGRES_URL;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-kw-'));
const sqliteUrl = `file:${path.join(dir, 'kw.db')}`;

afterAll(async () => {
  await closeDbs();
  fs.rmSync(dir, { recursive: true, force: true });
});

const kq = (raw: string): KeywordQuery => {
  const p = parseQuery(raw);
  return { terms: p.terms, exclude: p.exclude };
};

async function seed(db: Db, name: string) {
  await db.dataset.deleteMany({ where: { name: { startsWith: name } } });
  const ds = await db.dataset.create({ data: { name, format: 'pairs' } });
  const other = await db.dataset.create({ data: { name: `${name}-other`, format: 'pairs' } });
  const mk = async (i: number, captions: string[], extra: { externalId?: string; format?: string; width?: number; datasetId?: number } = {}) => {
    const img = await db.image.create({
      data: { datasetId: extra.datasetId ?? ds.id, sha256: String(i).padStart(64, '0'), width: extra.width ?? 100, height: 100, format: extra.format ?? 'png', bytes: 1, externalId: extra.externalId },
    });
    for (const c of captions) {
      const t = await db.text.upsert({ where: { datasetId_text: { datasetId: img.datasetId, text: c } }, create: { datasetId: img.datasetId, text: c }, update: {} });
      await db.imageText.create({ data: { imageId: img.id, textId: t.id } });
    }
    return img.id;
  };
  const ids = {
    noodles: await mk(1, ['一碗红烧牛肉面', 'a bowl of braised beef noodles']),
    car: await mk(2, ['红色的汽车停在路边'], { format: 'jpeg', width: 640 }),
    label: await mk(3, ['a product box on a shelf'], { externalId: 'box-QX-4471.png' }),
    redDress: await mk(4, ['a woman in a red summer dress']),
    redCar: await mk(5, ['a red sports car on a road'], { width: 1920 }),
    dog: await mk(6, ['a dog with a red ball'], { datasetId: other.id }),
  };
  await syncKeywordDocs(db, Object.values(ids));
  return { ds, other, ids };
}

function keywordChecks(getUrl: () => string) {
  it('finds parts of Chinese words and codes, phrases, exclusions and filters; deletes follow', async () => {
    const url = getUrl();
    await migrateDatabase(url);
    const db = getDb(url);
    const { ds, other, ids } = await seed(db, 'kw');
    const find = async (raw: string, filter = {}) => (await keywordSearch(db, kq(raw), filter, 50)).map((h) => h.imageId);

    // 红烧牛肉面 by 牛肉面 (3 characters: the trigram index) and by 牛肉 (2: the LIKE fallback).
    expect(await find('牛肉面')).toEqual([ids.noodles]);
    expect(await find('牛肉')).toEqual([ids.noodles]);
    expect(await find('汽车')).toEqual([ids.car]);
    // "QX-4471" (in a file name) by 4471, with the field named.
    const code = await keywordSearch(db, kq('4471'), {}, 10);
    expect(code.map((h) => [h.imageId, h.fields])).toEqual([[ids.label, ['filename']]]);
    // Words: any; the caption with more of them first; case-insensitive.
    const red = await find('RED car');
    expect(red[0]).toBe(ids.redCar);
    expect(new Set(red)).toEqual(new Set([ids.redCar, ids.redDress, ids.dog]));
    // A phrase must match as written.
    expect(await find('"red summer dress"')).toEqual([ids.redDress]);
    expect(await find('"red dress"')).toEqual([]);
    // Exclusions: words and phrases, long and short.
    expect(new Set(await find('red -car'))).toEqual(new Set([ids.redDress, ids.dog]));
    expect(new Set(await find('red -"sports car" -ball'))).toEqual(new Set([ids.redDress]));
    expect(await find('牛肉 -红烧')).toEqual([]);
    // Weights change the order.
    expect((await find('dress car^3'))[0]).toBe(ids.redCar);
    expect((await find('dress^3 car'))[0]).toBe(ids.redDress);
    // Filters apply to keyword hits.
    expect(await find('red', { datasetId: other.id })).toEqual([ids.dog]);
    expect(await find('red', { datasetId: ds.id, sizes: [{ field: 'width', op: '>=', value: 1000 }] })).toEqual([ids.redCar]);
    expect(await find('汽车', { format: 'png' })).toEqual([]);
    expect(await find('red', { added: [{ op: '<', value: '2000-01-01' }] })).toEqual([]);
    expect((await find('red', { added: [{ op: '>=', value: '2000-01-01' }] })).length).toBe(3);
    // Short Latin words alone are left to the semantic signal; browse lists the filtered images.
    expect(await find('a')).toEqual([]);
    const all = await keywordSearch(db, kq('-red'), { datasetId: ds.id }, 50, { browse: true });
    expect(new Set(all.map((h) => h.imageId))).toEqual(new Set([ids.noodles, ids.car, ids.label]));
    // Snippets come from the caption that matched.
    expect((await keywordSearch(db, kq('sports'), {}, 5))[0].snippet).toBe('a red sports car on a road');

    // A new caption, then a sync: found by it. Deleting the image deletes its document.
    const t = await db.text.create({ data: { datasetId: ds.id, text: 'zebra crossing' } });
    await db.imageText.create({ data: { imageId: ids.redCar, textId: t.id } });
    expect(await find('zebra')).toEqual([]);
    await syncKeywordDocs(db, [ids.redCar, 999_999_999]);
    expect(await find('zebra')).toEqual([ids.redCar]);
    await db.image.delete({ where: { id: ids.redCar } });
    expect(await find('zebra')).toEqual([]);
    await db.dataset.delete({ where: { id: ds.id } });
    expect(await find('牛肉')).toEqual([]);
    const left = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT COUNT(*) AS n FROM "KeywordDoc" WHERE "imageId" IN (${Object.values(ids).join(',')})`);
    expect(Number(left[0].n)).toBe(1); // the dog, in the other dataset
    expect(await rebuildKeywordDocs(db)).toBeGreaterThanOrEqual(1);
    expect(await find('ball')).toEqual([ids.dog]);
  });

  it('two writers syncing the same image at once both succeed, and its document is never missing', async () => {
    const url = getUrl();
    await migrateDatabase(url);
    const db = getDb(url);
    // Its own dataset and words: other test files share the PostgreSQL database at the same time.
    await db.dataset.deleteMany({ where: { name: 'kw-race' } });
    const ds = await db.dataset.create({ data: { name: 'kw-race', format: 'pairs' } });
    const ids: number[] = [];
    for (const [i, caption] of ['quokkarace alpha', 'quokkarace beta'].entries()) {
      const img = await db.image.create({ data: { datasetId: ds.id, sha256: `r${String(i).padStart(63, '0')}`, width: 1, height: 1, format: 'png', bytes: 1 } });
      const t = await db.text.create({ data: { datasetId: ds.id, text: caption } });
      await db.imageText.create({ data: { imageId: img.id, textId: t.id } });
      ids.push(img.id);
    }
    await syncKeywordDocs(db, ids);
    // Before the upsert, a delete then an insert: on PostgreSQL both writers deleted, then the
    // second insert failed with a duplicate key (23505), and a reader between the two saw nothing.
    for (let round = 0; round < 20; round++) {
      const [, , seen] = await Promise.all([
        syncKeywordDocs(db, ids),
        syncKeywordDocs(db, [...ids].reverse()),
        keywordSearch(db, kq('quokkarace'), { datasetId: ds.id }, 5),
      ]);
      expect(seen.map((h) => h.imageId).sort((a, b) => a - b)).toEqual(ids);
    }
    const docs = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT COUNT(*) AS n FROM "KeywordDoc" WHERE "imageId" IN (${ids.join(',')})`);
    expect(Number(docs[0].n)).toBe(2);
    await db.dataset.delete({ where: { id: ds.id } });
  });
}

describe('keyword index on SQLite (FTS5 trigram)', () => {
  keywordChecks(() => sqliteUrl);

  it('backfills images stored before the migration (and searches them by the trigram index)', async () => {
    const file = path.join(dir, 'old.db');
    const url = `file:${file}`;
    await migrateDatabase(url);
    const db = getDb(url);
    await tuneSqlite(db);
    const ds = await db.dataset.create({ data: { name: 'old', format: 'pairs' } });
    const img = await db.image.create({ data: { datasetId: ds.id, sha256: 'e'.repeat(64), width: 1, height: 1, format: 'png', bytes: 1, externalId: 'IMG_0042.jpg' } });
    const t = await db.text.create({ data: { datasetId: ds.id, text: '海边的红烧牛肉面馆' } });
    await db.imageText.create({ data: { imageId: img.id, textId: t.id } });
    // Undo 0002 as if the database predated it, then migrate again: the backfill finds the image.
    await db.$executeRawUnsafe(`DELETE FROM "_prisma_migrations" WHERE migration_name = '0002_keyword'`);
    await db.$executeRawUnsafe('DROP TABLE "KeywordFts"');
    await db.$executeRawUnsafe('DROP TABLE "KeywordDoc"');
    await closeDbs();
    expect(await migrateDatabase(url)).toContain('0002_keyword');
    const db2 = getDb(url);
    expect((await keywordSearch(db2, kq('牛肉面'), {}, 5)).map((h) => h.imageId)).toEqual([img.id]);
    expect((await keywordSearch(db2, kq('0042'), {}, 5)).map((h) => h.fields)).toEqual([['filename']]);
  });
});

describe.skipIf(!pgUrl)('keyword index on PostgreSQL (pg_trgm)', () => {
  keywordChecks(() => pgUrl!);

  it('uses the trigram index for a part of a word', async () => {
    await migrateDatabase(pgUrl!);
    const db = getDb(pgUrl!);
    // One connection (a transaction) for the setting and the plan.
    const [, plan] = await db.$transaction([
      db.$executeRawUnsafe('SET LOCAL enable_seqscan = off'),
      db.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN SELECT 1 FROM "KeywordDoc" d WHERE d."body" ILIKE '%牛肉面%'`),
    ]);
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/KeywordDoc_body_trgm/);
  });
});
