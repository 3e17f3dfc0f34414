/**
 * Regression tests for hostile-probe cases that held but had no test (notes/probe-map.md): B6
 * (SVG: plain, file:// href, XXE, billion laughs; CSP sandbox + nosniff on originals), B7
 * (animated GIF), D3/D4 (missing model dir, truncated ONNX → CLI exit 3) and G2 (deleting a
 * dataset while it ingests → CONFLICT 409, CLI exit 1). Real sharp, real model, real SQLite, the
 * real CLI in child processes, the image route module called as Next calls it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getImage } from '../../app/api/images/[sha]/route';
import type { Engine } from '../../lib/engine';
import { isAppError } from '../../lib/errors';
import { decodeImage } from '../../lib/image/decode';
import { deleteDataset, startIngestJob, type LineError } from '../../lib/ingest';
import { getJob } from '../../lib/jobs';
import { startCli } from '../helpers/cli';
import { makePairsFile, makeTestEnv, testModelDir, type TestEnv } from './engine-helpers';

let t: TestEnv;
let engine: Engine;

beforeAll(async () => {
  t = makeTestEnv('probe-held');
  engine = await t.open();
});
afterAll(async () => t?.cleanup());

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const solid = (w: number, h: number, background: string) => sharp({ create: { width: w, height: h, channels: 3, background } }).png().toBuffer();

/** Ingest `lines` (caption, image bytes) as a pairs file in-process; the summary and the line errors. */
async function ingestPairs(name: string, lines: [string, Buffer | string][]) {
  const file = path.join(t.dataDir, `${name}.tsv`);
  fs.writeFileSync(file, lines.map(([c, img]) => `${c}\t${b64(img)}\n`).join(''));
  const errors: LineError[] = [];
  const job = await startIngestJob(engine, { path: file, dataset: name, format: 'pairs' }, { onLineError: (e) => errors.push(e) });
  const outcome = await job.done;
  expect(outcome.cancelled).toBe(false);
  const ds = await engine.db.dataset.findUniqueOrThrow({ where: { name } });
  const images = await engine.db.image.findMany({ where: { datasetId: ds.id }, orderBy: { line: 'asc' } });
  return { errors, images, outcome };
}

/** The RGB pixels of a stored thumbnail (webp), alpha composited on white. */
async function thumbPixels(sha: string): Promise<Buffer> {
  const thumb = await engine.store.readThumbnail(sha);
  return sharp(thumb.bytes).flatten({ background: '#ffffff' }).removeAlpha().raw().toBuffer();
}

/** How many RGB pixels are "red" (R high, G and B low). */
const redPixels = (rgb: Buffer) => {
  let n = 0;
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i] > 200 && rgb[i + 1] < 60 && rgb[i + 2] < 60) n++;
  return n;
};

