/**
 * Near-duplicates (issue 11) on real parts: the bundled model, sharp, hnswlib on disk and SQLite.
 * Copies of demo images — 0.5× resized, JPEG-recompressed, slightly cropped — ingested into another dataset are
 * grouped with their original at ingest; distinct demo images are not; `clipdex duplicates --json`
 * prints the documented shape; deleting an extra keeps rows, index, keyword documents and blobs
 * in step and regroups; a dataset delete and a re-index regroup too.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../lib/engine';
import { iterateVectors } from '../../lib/db';
import { duplicateGroupsOf, findLinks, listGroups } from '../../lib/duplicates';
import { deleteDataset, deleteImage, ingestCorpus, startReindexJob } from '../../lib/ingest';
import { GET as duplicatesGet } from '../../app/api/duplicates/route';
import { DELETE as imageDelete } from '../../app/api/duplicates/images/[id]/route';
import { openApiDocument } from '../../app/api/_lib/openapi';
import { startCli } from '../helpers/cli';
import { cropped, demoImages, halfSize, jpeg60, sha256, writePairs, type DemoImage } from './duplicates-helpers';
import { makeTestEnv } from './engine-helpers';

const t = makeTestEnv('dups');
let e: Engine;
let originals: DemoImage[];
const copied = [0, 3, 7]; // which originals get copies
const idOf = new Map<string, number>(); // sha256 → Image.id

async function ids(dataset: string) {
  const rows = await e.db.image.findMany({ where: { dataset: { name: dataset } }, select: { id: true, sha256: true } });
  for (const r of rows) idOf.set(r.sha256, r.id);
  return rows.map((r) => r.id);
}

beforeAll(async () => {
  e = await t.open();
  originals = demoImages(12);
  const copies: { caption: string; image: Buffer }[] = [];
  for (const i of copied) {
    copies.push({ caption: `${originals[i].caption} (half size)`, image: await halfSize(originals[i].png) });
    copies.push({ caption: `${originals[i].caption} (jpeg)`, image: await jpeg60(originals[i].png) });
    copies.push({ caption: `${originals[i].caption} (cropped)`, image: await cropped(originals[i].png) });
  }
  await ingestCorpus({ path: writePairs(path.join(t.dataDir, 'orig.tsv'), originals.map((o) => ({ caption: o.caption, image: o.png }))), dataset: 'orig', batchSize: 5 }, e);
  await ingestCorpus({ path: writePairs(path.join(t.dataDir, 'copies.tsv'), copies), dataset: 'copies', batchSize: 4 }, e);
  await ids('orig');
  await ids('copies');
}, 120_000);
afterAll(() => t.cleanup());

const modelId = () => e.model.info.id;

describe('near-duplicates found at ingest', () => {
  it('groups each original with its resized, recompressed and cropped copies, and nothing else', async () => {
    const all = [...idOf.values()];
    const groups = await duplicateGroupsOf(e.db, all, modelId());
    const origIds = originals.map((o) => idOf.get(o.sha)!);
    for (const i of copied) {
      const g = groups.get(origIds[i]);
      expect(g, `original ${i} ("${originals[i].caption}") is in a group`).toBeDefined();
      expect(g!.size).toBe(4);
      expect(g!.similarity).toBeGreaterThanOrEqual(0.95);
      expect(g!.groupId).toBe(origIds[i]); // the smallest id: the original came first
    }
    // The copies are in their original's group, and distinct originals never share one.
    const copyRows = await e.db.image.findMany({ where: { dataset: { name: 'copies' } }, select: { id: true, texts: { select: { text: { select: { text: true } } } } } });
    for (const c of copyRows) {
      const caption = c.texts[0].text.text.replace(/ \((half size|jpeg|cropped)\)$/, '');
      const orig = originals.findIndex((o) => o.caption === caption);
      expect(groups.get(c.id)?.groupId).toBe(origIds[orig]);
    }
    originals.forEach((o, i) => {
      if (!copied.includes(i)) expect(groups.has(origIds[i]), `"${o.caption}" is in no group`).toBe(false);
    });
    expect(new Set([...groups.values()].map((g) => g.groupId)).size).toBe(copied.length);
  });

  it('finds every copy a link to its original and its sibling copies', async () => {
    const copiesId = (await e.db.dataset.findUniqueOrThrow({ where: { name: 'copies' } })).id;
    const items = { labels: [] as number[], vectors: [] as Float32Array[] };
    for await (const page of iterateVectors(e.db, 'image', modelId(), { datasetId: copiesId })) {
      for (const v of page) {
        items.labels.push(v.label);
        items.vectors.push(v.vector);
      }
    }
    expect(items.labels).toHaveLength(copied.length * 3);
    const links = await findLinks({ db: e.db, index: e.indexes.image, store: e.store, modelId: modelId(), threshold: e.config.duplicateThreshold }, items);
    // every copy has its original (and its sibling copies) as candidates, and links to them
    expect(new Set(links.map((l) => l.imageId)).size).toBe(items.labels.length);
  });

  it('keeps groups per model: another model id sees none', async () => {
    expect((await duplicateGroupsOf(e.db, [...idOf.values()], 'no-such-model')).size).toBe(0);
  });

  it('clipdex duplicates --json prints the documented shape', async () => {
    const r = await startCli(['duplicates', '--json'], t.env).done;
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { source: string; groups: { similarity: number; images: { imageId: number; sha256: string; captions: string[] }[] }[] };
    expect(out.source).toBe('stored');
    expect(out.groups).toHaveLength(copied.length);
    for (const g of out.groups) {
      expect(g.similarity).toBeGreaterThanOrEqual(0.95);
      expect(g.images).toHaveLength(4);
      for (const im of g.images) {
        expect(idOf.get(im.sha256)).toBe(im.imageId);
        expect(im.captions.length).toBeGreaterThan(0);
      }
    }
    const human = await startCli(['duplicates', '--dataset', 'orig'], t.env).done;
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^no near-duplicate groups at threshold 0\.95 in dataset "orig"/);
  });

  it('another --threshold is computed from the index, not stored; a bad one is a usage error', async () => {
    const strict = await startCli(['duplicates', '--threshold', '0.9999', '--json'], t.env).done;
    expect(strict.code, strict.stderr).toBe(0);
    const out = JSON.parse(strict.stdout) as { source: string; threshold: number; groups: { similarity: number }[] };
    expect(out).toMatchObject({ source: 'recomputed', threshold: 0.9999 });
    for (const g of out.groups) expect(g.similarity).toBeGreaterThanOrEqual(0.9999);
    expect(out.groups.length).toBeLessThan(copied.length);
    expect(strict.stderr).toMatch(/computed from the index/);
    expect(await e.db.duplicateMember.count()).toBe(copied.length * 4); // stored groups untouched
    const bad = await startCli(['duplicates', '--threshold', '1.5'], t.env).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--threshold must be a number above 0 and at most 1/);
  });
});

describe('clipdex duplicates --rescan and the setting', () => {
  it('--rescan stores the same groups again; a bad CLIPDEX_DUPLICATE_THRESHOLD is refused, naming it', async () => {
    const before = (await listGroups(e.db, modelId())).groups.map((g) => g.images.map((i) => i.imageId).sort());
    const r = await startCli(['duplicates', '--rescan', '--json'], t.env).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/scanned \d+ images at threshold 0\.95/);
    expect(JSON.parse(r.stdout).source).toBe('stored');
    expect((await listGroups(e.db, modelId())).groups.map((g) => g.images.map((i) => i.imageId).sort())).toEqual(before);
    const bad = await startCli(['duplicates'], { ...t.env, CLIPDEX_DUPLICATE_THRESHOLD: 'high' }).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/CLIPDEX_DUPLICATE_THRESHOLD: must be a similarity above 0 and at most 1/);
  });
});

describe('the JSON API', () => {
  const noParams = { params: Promise.resolve({}) };
  it('GET /api/duplicates lists the groups, largest first, with thumbnail URLs; bad input is a 400 naming it', async () => {
    const r = await duplicatesGet(new Request('http://x/api/duplicates?dataset=copies&limit=2'), noParams);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { threshold: number; total: number; groups: { similarity: number; images: { imageId: number; dataset: string; thumbUrl: string }[] }[] };
    // Within the copies dataset each original's three copies are linked to each other.
    expect(body).toMatchObject({ threshold: 0.95, total: copied.length });
    expect(body.groups).toHaveLength(2);
    for (const g of body.groups) for (const im of g.images) expect(im).toMatchObject({ dataset: 'copies', thumbUrl: expect.stringMatching(/^\/api\/thumbs\/[0-9a-f]{64}$/) });
    const bad = await duplicatesGet(new Request('http://x/api/duplicates?limit=0'), noParams);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/limit must be an integer from 1 to 500/);
    const unknown = await duplicatesGet(new Request('http://x/api/duplicates?dataset=nope'), noParams);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.message).toMatch(/no dataset called "nope"/);
  });

  it('DELETE /api/duplicates/images/:id refuses a bad id; both routes are in the OpenAPI document', async () => {
    const bad = await imageDelete(new Request('http://x/api/duplicates/images/1.5', { method: 'DELETE' }), { params: Promise.resolve({ id: '1.5' }) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/positive integer/);
    const paths = (openApiDocument() as { paths: Record<string, Record<string, unknown>> }).paths;
    expect(Object.keys(paths['/api/duplicates'])).toEqual(['get']);
    expect(Object.keys(paths['/api/duplicates/images/{id}'])).toEqual(['delete']);
  });
});

describe('deleting', () => {
  it('an extra: its rows, only caption, vectors, keyword document and files go; the group shrinks', async () => {
    const orig = originals[copied[0]];
    const origId = idOf.get(orig.sha)!;
    const copyShas = [sha256(await halfSize(orig.png)), sha256(await jpeg60(orig.png)), sha256(await cropped(orig.png))];
    const extra = idOf.get(copyShas[0])!;
    const labels = (await e.db.imageVector.findMany({ where: { imageId: extra }, select: { id: true } })).map((v) => v.id);
    const caption = await e.db.text.findFirstOrThrow({ where: { images: { some: { imageId: extra } } }, include: { vectors: true } });
    expect(labels.length).toBe(1);
    expect(e.indexes.image.has(labels[0])).toBe(true);
    expect(await e.store.hasOriginal(copyShas[0])).toBe(true);
    const docs = async (id: number) => Number((await e.db.$queryRawUnsafe<{ n: number }[]>('SELECT COUNT(*) AS n FROM "KeywordDoc" WHERE "imageId" = ?', id))[0].n);
    expect(await docs(extra)).toBe(1);

    const gone = await deleteImage(e, extra);
    expect(gone).toMatchObject({ imageId: extra, sha256: copyShas[0], dataset: 'copies', vectors: 1, texts: 1, filesRemoved: true });
    expect(await e.db.image.findUnique({ where: { id: extra } })).toBeNull();
    expect(e.indexes.image.has(labels[0])).toBe(false);
    expect(caption.vectors.every((v) => !e.indexes.text.has(v.id))).toBe(true);
    expect(await e.db.text.findUnique({ where: { id: caption.id } })).toBeNull();
    expect(await docs(extra)).toBe(0);
    expect(await e.store.hasOriginal(copyShas[0])).toBe(false);
    expect(await e.store.hasThumbnail(copyShas[0])).toBe(false);
    // The index on disk agrees once saved: a fresh `clipdex stats` counts one image fewer.
    const stats = await startCli(['stats', '--json'], t.env).done;
    const s = JSON.parse(stats.stdout) as { database: { images: number }; index: { image: { count: number } } };
    expect(s.index.image.count).toBe(s.database.images);
    const g = (await duplicateGroupsOf(e.db, [origId, idOf.get(copyShas[1])!], modelId())).get(origId);
    expect(g?.size).toBe(3);

    // Deleting the last copies (one through the API route) dissolves the group.
    const viaApi = idOf.get(copyShas[1])!;
    const r = await imageDelete(new Request(`http://x/api/duplicates/images/${viaApi}`, { method: 'DELETE' }), { params: Promise.resolve({ id: String(viaApi) }) });
    expect(r.status).toBe(200);
    expect((await r.json()).deleted).toMatchObject({ imageId: viaApi, dataset: 'copies' });
    expect((await duplicateGroupsOf(e.db, [origId], modelId())).get(origId)?.size).toBe(2);
    await deleteImage(e, idOf.get(copyShas[2])!);
    expect((await duplicateGroupsOf(e.db, [origId], modelId())).size).toBe(0);
    await expect(deleteImage(e, extra)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a re-index finds the same groups again and records the scan', async () => {
    const before = (await listGroups(e.db, modelId())).groups.map((g) => g.images.map((i) => i.imageId).sort());
    // The first ingest into the empty library checked every image, so it counted as a scan.
    expect(await e.db.duplicateScan.count()).toBe(1);
    await e.db.duplicateMember.deleteMany({});
    await e.db.duplicateEdge.deleteMany({});
    await e.db.duplicateScan.deleteMany({});
    const job = await startReindexJob(e);
    const outcome = await job.done;
    expect('error' in outcome ? outcome : 'ok').toBe('ok');
    expect(await e.db.duplicateScan.findUnique({ where: { modelId: modelId() } })).toMatchObject({ threshold: 0.95 });
    const after = (await listGroups(e.db, modelId())).groups.map((g) => g.images.map((i) => i.imageId).sort());
    expect(after).toEqual(before);
    expect(after).toHaveLength(copied.length - 1);
  }, 120_000);

  it('a dataset: the groups its images were in are regrouped', async () => {
    await deleteDataset(e, 'copies');
    expect(await e.db.duplicateMember.count()).toBe(0);
    expect(await e.db.duplicateEdge.count()).toBe(0);
  });
});
