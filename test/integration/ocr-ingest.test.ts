/**
 * issue 11, OCR at ingest on the real engine (real model, sharp, SQLite, hnswlib, the real OCR
 * model): the text in the images an ingest adds is stored on their rows and in their keyword
 * documents; an image whose OCR fails (its stored original corrupted after commit) is kept,
 * indexed and found by its vector, with the failure recorded; `ocr: false` (the CLI's --no-ocr)
 * marks the images skipped and `reindex --ocr` reads them later; the job's counters end on the
 * records, the OCR figures in its result. The same columns on PostgreSQL when
 * CLIPDEX_TEST_POSTGRES_URL is set.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../lib/config';
import { closeEngine, getEngine, type Engine } from '../../lib/engine';
import { deleteDataset, runOcrStage, startIngestJob, startReindexJob, type IngestJobResult } from '../../lib/ingest';
import { createOcrEngine } from '../../lib/ocr';
import { getJob } from '../../lib/jobs';
import { sha256Hex } from '../../lib/store';
import { assertCjkFont, renderText } from '../helpers/text-image';
import { makeTestEnv, testModelDir } from './engine-helpers';

interface Sample {
  caption: string;
  bytes: Buffer;
}

async function samples(): Promise<Record<'code' | 'noodles' | 'circle' | 'sale', Sample>> {
  return {
    code: { caption: 'a product label', bytes: await renderText(320, 120, [{ text: 'QX-4471', x: 20, y: 75, size: 44 }]) },
    noodles: { caption: 'a bowl of noodles', bytes: await renderText(400, 140, [{ text: '红烧牛肉面', x: 20, y: 90, size: 56 }]) },
    circle: { caption: 'a blue circle', bytes: await renderText(120, 120, [], { extraSvg: '<circle cx="60" cy="60" r="40" fill="#36c"/>' }) },
    sale: { caption: 'a sale sign', bytes: await renderText(420, 160, [{ text: 'SALE 50%', x: 30, y: 100, size: 56, bold: true, fill: '#c00' }]) },
  };
}

function pairsFile(dir: string, name: string, items: Sample[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, items.map((s) => `${s.caption}\t${s.bytes.toString('base64')}\n`).join(''));
  return file;
}

/** The stored original of these bytes (lib/store's layout: blobs/<first two hex>/<sha>.<ext>). */
function blobPath(dataDir: string, bytes: Buffer): string {
  const sha = sha256Hex(bytes);
  const dir = path.join(dataDir, 'blobs', sha.slice(0, 2));
  const name = fs.readdirSync(dir).find((f) => f.startsWith(sha));
  if (!name) throw new Error(`no stored original for ${sha}`);
  return path.join(dir, name);
}

async function imageOf(e: Engine, dataset: string, bytes: Buffer) {
  const ds = await e.db.dataset.findUniqueOrThrow({ where: { name: dataset } });
  return e.db.image.findUniqueOrThrow({ where: { datasetId_sha256: { datasetId: ds.id, sha256: sha256Hex(bytes) } } });
}

async function keywordOcr(e: Engine, imageId: number): Promise<string | undefined> {
  const rows = await e.db.$queryRaw<{ ocr: string }[]>`SELECT "ocr" FROM "KeywordDoc" WHERE "imageId" = ${imageId}`;
  return rows[0]?.ocr;
}

