/**
 * The cluster tier, issue 11's stages in distributed mode (issue 15): an ingest through the queue
 * does what an in-process one does after committing. A `clipdex worker` reads the text in the
 * images it commits (OCR: the rows and their keyword documents), the CLI that started the ingest
 * links near-duplicates with its index replica (a half-size copy in a later slice than its
 * original joins its group), and `--no-ocr` leaves the images unread and marked 'skipped'. A
 * re-index's embedding and its OCR backfill (`reindex --ocr`) go through the queue too.
 * Real PostgreSQL, Redis, model, OCR model and processes; runs when CLIPDEX_TEST_POSTGRES_URL and
 * CLIPDEX_TEST_REDIS_URL are set.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDbs, getDb, migrateDatabase } from '../../lib/db';
import { duplicateGroupsOf } from '../../lib/duplicates';
import { startCli } from '../helpers/cli';
import { renderText } from '../helpers/text-image';
import { demoImages, halfSize, jpeg60, sha256, writePairs } from '../integration/duplicates-helpers';
import { dropQueue, kill, startWorker, type Proc } from './processes';

const pg = process.env.CLIPDEX_TEST_POSTGRES_URL;
const redis = process.env.CLIPDEX_TEST_REDIS_URL;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-cluster-stages-'));
const queue = `cluster-stages-${process.pid}-${Date.now()}`;
const procs: Proc[] = [];
const datasets: string[] = [];
const env = {
  REDIS_URL: redis ?? '', DATABASE_URL: pg ?? '', CLIPDEX_QUEUE: queue, CLIPDEX_BLOB_DIR: path.join(dir, 'blobs'),
  CLIPDEX_THREADS: '1', CLIPDEX_BATCH_SIZE: '4', CLIPDEX_BATCHES_PER_SLICE: '1',
};
const worker = () => procs[0];

describe.skipIf(!pg || !redis)('distributed ingest: OCR in the workers, near-duplicates by the coordinator, --no-ocr', () => {
  afterAll(async () => {
    await Promise.all(procs.map((p) => kill(p)));
    await dropQueue(redis!, queue);
    if (datasets.length) await getDb(pg!).dataset.deleteMany({ where: { name: { in: datasets } } }).catch(() => undefined);
    await closeDbs();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads the text in the images, groups a resized copy with its original, and skips OCR with --no-ocr', async () => {
    await migrateDatabase(pg!);
    const stamp = Date.now();
    const [withOcr, withoutOcr] = [`stages-ocr-${stamp}`, `stages-no-ocr-${stamp}`];
    datasets.push(withOcr, withoutOcr);
    procs.push(startWorker('w', { ...env, CLIPDEX_DATA_DIR: path.join(dir, 'w') }));

    // 8 records, 2 slices of 4: the original is in slice 1, its half-size copy in slice 2 (so no
    // single worker batch sees both), the rendered text in slice 2.
    const demo = demoImages(6);
    const original = demo[2];
    const copy = await halfSize(original.png);
    const label = await renderText(320, 120, [{ text: 'QX-4471', x: 20, y: 75, size: 44 }]);
    const rows = [
      ...demo.map((d) => ({ caption: d.caption, image: d.png })),
      { caption: 'a product label', image: label },
      { caption: `${original.caption} (half size)`, image: copy },
    ];
    const corpus = writePairs(path.join(dir, 'corpus.tsv'), rows);
    await worker().waitFor(/ready/, 120_000);

    const cli = (args: string[]) => startCli(['ingest', ...args, '--json', '--no-progress'], { ...env, CLIPDEX_DATA_DIR: path.join(dir, 'cli') }).done;
    const run = await cli([corpus, '--dataset', withOcr]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ dataset: withOcr, records: 8, good: 8, images: 8, errorCount: 0 });
    // The in-process result's OCR figures: every image added was read, the label's text found.
    expect(summary.ocr).toMatchObject({ images: 8, failed: 0, incomplete: 0, remaining: 0 });
    expect(summary.ocr.withText).toBeGreaterThanOrEqual(1);
    expect(summary.ocr.msPerImage).toEqual({ median: expect.any(Number), p90: expect.any(Number) });

    const db = getDb(pg!);
    const ds = await db.dataset.findUniqueOrThrow({ where: { name: withOcr } });
    const imageOf = (bytes: Buffer) => db.image.findUniqueOrThrow({ where: { datasetId_sha256: { datasetId: ds.id, sha256: sha256(bytes) } } });
    const labelRow = await imageOf(label);
    expect(labelRow).toMatchObject({ ocrStatus: 'done', ocrText: 'QX-4471' });
    expect(await db.image.count({ where: { datasetId: ds.id, ocrStatus: 'done' } })).toBe(8);
    const docs = await db.$queryRaw<{ ocr: string }[]>`SELECT "ocr" FROM "KeywordDoc" WHERE "imageId" = ${labelRow.id}`;
    expect(docs[0]?.ocr).toBe('QX-4471');

    // The copy and its original in one group (other datasets of the shared database may hold the same demo image too).
    const [o, c] = [await imageOf(original.png), await imageOf(copy)];
    const { modelId } = await db.imageVector.findFirstOrThrow({ where: { imageId: o.id }, select: { modelId: true } });
    const groups = await duplicateGroupsOf(db, [o.id, c.id], modelId);
    expect(groups.get(c.id)?.groupId).toBeDefined();
    expect(groups.get(c.id)?.groupId).toBe(groups.get(o.id)?.groupId);
    // The rendered label is nobody's copy.
    expect((await duplicateGroupsOf(db, [labelRow.id], modelId)).size).toBe(0);

    // --no-near-duplicates: a bulk load links nothing (another copy of the original stays alone) and says so.
    const jpegCopy = await jpeg60(original.png);
    const unlinked = `stages-no-dups-${stamp}`;
    datasets.push(unlinked);
    const nd = await cli([writePairs(path.join(dir, 'nodups.tsv'), [{ caption: 'another copy', image: jpegCopy }]), '--dataset', unlinked, '--no-near-duplicates', '--no-ocr']);
    expect(nd.code, nd.stderr).toBe(0);
    expect(JSON.parse(nd.stdout)).toMatchObject({ images: 1, nearDuplicatesOff: true });
    const ndDs = await db.dataset.findUniqueOrThrow({ where: { name: unlinked } });
    const jc = await db.image.findUniqueOrThrow({ where: { datasetId_sha256: { datasetId: ndDs.id, sha256: sha256(jpegCopy) } } });
    expect((await duplicateGroupsOf(db, [jc.id], modelId)).size).toBe(0);

    // --no-ocr: the worker reads nothing; the images are marked for `clipdex reindex --ocr`.
    const other = await renderText(300, 110, [{ text: 'QX-9001', x: 20, y: 70, size: 42 }]);
    const off = await cli([writePairs(path.join(dir, 'off.tsv'), [{ caption: 'a price tag', image: other }]), '--dataset', withoutOcr, '--no-ocr']);
    expect(off.code, off.stderr).toBe(0);
    expect(JSON.parse(off.stdout).ocr).toMatchObject({ skipped: 1, images: 0 });
    const offDs = await db.dataset.findUniqueOrThrow({ where: { name: withoutOcr } });
    expect(await db.image.findUniqueOrThrow({ where: { datasetId_sha256: { datasetId: offDs.id, sha256: sha256(other) } } })).toMatchObject({ ocrStatus: 'skipped', ocrText: null });
  }, 180_000);

  it('re-index through the queue: a worker embeds the items without a vector and, with --ocr, reads the images left unread', async () => {
    const db = getDb(pg!);
    const ds = await db.dataset.findUniqueOrThrow({ where: { name: datasets[0] } });
    const [images, texts] = [await db.image.count({ where: { datasetId: ds.id } }), await db.text.count({ where: { datasetId: ds.id } })];
    // What a model change leaves: items without a vector for the active model.
    await db.imageVector.deleteMany({ where: { image: { datasetId: ds.id } } });
    await db.textVector.deleteMany({ where: { text: { datasetId: ds.id } } });
    const from = worker().out.length;
    const run = await startCli(['reindex', '--ocr', '--no-progress'], { ...env, CLIPDEX_DATA_DIR: path.join(dir, 'cli') }).done;
    expect(run.code, run.stderr).toBe(0);
    const m = run.stdout.match(/re-embedded (\d+) images and (\d+) texts/);
    expect(m, run.stdout).not.toBeNull();
    // At least ours (the shared database may hold other items without a vector for this model).
    expect(Number(m![1])).toBeGreaterThanOrEqual(images);
    expect(Number(m![2])).toBeGreaterThanOrEqual(texts);
    expect(await db.imageVector.count({ where: { image: { datasetId: ds.id } } })).toBe(images);
    expect(await db.textVector.count({ where: { text: { datasetId: ds.id } } })).toBe(texts);
    // The worker did the embedding, not the CLI.
    expect(worker().out.slice(from)).toMatch(/re-embed slice \d+ \(\d+ images\)/);
    expect(worker().out.slice(from)).toMatch(/re-embed slice \d+ \(\d+ texts\)/);
    // --ocr: the image the --no-ocr ingest left 'skipped' is read, by the worker.
    expect(run.stdout).toMatch(/text found in \d+ of \d+ images read/);
    const offDs = await db.dataset.findUniqueOrThrow({ where: { name: datasets[1] } });
    expect(await db.image.findFirstOrThrow({ where: { datasetId: offDs.id } })).toMatchObject({ ocrStatus: 'done', ocrText: 'QX-9001' });
    expect(worker().out.slice(from)).toMatch(/OCR slice \d+ \(\d+ images\)/);
  }, 120_000);
});

describe.skipIf(!pg || !redis)('distributed ingest whose coordinator is killed before linking', () => {
  const queue2 = `cluster-orphan-${process.pid}-${Date.now()}`;
  const dir2 = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-cluster-orphan-'));
  const env2 = { ...env, CLIPDEX_QUEUE: queue2, CLIPDEX_BLOB_DIR: path.join(dir2, 'blobs') };
  const mine: Proc[] = [];
  const name = `stages-orphan-${Date.now()}`;
  afterAll(async () => {
    await Promise.all(mine.map((p) => kill(p)));
    await dropQueue(redis!, queue2);
    await getDb(pg!).dataset.deleteMany({ where: { name } }).catch(() => undefined);
    await closeDbs();
    fs.rmSync(dir2, { recursive: true, force: true });
  });

  it("the slices record their images as pending; the next ingest links them (the copy joins its original's group)", async () => {
    await migrateDatabase(pg!);
    const db = getDb(pg!);
    // The original in slice 1, its half-size copy in slice 2 (batches of 4, one batch a slice).
    const demo = demoImages(12).slice(6);
    const copy = await halfSize(demo[1].png);
    const rows = demo.map((d) => ({ caption: `${d.caption} (orphan)`, image: d.png }));
    rows.push({ caption: `${demo[1].caption} (orphan, half size)`, image: copy });
    const corpus = writePairs(path.join(dir2, 'orphan.tsv'), rows);
    const cliEnv = { ...env2, CLIPDEX_DATA_DIR: path.join(dir2, 'cli-orphan') };

    // The coordinator queues its slices (no worker listens yet) and is killed before any report.
    const first = startCli(['ingest', corpus, '--dataset', name, '--no-ocr', '--no-progress'], cliEnv);
    const { Queue } = await import('bullmq');
    const q = new Queue(queue2, { connection: { url: redis } });
    const deadline = Date.now() + 60_000;
    while ((await q.getWaitingCount()) < 2) {
      if (Date.now() > deadline) throw new Error('the slices were never queued');
      await new Promise((r) => setTimeout(r, 100));
    }
    await q.close();
    first.child.kill('SIGKILL');
    await first.done;

    // A worker commits both slices; nobody is left to link them.
    mine.push(startWorker('w-orphan', { ...env2, CLIPDEX_DATA_DIR: path.join(dir2, 'w-orphan') }));
    const ds = await db.dataset.findUniqueOrThrow({ where: { name } });
    const until = Date.now() + 120_000;
    while ((await db.image.count({ where: { datasetId: ds.id } })) < rows.length) {
      if (Date.now() > until) throw new Error(`the worker did not commit the slices:\n${mine[0].out.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const labels = (await db.imageVector.findMany({ where: { image: { datasetId: ds.id } }, select: { id: true } })).map((v) => v.id);
    const pendingOf = () => db.duplicatePending.count({ where: { label: { in: labels } } });
    expect(await pendingOf()).toBe(rows.length);
    const [o, c] = await Promise.all([demo[1].png, copy].map((b) => db.image.findUniqueOrThrow({ where: { datasetId_sha256: { datasetId: ds.id, sha256: sha256(b) } } })));
    const { modelId } = await db.imageVector.findFirstOrThrow({ where: { imageId: o.id }, select: { modelId: true } });
    expect((await duplicateGroupsOf(db, [c.id], modelId)).size).toBe(0);

    // The same ingest again: everything is already there, and the pending images are linked first.
    const again = await startCli(['ingest', corpus, '--dataset', name, '--no-ocr', '--json', '--no-progress'], cliEnv).done;
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ images: 0, pendingLinked: rows.length });
    expect(await pendingOf()).toBe(0);
    const groups = await duplicateGroupsOf(db, [o.id, c.id], modelId);
    expect(groups.get(c.id)?.groupId).toBeDefined();
    expect(groups.get(c.id)?.groupId).toBe(groups.get(o.id)?.groupId);
  }, 240_000);
});
