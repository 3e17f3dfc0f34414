/**
 * The easynlp and chinese-clip protocols against the reference definitions, written here from what
 * the reference scripts do (not from lib/eval):
 * - EasyNLP CLIPEvaluator: sim = texts @ images.T; for text i, sort row i descending (stable on
 *   the GPU past 32 candidates), hit@K iff index i is among the first K; mean = (R1+R5+R10)/3.
 * - Chinese-CLIP make_topk_predictions(_tr).py: per query, (id, score) tuples in feature-file order
 *   (images: LMDB order = ids sorted as bytes; texts: JSONL order), Python's stable sorted(reverse=True),
 *   top 10; evaluation(_tr).py: hit@K iff any ground-truth id is in the first K, over every query
 *   of the ground truth (texts: every line; images: every id some text names).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedCorpusForEval } from './embed-corpus';
import { evaluateEmbeddings, evaluateReference } from './evaluate';
import { matrixFromRows } from './matrix';
import { nothingEvaluated } from './run';
import type { CorpusRows } from './embed-corpus';
import { b64, fakeModel } from '../../test/helpers/fake-model';

const v = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs.map((x) => x / n));
};
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
/** Indices sorted by score, best first, equal scores in input order (Array#sort is stable). */
const stableDesc = (scores: number[]) => scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]).map(([, i]) => i);
const pct = (hits: number, n: number) => Math.round(((100 * hits) / n) * 100) / 100;

function refEasyNLP(texts: Float32Array[], images: Float32Array[]) {
  const hits = { 1: 0, 5: 0, 10: 0 };
  texts.forEach((t, i) => {
    const ridx = stableDesc(images.map((im) => dot(t, im)));
    for (const k of [1, 5, 10] as const) if (ridx.slice(0, k).includes(i)) hits[k]++;
  });
  return { r1: pct(hits[1], texts.length), r5: pct(hits[5], texts.length), r10: pct(hits[10], texts.length) };
}

interface MugeImage {
  id: string;
  vec: Float32Array;
}
interface MugeText {
  id: string;
  vec: Float32Array;
  imageIds: string[];
}
const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function refChineseClip(images: MugeImage[], texts: MugeText[]) {
  const lmdb = [...images].sort((a, b) => bytes(a.id, b.id));
  const t2i = { 1: 0, 5: 0, 10: 0 };
  for (const t of texts) {
    const top = stableDesc(lmdb.map((im) => dot(t.vec, im.vec))).slice(0, 10).map((j) => lmdb[j].id);
    for (const k of [1, 5, 10] as const) if (t.imageIds.some((id) => top.slice(0, k).includes(id))) t2i[k]++;
  }
  // transform_ir_annotation_to_tr.py: image id → text ids, in order of first mention
  const gt = new Map<string, string[]>();
  for (const t of texts) for (const id of t.imageIds) gt.set(id, [...(gt.get(id) ?? []), t.id]);
  const i2t = { 1: 0, 5: 0, 10: 0 };
  let present = 0;
  for (const [id, textIds] of gt) {
    const im = images.find((x) => x.id === id);
    if (!im) continue; // evaluation_tr.py would refuse the file; clipdex counts it as a miss
    present++;
    const top = stableDesc(texts.map((t) => dot(im.vec, t.vec))).slice(0, 10).map((j) => texts[j].id);
    for (const k of [1, 5, 10] as const) if (textIds.some((x) => top.slice(0, k).includes(x))) i2t[k]++;
  }
  const row = (h: typeof t2i, n: number) => ({ r1: pct(h[1], n), r5: pct(h[5], n), r10: pct(h[10], n) });
  return { t2i: row(t2i, texts.length), i2t: row(i2t, present), queries: gt.size };
}

/** Matrices of distinct vectors plus rows pointing into them, the shape embed-corpus produces. */
function distinct(vecs: Float32Array[]) {
  const keys: string[] = [];
  const rows: Float32Array[] = [];
  const index = vecs.map((x) => {
    const key = Array.from(x).join(',');
    let i = keys.indexOf(key);
    if (i < 0) i = keys.push(key) - 1, rows.push(x);
    return i;
  });
  return { matrix: matrixFromRows(rows), index };
}

