/**
 * The distributed ingest's near-duplicate linker (lib/distributed/link-added.ts) and the index's
 * `catchUpFully`, on a real SQLite database (not on the shared PostgreSQL test database: its
 * thousands of vector ids would land in the id range another test file's late-commit tracking
 * watches at the same moment; the cluster tier covers the PostgreSQL path) and a real hnswlib index opened by openIndexes, as the CLI opens them (no change-feed follower):
 * - a backlog larger than one catch-up (CATCH_UP_MAX_ROWS) is still searched whole: the twin of an
 *   image 2,300 rows in is linked (one catch-up used to stop at 2,000 rows, missing it);
 * - passes never record the library as scanned; `finish`, having linked everything, does;
 * - a row committed while another catch-up is in flight is in the index when catchUpFully returns.
 * Vectors are random (32-d: no two are CLIP-close by chance); the twin has the same bytes (sha256)
 * as its original, which links at CLIP similarity without reading thumbnails.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDbs, getDb, migrateDatabase, vectorToBytes, type Db } from '../../lib/db';
import { addedImageLinker } from '../../lib/distributed/link-added';
import { openIndexes } from '../../lib/index';
import { CATCH_UP_MAX_ROWS, catchUpWithDatabase } from '../../lib/index/open-indexes';
import { LateCommits } from '../../lib/index/late-commits';
import type { IngestDeps } from '../../lib/ingest';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-link-added-'));
const targets = [{ name: 'SQLite', url: `file:${path.join(dir, 'link.db')}` }];
afterAll(async () => {
  await closeDbs();
  fs.rmSync(dir, { recursive: true, force: true });
});

const DIM = 32;
let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) - 0.5;
const unit = () => {
  const v = Float32Array.from({ length: DIM }, rnd);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

/** A model of its own (a shared PostgreSQL database keeps other runs' rows), its datasets, and an index opened on it. */
async function setUp(db: Db, tag: string) {
  const modelId = `${tag}-${Date.now()}`.padEnd(16, 'x');
  await db.model.create({ data: { id: modelId, name: 'link-test', layout: 'hf', dim: DIM } });
  const { report: _r, ...indexes } = await openIndexes({ db, dataDir: fs.mkdtempSync(path.join(dir, 'idx-')), modelId, dim: DIM, hnsw: { m: 16, efConstruction: 64, efSearch: 64 }, log: () => undefined });
  const ds = await db.dataset.create({ data: { name: `${modelId}-a`, format: 'pairs' } });
  const add = async (n: number, from: number, sha = (i: number) => `${modelId}-${i}`.padStart(64, '0')) => {
    const vectors: Float32Array[] = [];
    const labels: number[] = [];
    for (let i = 0; i < n; i += 500) {
      const k = Math.min(500, n - i);
      const imgs = await db.image.createManyAndReturn({ data: Array.from({ length: k }, (_, j) => ({ datasetId: ds.id, sha256: sha(from + i + j), width: 1, height: 1, format: 'png', bytes: 1 })), select: { id: true } });
      const vs = imgs.map(() => unit());
      vectors.push(...vs);
      const rows = await db.imageVector.createManyAndReturn({ data: imgs.map((im, j) => ({ imageId: im.id, modelId, data: vectorToBytes(vs[j]) })), select: { id: true } });
      labels.push(...rows.map((r) => r.id));
    }
    return { labels, vectors };
  };
  const deps = {
    config: { duplicateThreshold: 0.95 },
    db,
    model: { info: { id: modelId } },
    indexes,
    store: { readThumbnail: () => Promise.reject(new Error('no thumbnails in this test')) },
  } as unknown as Pick<IngestDeps, 'config' | 'db' | 'model' | 'indexes' | 'store'>;
  const cleanUp = async () => {
    await db.dataset.deleteMany({ where: { name: { startsWith: modelId } } });
    await db.duplicateScan.deleteMany({ where: { modelId } });
    await db.model.deleteMany({ where: { id: modelId } });
  };
  return { modelId, indexes, ds, add, deps, cleanUp };
}

/** A bare index of `modelId` (no follower), as catchUpWithDatabase's own callers use. */
async function setUpIndexOnly(db: Db, modelId: string) {
  const { HnswIndex } = await import('../../lib/index');
  return HnswIndex.create({ dir: fs.mkdtempSync(path.join(dir, 'bare-')), kind: 'image', modelId, dim: DIM, m: 16, efConstruction: 64, efSearch: 64 });
}

