/**
 * Ingest failure hygiene on the real parts (SQLite, model, sharp, hnswlib): a caption with a NUL
 * is one bad line (on every database), a batch whose transaction fails (or that a cancel drops)
 * leaves neither an 'ingesting' dataset nor orphan files (shared blobs kept), gzip'd corpora
 * ingest, and a corpus whose format cannot be detected leaves no dataset behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../lib/engine';
import { deleteDataset, ingestCorpus } from '../../lib/ingest';
import { removeUnreferenced } from '../../lib/ingest/cleanup';
import { sha256Hex, thumbnailFor } from '../../lib/store';
import { makeImages, makeTestEnv, ROOT } from './engine-helpers';

const t = makeTestEnv('hygiene');
let e: Engine;
beforeAll(async () => {
  e = await t.open();
});
afterAll(() => t.cleanup());

const DEMO = fs.readFileSync(path.join(ROOT, 'demo', 'valid.tsv'), 'utf8').split('\n').filter(Boolean);

/** sha256s of the files under blobs/ or thumbs/ (temp files excluded). */
function storedShas(sub: 'blobs' | 'thumbs'): string[] {
  const root = path.join(t.dataDir, sub);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && !d.name.includes('.tmp-'))
    .map((d) => d.name.split('.')[0])
    .sort();
}

describe('bad text and failed batches', () => {
  it('a NUL in the caption of line 12 is one bad line with its number; the 19 other lines are kept', async () => {
    const lines = DEMO.slice(0, 20).map((l, i) => (i === 11 ? `bad\u0000caption\t${l.split('\t')[1]}` : l));
    const file = path.join(t.dataDir, 'nul.tsv');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const s = await ingestCorpus({ path: file, dataset: 'nul', batchSize: 8 }, e);
    expect(s.errors).toEqual([{ line: 12, reason: expect.stringMatching(/^column 1 \(text\) contains a NUL character \(U\+0000\) at character 4, which PostgreSQL cannot store/) }]);
    expect(s).toMatchObject({ good: 19, errorCount: 1, datasetStatus: 'ready' });
    const captions = new Set(lines.filter((_, i) => i !== 11).map((l) => l.split('\t')[0]));
    expect(await e.db.text.count({ where: { dataset: { name: 'nul' } } })).toBe(captions.size);
  });

  it('a batch whose transaction fails: dataset "failed", committed batches kept, no orphan files, shared blobs kept', async () => {
    const imgs = await makeImages(12, 20);
    // 'shared' holds image 5 first: the failing batch (lines 5–8) must not remove its files.
    const shared = path.join(t.dataDir, 'shared.tsv');
    fs.writeFileSync(shared, `shared five\t${imgs[5].toString('base64')}\n`);
    await ingestCorpus({ path: shared, dataset: 'shared' }, e);

    const file = path.join(t.dataDir, 'boom.tsv');
    fs.writeFileSync(file, imgs.map((b, i) => `${i === 6 ? 'boom' : `caption ${i}`}\t${b.toString('base64')}\n`).join(''));
    // A real database failure inside the batch's transaction (as a full disk or an encoding error would be).
    await e.db.$executeRawUnsafe(`CREATE TRIGGER boom BEFORE INSERT ON "Text" WHEN NEW.text = 'boom' BEGIN SELECT RAISE(ABORT, 'forced failure'); END`);
    try {
      // The batch's writes run on SQLite's connection (lib/db/sql-runner.ts): SQLite's own message.
      await expect(ingestCorpus({ path: file, dataset: 'boom', batchSize: 4 }, e)).rejects.toThrow(/forced failure/);
    } finally {
      await e.db.$executeRawUnsafe('DROP TRIGGER boom');
    }
    expect((await e.db.dataset.findUnique({ where: { name: 'boom' } }))?.status).toBe('failed');
    expect(await e.db.image.count({ where: { dataset: { name: 'boom' } } })).toBe(4); // batch 1 committed
    // Every stored file is named by a row, and every row's files exist.
    const rows = [...new Set((await e.db.image.findMany({ select: { sha256: true } })).map((r) => r.sha256))].sort();
    expect(storedShas('blobs')).toEqual(rows);
    expect(storedShas('thumbs')).toEqual(rows);
    expect(rows).toContain((await e.db.image.findFirstOrThrow({ where: { dataset: { name: 'shared' } } })).sha256);

    // Running it again (the cause gone) completes it.
    const again = await ingestCorpus({ path: file, dataset: 'boom', batchSize: 4 }, e);
    expect(again).toMatchObject({ datasetStatus: 'ready', good: 12, duplicates: 4 });
  });
});

describe('a cancelled ingest', () => {
  it('drops the prepared batch it will not commit together with its files', async () => {
    const imgs = await makeImages(12, 24);
    const file = path.join(t.dataDir, 'cancel.tsv');
    fs.writeFileSync(file, imgs.map((b, i) => `cancel ${i}\t${b.toString('base64')}\n`).join(''));
    const ac = new AbortController();
    // the next batch is prepared (files written) while batch 1 commits; the abort drops it
    const s = await ingestCorpus({ path: file, dataset: 'cancel', batchSize: 4, signal: ac.signal, onBatchCommitted: () => ac.abort() }, e);
    expect(s.datasetStatus).toBe('failed');
    expect(await e.db.image.count({ where: { dataset: { name: 'cancel' } } })).toBe(4);
    const rows = [...new Set((await e.db.image.findMany({ select: { sha256: true } })).map((r) => r.sha256))].sort();
    expect(storedShas('blobs')).toEqual(rows);
    expect(storedShas('thumbs')).toEqual(rows);
  });
});