describe('OCR at ingest (SQLite, real models)', { timeout: 300_000 }, () => {
  const t = makeTestEnv('ocr');
  let e: Engine;
  let s: Awaited<ReturnType<typeof samples>>;
  beforeAll(async () => {
    assertCjkFont();
    s = await samples();
    e = await t.open();
  });
  afterAll(() => t.cleanup());

  it('stores the text found, records a failure without losing the image, and ends the job on the records', async () => {
    const file = pairsFile(t.dataDir, 'shop.tsv', [s.code, s.noodles, s.circle, s.sale]);
    const job = await startIngestJob(e, { path: file, dataset: 'shop', batchSize: 2, ocr: true }, {
      // After the last batch is committed and before the OCR stage: the sale sign's stored
      // original stops being an image (a disk fault), so its OCR fails.
      onBatchCommitted: (n) => {
        if (n === 2) fs.writeFileSync(blobPath(t.dataDir, s.sale.bytes), 'this is no longer an image');
      },
    });
    const out = await job.done;
    expect(out).not.toHaveProperty('failed');
    expect(out).toMatchObject({ cancelled: false });
    const result = (out as { result: IngestJobResult }).result;
    expect(result.ocr).toMatchObject({ images: 4, withText: 2, failed: 1, incomplete: 0, remaining: 0 });
    expect(result.ocr!.msPerImage!.median).toBeGreaterThan(0);

    const code = await imageOf(e, 'shop', s.code.bytes);
    expect(code).toMatchObject({ ocrStatus: 'done', ocrText: 'QX-4471', ocrError: null });
    expect(await imageOf(e, 'shop', s.noodles.bytes)).toMatchObject({ ocrStatus: 'done', ocrText: '红烧牛肉面' });
    expect(await imageOf(e, 'shop', s.circle.bytes)).toMatchObject({ ocrStatus: 'done', ocrText: '' });
    const sale = await imageOf(e, 'shop', s.sale.bytes);
    expect(sale).toMatchObject({ ocrStatus: 'failed', ocrText: null, ocrError: expect.stringMatching(/not a supported image/) });

    // The failed image is still there, with its vector, in the index, and found by it.
    const vec = await e.db.imageVector.findFirstOrThrow({ where: { imageId: sale.id } });
    expect(e.indexes.image.has(vec.id)).toBe(true);
    const { bytesToVector } = await import('../../lib/db');
    expect(e.indexes.image.search(bytesToVector(vec.data), 1)[0].label).toBe(vec.id);

    // The keyword documents carry the text (lib/keyword's syncKeywordDocs after the OCR write).
    expect(await keywordOcr(e, code.id)).toBe('QX-4471');

    // The job row ends on the records (4 / 4), its message has the OCR summary.
    const row = await getJob(e.db, job.id);
    expect(row).toMatchObject({ status: 'done', processed: 4, total: 4 });
    expect(row!.message).toMatch(/text found in 2 of 4 images read, 1 OCR failures/);
  });

  it('ocr: false (--no-ocr) marks the images skipped; reindex --ocr reads them, and retries failures only when asked', async () => {
    const later = { caption: 'a price tag', bytes: await renderText(300, 110, [{ text: 'QX-9001', x: 20, y: 70, size: 42 }]) };
    const file = pairsFile(t.dataDir, 'later.tsv', [later]);
    const job = await startIngestJob(e, { path: file, dataset: 'later', ocr: false });
    const out = (await job.done) as { result: IngestJobResult; message?: string };
    expect(out.result.ocr).toMatchObject({ skipped: 1, images: 0 });
    expect(out.message).toMatch(/OCR off \(1 images left for clipdex reindex --ocr\)/);
    expect(await imageOf(e, 'later', later.bytes)).toMatchObject({ ocrStatus: 'skipped', ocrText: null });

    const re = await startReindexJob(e, { ocr: true });
    const reOut = (await re.done) as { result: { ocr: { images: number; withText: number; failed: number } } };
    expect(reOut.result.ocr).toMatchObject({ images: 1, withText: 1, failed: 0 }); // the failed sale sign is left alone
    expect(await imageOf(e, 'later', later.bytes)).toMatchObject({ ocrStatus: 'done', ocrText: 'QX-9001' });

    const retry = (await (await startReindexJob(e, { ocr: true, retryFailedOcr: true })).done) as { result: { ocr: { images: number; failed: number } } };
    expect(retry.result.ocr).toMatchObject({ images: 1, failed: 1 }); // still not an image
  });

  it('CLIPDEX_OCR=off turns OCR off for ingests that do not say; a bad value is refused naming the allowed ones', async () => {
    process.env.CLIPDEX_OCR = 'off';
    resetConfig();
    const { getConfig } = await import('../../lib/config');
    try {
      expect(getConfig().ocr.enabled).toBe(false);
      process.env.CLIPDEX_OCR = 'maybe';
      resetConfig();
      expect(() => getConfig()).toThrow(/CLIPDEX_OCR: "maybe" is not one of 1, 0, true, false/);
    } finally {
      delete process.env.CLIPDEX_OCR;
      resetConfig();
    }
    // The engine keeps the config it opened with; a job reads deps.config: turn it off there.
    const off = { ...e, config: { ...e.config, ocr: { ...e.config.ocr, enabled: false } } };
    const img = { caption: 'a code', bytes: await renderText(300, 110, [{ text: 'ZK-12', x: 20, y: 70, size: 42 }]) };
    const out = (await (await startIngestJob(off, { path: pairsFile(t.dataDir, 'cfg.tsv', [img]), dataset: 'cfg' })).done) as { result: IngestJobResult };
    expect(out.result.ocr).toMatchObject({ skipped: 1 });
  });

  it('without a usable OCR model the stage reads nothing, says why, and leaves the images for a later backfill', async () => {
    const broken = createOcrEngine({ threads: 1, maxImagePixels: 1_000_000, timeoutMs: 1000, modelDir: path.join(t.dataDir, 'no-ocr-model') });
    const before = await e.db.image.count({ where: { ocrStatus: 'skipped' } });
    expect(before).toBeGreaterThan(0); // the 'cfg' image above
    const s2 = await runOcrStage(e, { backfill: true }, { engine: broken });
    expect(s2).toMatchObject({ images: 0, remaining: before, unavailable: expect.stringMatching(/OCR model file .*ch_PP-OCRv4_det_infer\.onnx is missing/) });
    expect(await e.db.image.count({ where: { ocrStatus: 'skipped' } })).toBe(before);
  });
});

