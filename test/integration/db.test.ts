/** lib/db on a real SQLite file: vector blobs, migrations, cascades and search hydration (integration tier: it migrates a database). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesToVector, closeDbs, getDb, migrateDatabase, tuneSqlite, vectorToBytes } from '../../lib/db';
import { checkHydration } from './hydration-helpers';

describe('vector blobs', () => {
  it('round-trips float32 values exactly, little-endian', () => {
    const v = new Float32Array([1, -0.5, 3.25e-8, Math.PI]);
    const b = vectorToBytes(v);
    expect(b.byteLength).toBe(16);
    expect(Array.from(b.slice(0, 4))).toEqual([0, 0, 0x80, 0x3f]); // 1.0f LE
    expect(Array.from(bytesToVector(b))).toEqual(Array.from(v));
  });
  it('rejects a blob that is not whole floats', () => {
    expect(() => bytesToVector(new Uint8Array(6))).toThrow(/not a whole number/);
  });
});

describe('SQLite through Prisma (real database)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-db-'));
  const url = `file:${path.join(dir, 'test.db')}`;
  afterAll(async () => {
    await closeDbs();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('migrates an empty file and stores a dataset with an image, a caption and a vector', async () => {
    await migrateDatabase(url);
    await migrateDatabase(url); // idempotent
    const db = getDb(url);
    await tuneSqlite(db);
    await db.model.create({ data: { id: 'abcdef0123456789', name: 't', layout: 'hf', dim: 4 } });
    const ds = await db.dataset.create({ data: { name: 'demo', format: 'pairs' } });
    const img = await db.image.create({
      data: { datasetId: ds.id, sha256: 'a'.repeat(64), width: 2, height: 3, format: 'png', bytes: 10 },
    });
    const txt = await db.text.create({ data: { datasetId: ds.id, text: '猫 cat' } });
    await db.imageText.create({ data: { imageId: img.id, textId: txt.id } });
    const vec = new Float32Array([0.5, 0.5, 0.5, 0.5]);
    await db.imageVector.create({ data: { imageId: img.id, modelId: 'abcdef0123456789', data: vectorToBytes(vec) } });
    const back = await db.imageVector.findFirstOrThrow({ include: { image: { include: { texts: { include: { text: true } } } } } });
    expect(Array.from(bytesToVector(back.data))).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(back.image.texts.map((t) => t.text.text)).toEqual(['猫 cat']);
    // deleting the dataset cascades to everything under it
    await db.dataset.delete({ where: { id: ds.id } });
    expect(await db.imageVector.count()).toBe(0);
    expect(await db.imageText.count()).toBe(0);
  });

  it('hydrates search hits with two raw statements: fields, link order, at most 20 links, missing labels', async () => {
    // the file was migrated by the test above (a second `migrate deploy` would wait on this process's open handle)
    await checkHydration(getDb(url), 'hydrate');
  });
});