describe('two ingests sharing a blob (review 3)', () => {
  it('an ingest that found the files on disk writes them back when a cleanup removed them before it committed', async () => {
    const [img] = await makeImages(1, 30);
    const sha = sha256Hex(img);
    fs.writeFileSync(path.join(t.dataDir, 'first.tsv'), `first caption\t${img.toString('base64')}\n`);
    await ingestCorpus({ path: path.join(t.dataDir, 'first.tsv'), dataset: 'first' }, e);
    // B: the same image in another dataset. Its prepare finds the files present; between its
    // prepare and its commit (it is encoding its caption), the only dataset naming the image is
    // deleted, whose cleanup sees no row for it (B has not committed) and removes its files.
    let raced = false;
    const model = new Proxy(e.model, {
      get(tgt, p, r) {
        const v = Reflect.get(tgt, p, r);
        if (p !== 'encodeTexts') return typeof v === 'function' ? v.bind(tgt) : v;
        return async (texts: string[]) => {
          if (!raced) {
            raced = true;
            expect(await e.store.hasOriginal(sha)).toBe(true);
            await deleteDataset(e, 'first');
            expect(await e.store.hasOriginal(sha)).toBe(false);
          }
          return v.call(tgt, texts);
        };
      },
    });
    fs.writeFileSync(path.join(t.dataDir, 'second.tsv'), `second caption\t${img.toString('base64')}\n`);
    const s = await ingestCorpus({ path: path.join(t.dataDir, 'second.tsv'), dataset: 'second' }, { ...e, model });
    expect(raced).toBe(true);
    expect(s).toMatchObject({ images: 1, vectorsReused: 1, datasetStatus: 'ready' });
    expect((await e.store.readOriginal(sha)).bytes.equals(img)).toBe(true);
    // the thumbnail an ingest makes of these bytes (here the small PNG itself)
    expect((await e.store.readThumbnail(sha)).bytes.equals((await thumbnailFor(img, 1e8)).bytes)).toBe(true);
  });

  it('a cleanup puts the files back when a row for them committed between its check and its removal', async () => {
    const [img] = await makeImages(1, 34);
    const sha = sha256Hex(img);
    await e.store.putOriginal(sha, 'png', img);
    await e.store.putThumbnail(sha, img);
    const ds = await e.db.dataset.create({ data: { name: 'race-commit', format: 'tsv' } });
    // The cleanup's first lookup finds no row; right after it, another ingest commits one and
    // checks its files (still there, so it writes nothing back).
    let calls = 0;
    const image = new Proxy(e.db.image, {
      get(tgt, p) {
        const v = Reflect.get(tgt, p);
        if (p !== 'findMany') return typeof v === 'function' ? v.bind(tgt) : v;
        return async (args: unknown) => {
          const rows = await v.call(tgt, args);
          if (calls++ === 0) {
            await e.db.image.create({ data: { datasetId: ds.id, sha256: sha, width: 34, height: 34, format: 'png', bytes: img.length } });
            expect(await e.store.hasOriginal(sha)).toBe(true);
          }
          return rows;
        };
      },
    });
    const db = new Proxy(e.db, { get: (tgt, p, r) => (p === 'image' ? image : Reflect.get(tgt, p, r)) });
    expect(await removeUnreferenced({ db, store: e.store }, [sha])).toBe(0);
    expect(calls).toBe(2);
    expect((await e.store.readOriginal(sha)).bytes.equals(img)).toBe(true);
    expect(await e.store.hasThumbnail(sha)).toBe(true);
    // With nothing naming it, the same cleanup does remove it.
    await e.db.image.deleteMany({ where: { sha256: sha } });
    expect(await removeUnreferenced(e, [sha])).toBe(1);
    expect(await e.store.hasOriginal(sha)).toBe(false);
    expect(await e.store.hasThumbnail(sha)).toBe(false);
    // Nothing left aside either.
    const left = ['blobs', 'thumbs'].flatMap((sub) => {
      const dir = path.join(t.dataDir, sub, sha.slice(0, 2));
      return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.startsWith(sha)) : [];
    });
    expect(left).toEqual([]);
  });
});

describe('gzip and undetectable corpora', () => {
  it('ingests a .tsv.gz of demo lines like the plain file', async () => {
    const file = path.join(t.dataDir, 'demo.tsv.gz');
    fs.writeFileSync(file, zlib.gzipSync(DEMO.slice(40, 60).join('\n') + '\n'));
    const s = await ingestCorpus({ path: file, dataset: 'gz' }, e);
    expect(s).toMatchObject({ records: 20, good: 20, errorCount: 0, datasetStatus: 'ready' });
  });

  it('a truncated .gz is refused with a message that says gzip, before any dataset row exists', async () => {
    const whole = zlib.gzipSync(DEMO.slice(60, 90).join('\n') + '\n');
    const file = path.join(t.dataDir, 'cut.tsv.gz');
    fs.writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
    await expect(ingestCorpus({ path: file, dataset: 'cut' }, e)).rejects.toThrow(/gzip-compressed but cannot be decompressed/);
    expect(await e.db.dataset.findUnique({ where: { name: 'cut' } })).toBeNull();
  });

  it('a corpus whose format cannot be detected is refused before any dataset row exists', async () => {
    const file = path.join(t.dataDir, 'three-cols.tsv');
    fs.writeFileSync(file, 'a\tb\tc\nd\te\tf\n');
    await expect(ingestCorpus({ path: file, dataset: 'undetectable' }, e)).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
    expect(await e.db.dataset.findUnique({ where: { name: 'undetectable' } })).toBeNull();
  });
});
