/**
 * Both fixture layouts end to end through onnxruntime-node and sharp, against values computed in
 * Python by training/make_fixtures.py (torch for embeddings, PIL for preprocessing).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClipModel, type ClipModel } from '@/lib/clip';

const ROOT = path.resolve(__dirname, '../..');
const FIX = path.join(ROOT, 'models/fixtures');

const floats = (b64: string) => {
  const b = Buffer.from(b64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};
const l2 = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const meanAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
};

interface Expected {
  contextLength: number;
  imageSize: number;
  dim: number;
  texts: ({ text: string; input_ids: number[] } & Record<string, unknown>)[];
  pixels: ({ pixel_values_b64: string } & Record<string, unknown>)[];
  images: ({ file: string; resize: string; pixel_values_b64: string } & Record<string, unknown>)[];
}

const layouts = [
  { dir: 'hf-input-ids-only', layout: 'hf', name: 'clipdex/hf-input-ids-only-tiny', text: 'text_embeds', image: 'image_embeds' },
  { dir: 'chinese-clip-tiny', layout: 'chinese-clip', name: 'chinese-clip-tiny', text: 'unnorm_text_features', image: 'unnorm_image_features' },
  // input_ids + attention_mask + token_type_ids, vocab.txt only, squash resize, logit_scale = ln 50 in config.json
  { dir: 'hf-bert-vocab-only', layout: 'hf', name: 'clipdex/hf-bert-vocab-only-tiny', text: 'text_embeds', image: 'image_embeds' },
] as const;

for (const L of layouts) {
  describe(`fixture ${L.dir}`, () => {
    const exp: Expected = JSON.parse(fs.readFileSync(path.join(FIX, L.dir, 'expected.json'), 'utf8'));
    let model: ClipModel;
    beforeAll(async () => {
      model = await loadClipModel(path.join(FIX, L.dir), { threads: 1, maxImagePixels: 1_000_000 });
    });
    afterAll(() => model?.close());

    it('reports its info from the folder and the ONNX shapes', () => {
      expect(model.info).toMatchObject({ layout: L.layout, name: L.name, dim: exp.dim, contextLength: exp.contextLength, imageSize: exp.imageSize });
      expect(model.info.logitScale).toBeCloseTo((exp as { logitScale?: number }).logitScale ?? 100, 4);
      expect(model.info.id).toMatch(/^[0-9a-f]{16}$/);
    });

    it('token ids (and masks, where given) equal the Python reference', () => {
      const got = model.tokenize(exp.texts.map((t) => t.text));
      expect(got.inputIds).toEqual(exp.texts.map((t) => t.input_ids));
      exp.texts.forEach((t, i) => {
        if (t.attention_mask) expect(got.attentionMask[i]).toEqual(t.attention_mask);
      });
    });

    it('text embeddings are the torch ones, L2-normalised (≤ 1e-5)', async () => {
      const got = await model.encodeTexts(exp.texts.map((t) => t.text));
      exp.texts.forEach((t, i) => {
        expect(maxAbsDiff(got[i], l2(t[L.text] as number[]))).toBeLessThan(1e-5);
        expect(Math.hypot(...got[i])).toBeCloseTo(1, 5);
      });
    });

    it('encodePixels on Python pixels gives the torch image embeddings (≤ 1e-5), in any batch size', async () => {
      const px = exp.pixels.map((p) => floats(p.pixel_values_b64));
      const together = await model.encodePixels(px);
      const oneByOne = [...(await model.encodePixels([px[0]])), ...(await model.encodePixels([px[1]]))];
      exp.pixels.forEach((p, i) => {
        expect(maxAbsDiff(together[i], l2(p[L.image] as number[]))).toBeLessThan(1e-5);
        expect(maxAbsDiff(oneByOne[i], together[i])).toBeLessThan(1e-6);
      });
    });

    for (const im of exp.images) {
      it(`preprocesses ${path.basename(im.file)} like PIL (${im.resize})`, async () => {
        const bytes = fs.readFileSync(path.join(ROOT, im.file));
        const ours = await model.preprocessImage(bytes);
        const py = floats(im.pixel_values_b64);
        const [emb] = await model.encodeImages([bytes]);
        const embDiff = maxAbsDiff(emb, l2(im[L.image] as number[]));
        if (im.resize.startsWith('downscale')) {
          // sharp/libvips antialiased cubic vs PIL: measured max 0.13 (9 levels, on the fixture's
          // sawtooth edges), mean 0.008 (0.5 level) in normalised units.
          expect(maxAbsDiff(ours, py)).toBeLessThan(0.2);
          expect(meanAbsDiff(ours, py)).toBeLessThan(0.02);
          expect(embDiff).toBeLessThan(0.05);
        } else {
          // exact size and upscaling run PIL's own algorithm: identical bytes → float rounding only
          expect(maxAbsDiff(ours, py)).toBeLessThan(1e-5);
          expect(embDiff).toBeLessThan(1e-5);
        }
      });
    }

    it('rejects bad images and wrong pixel counts with INVALID_INPUT', async () => {
      const img = (f: string) => fs.readFileSync(path.join(ROOT, 'test/fixtures/corpus/images', f));
      await expect(model.preprocessImage(img('not-an-image.png'))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(model.encodeImages([img('big-1200x1000.png')])).rejects.toThrow(
        'image is 1200×1000 = 1.2 MP, over the limit of 1 MP (CLIPDEX_MAX_IMAGE_PIXELS)',
      );
      await expect(model.encodePixels([new Float32Array(10)])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    });

    it('preprocesses every fixture image format to the model size', async () => {
      for (const f of ['grey.png', 'grey16.png', 'cmyk.jpg', 'exif-rotated.jpg', 'alpha.png']) {
        const px = await model.preprocessImage(fs.readFileSync(path.join(ROOT, 'test/fixtures/corpus/images', f)));
        expect(px.length).toBe(3 * exp.imageSize * exp.imageSize);
        expect(px.every(Number.isFinite)).toBe(true);
      }
    });
  });
}

describe('model loading edge cases', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-clip-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('clipdex.json overrides name and logit scale; a contextLength that contradicts the ONNX shape is refused', async () => {
    const dir = path.join(tmp, 'cn');
    fs.cpSync(path.join(FIX, 'chinese-clip-tiny'), dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'clipdex.json'), JSON.stringify({ name: 'my-cn-clip', logitScale: 50 }));
    const m = await loadClipModel(dir, { threads: 1 });
    expect(m.info).toMatchObject({ name: 'my-cn-clip', logitScale: 50, contextLength: 52 });
    await m.close();
    await expect(m.encodeTexts(['x'])).rejects.toMatchObject({ code: 'INTERNAL' });
    fs.writeFileSync(path.join(dir, 'clipdex.json'), JSON.stringify({ contextLength: 64 }));
    await expect(loadClipModel(dir, { threads: 1 })).rejects.toThrow(/sets contextLength 64 but .* takes 52 tokens/);
  });

  it('config.json logit_scale: a log value (≤ ln 100) is exponentiated, a larger one is taken as the scale', async () => {
    const dir = path.join(tmp, 'hf');
    fs.cpSync(path.join(FIX, 'hf-input-ids-only'), dir, { recursive: true });
    const cfgPath = path.join(dir, 'config.json');
    const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8'));
    fs.writeFileSync(cfgPath, JSON.stringify({ ...cfg, logit_scale: Math.log(30) }));
    let m = await loadClipModel(dir, { threads: 1 });
    expect(m.info.logitScale).toBeCloseTo(30, 6);
    await m.close();
    fs.writeFileSync(cfgPath, JSON.stringify({ ...cfg, logit_scale: 42.5 }));
    m = await loadClipModel(dir, { threads: 1 });
    expect(m.info.logitScale).toBe(42.5);
    await m.close();
  });

  it('a preprocessor size that contradicts the vision model input is refused', async () => {
    const dir = path.join(tmp, 'hf-bad-size');
    fs.cpSync(path.join(FIX, 'hf-input-ids-only'), dir, { recursive: true });
    const p = path.join(dir, 'preprocessor_config.json');
    const cfg = JSON.parse(fs.readFileSync(p, 'utf8'));
    fs.writeFileSync(p, JSON.stringify({ ...cfg, size: { shortest_edge: 64 }, crop_size: { height: 64, width: 64 } }));
    await expect(loadClipModel(dir, { threads: 1 })).rejects.toMatchObject({
      code: 'MODEL_INVALID',
      message: expect.stringContaining('makes 64×64 images but'),
    });
  });
});

describe('text batches are padded only as far as they must be', () => {
  // The texts are encoded in one mixed batch (padded to the longest, when the model allows it) and
  // one at a time: the embeddings must agree, whatever the padding.
  const texts = ['a', 'a much longer caption, with many more words than the first one has', '一只猫'];
  for (const folder of ['hf-input-ids-only', 'hf-bert-vocab-only', 'chinese-clip-tiny', '../mini-clip']) {
    it(`${folder}: a mixed batch gives each text the embedding it gets alone`, async () => {
      const model = await loadClipModel(path.join(FIX, folder), { threads: 1 });
      try {
        const batch = await model.encodeTexts(texts);
        for (let i = 0; i < texts.length; i++) {
          const [alone] = await model.encodeTexts([texts[i]]);
          expect(maxAbsDiff(batch[i], alone)).toBeLessThan(1e-5);
        }
      } finally {
        await model.close();
      }
    });
  }
});
