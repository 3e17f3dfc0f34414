/**
 * loadVectors reads the vector blobs as hex (Prisma's Bytes path cost ~0.3 ms a blob through the
 * SQLite adapter): the floats must come back bit for bit, on SQLite and PostgreSQL (when
 * CLIPDEX_TEST_POSTGRES_URL names a database that may be wiped), for both kinds, unknown labels left out.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDbs, getDb, loadVectors, migrateDatabase, vectorToBytes } from '../../lib/db';

const pgUrl = process.env.CLIPDEX_TEST_POSTGRES_URL;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-lv-'));
afterAll(async () => {
  await closeDbs();
  fs.rmSync(dir, { recursive: true, force: true });
});

function checks(getUrl: () => string) {
  it('returns the stored floats exactly, for image and text vectors', async () => {
    const url = getUrl();
    await migrateDatabase(url);
    const db = getDb(url);
    await db.dataset.deleteMany({ where: { name: 'lv' } });
    await db.model.upsert({ where: { id: 'lv-model' }, create: { id: 'lv-model', name: 'lv', layout: 'test', dim: 5 }, update: {} });
    const ds = await db.dataset.create({ data: { name: 'lv', format: 'pairs' } });
    const floats = [Float32Array.from([1.5, -0, Number.MIN_VALUE, -3.4e38, 0.1]), Float32Array.from([0, 1, 2, 3, Math.PI])];
    const labels: number[] = [];
    for (const [i, v] of floats.entries()) {
      const img = await db.image.create({ data: { datasetId: ds.id, sha256: `f${String(i).padStart(63, '0')}`, width: 1, height: 1, format: 'png', bytes: 1 } });
      labels.push((await db.imageVector.create({ data: { imageId: img.id, modelId: 'lv-model', data: Buffer.from(vectorToBytes(v)) } })).id);
    }
    const got = await loadVectors(db, 'image', [...labels, 987_654_321], 1);
    expect(got.map((g) => g.label).sort((a, b) => a - b)).toEqual(labels);
    for (const [i, l] of labels.entries()) expect(Buffer.from(got.find((g) => g.label === l)!.vector.buffer)).toEqual(Buffer.from(floats[i].buffer));
    const text = await db.text.create({ data: { datasetId: ds.id, text: 'lv' } });
    const tv = await db.textVector.create({ data: { textId: text.id, modelId: 'lv-model', data: Buffer.from(vectorToBytes(floats[1])) } });
    expect((await loadVectors(db, 'text', [tv.id])).map((g) => [g.label, Array.from(g.vector)])).toEqual([[tv.id, Array.from(floats[1])]]);
    expect(await loadVectors(db, 'image', [])).toEqual([]);
  });
}

describe('loadVectors on SQLite', () => checks(() => `file:${path.join(dir, 'lv.db')}`));
describe.skipIf(!pgUrl)('loadVectors on PostgreSQL', () => checks(() => pgUrl!));