describe('B6 SVG in a pairs corpus', { timeout: 120_000 }, () => {
  const plainSvg = '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32" fill="#ff0000"/></svg>';
  let redPng: string;
  let result: Awaited<ReturnType<typeof ingestPairs>>;

  beforeAll(async () => {
    redPng = path.join(t.dataDir, 'red-on-disk.png');
    fs.writeFileSync(redPng, await solid(32, 32, '#ff0000'));
    const hrefSvg =
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="32" height="32">' +
      `<image xlink:href="file://${redPng}" href="file://${redPng}" x="0" y="0" width="32" height="32"/></svg>`;
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
      '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><text y="20">&xxe;</text></svg>';
    let lol = '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol0 "lol">';
    for (let i = 1; i < 10; i++) lol += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
    lol += ']><svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><text y="20">&lol9;</text></svg>';
    // The same <image> with the red PNG inline (data: URI): proves <image> does render, so a white
    // result for the file:// one means the local file was not read, not that <image> is ignored.
    const dataSvg = hrefSvg.replaceAll(`file://${redPng}`, `data:image/png;base64,${b64(fs.readFileSync(redPng))}`);
    result = await ingestPairs('svg', [
      ['a red svg square', plainSvg],
      ['an svg pointing at a local file', hrefSvg],
      ['an svg with an external entity', xxe],
      ['a billion laughs svg', lol],
      ['an svg with the red png inline', dataSvg],
    ]);
  });

  it('B6: a plain SVG line is ingested as an svg image whose pixels are its own (red)', async () => {
    const img = result.images.find((i) => i.line === 1);
    expect(img).toMatchObject({ format: 'svg', width: 32, height: 32 });
    // The control for the file:// test below: an SVG's own content does reach the thumbnail.
    expect(redPixels(await thumbPixels(img!.sha256))).toBeGreaterThan(0.9 * 16 * 16);
  });

  it('B6: an SVG whose <image> points at a local red PNG does not load it (thumbnail and decoded pixels stay white)', async () => {
    const inline = result.images.find((i) => i.line === 5);
    expect(redPixels(await thumbPixels(inline!.sha256))).toBeGreaterThan(0.9 * 16 * 16); // control: <image> renders
    const img = result.images.find((i) => i.line === 2);
    expect(img, JSON.stringify(result.errors)).toMatchObject({ format: 'svg', width: 32, height: 32 });
    const thumb = await thumbPixels(img!.sha256);
    expect(redPixels(thumb)).toBe(0);
    expect(Math.min(...thumb)).toBeGreaterThanOrEqual(250);
    const original = await engine.store.readOriginal(img!.sha256);
    const decoded = await decodeImage(original.bytes, { maxPixels: 1_000_000 });
    expect(decoded.format).toBe('svg');
    expect(redPixels(decoded.data)).toBe(0);
    expect(Math.min(...decoded.data)).toBe(255);
  });

  it('B6: an XXE SVG and a billion-laughs SVG are bad lines with a reason; nothing else is refused', () => {
    expect(result.errors.map((e) => e.line)).toEqual([3, 4]);
    expect(result.errors[0].reason).toMatch(/bytes are not a supported image .*Entity 'xxe' not defined/);
    expect(result.errors[1].reason).toMatch(/bytes are not a supported image .*amplification/i);
    expect(result.images.map((i) => i.line)).toEqual([1, 2, 5]);
    expect(result.errors.map((e) => e.reason).join('\n')).not.toMatch(/root:/); // /etc/passwd never leaks into a message
  });

  it('B6: GET /api/images/<sha> serves an SVG original with CSP sandbox and nosniff', async () => {
    const img = result.images.find((i) => i.line === 1)!;
    const res = await getImage(new Request(`http://127.0.0.1/api/images/${img.sha256}`), { params: Promise.resolve({ sha: img.sha256 }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp.split(';').map((d) => d.trim())).toContain('sandbox');
    expect(csp).toMatch(/default-src 'none'/);
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe(plainSvg);
  });
});

describe('B7 animated GIF', { timeout: 120_000 }, () => {
  it('B7: a 2-frame animated GIF is ingested as one image of one frame’s size', async () => {
    const frames = [await solid(16, 16, '#ff0000'), await solid(16, 16, '#0000ff')];
    const gif = await sharp(frames, { join: { animated: true } }).gif().toBuffer();
    const meta = await sharp(gif).metadata();
    expect(meta).toMatchObject({ format: 'gif', pages: 2, width: 16 }); // really animated, 2 frames
    const { errors, images, outcome } = await ingestPairs('gif', [['an animated gif', gif]]);
    expect(errors).toEqual([]);
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ format: 'gif', width: 16, height: 16, bytes: gif.length });
    expect(outcome).toMatchObject({ result: { images: 1, texts: 1 } });
    expect(await engine.db.imageVector.count({ where: { imageId: images[0].id } })).toBe(1);
  });
});

