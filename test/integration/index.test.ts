/**
 * The HNSW indexes against the database (the source of truth): repairs on open (missing labels
 * added, extra labels deleted, wrong model/dimension or an unreadable file rebuilt), growth past
 * the initial capacity, rebuild from stored vectors, and reloading when another process saved.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../lib/engine';
import { HnswIndex, openIndexes, readManifest, rebuildIndexes } from '../../lib/index';
import { ingestCorpus } from '../../lib/ingest';
import { makePairsFile, makeTestEnv } from './engine-helpers';

const t = makeTestEnv('index');
let e: Engine;
const depsOf = (x: Engine, log?: (m: string) => void) => ({
  db: x.db, dataDir: x.config.dataDir, modelId: x.model.info.id, dim: x.model.info.dim, hnsw: x.config.hnsw, log: log ?? (() => undefined),
});
const indexDir = () => path.join(t.dataDir, 'index');

beforeAll(async () => {
  e = await t.open();
  const file = await makePairsFile(t.dataDir, 24);
  await ingestCorpus({ path: file, dataset: 'gen', batchSize: 8 }, e);
  expect(e.indexes.image.size()).toBe(24);
});
afterAll(() => t.cleanup());

describe('openIndexes reconciles with the database', () => {
  it('loads a consistent index without repairs', async () => {
    const r = await openIndexes(depsOf(e));
    expect(r.report.messages).toEqual([]);
    expect(r.report.image).toMatchObject({ action: 'loaded', count: 24 });
    expect(r.report.text).toMatchObject({ action: 'loaded', count: 24 });
  });

  it('adds vectors the database has and the index lacks, and says so', async () => {
    const r0 = await openIndexes(depsOf(e));
    const labels = r0.image.labels().slice(0, 5);
    r0.image.remove(labels);
    await r0.image.save();
    const logged: string[] = [];
    const r = await openIndexes(depsOf(e, (m) => logged.push(m)));
    expect(logged).toContain('index/image: 5 vectors in the database were missing from the index: added');
    expect(r.report.image).toMatchObject({ action: 'repaired', added: 5, removed: 0, count: 24 });
    for (const l of labels) expect(r.image.has(l)).toBe(true);
    // the repair was saved: the next open finds nothing to do
    expect((await openIndexes(depsOf(e))).report.messages).toEqual([]);
  });

  it('marks deleted what the database no longer has', async () => {
    const victims = await e.db.textVector.findMany({ take: 3, orderBy: { id: 'asc' } });
    await e.db.textVector.deleteMany({ where: { id: { in: victims.map((v) => v.id) } } });
    const logged: string[] = [];
    const r = await openIndexes(depsOf(e, (m) => logged.push(m)));
    expect(logged).toContain('index/text: 3 vectors in the index are no longer in the database: marked deleted');
    expect(r.report.text).toMatchObject({ action: 'repaired', removed: 3, count: 21 });
    for (const v of victims) expect(r.text.has(v.id)).toBe(false);
    expect(r.report.needsReembed.texts).toBe(3);
  });

  it('rebuilds from stored vectors when the index was built for another model', async () => {
    const m = JSON.parse(fs.readFileSync(path.join(indexDir(), 'image.json'), 'utf8'));
    fs.writeFileSync(path.join(indexDir(), 'image.json'), JSON.stringify({ ...m, modelId: 'ffffffffffffffff' }));
    const r = await openIndexes(depsOf(e));
    expect(r.report.image).toMatchObject({ action: 'rebuilt', count: 24 });
    expect(r.report.messages[0]).toMatch(/^index\/image: rebuilt from 24 stored vectors \(it was built with model ffffffffffffffff/);
  });

  it('rebuilds when the dimension differs or the file is unreadable', async () => {
    const mf = path.join(indexDir(), 'image.json');
    const m = JSON.parse(fs.readFileSync(mf, 'utf8'));
    fs.writeFileSync(mf, JSON.stringify({ ...m, dim: m.dim + 1 }));
    let r = await openIndexes(depsOf(e));
    expect(r.report.image.reason).toMatch(/dimension/);
    expect(r.image.size()).toBe(24);

    const m2 = JSON.parse(fs.readFileSync(mf, 'utf8'));
    fs.writeFileSync(path.join(indexDir(), m2.file), 'garbage');
    r = await openIndexes(depsOf(e));
    expect(r.report.image).toMatchObject({ action: 'rebuilt', count: 24 });
    expect(r.report.image.reason).toMatch(/unreadable/);

    fs.writeFileSync(mf, '{not json');
    r = await openIndexes(depsOf(e));
    expect(r.report.image).toMatchObject({ action: 'rebuilt', count: 24 });
  });

  it('searches return the stored vector itself first (score ≈ 1)', async () => {
    const v = await e.db.imageVector.findFirstOrThrow({ orderBy: { id: 'desc' } });
    const vec = new Float32Array(new Uint8Array(v.data).buffer.slice(0));
    const [top] = e.indexes.image.search(vec, 3);
    expect(top.label).toBe(v.id);
    expect(top.score).toBeCloseTo(1, 4);
  });
});

describe('HnswIndex', () => {
  it('grows past its capacity, rebuilds from stored vectors, and reloads when another process saved', async () => {
    const dir = path.join(t.dataDir, 'scratch-index');
    const params = { dir, kind: 'image' as const, modelId: 'test', dim: 8, m: 8, efConstruction: 50, efSearch: 32 };
    const a = HnswIndex.create(params);
    const n = 2500; // initial capacity is 1024
    const vecs = Array.from({ length: n }, (_, i) => {
      const v = new Float32Array(8).map((_, j) => Math.sin(i * 0.37 + j * 1.3));
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    });
    a.add(vecs.map((_, i) => i + 1), vecs);
    expect(a.size()).toBe(n);
    await a.save();
    const m = await readManifest(dir, 'image');
    expect(m.ok && m.manifest).toMatchObject({ count: n, dim: 8, modelId: 'test', M: 8, efConstruction: 50 });

    const b = await HnswIndex.load(params);
    expect(await b.refreshIfStale()).toBe(false);
    a.remove([1, 2, 3]);
    await new Promise((r) => setTimeout(r, 20)); // distinct mtime
    await a.save();
    expect(await b.refreshIfStale()).toBe(true);
    expect(b.size()).toBe(n - 3);
    expect(b.has(1)).toBe(false);
    expect(b.search(vecs[0], 1)[0].label).not.toBe(1);
    // old generations are swept, the current one and the one before it stay
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.hnsw'));
    expect(files.length).toBeLessThanOrEqual(2);
  });

  it('rebuildIndexes refills both indexes from the stored vectors', async () => {
    const progress: string[] = [];
    const r = await rebuildIndexes(depsOf(e), (p) => progress.push(`${p.kind}:${p.done}/${p.total}`));
    expect(r.image.size()).toBe(await e.db.imageVector.count());
    expect(r.text.size()).toBe(await e.db.textVector.count());
    expect(progress).toContain('image:24/24');
  });
});