function pairsSet(texts: Float32Array[], images: Float32Array[]) {
  const t = distinct(texts);
  const im = distinct(images);
  const rows: CorpusRows = { pairs: texts.map((_, i) => ({ line: i + 1, text: t.index[i], image: im.index[i] })), mugeImages: [], mugeTexts: [] };
  return { texts: t.matrix, images: im.matrix, rows };
}

function mugeSet(images: MugeImage[], texts: MugeText[]) {
  const t = distinct(texts.map((x) => x.vec));
  const im = distinct(images.map((x) => x.vec));
  const rows: CorpusRows = {
    pairs: [],
    mugeImages: images.map((x, i) => ({ line: i + 1, id: x.id, image: im.index[i] })),
    mugeTexts: texts.map((x, i) => ({ line: i + 1, textId: x.id, text: t.index[i], imageIds: x.imageIds })),
  };
  return { texts: t.matrix, images: im.matrix, rows };
}

/** Deterministic vectors from a tiny grid, so exact ties are frequent. */
function gridVectors(n: number, seed: number): Float32Array[] {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % 3;
  return Array.from({ length: n }, () => {
    const xs = [next(), next(), next()];
    return Float32Array.from(xs.every((x) => x === 0) ? [1, 0, 0] : xs);
  });
}

describe('easynlp protocol', () => {
  it('keeps one candidate per line: a repeated image ties with its twin and the earlier line wins', async () => {
    const red = v(1, 0, 0);
    // lines 0 and 2 carry the same image; their captions both point straight at it
    const images = [red, v(0, 1, 0), red, v(0, 0, 1)];
    const texts = [v(1, 0.01, 0), v(0, 1, 0), v(1, 0, 0.01), v(0, 0.2, 1)];
    const r = await evaluateReference('easynlp', pairsSet(texts, images));
    // text 0: image 0 and image 2 tie, image 0 is first: hit. text 2: image 0 ties ahead: rank 1
    expect(r.text_to_image).toEqual({ r1: 75, r5: 100, r10: 100, mean: 91.67 });
    expect(r.text_to_image).toMatchObject(refEasyNLP(texts, images));
    expect(r.image_to_text).toBeNull();
    expect(r.mean_recall).toBe(91.67); // text→image only
    expect(r).toMatchObject({ protocol: 'easynlp', images: 4, texts: 4 });
    expect(r.detail.curve.every((p) => p.image_to_text === null)).toBe(true);

    // clipdex merges the twin images: both captions are right answers of the one image
    const merged = await evaluateEmbeddings({
      texts: matrixFromRows(texts),
      images: matrixFromRows([red, v(0, 1, 0), v(0, 0, 1)]),
      links: [
        { text: 0, image: 0 },
        { text: 1, image: 1 },
        { text: 2, image: 0 },
        { text: 3, image: 2 },
      ],
    });
    expect(merged.text_to_image.r1).toBe(100);
  });

  it('counts every line once, repeated captions included, and matches the reference on tie-heavy random sets', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const n = 3 + (seed % 14);
      const texts = gridVectors(n, seed);
      const images = gridVectors(n, seed * 7919);
      const r = await evaluateReference('easynlp', pairsSet(texts, images));
      const want = refEasyNLP(texts, images);
      expect(r.text_to_image, `seed ${seed}`).toMatchObject(want);
      expect(r.detail.text_queries).toBe(n);
    }
  });

  it('refuses the MUGE layout, whose lines pair nothing', async () => {
    const set = mugeSet([{ id: '1', vec: v(1, 0) }], [{ id: '1', vec: v(1, 0), imageIds: ['1'] }]);
    await expect(evaluateReference('easynlp', set)).rejects.toThrow(/--protocol easynlp pairs text i with image i.*use --protocol chinese-clip/);
  });
});

