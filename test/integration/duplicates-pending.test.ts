/**
 * An ingest killed between a batch's commit and its near-duplicate links (issue 13): the batch's
 * image vectors are recorded as pending in its transaction and cleared once linked, so the next
 * ingest links what was left. Real parts: the bundled model, sharp, hnswlib on disk, SQLite.
 * The kill is reproduced by its outcome (the rows committed, their links never written); the
 * SIGKILL loop itself is the hostile probe's C1 (/tmp probe scripts in the closing notes).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../lib/engine';
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
  it('a clean ingest leaves nothing pending', async () => {
    const s = await ingestCorpus({ path: file, dataset: 'pending', batchSize: 4 }, e);
    expect(s.images).toBe(14);
    const c = await counts();
    expect(c.pending).toBe(0);
    expect(c.edges).toBeGreaterThanOrEqual(6); // each original with its three copies
    expect(c.members).toBe(8);
  });

  it('the next ingest links what was committed but never linked, and says so', async () => {
    const before = await counts();
    const edges = await e.db.duplicateEdge.findMany({ orderBy: [{ imageId: 'asc' }, { otherId: 'asc' }] });
    // What a kill right after the commits leaves: the vectors (pending) and no links or groups.
    await e.db.duplicateEdge.deleteMany();
    await e.db.duplicateMember.deleteMany();
    const labels = await e.db.imageVector.findMany({ select: { id: true } });
    await e.db.duplicatePending.createMany({ data: labels.map((l) => ({ modelId: e.model.info.id, label: l.id })) });
    // Running the same ingest again: every record is already there, and the links come back.
    const s = await ingestCorpus({ path: file, dataset: 'pending', batchSize: 4 }, e);
    expect(s.images).toBe(0);
    expect(s.pendingLinked).toBe(14);
    expect(await counts()).toEqual({ ...before, pending: 0 });
    expect(await e.db.duplicateEdge.findMany({ orderBy: [{ imageId: 'asc' }, { otherId: 'asc' }] })).toEqual(edges);
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
});
