/**
 * One- and two-character CJK words through the gram index (migration 0005_keyword_bigrams) on
 * real engines: SQLite (FTS5 unicode61 "KeywordGramFts") and PostgreSQL (GIN over the grams, when
 * CLIPDEX_TEST_POSTGRES_URL names a database that may be wiped). The answers must be exactly the
 * documents whose text holds the word (a substring oracle), they must come from the index (clear a
 * document's grams and it is no longer found), and the migration backfills older documents.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDbs, getDb, isPostgresDb, migrateDatabase, type Db } from '../../lib/db';
import { keywordSearch, syncKeywordDocs, type KeywordQuery } from '../../lib/keyword';
import { RANK_CAP } from '../../lib/keyword/search';
import { parseQuery } from '../../lib/query';

const pgUrl = process.env.CLIPDEX_TEST_POSTGRES_URL;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-kwg-'));
afterAll(async () => {
  await closeDbs();
  fs.rmSync(dir, { recursive: true, force: true });
});

const kq = (raw: string): KeywordQuery => {
  const p = parseQuery(raw);
  return { terms: p.terms, exclude: p.exclude };
};

const CAPTIONS: [string, string?][] = [
  ['红色的汽车停在路边'],
  ['一碗红烧牛肉面'],
  ['一杯牛奶', 'MILK 牛奶 1L'], // caption, text in the image
  ['一只小狗在草地上', '汽'], // 汽 alone, as the text in the image
  ['末尾是汽', '车开头'], // 汽 | 车 across two fields: not 汽车
  ['カメラ と 사진기'], // katakana and Hangul
  ['a red sports car 汽车'],
  ['no cjk here at all'],
];

async function seed(db: Db, name: string, sha: string): Promise<{ ids: number[]; text: string[]; dsId: number }> {
  await db.dataset.deleteMany({ where: { name: { startsWith: name } } }); // and what an earlier run of these tests left
  const ds = await db.dataset.create({ data: { name, format: 'pairs' } });
  const ids: number[] = [];
  const text: string[] = [];
  for (const [i, [caption, ocr]] of CAPTIONS.entries()) {
    const img = await db.image.create({ data: { datasetId: ds.id, sha256: `${sha}${String(i).padStart(63, '0')}`, width: 10, height: 10, format: 'png', bytes: 1, ocrText: ocr ?? null } });
    const t = await db.text.create({ data: { datasetId: ds.id, text: caption } });
    await db.imageText.create({ data: { imageId: img.id, textId: t.id } });
    ids.push(img.id);
    text.push(`${caption}\n${ocr ?? ''}\n`);
  }
  await syncKeywordDocs(db, ids);
  return { ids, text, dsId: ds.id };
}

function gramChecks(getUrl: () => string) {
  it('finds 1–2 character CJK words exactly where the text holds them, through the gram index', async () => {
    const url = getUrl();
    await migrateDatabase(url);
    const db = getDb(url);
    const { ids, text, dsId } = await seed(db, 'kwg', 'a'); // also clears 'kwg-old'
    // Scoped to this test's dataset: other test files share the PostgreSQL database and run at the same time.
    const find = async (raw: string, filter: { datasetId?: number } = { datasetId: dsId }) => new Set((await keywordSearch(db, kq(raw), filter, 50)).map((h) => h.imageId));
    const holding = (...words: string[]) => new Set(ids.filter((_, i) => words.some((w) => text[i].includes(w))));

    for (const w of ['汽车', '牛', '牛奶', '汽', '车', 'カメ', '사진', '红']) expect(await find(w), w).toEqual(holding(w));
    expect((await find('汽车')).size).toBe(2); // not the document with 汽 and 车 in two fields
    // With a word of three or more characters (the trigram index) and a Latin word.
    expect(await find('汽车 牛肉面')).toEqual(holding('汽车', '牛肉面'));
    expect(await find('牛 sports')).toEqual(holding('牛', 'sports'));
    // Phrases, exclusions and filters hold.
    expect(await find('"牛奶"')).toEqual(holding('牛奶'));
    expect(await find('牛 -牛奶')).toEqual(new Set([ids[1]]));
    expect(await find('汽车 -sports')).toEqual(new Set([ids[0]]));
    expect(await find('牛', { datasetId: dsId + 1000 })).toEqual(new Set());
    // The field that matched: text in the image.
    const milk = await keywordSearch(db, kq('奶'), {}, 5);
    expect(milk.map((h) => [h.imageId, h.fields])).toEqual([[ids[2], ['caption', 'ocr']]]);

    // From the index, not a scan: a document whose grams are cleared is no longer found by them.
    await db.$executeRawUnsafe(`UPDATE "KeywordDoc" SET "grams" = '' WHERE "imageId" = ${ids[0]}`);
    expect(await find('汽车')).toEqual(new Set([ids[6]]));
    expect(await find('汽车停')).toEqual(new Set([ids[0]])); // the trigram index still has it
    await syncKeywordDocs(db, [ids[0]]);
    expect(await find('汽车')).toEqual(holding('汽车'));
    // Deleting the image takes its grams along.
    await db.image.delete({ where: { id: ids[1] } });
    expect(await find('牛')).toEqual(new Set([ids[2]]));
  });

  it('backfills the grams of documents written before the migration', async () => {
    const url = getUrl();
    await migrateDatabase(url);
    const db = getDb(url);
    const { ids } = await seed(db, 'kwg-old', 'b');
    // Undo 0005 as if the documents predated it, then migrate again.
    await db.$executeRawUnsafe(`DELETE FROM "_prisma_migrations" WHERE migration_name = '0005_keyword_bigrams'`);
    if (isPostgresDb(db)) {
      await db.$executeRawUnsafe('DROP INDEX "KeywordDoc_grams_gin"');
    } else {
      for (const t of ['KeywordDoc_gram_ai', 'KeywordDoc_gram_ad', 'KeywordDoc_gram_au']) await db.$executeRawUnsafe(`DROP TRIGGER "${t}"`);
      await db.$executeRawUnsafe('DROP TABLE "KeywordGramFts"');
    }
    await db.$executeRawUnsafe('ALTER TABLE "KeywordDoc" DROP COLUMN "grams"');
    await closeDbs();
    expect(await migrateDatabase(url)).toContain('0005_keyword_bigrams');
    const db2 = getDb(url);
    const rows = await db2.$queryRawUnsafe<{ grams: string }[]>(`SELECT "grams" FROM "KeywordDoc" WHERE "imageId" = ${ids[4]}`);
    expect(rows[0].grams.split(' ').sort()).toEqual(['汽', '车', '尾', '是', '末', '开', '头', '末尾', '尾是', '是汽', '车开', '开头'].sort());
    expect((await keywordSearch(db2, kq('汽车'), {}, 50)).map((h) => h.imageId).filter((id) => ids.includes(id)).sort()).toEqual([ids[0], ids[6]].sort());
  });
}

describe('CJK gram index on SQLite (FTS5 unicode61)', () => {
  gramChecks(() => `file:${path.join(dir, 'g.db')}`);

  it('ranks only the newest RANK_CAP matches of a common word, unfiltered; a filter sees them all', async () => {
    const url = `file:${path.join(dir, 'cap.db')}`;
    await migrateDatabase(url);
    const db = getDb(url);
    const ds = await db.dataset.create({ data: { name: 'cap', format: 'pairs' } });
    const n = RANK_CAP + 50;
    // The oldest 50 say the word three times (bm25's favourites), the rest once; every one holds 牛 too.
    await db.$executeRawUnsafe(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${n})
      INSERT INTO "Image" ("datasetId", sha256, width, height, format, bytes) SELECT ${ds.id}, printf('%064d', i), 1, 1, 'png', 1 FROM s`);
    await db.$executeRawUnsafe(`INSERT INTO "KeywordDoc" ("imageId", "captions", "grams")
      SELECT "id", CASE WHEN "id" <= (SELECT MIN("id") FROM "Image") + 49 THEN 'common common common 牛' ELSE 'common words here 牛' END, '牛' FROM "Image"`);
    const ids = (await db.image.findMany({ select: { id: true }, orderBy: { id: 'desc' } })).map((r) => r.id);
    const newest = new Set(ids.slice(0, RANK_CAP));
    for (const q of ['common', '牛', 'common 牛']) {
      const hits = await keywordSearch(db, kq(q), {}, 100);
      expect(hits, q).toHaveLength(100);
      expect(hits.every((h) => newest.has(h.imageId)), q).toBe(true);
    }
    // With a filter nothing is capped: bm25 ranks the oldest 50 first.
    const filtered = await keywordSearch(db, kq('common'), { datasetId: ds.id }, 100);
    expect(filtered.slice(0, 50).every((h) => !newest.has(h.imageId))).toBe(true);
  });
});

describe.skipIf(!pgUrl)('CJK gram index on PostgreSQL (GIN)', () => {
  gramChecks(() => pgUrl!);

  it('looks a two-character word up in the GIN index', async () => {
    await migrateDatabase(pgUrl!);
    const db = getDb(pgUrl!);
    const [, plan] = await db.$transaction([
      db.$executeRawUnsafe('SET LOCAL enable_seqscan = off'),
      db.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN SELECT 1 FROM "KeywordDoc" d WHERE string_to_array(d."grams", ' ') @> ARRAY['汽车']::text[]`),
    ]);
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/KeywordDoc_grams_gin/);
  });
});
