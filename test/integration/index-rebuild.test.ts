/**
 * issue 13 (target 4): an index rebuild builds a new graph while the current one answers, with
 * clipdex's parallel builder (native/hnsw-builder, compiled by npm install against hnswlib-node's
 * own hnswlib headers) or, without it, hnswlib-node one point at a time; changes made meanwhile
 * are applied to the new graph; the saved generation loads back. Also the install script and the
 * loader's fallbacks, and the builder's refusals of bad input (errors, not crashes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HnswIndex, readManifest } from '../../lib/index';
import { CALIBRATION_EFS, CALIBRATION_K, CALIBRATION_RECALL } from '../../lib/index/hnsw-index';
import { BUILDER_DIR, builderChoice, chooseBuilder, X86_64_V4_FLAGS, type BuilderModule, type NativeBuilder } from '../../lib/index/hnswlib-module';
import { fileSha256 } from '../../lib/index/manifest';
// @ts-expect-error plain ESM script without types
import { BUILDER_REL, buildBuilder } from '../../scripts/build-hnsw-builder.mjs';
import { exactTopK, unitVectors } from './vector-helpers';

const repo = path.resolve(import.meta.dirname, '..', '..');
const headers = fs.existsSync(path.join(path.dirname(process.execPath), '..', 'include', 'node', 'node_api.h'));
// every feature of every level (the builder is compiled for the best level this CPU has)
const ALL = new Set(X86_64_V4_FLAGS);
const DIM = 24;
const N = 3_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-rebuild-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const vec = unitVectors(DIM, 3);
const vectors = new Map<number, Float32Array>();
for (let l = 1; l <= N; l++) vectors.set(l, vec());

const exact = (q: Float32Array, k: number, among: Iterable<number>) => exactTopK(vectors, q, k, among);

/** Pages of `labels` (as the database hands them out), each after `beforePage(i)` ran. */
async function* pages(labels: number[], size = 500, beforePage?: (i: number) => Promise<void> | void) {
  for (let i = 0; i * size < labels.length; i++) {
    await beforePage?.(i);
    const part = labels.slice(i * size, (i + 1) * size);
    yield { labels: part, vectors: part.map((l) => vectors.get(l)!) };
  }
}

const params = (sub: string) => ({ dir: path.join(dir, sub), kind: 'image' as const, modelId: 'm', dim: DIM, m: 16, efConstruction: 100, efSearch: 200, buildThreads: 3 });
const all = [...vectors.keys()];

/** The real builder with some of its methods replaced (what a test watches or breaks). */
function wrapBuilder(over: (b: NativeBuilder) => Partial<NativeBuilder>): BuilderModule {
  const real = builderChoice().module!;
  return {
    Builder: function (...args: ConstructorParameters<BuilderModule['Builder']>) {
      const b = new real.Builder(...args);
      return {
        add: (r: Float32Array, l: Uint32Array) => b.add(r, l),
        calibrate: (q: Float32Array, k: number, e: Uint32Array, self?: Uint32Array) => b.calibrate(q, k, e, self),
        count: () => b.count(),
        close: () => b.close(),
        save: (f: string) => b.save(f),
        ...over(b),
      };
    } as unknown as BuilderModule['Builder'],
  };
}

