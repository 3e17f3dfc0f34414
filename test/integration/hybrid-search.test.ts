/**
 * issue 11 through the one entry point on real parts (the ONNX model, hnswlib on disk, SQLite's
 * FTS5 index, ingest's keyword sync): hybrid ranking and its signals, the query language's
 * phrases, exclusions, filters and sort, collapse of near-duplicate groups, an image with a text,
 * and bad input answered with INVALID_INPUT (a 400 / exit 2), never an internal error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../lib/engine';
import { ingestCorpus } from '../../lib/ingest';
import { search, type ImageHit, type SearchOptions } from '../../lib/search';
import { makeImages, makeTestEnv } from './engine-helpers';

const CAPTIONS = [
  '一碗红烧牛肉面',
  'a bowl of beef noodles on a table',
  'a red sports car on a road',
  'a woman in a red summer dress',
  'a product box labelled QX-4471',
  'a dog with a red ball',
  'a cat sleeping on a sofa',
  'a blue car parked by a tree',
];

const t = makeTestEnv('hybrid');
let e: Engine;
beforeAll(async () => {
  e = await t.open();
  const imgs = await makeImages(CAPTIONS.length * 2);
  const file = path.join(t.dataDir, 'a.tsv');
  fs.writeFileSync(file, CAPTIONS.map((c, i) => `${c}\t${imgs[i].toString('base64')}\n`).join(''));
  await ingestCorpus({ path: file, dataset: 'a' }, e);
  const fileB = path.join(t.dataDir, 'b.tsv');
  fs.writeFileSync(fileB, `another red car\t${imgs[CAPTIONS.length].toString('base64')}\n`);
  await ingestCorpus({ path: fileB, dataset: 'b' }, e);
});
afterAll(() => t.cleanup());

const find = (text: string, o: SearchOptions = {}) => search({ query: { text }, want: 'image', k: 20, ...o }, e);
const caps = (hits: ImageHit[]) => hits.map((h) => h.captions[0]);

describe('hybrid search', () => {
  it('finds a word by the keyword index (ingest keeps it in step) and says why, with both signals', async () => {
    const r = await find('牛肉面');
    expect(r.hits[0].captions).toEqual(['一碗红烧牛肉面']);
    expect(r.hits[0].signals.keyword).toMatchObject({ rank: 1, fields: ['caption'], snippet: '一碗红烧牛肉面' });
    expect(r.hits[0].signals.semantic?.score).toBeCloseTo(r.hits[0].score, 6);
    expect(r.hits[0]).toHaveProperty('ocrText');
    // The code inside a caption, by a part of it; keyword ranking lists only keyword matches.
    const code = await find('4471', { ranking: 'keyword' });
    expect(caps(code.hits)).toEqual(['a product box labelled QX-4471']);
    // Semantic ranking: the CLIP order, no keyword signal.
    const sem = await find('牛肉面', { ranking: 'semantic' });
    expect(sem.hits.every((h) => h.signals.keyword === undefined && h.signals.semantic?.rank !== undefined)).toBe(true);
    expect(sem.hits.map((h) => h.signals.semantic!.rank)).toEqual(sem.hits.map((_, i) => i + 1));
  });

  it('holds every hit to phrases and exclusions, by meaning too', async () => {
    const phrase = await find('"red sports car"');
    expect(caps(phrase.hits)).toEqual(['a red sports car on a road']);
    const noCar = await find('red -car');
    expect(noCar.hits.length).toBeGreaterThan(0);
    expect(caps(noCar.hits).some((c) => c.includes('car'))).toBe(false);
    const semNoCar = await find('red -car', { ranking: 'semantic' });
    expect(caps(semNoCar.hits).some((c) => c.includes('car'))).toBe(false);
    // The push away changes the semantic scores (a vector minus the excluded word's).
    const plain = await find('red', { ranking: 'semantic', k: 50 });
    const pushed = await find('red -noodles', { ranking: 'semantic', k: 50 });
    const score = (hits: ImageHit[], c: string) => hits.find((h) => h.captions[0] === c)?.score;
    expect(score(pushed.hits, 'a dog with a red ball')).not.toBeCloseTo(score(plain.hits, 'a dog with a red ball')!, 4);
  });

  it('applies the filters of the query to both signals, and lists the filtered images when there are no words', async () => {
    expect(new Set((await find('red dataset:b')).hits.map((h) => h.dataset))).toEqual(new Set(['b']));
    expect((await find('car format:jpeg')).hits).toEqual([]);
    expect((await find('car width>=17')).hits).toEqual([]);
    expect((await find('car width<=16 height=16')).hits.length).toBeGreaterThan(0);
    expect((await find('car added<2000-01-01')).hits).toEqual([]);
    const listed = await find('dataset:a -car');
    expect(listed.hits.length).toBe(CAPTIONS.length - 2);
    expect(listed.hits.every((h) => h.score === 0 && !h.signals.semantic)).toBe(true);
    expect((await find('has:text')).hits.every((h) => !!h.ocrText)).toBe(true);
    await expect(find('red dataset:nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('sort:new orders the results newest first', async () => {
    const r = await find('red sort:new');
    expect(r.hits[0].dataset).toBe('b'); // ingested last
  });

  it('collapses a near-duplicate group into its best hit, unless asked not to', async () => {
    const rows = await e.db.image.findMany({ where: { dataset: { name: 'a' } }, orderBy: { id: 'asc' }, select: { id: true } });
    const [a, b] = [rows[2].id, rows[7].id]; // the red car and the blue car
    const modelId = e.model.info.id;
    await e.db.duplicateMember.createMany({
      data: [a, b].map((imageId) => ({ imageId, modelId, groupId: a, size: 2, similarity: 0.97 })),
    });
    const grouped = await find('car');
    const ids = grouped.hits.map((h) => h.imageId);
    expect(ids.filter((id) => id === a || id === b)).toHaveLength(1);
    const head = grouped.hits.find((h) => h.imageId === a || h.imageId === b)!;
    expect(head.similar).toEqual({ count: 1, imageIds: [head.imageId === a ? b : a] });
    const all = await find('car', { collapse: false });
    expect(all.hits.map((h) => h.imageId)).toEqual(expect.arrayContaining([a, b]));
    expect(all.hits.every((h) => h.similar === undefined)).toBe(true);
    await e.db.duplicateMember.deleteMany({ where: { imageId: { in: [a, b] } } });
  });

  it('a page of a collapsed search is the same slice of the whole collapsed list, whatever k and offset (groups looked up for the page only)', async () => {
    const rows = await e.db.image.findMany({ orderBy: { id: 'asc' }, select: { id: true } });
    const modelId = e.model.info.id;
    // Two groups spread over the order: mates of a page's head often rank far below the page.
    const groups = [[rows[2].id, rows[5].id, rows[7].id], [rows[3].id, rows[8].id]];
    await e.db.duplicateMember.createMany({ data: groups.flatMap((g) => g.map((imageId) => ({ imageId, modelId, groupId: g[0], size: g.length, similarity: 0.97 }))) });
    try {
      for (const text of ['red', 'car', 'a']) {
        const whole = await find(text, { k: 50 });
        expect(whole.hits.some((h) => h.similar), text).toBe(true);
        const shape = (hits: ImageHit[]) => hits.map((h) => [h.imageId, h.similar?.imageIds ?? []]);
        for (const k of [1, 2, 3]) {
          for (let offset = 0; offset <= whole.hits.length; offset += k) {
            const r = await find(text, { k, offset });
            expect(shape(r.hits), `${text} k ${k} offset ${offset}`).toEqual(shape(whole.hits.slice(offset, offset + k)));
            expect(r.hasMore, `${text} k ${k} offset ${offset}`).toBe(whole.hits.length > offset + k);
          }
        }
      }
    } finally {
      await e.db.duplicateMember.deleteMany({ where: { imageId: { in: groups.flat() } } });
    }
  });

  it('combines an image with a text ("this, but red"), leaving the image itself out', async () => {
    const dog = await e.db.image.findFirstOrThrow({ where: { texts: { some: { text: { text: 'a dog with a red ball' } } } } });
    const r = await search({ query: { imageId: dog.id, text: 'car' }, want: 'image', k: 20 }, e);
    expect(r.hits.map((h) => h.imageId)).not.toContain(dog.id);
    expect(caps(r.hits).slice(0, 3).some((c) => c.includes('car'))).toBe(true);
    const alone = await search({ query: { imageId: dog.id }, want: 'image', k: 20 }, e);
    expect(r.hits.map((h) => h.imageId)).not.toEqual(alone.hits.map((h) => h.imageId));
  });

  it('a collection (several stored images) with a text: every one of them is left out, by both signals', async () => {
    const byCaption = (c: string) => e.db.image.findFirstOrThrow({ where: { texts: { some: { text: { text: c } } } } });
    const ids = [(await byCaption('a red sports car on a road')).id, (await byCaption('a dog with a red ball')).id];
    // "red" is in both of their captions, so the keyword index finds them: they must still be left out.
    for (const ranking of ['hybrid', 'keyword'] as const) {
      const r = await search({ query: { imageIds: ids, text: 'red' }, want: 'image', k: 20, ranking, collapse: false }, e);
      expect(r.hits.length, ranking).toBeGreaterThan(0);
      expect(r.hits.map((h) => h.imageId).filter((id) => ids.includes(id)), ranking).toEqual([]);
      expect(caps(r.hits).every((c) => c.includes('red')), ranking).toBe(ranking === 'keyword');
    }
  });

  it('answers bad input with INVALID_INPUT naming the limit, or searches sensibly', async () => {
    await expect(find('a'.repeat(100 * 1024))).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/limit is 500/) });
    await expect(find(Array.from({ length: 10_000 }, (_, i) => `w${i}`).join(' '))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(find('-')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/nothing to search for/) });
    await expect(find('"" - -')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect((await find('red\u0000car\u001b')).hits.length).toBeGreaterThan(0);
    expect((await find('^ : "')).hits).toBeDefined();
    await expect(find('car', { ranking: 'fuzzy' as never })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(search({ query: { text: 'car' }, want: 'text', ranking: 'keyword' }, e)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(search({ query: { text: 'car width>=3' }, want: 'text' }, e)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/sizes/) });
    // Captions: phrases and exclusions hold there too.
    const texts = await search({ query: { text: 'car -blue' }, want: 'text', k: 20 }, e);
    expect(texts.hits.length).toBeGreaterThan(0);
    expect(texts.hits.some((h) => h.text.includes('blue'))).toBe(false);
  });
});
