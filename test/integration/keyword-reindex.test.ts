/**
 * A re-index (`clipdex reindex`, the reindex job) rebuilds the keyword documents from the rows
 * (lib/ingest/jobs.ts calls rebuildKeywordDocs): lost documents come back, a caption written
 * without a sync is picked up, and the CJK grams (0005_keyword_bigrams) are written with them.
 * Real engine: SQLite through the migrations, the real model, hnswlib on disk.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestCorpus, startReindexJob } from '../../lib/ingest';
import { keywordSearch } from '../../lib/keyword';
import { parseQuery } from '../../lib/query';
import { CORPUS, makeTestEnv } from './engine-helpers';

const t = makeTestEnv('kw-reindex');
afterAll(() => t.cleanup());

describe('reindex and the keyword index', () => {
  it('rebuilds the keyword documents from the rows', async () => {
    const e = await t.open();
    await ingestCorpus({ path: path.join(CORPUS, 'pairs.tsv'), dataset: 'pairs' }, e);
    const find = async (raw: string) => {
      const p = parseQuery(raw);
      return (await keywordSearch(e.db, { terms: p.terms, exclude: p.exclude }, {}, 10)).map((h) => h.imageId);
    };
    const green = await find('绿色');
    expect(green).toHaveLength(1);
    const square = (await find('square'))[0];
    expect(square).toBeDefined();

    // The documents lost, and a caption added without a sync: the index no longer matches the rows.
    await e.db.$executeRawUnsafe('DELETE FROM "KeywordDoc"');
    const text = await e.db.text.create({ data: { datasetId: (await e.db.dataset.findFirstOrThrow({ where: { name: 'pairs' } })).id, text: 'zebra crossing 斑马线' } });
    await e.db.imageText.create({ data: { imageId: square, textId: text.id } });
    expect(await find('绿色')).toEqual([]);
    expect(await find('zebra')).toEqual([]);

    const outcome = await (await startReindexJob(e)).done;
    expect('error' in outcome).toBe(false);
    expect(await find('绿色')).toEqual(green); // two CJK characters: the gram index
    expect(await find('zebra')).toEqual([square]);
    expect(await find('斑马')).toEqual([square]);
    expect(await e.db.$queryRawUnsafe<{ n: number }[]>('SELECT COUNT(*) AS n FROM "KeywordDoc"')).toEqual([{ n: BigInt(await e.db.image.count()) }]);
  });
});
