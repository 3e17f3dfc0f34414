import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyImages, defaultTemplateFor, defaultTemplates, parseLabels, promptsFor, softmax } from './classify';
import { embedCorpusForEval } from './embed-corpus';
import { evaluateEmbeddings } from './evaluate';
import { formatFloat32, predictFeatures } from './predict';
import { rowOf } from './matrix';
import { b64, DIM, fakeImage, fakeModel, fakeVector } from '../../test/helpers/fake-model';

let dir: string;
const write = (name: string, lines: string[]) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, lines.join('\n') + '\n');
  return p;
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-eval-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('embedCorpusForEval', () => {
  it('merges identical images and texts into one row each and keeps every line as a link', async () => {
    const file = write('pairs.tsv', [
      `a red square\t${b64('a red square')}`,
      `a blue circle\t${b64('a blue circle')}`,
      `a red square\t${b64('another red square')}`, // same text, other image
      `a crimson square\t${b64('a red square')}`, // same image, other text
      `broken\t${b64('BAD bytes')}`,
      `not base64\t***`,
      `a green star\t${b64('a green star')}`,
    ]);
    const model = fakeModel();
    const set = await embedCorpusForEval(file, model, { batchSize: 2 });
    expect(set.format).toBe('pairs');
    expect(set.images.rows).toBe(4);
    expect(set.texts.rows).toBe(4);
    expect(model.calls).toEqual({ texts: 4, images: 4 });
    expect(set.skipped.map((s) => s.line)).toEqual([5, 6]);
    expect(set.skipped[0].reason).toBe('image data is corrupt');
    // text rows in first-seen order: red square 0, blue circle 1, crimson 2, green star 3
    // image rows: red 0, blue 1, another red 2, green 3
    expect(set.links).toEqual([
      { text: 0, image: 0 },
      { text: 1, image: 1 },
      { text: 0, image: 2 },
      { text: 2, image: 0 },
      { text: 3, image: 3 },
    ]);
    expect(Array.from(rowOf(set.texts, 1))).toEqual(Array.from(fakeVector('a blue circle')));

    const r = await evaluateEmbeddings(set);
    // three texts have an image with the very same vector; "a crimson square" (positive: the red
    // square image) and the "another red square" image (positive: "a red square") depend on the
    // hash, so they are worked out here by brute force
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
    const payloads = ['a red square', 'a blue circle', 'another red square', 'a green star'];
    const texts = ['a red square', 'a blue circle', 'a crimson square', 'a green star'];
    const best = (q: string, cands: string[]) => cands.reduce((a, c) => (dot(fakeVector(q), fakeVector(c)) > dot(fakeVector(q), fakeVector(a)) ? c : a));
    const crimsonHit = best('a crimson square', payloads) === 'a red square';
    const anotherHit = ['a red square', 'a crimson square'].includes(best('another red square', texts));
    expect(r.text_to_image.r1).toBe(crimsonHit ? 100 : 75);
    expect(r.image_to_text?.r1).toBe(anotherHit ? 100 : 75);
    expect(r.detail.text_queries).toBe(4);
  });

  it('takes positives from image_ids in the MUGE layout', async () => {
    const images = write('valid_imgs.tsv', [`1001\t${b64('cat')}`, `1002\t${b64('dog')}`, `1003\t${b64('cat')}`, `1004\t${b64('BAD')}`]);
    const texts = write('valid_texts.jsonl', [
      JSON.stringify({ text_id: 1, text: '一只猫', image_ids: [1001] }),
      JSON.stringify({ text_id: 2, text: '一只狗', image_ids: [1002, 1003] }),
      JSON.stringify({ text_id: 3, text: '坏图', image_ids: [1004] }),
      JSON.stringify({ text_id: 4, text: '一只猫', image_ids: [1002] }),
    ]);
    const set = await embedCorpusForEval(images, fakeModel(), { texts });
    expect(set.format).toBe('muge');
    expect(set.images.rows).toBe(2); // 1001 and 1003 are the same bytes
    expect(set.texts.rows).toBe(2);
    expect(set.links).toEqual([
      { text: 0, image: 0 },
      { text: 1, image: 1 },
      { text: 1, image: 0 },
      { text: 0, image: 1 },
    ]);
    expect(set.skipped.map((s) => [s.file, s.line])).toEqual([
      [undefined, 4],
      [texts, 3],
    ]);
    expect(set.skipped[1].reason).toBe('none of its image_ids (1004) is an image of the TSV');
  });

  it('refuses a file without pairs', async () => {
    const file = write('texts.txt', ['one', 'two']);
    await expect(embedCorpusForEval(file, fakeModel())).rejects.toThrow(/holds only texts/);
  });
});

