/**
 * Search on a real index through the one entry point, search(): the four directions, k/offset pages that tile the full ranking,
 * minScore, the dataset filter, image→image by stored id excluding itself, bad options.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../lib/engine';
import { ingestCorpus } from '../../lib/ingest';
import { bytesToVector, findImage, imageVectorOf } from '../../lib/db';
import { search, type SearchOptions } from '../../lib/search';
import { CORPUS, makeImages, makePairsFile, makeTestEnv } from './engine-helpers';

const t = makeTestEnv('search');
let e: Engine;
beforeAll(async () => {
  e = await t.open();
  await ingestCorpus({ path: await makePairsFile(t.dataDir, 30, 'a.tsv'), dataset: 'a' }, e);
  await ingestCorpus({ path: path.join(CORPUS, 'pairs.tsv'), dataset: 'b' }, e);
});
afterAll(() => t.cleanup());

// These check the semantic signal as it always was (issue 11's hybrid ranking: hybrid-search.test.ts).
const searchTextToImage = (text: string, o: SearchOptions = {}, deps = e) => search({ query: { text }, want: 'image', ranking: 'semantic', collapse: false, ...o }, deps);
const searchTextToText = (text: string, o: SearchOptions = {}, deps = e) => search({ query: { text }, want: 'text', ...o }, deps);
const searchImageToText = (image: Buffer, o: SearchOptions = {}, deps = e) => search({ query: { image }, want: 'text', ...o }, deps);
const searchImageToImage = (q: Buffer | { imageId: number }, o: SearchOptions = {}, deps = e) =>
  search({ query: Buffer.isBuffer(q) ? { image: q } : q, want: 'image', collapse: false, ...o }, deps);

describe('search', () => {
  it('text→image pages tile the full ranking, best first, with hit details', async () => {
    const all = await searchTextToImage('caption 3', { k: 33 }, e);
    expect(all.hits).toHaveLength(33);
    expect(all.hasMore).toBe(false);
    const scores = all.hits.map((h) => h.score);
    expect([...scores].sort((x, y) => y - x)).toEqual(scores);
    const p1 = await searchTextToImage('caption 3', { k: 10 }, e);
    const p2 = await searchTextToImage('caption 3', { k: 10, offset: 10 }, e);
    expect(p1.hasMore).toBe(true);
    expect([...p1.hits, ...p2.hits].map((h) => h.imageId)).toEqual(all.hits.slice(0, 20).map((h) => h.imageId));
    const h = all.hits[0];
    expect(h).toMatchObject({ kind: 'image', thumbUrl: `/api/thumbs/${h.sha256}`, imageUrl: `/api/images/${h.sha256}` });
    expect(h.width).toBeGreaterThan(0);
    expect(h.captions.length).toBe(1);
  });

  it('filters by dataset and by minimum score', async () => {
    const b = await searchTextToImage('caption 3', { k: 50, dataset: 'b' }, e);
    expect(b.hits.map((h) => h.dataset)).toEqual(['b', 'b', 'b']);
    const all = await searchTextToImage('caption 3', { k: 50 }, e);
    const cut = all.hits[5].score;
    const r = await searchTextToImage('caption 3', { k: 50, minScore: cut }, e);
    expect(r.hits.every((x) => x.score >= cut)).toBe(true);
    expect(r.hits.length).toBe(all.hits.filter((x) => x.score >= cut).length);
    await expect(searchTextToImage('x', { dataset: 'nope' }, e)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('image→image by stored id leaves the image itself out; by bytes finds it with score ≈ 1', async () => {
    const img = await e.db.image.findFirstOrThrow({ where: { dataset: { name: 'a' } }, orderBy: { id: 'asc' } });
    const byId = await searchImageToImage({ imageId: img.id }, { k: 40 }, e);
    expect(byId.hits.map((h) => h.imageId)).not.toContain(img.id);
    const [bytes] = await makeImages(1);
    const byBytes = await searchImageToImage(bytes, { k: 1, dataset: 'a' }, e);
    expect(byBytes.hits[0].imageId).toBe(img.id);
    expect(byBytes.hits[0].score).toBeCloseTo(1, 3);
    await expect(searchImageToImage({ imageId: 999999 }, {}, e)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('text→text finds the exact caption first; image→text returns linked images', async () => {
    const tt = await searchTextToText('caption 7', { k: 3, dataset: 'a' }, e);
    expect(tt.hits[0].text).toBe('caption 7');
    expect(tt.hits[0].score).toBeCloseTo(1, 3);
    expect(tt.hits[0].images).toHaveLength(1);
    const png = fs.readFileSync(path.join(CORPUS, 'images', 'rgb-40x30.png'));
    const it2 = await searchImageToText(png, { k: 5 }, e);
    expect(it2.hits).toHaveLength(5);
    expect(it2.hits[0].kind).toBe('text');
  });

  it('rejects bad options and bad query images', async () => {
    await expect(searchTextToImage('x', { k: 0 }, e)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(searchTextToImage('x', { offset: -1 }, e)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(searchTextToImage('   ', {}, e)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(searchImageToImage(Buffer.from('not an image'), {}, e)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(search({ query: { text: 'x' }, want: 'pictures' as 'image' }, e)).rejects.toThrow(/want must be "image" or "text", got "pictures"/);
  });

  it('a stored image → text uses its stored vector, the same ranking as its bytes', async () => {
    const img = await e.db.image.findFirstOrThrow({ where: { dataset: { name: 'a' } }, orderBy: { id: 'asc' } });
    const byId = await search({ query: { imageId: img.id }, want: 'text', k: 5, dataset: 'a' }, e);
    const [bytes] = await makeImages(1);
    const byBytes = await search({ query: { image: bytes }, want: 'text', k: 5, dataset: 'a' }, e);
    expect(byId.hits.map((h) => h.textId)).toEqual(byBytes.hits.map((h) => h.textId));
    expect(byId.hits).toHaveLength(5);
  });

  it('several stored images (a collection, issue 14): ranked by the normalised mean of their vectors, all of them left out', async () => {
    const imgs = await e.db.image.findMany({ where: { dataset: { name: 'a' } }, orderBy: { id: 'asc' } });
    const ids = [imgs[0].id, imgs[3].id, imgs[7].id];
    const vec = async (id: number) => bytesToVector((await imageVectorOf(e.db, id, e.model.info.id))!.data);
    // The expected ranking, computed here from the stored vectors with no index: exact cosine to the mean direction.
    const chosen = await Promise.all(ids.map(vec));
    const mean = chosen[0].map((_, i) => chosen.reduce((s, v) => s + v[i], 0));
    const norm = Math.hypot(...mean);
    const others = await Promise.all(imgs.filter((i) => !ids.includes(i.id)).map(async (i) => ({ id: i.id, v: await vec(i.id) })));
    const exact = others.map((o) => ({ id: o.id, score: o.v.reduce((s, x, i) => s + (x * mean[i]) / norm, 0) })).sort((a, b) => b.score - a.score);

    const r = await search({ query: { imageIds: ids }, want: 'image', k: 5, dataset: 'a' }, e);
    expect(r.hits.map((h) => h.imageId)).toEqual(exact.slice(0, 5).map((x) => x.id));
    r.hits.forEach((h, i) => expect(h.score).toBeCloseTo(exact[i].score, 4));
    await expect(search({ query: { imageIds: [ids[0], 999_999] }, want: 'image' }, e)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('findImage gives a stored image with its dataset and captions, null when absent', async () => {
    const img = await e.db.image.findFirstOrThrow({ where: { dataset: { name: 'a' } }, orderBy: { id: 'asc' } });
    expect(await findImage(e.db, img.id)).toEqual({ imageId: img.id, sha256: img.sha256, width: img.width, height: img.height, dataset: 'a', captions: ['caption 0'] });
    expect(await findImage(e.db, 999_999)).toBeNull();
    expect(await findImage(e.db, -1)).toBeNull();
  });
});
