/**
 * Near-duplicates on PostgreSQL (runs when CLIPDEX_TEST_POSTGRES_URL names a scratch database):
 * the same grouping, regrouping after a delete and dataset delete as on SQLite, through the
 * PostgreSQL client and migration 0004_duplicates.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../lib/config';
import { duplicateGroupsOf, listGroups } from '../../lib/duplicates';
import { closeEngine, getEngine, type Engine } from '../../lib/engine';
import { deleteDataset, deleteImage, ingestCorpus } from '../../lib/ingest';
import { demoImages, halfSize, jpeg60, sha256, writePairs } from './duplicates-helpers';
import { testModelDir } from './engine-helpers';

const url = process.env.CLIPDEX_TEST_POSTGRES_URL;
const DATASETS = ['pg-dup-orig', 'pg-dup-copies'];

describe.skipIf(!url)('near-duplicates on PostgreSQL (real server, real model)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-pg-dup-'));
  const saved = { ...process.env };
  let e: Engine;
  beforeAll(async () => {
    Object.assign(process.env, { CLIPDEX_DATA_DIR: dataDir, DATABASE_URL: url, CLIPDEX_MODEL_DIR: testModelDir(), CLIPDEX_THREADS: '1' });
    resetConfig();
    e = await getEngine({ log: () => undefined });
    for (const name of DATASETS) await deleteDataset(e, name).catch(() => undefined);
  }, 60_000);
  afterAll(async () => {
    for (const name of DATASETS) await deleteDataset(e, name).catch(() => undefined);
    await closeEngine();
    process.env = saved;
    resetConfig();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('groups copies with their originals, regroups after an image and a dataset delete', async () => {
    const originals = demoImages(8);
    const o = originals[2];
    const copies = [
      { caption: `${o.caption} (half size)`, image: await halfSize(o.png) },
      { caption: `${o.caption} (jpeg)`, image: await jpeg60(o.png) },
    ];
    await ingestCorpus({ path: writePairs(path.join(dataDir, 'o.tsv'), originals.map((x) => ({ caption: x.caption, image: x.png }))), dataset: DATASETS[0], batchSize: 4 }, e);
    await ingestCorpus({ path: writePairs(path.join(dataDir, 'c.tsv'), copies), dataset: DATASETS[1] }, e);
    const rows = await e.db.image.findMany({ where: { dataset: { name: { in: DATASETS } } }, select: { id: true, sha256: true } });
    const id = new Map(rows.map((r) => [r.sha256, r.id]));
    const modelId = e.model.info.id;
    const groups = await duplicateGroupsOf(e.db, rows.map((r) => r.id), modelId);
    expect(groups.get(id.get(o.sha)!)).toMatchObject({ groupId: id.get(o.sha), size: 3 });
    expect(new Set([...groups.values()].map((g) => g.groupId))).toEqual(new Set([id.get(o.sha)]));
    const page = await listGroups(e.db, modelId, { datasetId: (await e.db.dataset.findUniqueOrThrow({ where: { name: DATASETS[1] } })).id });
    expect(page.groups.map((g) => g.images.length)).toEqual([2]); // the two copies, linked to each other in that dataset

    await deleteImage(e, id.get(sha256(copies[0].image))!);
    expect((await duplicateGroupsOf(e.db, [id.get(o.sha)!], modelId)).get(id.get(o.sha)!)?.size).toBe(2);
    await deleteDataset(e, DATASETS[1]);
    expect((await duplicateGroupsOf(e.db, [id.get(o.sha)!], modelId)).size).toBe(0);
  }, 120_000);
});
