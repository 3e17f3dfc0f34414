/**
 * issue 11, the OCR controls of the JSON API, called as Next calls the routes, on the real engine
 * (real CLIP and OCR models, sharp, SQLite, hnswlib): `ocr=0` on POST /api/datasets leaves the
 * images it adds unread (marked 'skipped', no text) even though the server's CLIPDEX_OCR is on,
 * `ocr=1` reads them, and absent follows the server's setting (both ways); POST /api/reindex?ocr=1
 * backfills the unread ones. Bad values are 400s naming the allowed ones, and the OpenAPI document
 * lists the new fields.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as datasetsPost } from '../../app/api/datasets/route';
import { POST as reindexPost } from '../../app/api/reindex/route';
import { openApiDocument } from '../../app/api/_lib/openapi';
import type { Engine } from '../../lib/engine';
import { getJob } from '../../lib/jobs';
import { stagedDir } from '../../lib/staged-uploads';
import { assertCjkFont, renderText } from '../helpers/text-image';
import { makeTestEnv, type TestEnv } from './engine-helpers';

let t: TestEnv;
let engine: Engine;
let tsv: Buffer;

beforeAll(async () => {
  assertCjkFont();
  t = makeTestEnv('ocr-controls');
  delete process.env.CLIPDEX_OCR; // the default: on
  engine = await t.open();
  const label = await renderText(320, 120, [{ text: 'QX-4471', x: 20, y: 75, size: 44 }]);
  tsv = Buffer.from(`a product label\t${label.toString('base64')}\n`);
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
});

function upload(fields: Record<string, string>): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('file', new Blob([new Uint8Array(tsv)]), 'label.tsv');
  return datasetsPost(new Request('http://127.0.0.1/api/datasets', { method: 'POST', body: form }), {});
}

async function finished(res: Response): Promise<void> {
  expect(res.status, await res.clone().text()).toBe(202);
  const { job } = (await res.json()) as { job: { id: string } };
  let row = await getJob(engine.db, job.id);
  for (let i = 0; i < 1200 && row && !['done', 'failed', 'cancelled'].includes(row.status); i++) {
    await new Promise((r) => setTimeout(r, 100));
    row = await getJob(engine.db, job.id);
  }
  expect(row?.status, row?.message ?? '').toBe('done');
}

async function ocrOf(dataset: string) {
  const ds = await engine.db.dataset.findUniqueOrThrow({ where: { name: dataset } });
  return engine.db.image.findFirstOrThrow({ where: { datasetId: ds.id }, select: { ocrStatus: true, ocrText: true } });
}

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

describe('OCR controls on the JSON API (real engine)', { timeout: 300_000 }, () => {
  it('ocr=0 leaves the images unread although CLIPDEX_OCR is on; absent follows it; ocr=1 reads', async () => {
    expect(engine.config.ocr.enabled).toBe(true);
    await finished(await upload({ dataset: 'ocr-off', ocr: '0' }));
    expect(await ocrOf('ocr-off')).toEqual({ ocrStatus: 'skipped', ocrText: null });
    await finished(await upload({ dataset: 'ocr-default' }));
    expect(await ocrOf('ocr-default')).toEqual({ ocrStatus: 'done', ocrText: 'QX-4471' });
    await finished(await upload({ dataset: 'ocr-true', ocr: 'true' }));
    expect(await ocrOf('ocr-true')).toEqual({ ocrStatus: 'done', ocrText: 'QX-4471' });
  });

  it('with the server setting off, absent leaves them unread and ocr=1 reads them', async () => {
    const ocrConfig = engine.config.ocr as { enabled: boolean };
    ocrConfig.enabled = false; // as CLIPDEX_OCR=0 (the config object is the engine's own)
    try {
      await finished(await upload({ dataset: 'server-off' }));
      expect(await ocrOf('server-off')).toEqual({ ocrStatus: 'skipped', ocrText: null });
      await finished(await upload({ dataset: 'server-off-ocr-1', ocr: '1' }));
      expect(await ocrOf('server-off-ocr-1')).toEqual({ ocrStatus: 'done', ocrText: 'QX-4471' });
    } finally {
      ocrConfig.enabled = true;
    }
  });

  it('a bad ocr value or an unknown field is a 400 naming the allowed ones, and nothing stays staged', async () => {
    const bad = await upload({ dataset: 'bad', ocr: 'maybe' });
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toEqual({ code: 'INVALID_INPUT', message: 'ocr must be one of "0", "1", "true", "false"; got "maybe"' });
    const unknown = await upload({ dataset: 'bad', ocrr: '1' });
    expect(unknown.status).toBe(400);
    expect((await errorOf(unknown)).message).toBe('unknown field "ocrr" (allowed: dataset, format, ocr)');
    const dir = stagedDir(t.dataDir);
    expect(fs.existsSync(dir) ? fs.readdirSync(dir) : []).toEqual([]);
    expect(await engine.db.dataset.findUnique({ where: { name: 'bad' } })).toBeNull();
  });

  it('POST /api/reindex?ocr=1 reads the images not read yet; bad combinations are 400s', async () => {
    const post = (qs: string) => reindexPost(new Request(`http://127.0.0.1/api/reindex${qs}`, { method: 'POST' }), {});
    const alone = await post('?retryFailedOcr=1');
    expect(alone.status).toBe(400);
    expect((await errorOf(alone)).message).toBe('retryFailedOcr goes with ocr=1 (POST /api/reindex?ocr=1&retryFailedOcr=1)');
    const bad = await post('?ocr=yes');
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toBe('ocr must be one of "0", "1", "true", "false"; got "yes"');

    // A plain re-index leaves them unread; ?ocr=1 reads them.
    await finished(await post(''));
    expect(await ocrOf('ocr-off')).toEqual({ ocrStatus: 'skipped', ocrText: null });
    await finished(await post('?ocr=1&retryFailedOcr=0'));
    expect(await ocrOf('ocr-off')).toEqual({ ocrStatus: 'done', ocrText: 'QX-4471' });
    expect(await ocrOf('server-off')).toEqual({ ocrStatus: 'done', ocrText: 'QX-4471' });
  });

  it('the OpenAPI document lists the new fields with their allowed values', () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, { parameters?: { name: string; schema: { enum?: string[] } }[]; requestBody?: unknown }>> };
    const reindex = doc.paths['/api/reindex'].post.parameters!;
    expect(reindex.map((p) => p.name)).toEqual(['ocr', 'retryFailedOcr']);
    expect(reindex[0].schema.enum).toEqual(['0', '1', 'true', 'false']);
    const body = doc.paths['/api/datasets'].post.requestBody as { content: Record<string, { schema: { properties: Record<string, { enum?: string[] }> } }> };
    expect(body.content['multipart/form-data'].schema.properties.ocr.enum).toEqual(['0', '1', 'true', 'false']);
  });
});
