/**
 * The HNSW indexes against the database (the source of truth): repairs on open (missing labels
 * added, extra labels deleted, wrong model/dimension or an unreadable file rebuilt), growth past
 * the initial capacity, rebuild from stored vectors, and reloading when another process saved.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../lib/engine';
import { catchUpWithDatabase, HnswIndex, openIndexes, readManifest, rebuildIndexes } from '../../lib/index';
import { sampleVectors } from '../../lib/db';
import { ingestCorpus } from '../../lib/ingest';
import { makePairsFile, makeTestEnv, ROOT } from './engine-helpers';

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

  it('rebuilds, with the reason, a file whose body is damaged behind an intact header (probe C4)', async () => {
    const m = JSON.parse(fs.readFileSync(path.join(indexDir(), 'image.json'), 'utf8'));
    expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    const file = path.join(indexDir(), m.file);
    const b = fs.readFileSync(file);
    const from = Math.floor(b.length / 3);
    for (let i = from; i < Math.min(b.length, from + 200_000); i++) b[i] = (i * 7919) & 255;
    fs.writeFileSync(file, b);
    const logged: string[] = [];
    const r = await openIndexes(depsOf(e, (x) => logged.push(x)));
    expect(r.report.image).toMatchObject({ action: 'rebuilt', count: 24 });
    expect(logged[0]).toMatch(/^index\/image: rebuilt from 24 stored vectors \(index file image-\d+\.hnsw is unreadable \(it is damaged: its sha256 /);
    expect((await openIndexes(depsOf(e))).report.image.action).toBe('loaded');
  });

  it('rebuilds once an index saved before checksums existed (no sha256 in its manifest)', async () => {
    const mf = path.join(indexDir(), 'text.json');
    const { sha256: _gone, ...old } = JSON.parse(fs.readFileSync(mf, 'utf8'));
    void _gone;
    fs.writeFileSync(mf, JSON.stringify(old));
    const r = await openIndexes(depsOf(e));
    expect(r.report.text).toMatchObject({ action: 'rebuilt', count: 21 });
    expect(r.report.text.reason).toMatch(/no checksum/);
    expect(JSON.parse(fs.readFileSync(mf, 'utf8')).sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await openIndexes(depsOf(e))).report.text.action).toBe('loaded');
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

  it('refuses a damaged file instead of crashing: the load runs in a child process, where hnswlib used to segfault (probe C4)', () => {
    const dir = path.join(t.dataDir, 'damaged-index');
    // The probe's corruption: 200 KB of noise at a third of a >600 KB file (3000 × 64-d).
    const script = `
      import fs from 'node:fs';
      import { HnswIndex } from ${JSON.stringify(path.join(ROOT, 'lib', 'index', 'hnsw-index.ts'))};
      const p = { dir: ${JSON.stringify(dir)}, kind: 'image', modelId: 'm', dim: 64, m: 16, efConstruction: 64, efSearch: 32 };
      const a = HnswIndex.create(p);
      const vs = Array.from({ length: 3000 }, (_, i) => {
        const v = new Float32Array(64).map((_, j) => Math.sin(i * 0.71 + j * 1.9) + Math.cos(i * j * 0.013));
        const n = Math.hypot(...v);
        return v.map((x) => x / n);
      });
      a.add(vs.map((_, i) => i + 1), vs);
      await a.save();
      const f = p.dir + '/' + JSON.parse(fs.readFileSync(p.dir + '/image.json', 'utf8')).file;
      const b = fs.readFileSync(f);
      const from = Math.floor(b.length / 3);
      let r = 1;
      for (let i = from; i < Math.min(b.length, from + 200000); i++) { r = (r * 1103515245 + 12345) % 2147483648; b[i] = r >> 16; }
      fs.writeFileSync(f, b);
      console.log('size', b.length);
      try {
        const l = await HnswIndex.load(p);
        console.log('loaded', l.search(vs[0], 10).length);
      } catch (err) {
        console.log('refused:', err.message);
      }`;
    const file = path.join(t.dataDir, 'load-damaged.mts');
    fs.writeFileSync(file, script);
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.signal, `${r.stdout}${r.stderr}`).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(Number(/size (\d+)/.exec(r.stdout)?.[1])).toBeGreaterThan(600_000);
    expect(r.stdout).toMatch(/refused: index file image-\d+\.hnsw is unreadable \(it is damaged: its sha256 [0-9a-f]{12}… differs from the manifest's [0-9a-f]{12}…\)/);
  });

  it('catchUpWithDatabase loads only rows above its watermark, a slice at a time', async () => {
    const labels = (await e.db.imageVector.findMany({ where: { modelId: e.model.info.id }, select: { id: true }, orderBy: { id: 'asc' } })).map((v) => v.id);
    const idx = HnswIndex.create({ dir: path.join(t.dataDir, 'catch-up-index'), kind: 'image', modelId: e.model.info.id, dim: e.model.info.dim, m: 8, efConstruction: 50, efSearch: 32 });
    let r = await catchUpWithDatabase(idx, e.db, { after: labels[3], maxRows: 10 });
    // Stopped at its row limit with newer rows left: `behind` (catchUpFully calls again).
    expect(r).toEqual({ added: 10, removed: 0, after: labels[13], behind: true });
    expect(idx.has(labels[3])).toBe(false); // at or below the watermark: not read
    r = await catchUpWithDatabase(idx, e.db, { after: r.after, maxRows: 10 });
    expect(r).toEqual({ added: 10, removed: 0, after: labels[23] });
    // The full check compares counts: the 4 rows below the first watermark are found and added.
    r = await catchUpWithDatabase(idx, e.db, { after: r.after, full: true });
    expect(r).toEqual({ added: 4, removed: 0, after: labels[23] });
    expect(idx.labels().sort((a, b) => a - b)).toEqual(labels);
    expect(await catchUpWithDatabase(idx, e.db, { after: r.after, full: true })).toEqual({ added: 0, removed: 0, after: labels[23] });
  });

  it('the full catch-up adds a slice per call and says when more is left (review 7)', async () => {
    const labels = (await e.db.imageVector.findMany({ where: { modelId: e.model.info.id }, select: { id: true }, orderBy: { id: 'asc' } })).map((v) => v.id);
    const idx = HnswIndex.create({ dir: path.join(t.dataDir, 'full-cap-index'), kind: 'image', modelId: e.model.info.id, dim: e.model.info.dim, m: 8, efConstruction: 50, efSearch: 32 });
    const top = labels.at(-1)!;
    // Nothing above the watermark: only the full check can find the 24 rows; it takes 10 at a time.
    expect(await catchUpWithDatabase(idx, e.db, { after: top, full: true, maxRows: 10 })).toEqual({ added: 10, removed: 0, after: top, fullPending: true });
    expect(idx.size()).toBe(10);
    expect(await catchUpWithDatabase(idx, e.db, { after: top, full: true, maxRows: 10 })).toEqual({ added: 10, removed: 0, after: top, fullPending: true });
    expect(await catchUpWithDatabase(idx, e.db, { after: top, full: true, maxRows: 10 })).toEqual({ added: 4, removed: 0, after: top });
    expect(idx.labels().sort((a, b) => a - b)).toEqual(labels);
  });

  it('the full catch-up leaves an index alone while a rebuild in this process refills it (review 7)', async () => {
    const params = (kind: 'image' | 'text') => ({ dir: path.join(t.dataDir, 'rebuilding-index'), kind, modelId: e.model.info.id, dim: e.model.info.dim, m: 8, efConstruction: 50, efSearch: 32 });
    const image = HnswIndex.create(params('image'));
    const text = HnswIndex.create(params('text'));
    // The rebuild's first page of image vectors waits until the catch-up has run.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let pageAsked!: () => void;
    const asked = new Promise<void>((r) => (pageAsked = r));
    const gatedVectors = new Proxy(e.db.imageVector, {
      get(tgt, p) {
        const v = Reflect.get(tgt, p);
        if (p !== 'findMany') return typeof v === 'function' ? v.bind(tgt) : v;
        return async (args: unknown) => {
          pageAsked();
          await gate;
          return v.call(tgt, args);
        };
      },
    });
    const gatedDb = new Proxy(e.db, { get: (tgt, p, r) => (p === 'imageVector' ? gatedVectors : Reflect.get(tgt, p, r)) });
    const rebuild = rebuildIndexes({ ...depsOf(e), db: gatedDb }, undefined, { image, text });
    await asked;
    const top = await e.db.imageVector.aggregate({ _max: { id: true }, where: { modelId: e.model.info.id } });
    expect(await catchUpWithDatabase(image, e.db, { after: top._max.id!, full: true })).toEqual({ added: 0, removed: 0, after: top._max.id! });
    expect(image.size()).toBe(0);
    release();
    await rebuild;
    expect(image.size()).toBe(24);
  });

  it("sampleVectors draws distinct vectors of the model only (a rebuild's calibration queries)", async () => {
    let seed = 1;
    const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const some = await sampleVectors(e.db, 'image', e.model.info.id, 10, rand);
    expect(some).toHaveLength(10);
    expect(new Set(some.map((v) => v.label)).size).toBe(10);
    const stored = new Map((await e.db.imageVector.findMany({ where: { modelId: e.model.info.id }, select: { id: true } })).map((r) => [r.id, true]));
    for (const v of some) {
      expect(stored.has(v.label)).toBe(true);
      expect(v.vector).toHaveLength(e.model.info.dim);
    }
    expect(await sampleVectors(e.db, 'image', 'no-such-model', 10)).toEqual([]);
    expect((await sampleVectors(e.db, 'image', e.model.info.id, 1000, rand)).length).toBeLessThanOrEqual(stored.size);
  });

  it('rebuildIndexes refills both indexes from the stored vectors', async () => {
    const progress: string[] = [];
    const r = await rebuildIndexes(depsOf(e), (p) => progress.push(`${p.kind}:${p.done}/${p.total}`));
    expect(r.image.size()).toBe(await e.db.imageVector.count());
    expect(r.text.size()).toBe(await e.db.textVector.count());
    expect(progress).toContain('image:24/24');
  });
});
