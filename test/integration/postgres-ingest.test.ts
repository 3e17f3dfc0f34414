/**
 * I3 on PostgreSQL (runs when CLIPDEX_TEST_POSTGRES_URL names a scratch database; `.ci/run` sets
 * it): PostgreSQL's text type cannot hold U+0000, so a caption with a NUL once failed the whole
 * ingest (every line lost, no line number, the dataset left 'ingesting', orphan blobs). Now it is
 * one bad line with its number, the rest is kept, and no file is left without a row.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../lib/config';
import { closeEngine, getEngine, type Engine } from '../../lib/engine';
import { deleteDataset, ingestCorpus } from '../../lib/ingest';
import { ROOT, testModelDir } from './engine-helpers';

const url = process.env.CLIPDEX_TEST_POSTGRES_URL;

describe.skipIf(!url)('ingest on PostgreSQL (real server, real model)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-pg-nul-'));
  const saved = { ...process.env };
  let e: Engine;
  beforeAll(async () => {
    Object.assign(process.env, { CLIPDEX_DATA_DIR: dataDir, DATABASE_URL: url, CLIPDEX_MODEL_DIR: testModelDir(), CLIPDEX_THREADS: '1' });
    resetConfig();
    e = await getEngine({ log: () => undefined });
    for (const name of ['pg-nul', 'pg-boom', 'pg-long']) await deleteDataset(e, name).catch(() => undefined);
  });
  afterAll(async () => {
    for (const name of ['pg-nul', 'pg-boom', 'pg-long']) await deleteDataset(e, name).catch(() => undefined);
    await closeEngine();
    process.env = saved;
    resetConfig();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('PostgreSQL itself refuses a NUL in a text (the reason the reader refuses it first)', async () => {
    const ds = await e.db.dataset.upsert({ where: { name: 'pg-nul-probe' }, create: { name: 'pg-nul-probe', format: 'texts' }, update: {} });
    try {
      await expect(e.db.text.create({ data: { datasetId: ds.id, text: 'a\u0000b' } })).rejects.toThrow(/0x00/);
    } finally {
      await e.db.dataset.delete({ where: { id: ds.id } });
    }
  });

  it('a caption with a NUL on line 12 is one bad line named by its number; the other lines are ingested', async () => {
    const demo = fs.readFileSync(path.join(ROOT, 'demo', 'valid.tsv'), 'utf8').split('\n').filter(Boolean).slice(0, 20);
    const lines = demo.map((l, i) => (i === 11 ? `a\u0000b\t${l.split('\t')[1]}` : l));
    const file = path.join(dataDir, 'nul.tsv');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const s = await ingestCorpus({ path: file, dataset: 'pg-nul', batchSize: 8 }, e);
    expect(s.errors).toEqual([{ line: 12, reason: expect.stringMatching(/^column 1 \(text\) contains a NUL character \(U\+0000\) at character 2, which PostgreSQL cannot store/) }]);
    expect(s).toMatchObject({ good: 19, errorCount: 1, datasetStatus: 'ready' });
    const ds = await e.db.dataset.findUniqueOrThrow({ where: { name: 'pg-nul' } });
    expect(ds.status).toBe('ready');
    const captions = new Set(lines.filter((_, i) => i !== 11).map((l) => l.split('\t')[0]));
    expect(await e.db.text.count({ where: { datasetId: ds.id } })).toBe(captions.size);
  });

  it('a caption too long for PostgreSQL\'s unique index is one bad line too, not a failed batch', async () => {
    const demo = fs.readFileSync(path.join(ROOT, 'demo', 'valid.tsv'), 'utf8').split('\n').filter(Boolean).slice(20, 30);
    // ~6,300 pseudo-random hex characters: compresses poorly, so PostgreSQL itself would refuse the index entry
    let x = 12345;
    const long = Array.from({ length: 700 }, () => ((x = (x * 1103515245 + 12345) % 2147483648), x.toString(16).padStart(8, '0'))).join(' ');
    const lines = demo.map((l, i) => (i === 4 ? `${long}\t${l.split('\t')[1]}` : l));
    const file = path.join(dataDir, 'long.tsv');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const s = await ingestCorpus({ path: file, dataset: 'pg-long' }, e);
    expect(s.errors).toEqual([{ line: 5, reason: expect.stringMatching(/^column 1 \(text\) is \d+ bytes \(UTF-8\), over the 2048-byte limit/) }]);
    expect(s).toMatchObject({ good: 9, datasetStatus: 'ready' });
    // the premise: PostgreSQL refuses such a text outright
    const ds = await e.db.dataset.findUniqueOrThrow({ where: { name: 'pg-long' } });
    await expect(e.db.text.create({ data: { datasetId: ds.id, text: long } })).rejects.toThrow(/index row size|maximum/);
  });

  it('a batch that PostgreSQL rejects leaves the dataset "failed" and no orphan files', async () => {
    const demo = fs.readFileSync(path.join(ROOT, 'demo', 'valid.tsv'), 'utf8').split('\n').filter(Boolean).slice(100, 112);
    const lines = demo.map((l, i) => (i === 6 ? `boom\t${l.split('\t')[1]}` : l));
    const file = path.join(dataDir, 'boom.tsv');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    await e.db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION clipdex_test_boom() RETURNS trigger AS $$ BEGIN IF NEW.text = 'boom' THEN RAISE EXCEPTION 'forced failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await e.db.$executeRawUnsafe('DROP TRIGGER IF EXISTS clipdex_test_boom ON "Text"');
    await e.db.$executeRawUnsafe('CREATE TRIGGER clipdex_test_boom BEFORE INSERT ON "Text" FOR EACH ROW EXECUTE FUNCTION clipdex_test_boom()');
    try {
      await expect(ingestCorpus({ path: file, dataset: 'pg-boom', batchSize: 4 }, e)).rejects.toThrow();
    } finally {
      await e.db.$executeRawUnsafe('DROP TRIGGER IF EXISTS clipdex_test_boom ON "Text"');
      await e.db.$executeRawUnsafe('DROP FUNCTION IF EXISTS clipdex_test_boom()');
    }
    expect((await e.db.dataset.findUniqueOrThrow({ where: { name: 'pg-boom' } })).status).toBe('failed');
    const rows = new Set((await e.db.image.findMany({ select: { sha256: true } })).map((r) => r.sha256));
    const blobs = fs
      .readdirSync(path.join(dataDir, 'blobs'), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && !d.name.includes('.tmp-'))
      .map((d) => d.name.split('.')[0]);
    expect(blobs.filter((sha) => !rows.has(sha))).toEqual([]); // no file without a row
  });
});
