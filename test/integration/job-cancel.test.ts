/**
 * Cancelling jobs on a real engine (temp SQLite, real model): an ingest cancelled from its own
 * process stops between batches with its dataset consistent and 'failed' (and no file of the
 * batches it had prepared ahead left in the store), and a re-run completes
 * it; a re-index cancelled while re-embedding keeps what it embedded, indexed, and a re-run
 * finishes; an evaluate job cancelled while queued never runs and still deletes its uploaded file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../lib/engine';
import { startEvaluateJob } from '../../lib/eval';
import { startIngestJob, startReindexJob } from '../../lib/ingest';
import { cancelJob, getJob, runJob, subscribe } from '../../lib/jobs';
import { makePairsFile, makeTestEnv, type TestEnv } from './engine-helpers';

let t: TestEnv;
let engine: Engine;

/** The sha256 of every file under DATA_DIR/<dir> (originals or thumbnails), sorted. */
function storedShas(dir: string): string[] {
  const root = path.join(t.dataDir, dir);
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).flatMap((d) => fs.readdirSync(path.join(root, d)).map((f) => f.split('.')[0])).sort();
}

beforeAll(async () => {
  t = makeTestEnv('job-cancel');
  engine = await t.open();
});
afterAll(async () => t?.cleanup());

describe('cancelling jobs', () => {
  it('an ingest cancelled after its second batch keeps exactly those batches, and a re-run completes it', async () => {
    const file = await makePairsFile(t.dataDir, 20, 'c.tsv');
    let started: { id: string } | undefined;
    const job = await startIngestJob(engine, { path: file, dataset: 'c', batchSize: 4 }, {
      onBatchCommitted: async (n) => {
        if (n === 2) await cancelJob(engine.db, started!.id);
      },
    });
    started = job;
    const outcome = await job.done;
    expect(outcome).toMatchObject({ cancelled: true, result: { records: 8, images: 8, cancelled: true, datasetStatus: 'failed' } });
    expect(await getJob(engine.db, job.id)).toMatchObject({ status: 'cancelled', processed: 8, total: 20 });
    const ds = await engine.db.dataset.findUniqueOrThrow({ where: { name: 'c' } });
    expect(ds.status).toBe('failed');
    expect(await engine.db.image.count({ where: { datasetId: ds.id } })).toBe(8);
    expect(engine.indexes.image.size()).toBe(await engine.db.imageVector.count());
    // The batches prepared ahead of the cancel wrote their files; those went with them.
    const rows = (await engine.db.image.findMany({ select: { sha256: true } })).map((r) => r.sha256).sort();
    expect(storedShas('blobs')).toEqual(rows);
    expect(storedShas('thumbs')).toEqual(rows);

    const again = await startIngestJob(engine, { path: file, dataset: 'c', batchSize: 4 });
    expect(await again.done).toMatchObject({ cancelled: false, result: { images: 12, duplicates: 8, datasetStatus: 'ready' } });
    expect(await engine.db.image.count({ where: { datasetId: ds.id } })).toBe(20);
    expect(engine.indexes.image.size()).toBe(await engine.db.imageVector.count());
  });

  it('a re-index cancelled while re-embedding keeps and indexes what it embedded; a re-run finishes', async () => {
    const modelId = engine.model.info.id;
    // 20 images without a vector for the active model, as after a model change.
    const ds = await engine.db.dataset.findUniqueOrThrow({ where: { name: 'c' } });
    const gone = await engine.db.imageVector.findMany({ where: { modelId, image: { datasetId: ds.id } }, select: { id: true } });
    expect(gone).toHaveLength(20);
    await engine.db.imageVector.deleteMany({ where: { id: { in: gone.map((v) => v.id) } } });
    engine.indexes.image.remove(gone.map((v) => v.id));
    const vectors = () => engine.db.imageVector.count({ where: { modelId } });
    const before = await vectors();

    const small = { ...engine, config: { ...engine.config, batchSize: 2 } }; // 10 batches
    const job = await startReindexJob(small);
    let asked = false;
    const off = subscribe(job.id, (e) => {
      if (e.type === 'progress' && !asked) {
        asked = true;
        void cancelJob(engine.db, job.id);
      }
    });
    const outcome = await job.done;
    off();
    expect(outcome).toMatchObject({ cancelled: true });
    const kept = 'result' in outcome ? outcome.result.reembedded.images : -1;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(20);
    expect(await vectors()).toBe(before + kept);
    expect(engine.indexes.image.size()).toBe(before + kept);
    expect(await getJob(engine.db, job.id)).toMatchObject({ status: 'cancelled', message: expect.stringMatching(/^cancelled after re-embedding \d+ images/) });

    const again = await startReindexJob(small);
    expect(await again.done).toMatchObject({ cancelled: false, result: { reembedded: { images: 20 - kept } } });
    expect(engine.indexes.image.size()).toBe(await vectors());
    expect(await vectors()).toBe(before + 20);
  });

  it('an evaluate job cancelled while queued never runs, and its uploaded file is deleted', async () => {
    let release!: () => void;
    const blocker = await runJob(engine.db, 'reindex', {}, async () => {
      await new Promise<void>((r) => (release = r));
      return { result: null };
    });
    const upload = await makePairsFile(t.dataDir, 3, 'eval-upload.tsv');
    const ev = await startEvaluateJob(engine, { path: upload, label: 'eval-upload.tsv', removeFiles: true });
    expect((await cancelJob(engine.db, ev.id)).status).toBe('cancelling');
    release();
    await blocker.done;
    expect(await ev.done).toMatchObject({ cancelled: true, message: 'cancelled before it started' });
    await expect.poll(() => fs.existsSync(upload)).toBe(false);
    expect(await getJob(engine.db, ev.id)).toMatchObject({ status: 'cancelled', startedAt: null });
    expect(fs.existsSync(path.dirname(upload))).toBe(true);
  });
});