describe('chinese-clip protocol', () => {
  const a = v(1, 0, 0);
  const b = v(0, 1, 0);
  const c = v(0, 0, 1);
  // images "9" and "10" are the same picture; LMDB order is "10" < "11" < "9" (bytes)
  const images: MugeImage[] = [
    { id: '9', vec: a },
    { id: '10', vec: a },
    { id: '11', vec: b },
  ];
  const texts: MugeText[] = [
    { id: '100', vec: v(1, 0.05, 0), imageIds: ['9'] }, // ties between 10 and 9: 10 goes first → miss at 1
    { id: '101', vec: v(1, 0.05, 0), imageIds: ['10'] }, // hit at 1
    { id: '102', vec: v(0, 1, 0), imageIds: ['11'] }, // hit
    { id: '103', vec: c, imageIds: [] }, // Chinese-CLIP's test form: a miss that counts
    { id: '104', vec: c, imageIds: ['404'] }, // names an image that is not there: a miss
  ];

  it('counts texts without an image as misses, ranks tied image ids in byte order, and asks one image→text query per id', async () => {
    const r = await evaluateReference('chinese-clip', mugeSet(images, texts));
    const ref = refChineseClip(images, texts);
    // text→image: 5 queries; hits at 1: texts 101, 102; at 5: 100, 101, 102
    expect(r.text_to_image).toEqual({ r1: 40, r5: 60, r10: 60, mean: 53.33 });
    expect(r.text_to_image).toMatchObject(ref.t2i);
    // image→text: ids 9, 10, 11 (named by texts) and 404 (absent: a miss). Image 9 and 10 score
    // texts 100 and 101 the same: 100 is the earlier line, so image 10's query misses at 1
    expect(r.detail.image_queries).toBe(4);
    expect(r.image_to_text).toEqual({ r1: 50, r5: 75, r10: 75, mean: 66.67 });
    // the reference scores the three present ids only (its evaluation_tr.py refuses id 404)
    expect(ref.i2t).toEqual({ r1: pct(2, 3), r5: 100, r10: 100 });
    expect(r.mean_recall).toBe(60);
    expect(r.detail).toMatchObject({ missing_image_ids: 1, texts_without_image: 2, text_queries: 5 });
    expect(r).toMatchObject({ protocol: 'chinese-clip', images: 3, texts: 5 });
  });

  it('equals the reference scripts on tie-heavy random MUGE sets', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const ni = 2 + (seed % 12);
      const iv = gridVectors(ni, seed);
      const imgs = iv.map((vec, i) => ({ id: String((i * 37 + seed) % 1000), vec }));
      const unique = [...new Map(imgs.map((x) => [x.id, x])).values()];
      const tv = gridVectors(2 + (seed % 9), seed * 31);
      const txts = tv.map((vec, i) => ({ id: String(5000 + i), vec, imageIds: unique.filter((_, j) => (i + j + seed) % 3 === 0).map((x) => x.id) }));
      const r = await evaluateReference('chinese-clip', mugeSet(unique, txts));
      const ref = refChineseClip(unique, txts);
      expect(r.text_to_image, `seed ${seed}`).toMatchObject(ref.t2i);
      expect(r.detail.image_queries).toBe(ref.queries);
      if (ref.queries > 0) expect(r.image_to_text, `seed ${seed}`).toMatchObject(ref.i2t);
    }
  });

  it('has nothing to evaluate when no text names an image of the file (all misses: exit 1, not 0.00)', async () => {
    const r = await evaluateReference('chinese-clip', mugeSet(images, [texts[3], texts[4]]));
    expect(r.text_to_image.r10).toBe(0);
    expect(r.detail).toMatchObject({ text_queries: 2, image_queries: 1, answerable_queries: 0 });
    const run = { source: 'imgs.tsv', model: { id: 'x', name: 'x' }, result: r, skipped: [], warnings: [] };
    expect(nothingEvaluated(run)).toBe('nothing to evaluate in imgs.tsv: no text has an image of the file among its right answers');
    const some = await evaluateReference('chinese-clip', mugeSet(images, texts));
    expect(nothingEvaluated({ ...run, result: some })).toBeUndefined();
  });

  it('refuses repeated ids and the pairs layout with messages naming the lines', async () => {
    await expect(evaluateReference('chinese-clip', mugeSet([...images, { id: '9', vec: c }], texts))).rejects.toThrow(/image id 9 is on lines 1 and 4/);
    await expect(evaluateReference('chinese-clip', mugeSet(images, [...texts, { ...texts[0] }]))).rejects.toThrow(/text_id 100 is on lines 1 and 6/);
    await expect(evaluateReference('chinese-clip', pairsSet([a], [a]))).rejects.toThrow(/needs the Chinese-CLIP\/MUGE layout/);
  });
});

