/**
 * An ingest killed between a batch's commit and its near-duplicate links (issue 13): the batch's
 * image vectors are recorded as pending in its transaction and cleared once linked, so the next
 * ingest links what was left. Real parts: the bundled model, sharp, hnswlib on disk, SQLite.
 * The kill is reproduced by a linking step that throws after the first batch committed; the
 * SIGKILL loop itself is the hostile probe's C1 (its script is in the closing note).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../lib/engine';
import { findGroupsAt } from '../../lib/duplicates';
import { ingestCorpus } from '../../lib/ingest';
import { cropped, demoImages, halfSize, jpeg60, writePairs, type DemoImage } from './duplicates-helpers';
import { makeTestEnv } from './engine-helpers';

const t = makeTestEnv('dups-pending');
let e: Engine;
let file: string;
let originals: DemoImage[];

beforeAll(async () => {
  e = await t.open();
  originals = demoImages(8);
  const pairs = originals.map((o) => ({ caption: o.caption, image: o.png }));
  for (const i of [1, 4]) {
    pairs.push({ caption: `${originals[i].caption} (half size)`, image: await halfSize(originals[i].png) });
    pairs.push({ caption: `${originals[i].caption} (jpeg)`, image: await jpeg60(originals[i].png) });
    pairs.push({ caption: `${originals[i].caption} (cropped)`, image: await cropped(originals[i].png) });
  }
  file = writePairs(path.join(t.dataDir, 'pairs.tsv'), pairs);
}, 120_000);
afterAll(() => t.cleanup());

const counts = async () => ({
  edges: await e.db.duplicateEdge.count(),
  members: await e.db.duplicateMember.count(),
  pending: await e.db.duplicatePending.count(),
});

describe('near-duplicate links of a batch whose ingest was killed before linking', () => {
  it('the batch commits its new image vectors as pending; a failure while linking leaves them so', async () => {
    // The index a failing linking step sees: adds go to the real index, the first search throws
    // (what a kill between the batch's commit and its links leaves behind).
    const real = e.indexes.image;
    const failing = new Proxy(real, {
      get(target, prop) {
        if (prop === 'search') return () => { throw new Error('killed while linking'); };
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const killed = ingestCorpus({ path: file, dataset: 'pending', batchSize: 4 }, { ...e, indexes: { ...e.indexes, image: failing } });
    await expect(killed).rejects.toThrow(/killed while linking/);
    const committed = await e.db.imageVector.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
    expect(committed.length).toBe(4); // the first batch, whose linking failed
    const pending = await e.db.duplicatePending.findMany({ select: { label: true }, orderBy: { label: 'asc' } });
    expect(pending.map((p) => p.label)).toEqual(committed.map((c) => c.id));
    expect(await e.db.duplicateEdge.count()).toBe(0);
  });

  it('the next ingest links them first, says so, and ends with the links a full scan finds', async () => {
    const s = await ingestCorpus({ path: file, dataset: 'pending', batchSize: 4 }, e);
    expect(s.pendingLinked).toBe(4);
    expect(s.images).toBe(10);
    const c = await counts();
    expect(c.pending).toBe(0);
    expect(c.members).toBe(8); // each of the two originals with its three copies
    const stored = (await e.db.duplicateEdge.findMany()).map((l) => `${l.imageId}:${l.otherId}`).sort();
    const scan = await findGroupsAt({ db: e.db, index: e.indexes.image, store: e.store, modelId: e.model.info.id, threshold: e.config.duplicateThreshold });
    const expected = [...new Set(scan.links.map((l) => `${Math.min(l.imageId, l.otherId)}:${Math.max(l.imageId, l.otherId)}`))].sort();
    expect(stored).toEqual(expected);
    expect(stored.length).toBeGreaterThanOrEqual(6);
  });

  it('a pending row goes with its image, and an ingest without links leaves pending rows for a later one', async () => {
    const one = await e.db.image.findFirstOrThrow({ include: { vectors: true } });
    await e.db.duplicatePending.create({ data: { modelId: e.model.info.id, label: one.vectors[0].id } });
    const s = await ingestCorpus({ path: file, dataset: 'pending', batchSize: 4, nearDuplicates: false }, e);
    expect(s.pendingLinked).toBeUndefined();
    expect(await e.db.duplicatePending.count()).toBe(1);
    await e.db.image.delete({ where: { id: one.id } }); // the cascade takes its vector and its pending row
    expect(await e.db.duplicatePending.count()).toBe(0);
  });

  it('pending rows of a dataset another ingest is writing are left to it; once it is over, the next ingest links them', async () => {
    const modelId = e.model.info.id;
    const vectors = await e.db.imageVector.findMany({ where: { image: { dataset: { name: 'pending' } } }, select: { id: true }, orderBy: { id: 'asc' }, take: 2 });
    expect(vectors).toHaveLength(2);
    // Another process's ingest of 'pending', between a batch's commit and its links.
    await e.db.dataset.update({ where: { name: 'pending' }, data: { status: 'ingesting' } });
    await e.db.duplicatePending.createMany({ data: vectors.map((v) => ({ modelId, label: v.id })) });
    const small = writePairs(path.join(t.dataDir, 'other.tsv'), originals.slice(0, 2).map((o) => ({ caption: `${o.caption} (other)`, image: o.png })));
    const beside = await ingestCorpus({ path: small, dataset: 'other', batchSize: 4 }, e);
    expect(beside.pendingLinked).toBeUndefined();
    expect((await e.db.duplicatePending.findMany({ select: { label: true }, orderBy: { label: 'asc' } })).map((p) => p.label)).toEqual(vectors.map((v) => v.id));
    // That ingest was killed: the next start marks its dataset failed (markInterruptedJobs).
    await e.db.dataset.update({ where: { name: 'pending' }, data: { status: 'failed' } });
    const after = await ingestCorpus({ path: small, dataset: 'other', batchSize: 4 }, e);
    expect(after.pendingLinked).toBe(2);
    expect(await e.db.duplicatePending.count()).toBe(0);
  });
});
