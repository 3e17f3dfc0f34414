/**
 * The same metadata path on PostgreSQL. Runs when CLIPDEX_TEST_POSTGRES_URL names a database
 * that may be wiped (`.ci/run` starts Debian's PostgreSQL and sets it); skipped elsewhere.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { bytesToVector, closeDbs, getDb, migrateDatabase, providerOf, vectorToBytes } from '../../lib/db';
import { checkHydration } from './hydration-helpers';

const url = process.env.CLIPDEX_TEST_POSTGRES_URL;

describe.skipIf(!url)('PostgreSQL through Prisma + pg (real server)', () => {
  afterAll(closeDbs);

  it('migrates (twice, idempotently) and round-trips a dataset, links and a vector', async () => {
    expect(providerOf(url!)).toBe('postgresql');
    await migrateDatabase(url!);
    await migrateDatabase(url!);
    const db = getDb(url!);
    await db.dataset.deleteMany({ where: { name: 'pg-test' } });
    await db.model.upsert({ where: { id: 'f'.repeat(16) }, create: { id: 'f'.repeat(16), name: 'm', layout: 'hf', dim: 3 }, update: {} });
    const ds = await db.dataset.create({ data: { name: 'pg-test', format: 'pairs' } });
    const img = await db.image.create({ data: { datasetId: ds.id, sha256: 'c'.repeat(64), width: 4, height: 5, format: 'png', bytes: 9 } });
    const txt = await db.text.create({ data: { datasetId: ds.id, text: '一只猫 a cat' } });
    await db.imageText.create({ data: { imageId: img.id, textId: txt.id } });
    await db.imageVector.create({ data: { imageId: img.id, modelId: 'f'.repeat(16), data: vectorToBytes(new Float32Array([0.5, -0.25, 1])) } });
    const back = await db.image.findUniqueOrThrow({ where: { id: img.id }, include: { vectors: true, texts: { include: { text: true } } } });
    expect(Array.from(bytesToVector(back.vectors[0].data))).toEqual([0.5, -0.25, 1]);
    expect(back.texts[0].text.text).toBe('一只猫 a cat');
    await db.dataset.delete({ where: { id: ds.id } });
    expect(await db.imageVector.count({ where: { imageId: img.id } })).toBe(0);
  });

  it('hydrates search hits with the same raw SQL as SQLite', async () => {
    await migrateDatabase(url!);
    await checkHydration(getDb(url!), 'pg-hydrate');
  });
});

describe('database URL handling', () => {
  it('names the supported forms when the URL is neither SQLite nor PostgreSQL', () => {
    expect(() => providerOf('mysql://root:secret@db/x')).toThrow(/file:.*postgresql:\/\//);
    expect(() => providerOf('mysql://root:secret@db/x')).not.toThrow(/secret/);
  });
});

describe('PostgreSQL schema', () => {
  it('is the SQLite schema with only the provider and output changed (run `npm install` to regenerate)', async () => {
    const fs = await import('node:fs');
    // @ts-expect-error — plain .mjs script without type declarations
    const { postgresSchema } = await import('../../scripts/gen-postgres-schema.mjs');
    const sqlite = fs.readFileSync('prisma/schema.prisma', 'utf8');
    expect(fs.readFileSync('prisma/postgres/schema.prisma', 'utf8')).toBe(postgresSchema(sqlite));
  });
});

describe.skipIf(!url)('the engine on PostgreSQL (real server, real model)', () => {
  it('ingests a corpus, lists datasets with link counts, searches and deletes', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { resetConfig } = await import('../../lib/config');
    const { getEngine, closeEngine } = await import('../../lib/engine');
    const { ingestCorpus, deleteDataset } = await import('../../lib/ingest');
    const { listDatasets } = await import('../../lib/db');
    const { search } = await import('../../lib/search');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-pg-'));
    const saved = { ...process.env };
    process.env.CLIPDEX_DATA_DIR = dataDir;
    process.env.DATABASE_URL = url;
    resetConfig();
    try {
      const engine = await getEngine();
      await deleteDataset(engine, 'pg-valid').catch(() => undefined);
      // the first 40 lines of the demo valid split
      const lines = fs.readFileSync('demo/valid.tsv', 'utf8').split('\n').filter(Boolean).slice(0, 40);
      const corpus = path.join(dataDir, 'small.tsv');
      fs.writeFileSync(corpus, lines.join('\n') + '\n');
      const summary = await ingestCorpus({ path: corpus, dataset: 'pg-valid' }, engine);
      expect(summary.errorCount).toBe(0);
      expect(summary.good).toBe(40);
      const ds = (await listDatasets(engine.db)).find((d) => d.name === 'pg-valid');
      expect(ds?.links).toBe(40);
      const caption = lines[7].split('\t')[0];
      const res = await search({ query: { text: caption }, want: 'text', k: 3, dataset: 'pg-valid' }, engine);
      expect(res.hits[0].text).toBe(caption);
      // issue 11: ingest filled the keyword index inside its transaction on PostgreSQL too.
      const kw = await search({ query: { text: '旗 -乌干达' }, want: 'image', k: 10, ranking: 'keyword', dataset: 'pg-valid' }, engine);
      expect(kw.hits.map((h) => h.captions[0]).sort()).toEqual(['旗', '旗: 巴基斯坦', '旗: 布基纳法索']);
      const hybrid = await search({ query: { text: '旗' }, want: 'image', k: 5, dataset: 'pg-valid' }, engine);
      expect(hybrid.hits[0].signals).toMatchObject({ keyword: { fields: ['caption'] }, semantic: {} });
      await deleteDataset(engine, 'pg-valid');
      expect((await listDatasets(engine.db)).some((d) => d.name === 'pg-valid')).toBe(false);
    } finally {
      await closeEngine();
      process.env = saved;
      resetConfig();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