describe.each(targets)('near-duplicate linker on $name', ({ url }) => {
  it(`links across a backlog of more than ${CATCH_UP_MAX_ROWS} rows, and records the scan only when finish has linked everything`, async () => {
    await migrateDatabase(url);
    const db = getDb(url);
    const t = await setUp(db, 'lnk');
    try {
      const n = CATCH_UP_MAX_ROWS + 400;
      const { labels } = await t.add(n, 0);
      // The twin: image n-100's bytes again in another dataset (what a second copy of a file does).
      const other = await db.dataset.create({ data: { name: `${t.modelId}-b`, format: 'pairs' } });
      const origSha = `${t.modelId}-${n - 100}`.padStart(64, '0');
      const orig = await db.image.findFirstOrThrow({ where: { sha256: origSha }, select: { id: true, vectors: { select: { data: true } } } });
      const twin = await db.image.create({ data: { datasetId: other.id, sha256: origSha, width: 1, height: 1, format: 'png', bytes: 1 } });
      const twinLabel = (await db.imageVector.create({ data: { imageId: twin.id, modelId: t.modelId, data: orig.vectors[0].data } })).id;

      // One pass over the whole backlog (the last slices reported together): the twin is found.
      await addedImageLinker(t.deps, { allNew: false }).finish([twinLabel]);
      expect(t.indexes.image.size()).toBe(n + 1);
      const edges = await db.duplicateEdge.findMany({ where: { modelId: t.modelId }, select: { imageId: true, otherId: true } });
      expect(edges.map((e) => [e.imageId, e.otherId].sort((a, b) => a - b))).toEqual([[orig.id, twin.id].sort((a, b) => a - b)]);

      // The scan record: not from a pass (a slice reports its first ten images; the pass runs in
      // the background), only from a finish that linked everything.
      const linker = addedImageLinker(t.deps, { allNew: true });
      linker.add(labels.slice(0, 10));
      for (let i = 0; i < 500 && linker.seconds === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(linker.seconds).toBeGreaterThan(0);
      expect(await db.duplicateScan.findUnique({ where: { modelId: t.modelId } })).toBeNull();
      await linker.finish([...labels, twinLabel]);
      expect(await db.duplicateScan.findUnique({ where: { modelId: t.modelId } })).not.toBeNull();
    } finally {
      await t.cleanUp();
    }
  }, 180_000);

  it("late-commit tracking: another model's rows are not holes, and every pending id is looked up", async () => {
    await migrateDatabase(url);
    const db = getDb(url);
    const t = await setUp(db, 'late');
    const other = await setUp(db, 'late2');
    try {
      // 2,500 rows of another model, then 500 of this one (ids in that order).
      await other.add(2500, 0);
      const mine = await t.add(500, 0, (i) => `${t.modelId}-own-${i}`.padStart(64, '0'));
      const top = mine.labels.at(-1)!;
      const first = Math.min(...(await db.imageVector.findMany({ where: { modelId: other.modelId }, select: { id: true } })).map((r) => r.id));
      // As on PostgreSQL when all of them were still uncommitted at an earlier catch-up: every id a hole.
      const late = new LateCommits();
      late.recordRange(first - 1, top, new Set());
      await catchUpWithDatabase(t.indexes.image, db, { after: top, late });
      // All 500 found at once (the other model's 2,500 ids no longer hide them), and none left to track.
      expect(t.indexes.image.size()).toBe(500);
      expect(late.size).toBe(0);
      // A fresh catch-up over the whole range records no hole for the other model's rows.
      const fresh = new LateCommits();
      const idx2 = await setUpIndexOnly(db, t.modelId);
      await catchUpWithDatabase(idx2, db, { after: first - 1, late: fresh });
      expect(idx2.size()).toBe(500);
      expect(fresh.size).toBe(0);
    } finally {
      await t.cleanUp();
      await other.cleanUp();
    }
  }, 120_000);

  it('catchUpFully sees a row committed while another catch-up was in flight', async () => {
    await migrateDatabase(url);
    const db = getDb(url);
    const t = await setUp(db, 'race');
    try {
      await t.add(1500, 0);
      // A catch-up starts (a notification, a search): it reads the highest id now.
      const inFlight = t.indexes.image.refreshIfStale({ now: true });
      const late = await t.add(1, 9_000);
      await t.indexes.image.catchUpFully();
      expect(t.indexes.image.has(late.labels[0])).toBe(true);
      expect(t.indexes.image.size()).toBe(1501);
      await inFlight;
    } finally {
      await t.cleanUp();
    }
  }, 120_000);
});