describe('G2 delete a dataset while it ingests', { timeout: 400_000 }, () => {
  it('G2: deleteDataset and `clipdex datasets delete` are refused (409 CONFLICT / exit 1) mid-ingest; the ingest finishes consistent', async () => {
    const file = await makePairsFile(t.dataDir, 12, 'g2.tsv');
    let paused!: () => void;
    const atPause = new Promise<void>((r) => (paused = r));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const job = await startIngestJob(engine, { path: file, dataset: 'g2', batchSize: 4 }, {
      onBatchCommitted: async (n) => {
        if (n === 1) {
          paused();
          await held;
        }
      },
    });
    try {
      await atPause;
      expect(await getJob(engine.db, job.id)).toMatchObject({ status: 'running' });
      const err = await deleteDataset(engine, 'g2').then(
        () => null,
        (e: unknown) => e,
      );
      expect(isAppError(err) && { code: err.code, status: err.status, message: err.message }).toEqual({
        code: 'CONFLICT',
        status: 409,
        message: 'dataset "g2" is being ingested right now; delete it when the ingest has finished',
      });
      const cli = await startCli(['datasets', 'delete', 'g2'], t.env).done;
      expect(cli.code).toBe(1);
      expect(cli.stderr).toContain('dataset "g2" is being ingested right now; delete it when the ingest has finished');
      // Nothing was deleted: the first batch is still there.
      const ds = await engine.db.dataset.findUniqueOrThrow({ where: { name: 'g2' } });
      expect(ds.status).toBe('ingesting');
      expect(await engine.db.image.count({ where: { datasetId: ds.id } })).toBe(4);
    } finally {
      release();
    }
    expect(await job.done).toMatchObject({ cancelled: false, result: { images: 12, datasetStatus: 'ready' } });
    expect(await getJob(engine.db, job.id)).toMatchObject({ status: 'done', processed: 12 });
    const ds = await engine.db.dataset.findUniqueOrThrow({ where: { name: 'g2' } });
    expect(ds.status).toBe('ready');
    expect(await engine.db.image.count({ where: { datasetId: ds.id } })).toBe(12);
    expect(engine.indexes.image.size()).toBe(await engine.db.imageVector.count());
    expect(engine.indexes.text.size()).toBe(await engine.db.textVector.count());
    // Once the ingest has ended the same delete goes through.
    expect(await deleteDataset(engine, 'g2')).toMatchObject({ images: 12 });
    expect(await engine.db.dataset.count({ where: { name: 'g2' } })).toBe(0);
  });
});

describe('D3/D4 a missing or damaged model from the CLI', { timeout: 200_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-probe-model-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const search = (modelDir: string, dataDir: string) =>
    startCli(['search', '--text', 'cat'], { CLIPDEX_DATA_DIR: dataDir, CLIPDEX_MODEL_DIR: modelDir, CLIPDEX_THREADS: '1' }).done;

  it('D4: a vision_model.onnx truncated to half → `clipdex search --text cat` exits 3 naming the file', async () => {
    const src = testModelDir();
    const copy = path.join(dir, 'model');
    fs.cpSync(src, copy, { recursive: true });
    const vision = path.join(copy, 'onnx', 'vision_model.onnx');
    expect(fs.existsSync(vision), `${src} has no onnx/vision_model.onnx`).toBe(true);
    const size = fs.statSync(vision).size;
    fs.truncateSync(vision, Math.floor(size / 2));
    const data = fs.mkdtempSync(path.join(dir, 'data-'));
    const r = await search(copy, data);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/cannot load ONNX model .*vision_model\.onnx/);
  });

  it('D3: CLIPDEX_MODEL_DIR=/nonexistent → exit 3 naming the folder and CLIPDEX_MODEL_DIR', async () => {
    const data = fs.mkdtempSync(path.join(dir, 'data-'));
    const r = await search('/nonexistent', data);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('model folder not found: /nonexistent');
    expect(r.stderr).toContain('CLIPDEX_MODEL_DIR');
  });
});
