/**
 * Ingest on the real parts: the fixture corpora (good and bad lines with exact line numbers),
 * dedupe on re-ingest, vector reuse across datasets, MUGE links and unknown image ids, folders,
 * nothing-ingested, the store's files, and dataset deletion (rows, index entries, orphan blobs).
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../lib/engine';
import { deleteDataset, ingestCorpus, type IngestProgress } from '../../lib/ingest';
import { listDatasets } from '../../lib/db';
import { probeImage } from '../../lib/image';
import { originalIsThumbnail } from '../../lib/store';
import { CORPUS, makeTestEnv } from './engine-helpers';

const t = makeTestEnv('ingest');
let e: Engine;
beforeAll(async () => {
  e = await t.open();
});
afterAll(() => t.cleanup());

const PAIRS = path.join(CORPUS, 'pairs.tsv');

describe('ingestCorpus', () => {
  it('keeps the good lines of pairs.tsv and reports every bad one with its line number', async () => {
    const progress: IngestProgress[] = [];
    const errs: number[] = [];
    const s = await ingestCorpus({ path: PAIRS, dataset: 'pairs', batchSize: 4, onLineError: (x) => errs.push(x.line) }, e, (p) => progress.push(p));
    expect(s.errors.map((x) => x.line)).toEqual([2, 3, 4, 5, 6, 9, 10, 11]);
    expect(errs).toEqual([2, 3, 4, 5, 6, 9, 10, 11]);
    const reasons = Object.fromEntries(s.errors.map((x) => [x.line, x.reason]));
    expect(reasons[2]).toMatch(/not valid base64/);
    expect(reasons[3]).toMatch(/not a supported image/);
    expect(reasons[9]).toMatch(/over the 8 KiB limit/);
    expect(reasons[10]).toMatch(/1200×1000.*over the limit/);
    expect(s).toMatchObject({ records: 11, good: 3, images: 3, texts: 3, links: 3, duplicates: 0, errorCount: 8, datasetStatus: 'ready' });
    expect(progress.at(-1)).toMatchObject({ processed: 11, total: 11, errors: 8 });
    expect(e.indexes.image.size()).toBe(3);
    expect(e.indexes.text.size()).toBe(3);
    const [ds] = await listDatasets(e.db);
    expect(ds).toMatchObject({ name: 'pairs', status: 'ready', images: 3, texts: 3, links: 3 });
  });

  it('stores each original once, content-addressed, with a thumbnail of at most 512 px (WebP, or the original where it already is one)', async () => {
    const imgs = await e.db.image.findMany();
    for (const img of imgs) {
      const orig = await e.store.readOriginal(img.sha256);
      expect(orig.bytes.length).toBe(img.bytes);
      expect(fs.existsSync(path.join(t.dataDir, 'blobs', img.sha256.slice(0, 2)))).toBe(true);
      const thumb = await e.store.readThumbnail(img.sha256);
      const meta = await sharp(thumb.bytes).metadata();
      expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(512);
      if (originalIsThumbnail(await probeImage(orig.bytes, { maxPixels: 1e8 }), orig.bytes)) {
        expect(thumb.bytes.equals(orig.bytes)).toBe(true);
        expect(thumb.contentType).toBe(orig.contentType);
      } else {
        expect([meta.format, thumb.contentType]).toEqual(['webp', 'image/webp']);
      }
    }
    await expect(e.store.readOriginal('../../etc/passwd')).rejects.toThrow(/not a sha256/);
    await expect(e.store.readOriginal('0'.repeat(64))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('adds nothing when the same file is ingested again', async () => {
    const before = await Promise.all([e.db.image.count(), e.db.text.count(), e.db.imageText.count(), e.db.imageVector.count(), e.db.textVector.count()]);
    const s = await ingestCorpus({ path: PAIRS, dataset: 'pairs', batchSize: 4 }, e);
    expect(s).toMatchObject({ images: 0, texts: 0, links: 0, duplicates: 3, good: 3, errorCount: 8 });
    const after = await Promise.all([e.db.image.count(), e.db.text.count(), e.db.imageText.count(), e.db.imageVector.count(), e.db.textVector.count()]);
    expect(after).toEqual(before);
    expect(e.indexes.image.size()).toBe(3);
  });

  it('reuses the stored vector of the same bytes in another dataset instead of re-embedding', async () => {
    const s = await ingestCorpus({ path: PAIRS, dataset: 'pairs-copy' }, e);
    expect(s).toMatchObject({ images: 3, texts: 3, links: 3, vectorsReused: 3 });
    const a = await e.db.imageVector.findMany({ where: { image: { dataset: { name: 'pairs' } } }, include: { image: true } });
    const b = await e.db.imageVector.findMany({ where: { image: { dataset: { name: 'pairs-copy' } } }, include: { image: true } });
    const bySha = new Map(a.map((v) => [v.image.sha256, Buffer.from(v.data).toString('hex')]));
    for (const v of b) expect(Buffer.from(v.data).toString('hex')).toBe(bySha.get(v.image.sha256));
    expect(e.indexes.image.size()).toBe(6);
  });

  it('links MUGE texts to image ids and reports unknown ids on the text line', async () => {
    const s = await ingestCorpus({ path: path.join(CORPUS, 'muge', 'images.tsv'), texts: path.join(CORPUS, 'muge', 'texts.jsonl'), dataset: 'muge' }, e);
    expect(s.datasetStatus).toBe('ready');
    expect(s.images).toBe(3);
    expect(s.links).toBeGreaterThan(0);
    const texts = s.errors.filter((x) => x.file?.endsWith('texts.jsonl'));
    expect(texts.map((x) => x.line)).toEqual([3, 4]);
    const links = await e.db.imageText.findMany({ where: { text: { dataset: { name: 'muge' } } }, include: { image: true, text: true } });
    for (const l of links) expect(l.image.datasetId).toBe(l.text.datasetId);
  });

  it('reports an image id that no image line provided', async () => {
    const dir = fs.mkdtempSync(path.join(t.dataDir, 'muge-'));
    const img = fs.readFileSync(path.join(CORPUS, 'muge', 'images.tsv'), 'utf8').split('\n')[0];
    fs.writeFileSync(path.join(dir, 'images.tsv'), `${img}\n`);
    const id = img.split('\t')[0];
    fs.writeFileSync(path.join(dir, 'texts.jsonl'), `${JSON.stringify({ text_id: 1, text: 'known', image_ids: [Number(id)] })}\n${JSON.stringify({ text_id: 2, text: 'unknown', image_ids: [424242] })}\n`);
    const s = await ingestCorpus({ path: path.join(dir, 'images.tsv'), texts: path.join(dir, 'texts.jsonl'), dataset: 'muge-unknown' }, e);
    expect(s.errors).toEqual([{ line: 2, file: path.join(dir, 'texts.jsonl'), reason: expect.stringMatching(/image id "424242" is not among the ingested images/) }]);
    expect(s).toMatchObject({ images: 1, texts: 2, links: 1 });
  });

  it('links a text to an image id whose bytes were stored under another id (duplicate image)', async () => {
    const dir = fs.mkdtempSync(path.join(t.dataDir, 'muge-dup-'));
    const b64 = fs.readFileSync(path.join(CORPUS, 'muge', 'images.tsv'), 'utf8').split('\n')[0].split('\t')[1];
    fs.writeFileSync(path.join(dir, 'images.tsv'), `501\t${b64}\n502\t${b64}\n`);
    fs.writeFileSync(path.join(dir, 'texts.jsonl'), `${JSON.stringify({ text_id: 9, text: 'twice stored', image_ids: [502] })}\n`);
    const s = await ingestCorpus({ path: path.join(dir, 'images.tsv'), texts: path.join(dir, 'texts.jsonl'), dataset: 'muge-dup', batchSize: 1 }, e);
    expect(s).toMatchObject({ images: 1, texts: 1, links: 1, errorCount: 0 });
  });

  it('ingests a folder with captions; an empty caption and a fake .png are errors', async () => {
    const s = await ingestCorpus({ path: path.join(CORPUS, 'folder'), dataset: 'folder' }, e);
    expect(s.errors.map((x) => [x.line, x.file])).toEqual([
      [3, 'c-empty-caption.txt'],
      [4, 'e-not-really.png'],
    ]);
    expect(s).toMatchObject({ images: 3, texts: 2, links: 2 });
  });

  it('ends a dataset as failed when nothing could be ingested', async () => {
    const bad = path.join(t.dataDir, 'all-bad.tsv');
    fs.writeFileSync(bad, 'a\tnot*base64\nb\t%%%\n');
    const s = await ingestCorpus({ path: bad, dataset: 'bad', format: 'pairs' }, e);
    expect(s).toMatchObject({ good: 0, errorCount: 2, datasetStatus: 'failed' });
    expect((await e.db.dataset.findUnique({ where: { name: 'bad' } }))?.status).toBe('failed');
  });

  it('deleting a dataset removes its vectors from the index, and only the originals nobody else uses', async () => {
    const labels = (await e.db.imageVector.findMany({ where: { image: { dataset: { name: 'pairs-copy' } } } })).map((v) => v.id);
    const sizeBefore = e.indexes.image.size();
    const gone = await deleteDataset(e, 'pairs-copy');
    expect(gone.imageLabels.sort()).toEqual(labels.sort());
    expect(gone.orphanShas).toEqual([]); // 'pairs' still has the same images
    expect(e.indexes.image.size()).toBe(sizeBefore - 3);
    for (const l of labels) expect(e.indexes.image.has(l)).toBe(false);

    const shas = (await e.db.image.findMany({ where: { dataset: { name: 'folder' } } })).map((i) => i.sha256);
    const unique = [];
    for (const sha of shas) if ((await e.db.image.count({ where: { sha256: sha } })) === 1) unique.push(sha);
    const g2 = await deleteDataset(e, 'folder');
    expect(g2.orphanShas.sort()).toEqual(unique.sort());
    for (const sha of unique) expect(await e.store.hasOriginal(sha)).toBe(false);
    await expect(deleteDataset(e, 'folder')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // the saved index agrees after a restart
    await t.close();
    e = await t.open();
    expect(e.indexReport.messages).toEqual([]);
    for (const l of labels) expect(e.indexes.image.has(l)).toBe(false);
  });
});