describe('HnswIndex.rebuild', () => {
  const native = builderChoice().module;

  for (const way of ['parallel', 'serial'] as const) {
    it.runIf(way === 'serial' || native)(`${way}: the old graph answers until the new one is in place; changes meanwhile are kept; the generation loads back`, async () => {
      const index = HnswIndex.create(params(way));
      const oldLabels = all.slice(0, 1000);
      index.add(oldLabels, oldLabels.map((l) => vectors.get(l)!));
      await index.save();
      const q = vec();
      const seen: number[][] = [];
      const added = 2001; // not in the pages: added by "an ingest" during the rebuild
      const removed = 7; // in the pages: deleted during the rebuild
      const rebuilt = all.filter((l) => l !== added);
      const progress: number[] = [];
      const report = await index.rebuild(
        pages(rebuilt, 500, (i) => {
          // a search between pages sees the whole old graph
          seen.push(index.search(q, 5).map((h) => h.label));
          if (i === 2) {
            index.add([added], [vectors.get(added)!]);
            index.remove([removed]);
          }
        }),
        rebuilt.length,
        (done) => progress.push(done),
        way === 'serial' ? { builder: null } : {},
      );
      expect(report).toMatchObject({ count: rebuilt.length, way, threads: way === 'parallel' ? 3 : 1, replayed: 2 });
      expect(progress.at(-1)).toBe(rebuilt.length);
      for (const s of seen.slice(0, 3)) expect(s).toEqual(exact(q, 5, oldLabels));
      const live = all.filter((l) => l !== removed);
      expect(index.size()).toBe(live.length);
      expect(index.has(added)).toBe(true);
      expect(index.has(removed)).toBe(false);
      for (let i = 0; i < 10; i++) {
        const v = vec();
        expect(index.search(v, 10).map((h) => h.label)).toEqual(exact(v, 10, live));
      }
      const loaded = await HnswIndex.load(params(way));
      expect(loaded.size()).toBe(live.length);
      expect(loaded.search(q, 10).map((h) => h.label)).toEqual(exact(q, 10, live));
    });
  }

  it.runIf(native)("moves the builder's own file into place when nothing changed meanwhile", async () => {
    const index = HnswIndex.create(params('adopt'));
    // the inode of the file the builder saved: a rename keeps it, a second write would not
    let savedInode = -1;
    const watched = wrapBuilder((b) => ({
      save: async (f: string) => {
        await b.save(f);
        savedInode = fs.statSync(f).ino;
      },
    }));
    const report = await index.rebuild(pages(all), all.length, undefined, { builder: watched });
    expect(report.replayed).toBe(0);
    const m = await readManifest(path.join(dir, 'adopt'), 'image');
    expect(m.ok && m.manifest.count).toBe(N);
    if (!m.ok) return;
    expect(await fileSha256(path.join(dir, 'adopt', m.manifest.file))).toBe(m.manifest.sha256);
    expect(fs.statSync(path.join(dir, 'adopt', m.manifest.file)).ino).toBe(savedInode);
    // no temporary file is left behind
    expect(fs.readdirSync(path.join(dir, 'adopt')).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const loaded = await HnswIndex.load(params('adopt'));
    const q = vec();
    expect(loaded.search(q, 10).map((h) => h.label)).toEqual(exact(q, 10, all));
  });

  it.runIf(native)('a rebuild that fails after the builder saved removes its file and leaves the index as it was', async () => {
    const failing = wrapBuilder((b) => ({
      save: async (f: string) => {
        await b.save(f);
        expect(fs.statSync(f).size).toBeGreaterThan(0);
        throw new Error('disk full');
      },
    }));
    const p = params('fail-after-save');
    const index = HnswIndex.create(p);
    index.add([1, 2, 3], [1, 2, 3].map((l) => vectors.get(l)!));
    await expect(index.rebuild(pages(all), all.length, undefined, { builder: failing })).rejects.toThrow(/disk full/);
    expect(index.labels().sort()).toEqual([1, 2, 3]);
    expect(fs.readdirSync(p.dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('a failed rebuild leaves the index as it was', async () => {
    const index = HnswIndex.create(params('fail'));
    index.add([1, 2, 3], [1, 2, 3].map((l) => vectors.get(l)!));
    const bad = (async function* () {
      yield { labels: [4, 5], vectors: [vectors.get(4)!, vectors.get(5)!] };
      yield { labels: [6], vectors: [new Float32Array(DIM + 1)] };
    })();
    await expect(index.rebuild(bad, 3)).rejects.toThrow(/dimension 25/);
    expect(index.size()).toBe(3);
    expect(index.labels().sort()).toEqual([1, 2, 3]);
    expect(fs.existsSync(path.join(dir, 'fail')) ? fs.readdirSync(path.join(dir, 'fail')).filter((f) => f.includes('.tmp-')) : []).toEqual([]);
    // and a later rebuild works
    await index.rebuild(pages([10, 11]), 2);
    expect(index.labels().sort()).toEqual([10, 11]);
  });
});

describe.runIf(builderChoice().module)('ef calibration (issue 13, target 3)', () => {
  it('measures recall at each ef against exact search, keeps the smallest that reaches the target, saves it, and drops it when it no longer applies', async () => {
    const p = { ...params('calibrate'), efSearch: 256 };
    const index = HnswIndex.create(p);
    // 40 new points, and 20 of the index's own vectors (left out of their own answers)
    const queries = [...Array.from({ length: 40 }, vec), ...all.slice(0, 20).map((l) => ({ vector: vectors.get(l)!, self: l }))];
    const r = await index.rebuild(pages(all), all.length, undefined, { calibrate: queries });
    const c = r.calibration!;
    expect(c.sweep.map(([ef]) => ef)).toEqual(CALIBRATION_EFS.filter((ef) => ef <= 256));
    expect(c).toMatchObject({ k: CALIBRATION_K, queries: 60, count: N });
    // recall grows with ef, and the native figure is what searching at that ef finds
    for (let i = 1; i < c.sweep.length; i++) expect(c.sweep[i][1]).toBeGreaterThanOrEqual(c.sweep[i - 1][1] - 0.02);
    const recallAt = (ef: number) => {
      index.setEfSearch(ef);
      let hits = 0;
      for (const q of queries) {
        const [v, self] = q instanceof Float32Array ? [q, undefined] : [q.vector, q.self];
        const truth = new Set(exact(v, CALIBRATION_K, all.filter((l) => l !== self)));
        const got = index.search(v, CALIBRATION_K + (self ? 1 : 0)).filter((h) => h.label !== self).slice(0, CALIBRATION_K);
        for (const h of got) if (truth.has(h.label)) hits++;
      }
      index.setEfSearch(undefined);
      return hits / (queries.length * CALIBRATION_K);
    };
    for (const [ef, recall] of c.sweep) expect(recallAt(ef)).toBeCloseTo(recall, 6);
    const first = c.sweep.find(([, recall]) => recall >= CALIBRATION_RECALL);
    expect(c.ef).toBe(first ? first[0] : 256);
    expect(index.efSearch).toBe(c.ef);
    // saved with the generation, read back by a load; a fixed ef (CLIPDEX_HNSW_EF_SEARCH set) ignores it
    const m = await readManifest(p.dir, 'image');
    expect(m.ok && m.manifest.calibration).toEqual({ ef: c.ef, recall: c.recall, k: c.k, queries: 60, count: N });
    expect((await HnswIndex.load(p)).efSearch).toBe(c.ef);
    expect((await HnswIndex.load({ ...p, efSearchFixed: true })).efSearch).toBe(256);
    // an index grown past twice the size it was measured at goes back to the configured ef
    const grown = await HnswIndex.load(p);
    const more = Array.from({ length: N + 1 }, (_, i) => 100_000 + i);
    grown.add(more, more.map(() => vec()));
    expect(grown.efSearch).toBe(256);
    // none reaching the target: the configured ef, with the recall measured at the highest ef tried
    const poor = wrapBuilder(() => ({ calibrate: async (_q: Float32Array, _k: number, e: Uint32Array) => Float64Array.from(e, (ef) => Math.min(0.9, ef / 1000)) }));
    const low = await index.rebuild(pages(all), all.length, undefined, { builder: poor, calibrate: queries });
    expect(low.calibration).toMatchObject({ ef: 256, recall: 0.256 });
    expect(index.efSearch).toBe(256);
    // a rebuild without sample queries (or the serial way) has none
    await index.rebuild(pages(all), all.length, undefined, { builder: null, calibrate: queries });
    expect(index.describeCalibration()).toBeUndefined();
    expect(index.efSearch).toBe(256);
  });
});

describe.runIf(builderChoice().module)('the native builder refuses bad input with errors', () => {
  const B = () => builderChoice().module!.Builder;
  it('wrong types, wrong sizes, too many points, two adds at once, use after close', async () => {
    const b = new (B())(4, 3, 16, 50, 1, 2, 0);
    expect(() => b.add([1, 2, 3, 4] as unknown as Float32Array, Uint32Array.of(1))).toThrow(/Float32Array/);
    expect(() => b.add(new Float32Array(5), Uint32Array.of(1))).toThrow(/labels.length × dim/);
    expect(() => b.add(new Float32Array(16), Uint32Array.of(1, 2, 3, 4))).toThrow(/maxElements/);
    const first = b.add(new Float32Array([1, 0, 0, 0]), Uint32Array.of(1));
    expect(() => b.add(new Float32Array([0, 1, 0, 0]), Uint32Array.of(2))).toThrow(/one add or save at a time/);
    await first;
    expect(b.count()).toBe(1);
    await expect(b.save(path.join(dir, 'no-such-dir', 'x.hnsw'))).rejects.toThrow(/cannot write/);
    b.close();
    expect(() => b.add(new Float32Array(4), Uint32Array.of(3))).toThrow(/closed/);
    expect(() => new (B())(0, 3, 16, 50, 1, 2, 0)).toThrow(/positive/);
  });
});

describe('install script and loader', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-builder-'));
    fs.mkdirSync(path.join(root, 'node_modules'));
    for (const p of ['hnswlib-node', 'node-addon-api']) fs.symlinkSync(path.join(repo, 'node_modules', p), path.join(root, 'node_modules', p));
    fs.cpSync(path.join(repo, 'native'), path.join(root, 'native'), { recursive: true });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('the script and the loader agree on the folder', () => {
    expect(BUILDER_REL).toBe(BUILDER_DIR);
    expect(buildBuilder({ root, env: { CLIPDEX_HNSW_BUILDER: '0' }, log: () => {} })).toMatch(/skipped/);
    expect(chooseBuilder({ roots: [root] }).reason).toMatch(/no parallel builder/);
    expect(chooseBuilder({ roots: [repo], env: { CLIPDEX_HNSW_BUILDER: '0' } }).module).toBeUndefined();
  });

  it.runIf(headers && process.platform === 'linux')('builds offline, self-tests, rebuilds when its source changes, and falls back where it cannot run', { timeout: 240_000 }, () => {
    expect(buildBuilder({ root, log: () => {} })).toMatch(/built in .* self-tested/);
    expect(buildBuilder({ root, log: () => {} })).toBe('up to date');
    const stamp = JSON.parse(fs.readFileSync(path.join(root, BUILDER_DIR, 'ok.json'), 'utf8'));
    const chosen = chooseBuilder({ roots: [root], flags: ALL });
    expect(typeof chosen.module?.Builder).toBe('function');
    if (stamp.march !== 'generic') {
      expect(chooseBuilder({ roots: [root], flags: new Set([...ALL].filter((f) => f !== 'avx2')) })).toEqual({ reason: expect.stringMatching(new RegExp(`compiled for ${stamp.march} .*lacks avx2`)) });
    }
    if (stamp.march === 'x86-64-v4') {
      // moved to a CPU without AVX-512: not loaded, and npm install there builds for x86-64-v3
      expect(chooseBuilder({ roots: [root], flags: new Set([...ALL].filter((f) => !f.startsWith('avx512'))) }).reason).toMatch(/compiled for x86-64-v4 and this CPU lacks avx512f/);
    }
    fs.writeFileSync(path.join(root, BUILDER_DIR, 'ok.json'), JSON.stringify({ ...stamp, hnswlibNode: '0.0.1' }));
    expect(chooseBuilder({ roots: [root], flags: ALL }).reason).toMatch(/stale/);
    fs.writeFileSync(path.join(root, BUILDER_DIR, 'ok.json'), JSON.stringify(stamp));
    fs.appendFileSync(path.join(root, 'native', 'hnsw-builder', 'builder.cc'), '\n// changed\n');
    expect(buildBuilder({ root, log: () => {} })).toMatch(/built in/);
    if (stamp.march === 'x86-64-v4') {
      // CLIPDEX_HNSWLIB_SIMD=v3 stops at x86-64-v3
      expect(buildBuilder({ root, env: { ...process.env, CLIPDEX_HNSWLIB_SIMD: 'v3' }, log: () => {} })).toMatch(/built in .*\(x86-64-v3\)/);
      expect(chooseBuilder({ roots: [root], flags: new Set([...ALL].filter((f) => !f.startsWith('avx512'))) }).march).toBe('x86-64-v3');
    }
    // a damaged addon, in another folder (dlopen hands back the library already loaded from a path)
    const other = path.join(root, 'other');
    fs.cpSync(path.join(root, BUILDER_DIR), path.join(other, BUILDER_DIR), { recursive: true });
    fs.symlinkSync(path.join(repo, 'node_modules', 'hnswlib-node'), path.join(other, 'node_modules', 'hnswlib-node'));
    fs.writeFileSync(path.join(other, BUILDER_DIR, 'build', 'Release', 'hnsw_builder.node'), 'not an addon');
    expect(chooseBuilder({ roots: [other], flags: ALL }).reason).toMatch(/did not load/);
  });

  it('a module given explicitly is used (the serial way when null)', async () => {
    let made = 0;
    const fake: BuilderModule = {
      Builder: class {
        constructor() {
          made++;
          throw new Error('this builder is broken');
        }
      } as unknown as BuilderModule['Builder'],
    };
    const index = HnswIndex.create(params('explicit'));
    await expect(index.rebuild(pages([1, 2]), 2, undefined, { builder: fake })).rejects.toThrow(/broken/);
    expect(made).toBe(1);
    expect((await index.rebuild(pages([1, 2]), 2, undefined, { builder: null })).way).toBe('serial');
  });
});
