/**
 * `clipdex evaluate --protocol easynlp|chinese-clip` and predict's line contract, end to end: the
 * real CLI in a child process, the real model (models/mini-clip), demo images. The expected
 * figures come from the reference definitions written here (own parsing, own dot products, own
 * stable sort), with identical image bytes given one vector, so a repeated image ties exactly.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClipModel, type ClipModel } from '@/lib/clip';
import { ROOT as root, readPairsTsv, startCli } from '../helpers/cli';

const MODEL_DIR = path.resolve(root, process.env.CLIPDEX_TEST_MODEL_DIR ?? 'models/mini-clip');
const VALID = path.resolve(root, 'demo/valid.tsv');

const runCli = (args: string[]) => startCli(args, { CLIPDEX_MODEL_DIR: MODEL_DIR, CLIPDEX_DATA_DIR: path.join(tmp, 'data'), NO_COLOR: '1' }).done;

let tmp: string;
let model: ClipModel;
let rows: { text: string; image: Buffer }[];
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-protocols-it-'));
  model = await loadClipModel(MODEL_DIR, { threads: 1 });
  rows = readPairsTsv(VALID).slice(0, 40);
});
afterAll(async () => {
  await model?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** One vector per distinct image bytes (the reference's repeated images then tie exactly). */
async function imageVectors(images: Buffer[]): Promise<Float32Array[]> {
  const bySha = new Map<string, Buffer>();
  for (const b of images) bySha.set(sha(b), b);
  const keys = [...bySha.keys()];
  const vecs = await model.encodeImages(keys.map((k) => bySha.get(k)!));
  const of = new Map(keys.map((k, i) => [k, vecs[i]]));
  return images.map((b) => of.get(sha(b))!);
}
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
const stableDesc = (scores: number[]) => scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]).map(([, i]) => i);
const pct = (hits: number, n: number) => (100 * hits) / n;