describe('predictFeatures', () => {
  const readBack = (p: string) =>
    fs
      .readFileSync(p, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t').map(Number));

  it('writes one tab-separated vector a line, in order, for either column of a pairs file', async () => {
    const caps = Array.from({ length: 7 }, (_, i) => `caption ${i}`);
    const file = write('predict.tsv', caps.map((c, i) => `${c}\t${b64(`image ${i}`)}`));
    const out = path.join(dir, 'text.tsv');
    const s = await predictFeatures(file, fakeModel(), { input: 'text', output: out, batchSize: 3 });
    expect(s).toMatchObject({ lines: 7, dim: DIM });
    const rows = readBack(out);
    expect(rows).toHaveLength(7);
    rows.forEach((r, i) => {
      expect(r).toHaveLength(DIM);
      // float32 round trip: the written decimal reads back as exactly the same float32
      expect(Float32Array.from(r)).toEqual(fakeVector(caps[i]));
    });
    const outImg = path.join(dir, 'image.tsv');
    await predictFeatures(file, fakeModel(), { input: 'image', output: outImg, batchSize: 3 });
    expect(Float32Array.from(readBack(outImg)[6])).toEqual(fakeVector('image 6'));
    expect(fs.existsSync(`${outImg}.tmp`)).toBe(false);
  });

  it('fails naming the line that cannot be encoded and leaves no output file', async () => {
    const lines = Array.from({ length: 9 }, (_, i) => `caption ${i}\t${b64(i === 6 ? 'BAD' : `image ${i}`)}`);
    const file = write('predict-bad.tsv', lines);
    const out = path.join(dir, 'bad.tsv');
    await expect(predictFeatures(file, fakeModel(), { input: 'image', output: out, batchSize: 2 })).rejects.toThrow(
      /^line 7: image data is corrupt$/,
    );
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(`${out}.tmp`)).toBe(false);
    // the text column of the same file is fine
    await predictFeatures(file, fakeModel(), { input: 'text', output: out });
    expect(readBack(out)).toHaveLength(9);
  });

  it('fails on an unreadable line and on a text the encoder refuses', async () => {
    const file = write('predict-bad2.tsv', [`ok\t${b64('x')}`, `bad\tnot*base64`]);
    const out = path.join(dir, 'bad2.tsv');
    await expect(predictFeatures(file, fakeModel(), { input: 'text', output: out })).rejects.toThrow(/^line 2: column 2 \(image\) is not valid base64/);
    const texts = write('predict-texts.txt', ['fine', 'also fine', 'EXPLODE']);
    await expect(predictFeatures(texts, fakeModel(), { input: 'text', output: out })).rejects.toThrow(/^line 3: the tokenizer refused it/);
    await expect(predictFeatures(texts, fakeModel(), { input: 'image', output: out })).rejects.toThrow(/holds only texts/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('formats floats as the shortest decimal that reads back as the same float32', () => {
    for (const x of [0, 1, -1, 0.1, 1e-8, -0.123456789, 3.4e38]) {
      const f = Math.fround(x);
      const s = formatFloat32(f);
      expect(Math.fround(Number(s))).toBe(f);
      expect(s.replace(/^-?0?\.?|e.*$|\./g, '').replace(/^0+/, '').length).toBeLessThanOrEqual(9);
    }
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
  });
});

describe('classify', () => {
  it('picks the template by the label script and checks the user template', () => {
    expect(defaultTemplateFor('cat')).toBe('a photo of a {}.');
    expect(defaultTemplateFor('猫')).toBe('一张{}的照片。');
    expect(promptsFor(['cat', '狗'])).toEqual(['a photo of a cat.', '一张狗的照片。']);
    expect(promptsFor(['cat'], 'art of {}')).toEqual(['art of cat']);
    expect(() => promptsFor(['cat'], 'a photo')).toThrow(/has no \{\}/);
    // a model's clipdex.json prompts replace the defaults; a template given by the user still wins
    const own = defaultTemplates({ promptTemplates: { en: '{}' } });
    expect(own).toEqual({ en: '{}', zh: '一张{}的照片。' });
    expect(promptsFor(['cat', '狗'], undefined, own)).toEqual(['cat', '一张狗的照片。']);
    expect(promptsFor(['cat'], 'art of {}', own)).toEqual(['art of cat']);
    expect(defaultTemplates({})).toEqual({ en: 'a photo of a {}.', zh: '一张{}的照片。' });
    expect(parseLabels(' cat, dog ,，猫,')).toEqual(['cat', 'dog', '猫']);
    expect(() => parseLabels('cat')).toThrow(/at least two labels/);
    expect(() => parseLabels('cat,cat')).toThrow(/given twice/);
  });

  it('softmax is stable for large logits and sums to one', () => {
    const p = softmax([1000, 1000, 0]);
    expect(p[0]).toBeCloseTo(0.5, 12);
    expect(p[2]).toBe(0);
  });

  it('ranks the label whose prompt matches the image first, with softmax(logitScale × cosine)', async () => {
    const model = fakeModel(100);
    const [res] = await classifyImages([fakeImage('a photo of a dog.')], 'cat,dog,bird', model);
    expect(res.labels[0]).toMatchObject({ label: 'dog', prompt: 'a photo of a dog.' });
    expect(res.labels[0].score).toBeCloseTo(1, 6);
    const sum = res.labels.reduce((a, l) => a + l.probability, 0);
    expect(sum).toBeCloseTo(1, 12);
    // check the probabilities against the formula, computed here from the fake vectors
    const img = fakeVector('a photo of a dog.');
    const cos = ['cat', 'dog', 'bird'].map((l) => fakeVector(`a photo of a ${l}.`).reduce((a, x, i) => a + x * img[i], 0));
    const z = cos.map((c) => Math.exp(100 * c - 100 * Math.max(...cos)));
    const want = z.map((x) => x / z.reduce((a, b) => a + b, 0));
    for (const l of res.labels) expect(l.probability).toBeCloseTo(want[['cat', 'dog', 'bird'].indexOf(l.label)], 9);
    // a smaller scale gives a flatter distribution
    const [flat] = await classifyImages([fakeImage('a photo of a dog.')], 'cat,dog,bird', fakeModel(1));
    expect(flat.labels[0].probability).toBeLessThan(res.labels[0].probability);
  });
});