const url = process.env.CLIPDEX_TEST_POSTGRES_URL;

describe.skipIf(!url)('OCR at ingest on PostgreSQL (real server)', { timeout: 300_000 }, () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-pg-ocr-'));
  const saved = { ...process.env };
  let e: Engine;
  beforeAll(async () => {
    assertCjkFont();
    Object.assign(process.env, { CLIPDEX_DATA_DIR: dataDir, DATABASE_URL: url, CLIPDEX_MODEL_DIR: testModelDir(), CLIPDEX_THREADS: '1' });
    resetConfig();
    e = await getEngine({ log: () => undefined });
    await deleteDataset(e, 'pg-ocr').catch(() => undefined);
  });
  afterAll(async () => {
    await deleteDataset(e, 'pg-ocr').catch(() => undefined);
    await closeEngine();
    process.env = saved;
    resetConfig();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores the text (Chinese included), the status and the failure in the 0003_ocr columns', async () => {
    const s = await samples();
    const job = await startIngestJob(e, { path: pairsFile(dataDir, 'pg.tsv', [s.noodles, s.code, s.sale]), dataset: 'pg-ocr', ocr: true }, {
      onBatchCommitted: () => fs.writeFileSync(blobPath(dataDir, s.sale.bytes), 'no longer an image'),
    });
    const out = (await job.done) as { result: IngestJobResult };
    expect(out.result.ocr).toMatchObject({ images: 3, withText: 2, failed: 1 });
    expect(await imageOf(e, 'pg-ocr', s.noodles.bytes)).toMatchObject({ ocrStatus: 'done', ocrText: '红烧牛肉面' });
    const code = await imageOf(e, 'pg-ocr', s.code.bytes);
    expect(code).toMatchObject({ ocrStatus: 'done', ocrText: 'QX-4471' });
    expect(await imageOf(e, 'pg-ocr', s.sale.bytes)).toMatchObject({ ocrStatus: 'failed', ocrError: expect.stringMatching(/not a supported image/) });
    expect(await keywordOcr(e, code.id)).toBe('QX-4471');
  });
});