describe('clipdex evaluate --protocol', () => {
  it('easynlp: one candidate per line, text→image only, mean_recall of text→image; clipdex merges the repeats', async () => {
    // 30 lines; lines 31–34 repeat the images of lines 1–4 under other captions
    const lines = [...rows.slice(0, 30), ...[0, 1, 2, 3].map((i) => ({ text: rows[30 + i].text, image: rows[i].image }))];
    const file = path.join(tmp, 'repeats.tsv');
    fs.writeFileSync(file, lines.map((r) => `${r.text}\t${r.image.toString('base64')}`).join('\n') + '\n');

    const res = await runCli(['evaluate', file, '--protocol', 'easynlp', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out).toMatchObject({ protocol: 'easynlp', image_to_text: null, images: lines.length, texts: lines.length, queries: { text_to_image: lines.length, image_to_text: null } });
    expect(out.ann).toBeUndefined();

    const iv = await imageVectors(lines.map((r) => r.image));
    const tv = await model.encodeTexts(lines.map((r) => r.text));
    const hits = { 1: 0, 5: 0, 10: 0 };
    tv.forEach((t, i) => {
      const ridx = stableDesc(iv.map((im) => dot(t, im)));
      for (const k of [1, 5, 10] as const) if (ridx.slice(0, k).includes(i)) hits[k]++;
    });
    for (const k of [1, 5, 10] as const) expect(out.text_to_image[`r${k}`]).toBeCloseTo(pct(hits[k], lines.length), 1);
    expect(out.mean_recall).toBeCloseTo(out.text_to_image.mean, 2);

    const merged = JSON.parse((await runCli(['evaluate', file, '--json', '--no-ann'])).stdout);
    expect(merged).toMatchObject({ protocol: 'clipdex', images: 30 });
    expect(merged.mean_recall).toBeCloseTo((merged.text_to_image.mean + merged.image_to_text.mean) / 2, 1);
  });

  it('chinese-clip: misses for texts without an image, byte-ordered image ids, one image→text query per id', async () => {
    // images 10..29 by id, plus id 9 = the same bytes as id 10 (LMDB order puts "10" before "9")
    const images = [...rows.slice(0, 20).map((r, i) => ({ id: String(10 + i), image: r.image })), { id: '9', image: rows[0].image }];
    const texts = [
      ...rows.slice(0, 20).map((r, i) => ({ text_id: 100 + i, text: r.text, image_ids: [10 + i] })),
      { text_id: 200, text: rows[0].text, image_ids: [9] },
      { text_id: 201, text: rows[25].text, image_ids: [] },
      { text_id: 202, text: rows[26].text, image_ids: [404] },
    ];
    const tsv = path.join(tmp, 'muge_imgs.tsv');
    const jsonl = path.join(tmp, 'muge_texts.jsonl');
    fs.writeFileSync(tsv, images.map((r) => `${r.id}\t${r.image.toString('base64')}`).join('\n') + '\n');
    fs.writeFileSync(jsonl, texts.map((t) => JSON.stringify(t)).join('\n') + '\n');

    const res = await runCli(['evaluate', tsv, '--texts', jsonl, '--protocol', 'chinese-clip', '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/1 image id named in .* has no image .* counts as a missed image→text query/);
    const out = JSON.parse(res.stdout);
    expect(out).toMatchObject({ protocol: 'chinese-clip', images: 21, texts: 23, texts_without_image: 2, missing_image_ids: 1, queries: { text_to_image: 23, image_to_text: 22 } });

    // the reference: image features in LMDB order (ids as bytes), texts in file order, stable sort
    const lmdb = [...images].sort((a, b) => Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)));
    const iv = await imageVectors(lmdb.map((r) => r.image));
    const tv = await model.encodeTexts(texts.map((t) => t.text));
    const t2i = { 1: 0, 5: 0, 10: 0 };
    texts.forEach((t, q) => {
      const top = stableDesc(iv.map((im) => dot(tv[q], im))).map((j) => Number(lmdb[j].id));
      for (const k of [1, 5, 10] as const) if (t.image_ids.some((id) => top.slice(0, k).includes(id))) t2i[k]++;
    });
    for (const k of [1, 5, 10] as const) expect(out.text_to_image[`r${k}`]).toBeCloseTo(pct(t2i[k], texts.length), 1);
    const gt = new Map<number, number[]>();
    for (const t of texts) for (const id of t.image_ids) gt.set(id, [...(gt.get(id) ?? []), t.text_id]);
    const i2t = { 1: 0, 5: 0, 10: 0 };
    for (const [id, want] of gt) {
      const j = lmdb.findIndex((r) => Number(r.id) === id);
      if (j < 0) continue; // id 404: a miss
      const top = stableDesc(tv.map((t) => dot(iv[j], t))).map((q) => texts[q].text_id);
      for (const k of [1, 5, 10] as const) if (want.some((x) => top.slice(0, k).includes(x))) i2t[k]++;
    }
    for (const k of [1, 5, 10] as const) expect(out.image_to_text[`r${k}`]).toBeCloseTo(pct(i2t[k], gt.size), 1);
    expect(out.mean_recall).toBeCloseTo((out.text_to_image.mean + out.image_to_text.mean) / 2, 1);
    // text 200 names id 9, whose twin "10" comes first in LMDB order: it can never be first
    const t200 = stableDesc(iv.map((im) => dot(tv[20], im)));
    expect(lmdb[t200[0]].id).not.toBe('9');

    const table = await runCli(['evaluate', tsv, '--texts', jsonl, '--protocol', 'chinese-clip']);
    expect(table.stdout).toMatch(/protocol chinese-clip/);
    expect(table.stdout).toMatch(/2 texts name no image of the file: counted as misses/);
    expect(table.stdout).toMatch(/image→text\s+[\d.]+/);
    const wrong = await runCli(['evaluate', tsv, '--texts', jsonl, '--protocol', 'easynlp']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/use --protocol chinese-clip/);
  });

  it('exits 1 when nothing can be evaluated, saying why', async () => {
    const broken = path.join(tmp, 'broken.tsv');
    fs.writeFileSync(broken, `a cat\t${Buffer.from('GIF89a not an image').toString('base64')}\nanother\t${Buffer.from('GIF89a nope').toString('base64')}\n`);
    for (const protocol of ['clipdex', 'easynlp']) {
      const res = await runCli(['evaluate', broken, '--protocol', protocol, '--json']);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stdout).toBe('');
      expect(res.stderr).toMatch(/nothing to evaluate in .*broken\.tsv: no image-text pair could be read \(2 lines skipped\)/);
    }
  });
});

describe('clipdex predict line contract', () => {
  it('names a blank line (exit 2), writes empty lines with --blank-lines empty, appends columns after a skipped header', async () => {
    const file = path.join(tmp, 'predict.tsv');
    const body = [`caption\tbase64 image`, `${rows[0].text}\t${rows[0].image.toString('base64')}`, '', `${rows[1].text}\t${rows[1].image.toString('base64')}`];
    fs.writeFileSync(file, body.join('\n') + '\n');
    const out = path.join(tmp, 'feats.tsv');
    const bad = await runCli(['predict', file, '--input', 'image', '--output', out, '--skip-first-line', '--format', 'pairs']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/line 3: is blank/);
    expect(fs.existsSync(out)).toBe(false);

    const ok = await runCli(['predict', file, '--input', 'image', '--output', out, '--skip-first-line', '--format', 'pairs', '--blank-lines', 'empty', '--append-cols', 'caption']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/wrote 2 image vectors of \d+ dimensions and 1 empty line for blank input lines/);
    const got = fs.readFileSync(out, 'utf8').replace(/\n$/, '').split('\n');
    expect(got).toHaveLength(3);
    expect(got[1]).toBe('');
    const want = await model.encodeImages([rows[0].image, rows[1].image]);
    for (const [line, v, caption] of [
      [got[0], want[0], rows[0].text],
      [got[2], want[1], rows[1].text],
    ] as const) {
      const cells = line.split('\t');
      expect(cells).toHaveLength(model.info.dim + 1);
      expect(cells[model.info.dim]).toBe(caption);
      cells.slice(0, model.info.dim).forEach((c, d) => expect(Math.abs(Number(c) - v[d])).toBeLessThanOrEqual(1e-6));
    }
  });
});
