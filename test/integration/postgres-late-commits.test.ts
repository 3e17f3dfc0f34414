/**
 * Index catch-up on PostgreSQL when ids commit out of order (issue 15: two workers commit at
 * once): a vector whose transaction commits after a higher id's must still reach the index at
 * the next catch-up, not 30 s later at the full check. Runs with CLIPDEX_TEST_POSTGRES_URL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDbs, getDb, migrateDatabase, vectorToBytes, type Db } from '../../lib/db';
import { HnswIndex, catchUpWithDatabase } from '../../lib/index';
import { LateCommits } from '../../lib/index/late-commits';

const url = process.env.CLIPDEX_TEST_POSTGRES_URL;
const MODEL = 'e'.repeat(16);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-late-'));

describe.skipIf(!url)('catch-up with ids committed out of order (PostgreSQL)', () => {
  afterAll(async () => {
    await closeDbs();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function setup(name: string): Promise<{ db: Db; datasetId: number }> {
    await migrateDatabase(url!);
    const db = getDb(url!);
    await db.dataset.deleteMany({ where: { name } });
    await db.model.upsert({ where: { id: MODEL }, create: { id: MODEL, name: 'late', layout: 'hf', dim: 4 }, update: {} });
    const ds = await db.dataset.create({ data: { name, format: 'pairs' } });
    return { db, datasetId: ds.id };
  }

  const vec = (i: number) => vectorToBytes(new Float32Array([1, i, 0, 0].map((x) => x / Math.hypot(1, i))));

  async function addImage(db: Pick<Db, 'image' | 'imageVector'>, datasetId: number, i: number): Promise<number> {
    const img = await db.image.create({ data: { datasetId, sha256: `${i}`.padStart(64, 'a'), width: 1, height: 1, format: 'png', bytes: 1 } });
    return (await db.imageVector.create({ data: { imageId: img.id, modelId: MODEL, data: vec(i) } })).id;
  }

  async function run(late: LateCommits | undefined, name: string) {
    const { db, datasetId } = await setup(name);
    const index = HnswIndex.create({ dir: path.join(dir, name), kind: 'image', modelId: MODEL, dim: 4, m: 8, efConstruction: 32, efSearch: 32 });
    let after = 0;
    // Transaction A takes the lower id and holds it uncommitted while B commits a higher one.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let lowId = 0;
    let taken!: () => void;
    const tookId = new Promise<void>((r) => (taken = r));
    const a = db.$transaction(async (tx) => {
      lowId = await addImage(tx, datasetId, 1);
      taken();
      await gate;
    });
    await tookId;
    // The index's watermark: just below this test's first id. (The table's highest id is no good on
    // the shared database: ids other test files took and deleted lie between it and ours, and
    // thousands of such holes are more than LateCommits tracks.)
    after = lowId - 1;
    const highId = await addImage(db, datasetId, 2);
    expect(highId).toBeGreaterThan(lowId);
    after = (await catchUpWithDatabase(index, db, { after, late })).after;
    expect(index.has(highId)).toBe(true);
    expect(index.has(lowId)).toBe(false); // not committed yet
    release();
    await a;
    after = (await catchUpWithDatabase(index, db, { after, late })).after;
    return { index, lowId, highId };
  }

  it('finds the late id at the next catch-up when tracking late commits', async () => {
    const { index, lowId, highId } = await run(new LateCommits(), 'late-tracked');
    expect(index.has(highId)).toBe(true);
    expect(index.has(lowId)).toBe(true);
  });

  it('misses it without (the behaviour before issue 15: only the 30 s full check found it)', async () => {
    const { index, lowId } = await run(undefined, 'late-untracked');
    expect(index.has(lowId)).toBe(false);
  });
});

describe('LateCommits', () => {
  it('remembers the holes of a range, forgets found and expired ones, and refuses to track too many', () => {
    let now = 0;
    const late = new LateCommits(() => now);
    expect(late.recordRange(10, 15, new Set([11, 13, 15]))).toBe(true);
    expect(late.pending()).toEqual([12, 14]);
    late.found([12]);
    expect(late.pending()).toEqual([14]);
    now = 200_000;
    expect(late.pending()).toEqual([]);
    expect(late.recordRange(0, 1_000_000, new Set())).toBe(false);
  });
});