describe('protocols on files (embedCorpusForEval rows)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-protocols-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('easynlp on a pairs file with a repeated image: one candidate per line, encoded once', async () => {
    const file = path.join(dir, 'pairs.tsv');
    fs.writeFileSync(file, [`red\t${b64('red')}`, `blue\t${b64('blue')}`, `crimson\t${b64('red')}`, `broken\t${b64('BAD')}`, ''].join('\n'));
    const model = fakeModel();
    const set = await embedCorpusForEval(file, model);
    expect(model.calls.images).toBe(2); // the repeated image is encoded once
    expect(set.rows.pairs.map((p) => [p.line, p.image])).toEqual([
      [1, 0],
      [2, 1],
      [3, 0],
    ]);
    const r = await evaluateReference('easynlp', set);
    expect(r.images).toBe(3);
    expect(r.detail.text_queries).toBe(3);
  });

  it('warns when every caption of a detected pairs file is a number (maybe a MUGE image TSV without --texts)', async () => {
    const file = path.join(dir, 'ids.tsv');
    fs.writeFileSync(file, [`1000\t${b64('cat')}`, `1001\t${b64('dog')}`].join('\n') + '\n');
    const set = await embedCorpusForEval(file, fakeModel());
    expect(set.format).toBe('pairs');
    expect(set.warnings).toEqual([expect.stringMatching(/every caption in column 1 of .*ids\.tsv is a number: .*give its texts JSONL with --texts/)]);
    // asked for as pairs: no doubt to report; one caption that is a word: none either
    expect((await embedCorpusForEval(file, fakeModel(), { format: 'pairs' })).warnings).toEqual([]);
    fs.appendFileSync(file, `seven\t${b64('7')}\n`);
    expect((await embedCorpusForEval(file, fakeModel())).warnings).toEqual([]);
  });

  it('chinese-clip keeps and encodes texts whose image ids are absent (skipped under clipdex)', async () => {
    const tsv = path.join(dir, 'imgs.tsv');
    const jsonl = path.join(dir, 'texts.jsonl');
    fs.writeFileSync(tsv, [`1\t${b64('cat')}`, `2\t${b64('dog')}`].join('\n') + '\n');
    fs.writeFileSync(
      jsonl,
      [
        { text_id: 10, text: 'cat', image_ids: [1] },
        { text_id: 11, text: 'dog', image_ids: [] },
        { text_id: 12, text: 'bird', image_ids: [7] },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n') + '\n',
    );
    const merged = await embedCorpusForEval(tsv, fakeModel(), { texts: jsonl });
    expect(merged.skipped.map((s) => s.line)).toEqual([2, 3]);
    const set = await embedCorpusForEval(tsv, fakeModel(), { texts: jsonl, keepUnlinkedTexts: true });
    expect(set.skipped).toEqual([]);
    expect(set.rows.mugeTexts.map((t) => [t.textId, t.imageIds])).toEqual([
      ['10', ['1']],
      ['11', []],
      ['12', ['7']],
    ]);
    const r = await evaluateReference('chinese-clip', set);
    // "cat" finds image 1 (same vector); the other two count as misses
    expect(r.text_to_image).toEqual({ r1: 33.33, r5: 33.33, r10: 33.33, mean: 33.33 });
    expect(r.detail).toMatchObject({ missing_image_ids: 1, texts_without_image: 2, image_queries: 2 });
  });
});
