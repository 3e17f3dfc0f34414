/**
 * Adapters on a real engine (temp SQLite, real model, real hnswlib files): activation builds the
 * adapter's indexes from the stored vectors, search scores equal the projected query · projected
 * stored vector, an ingest after activation is picked up (repaired, no rebuild), new weights under
 * the same name rebuild, and the leftovers of a killed save are never read as an adapter.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../lib/engine';
import { ingestCorpus } from '../../lib/ingest';
import { bytesToVector, imageVectorOf } from '../../lib/db';
import { HnswIndex } from '../../lib/index';
import { search } from '../../lib/search';
import {
  activateAdapter,
  adaptEngine,
  deactivateAdapter,
  getSearchEngine,
  listAdapters,
  project,
  saveAdapter,
  sweepAdapterTemp,
  zeroWeights,
  type Adapter,
} from '../../lib/adapters';
import { isTrainJobResult, liveTrainCurve, rng, startTrainJob } from '../../lib/train';
import { cancelJob, getJob, subscribe } from '../../lib/jobs';
import { EMPTY_QUERY } from '../../lib/views/search-query';
import { runSearch } from '../../app/_lib/search';
import { makePairsFile, makeTestEnv, type TestEnv } from './engine-helpers';

let t: TestEnv;
let engine: Engine;
let work: string;

function adapterFor(e: Engine, name: string, seed: number): Adapter {
  const d = e.model.info.dim;
  const rand = rng(seed);
  // an MLP adapter (hidden 16): the richer of the two kinds through every path
  const w = zeroWeights(d, 16, rand);
  for (const k of ['text', 'image'] as const) for (const p of [w[k].w, w[k].b]) for (let i = 0; i < p.length; i++) p[i] = (rand() - 0.5) * 0.1;
  const r = { r1: 0, r5: 0, r10: 0, mean: 0 };
  return {
    weights: w,
    manifest: {
      format: 'clipdex-adapter', version: 1, name, method: 'residual-mlp', hidden: 16, modelId: e.model.info.id, modelName: e.model.info.name, dim: d,
      createdAt: new Date().toISOString(), weightsSha256: '',
      training: { trainFile: 'x', validFile: 'y', trainPairs: 1, validPairs: 1, epochs: 1, bestEpoch: 1, bestStep: 1, lr: 1, batchSize: 1, weightDecay: 0, seconds: 0, baseline: r, best: r },
    },
  };
}

beforeAll(async () => {
  t = makeTestEnv('adapters');
  engine = await t.open();
  work = path.join(t.dataDir, 'work');
  fs.mkdirSync(work, { recursive: true });
  await ingestCorpus({ path: await makePairsFile(work, 20, 'a.tsv'), dataset: 'a' }, engine);
});
afterAll(async () => t?.cleanup());

describe('adapters on a library', () => {
  it('activation builds the indexes from stored vectors; search scores are projected query · projected stored vector', async () => {
    await saveAdapter(engine.config.dataDir, adapterFor(engine, 'rand', 1));
    const reports = await activateAdapter(engine, 'rand');
    expect(reports.map((r) => [r.kind, r.action, r.count])).toEqual([['image', 'built', 20], ['text', 'built', 20]]);
    const res = await search({ query: { text: 'caption 3' }, want: 'image', k: 5 }, await getSearchEngine()); // the process engine: the active adapter
    expect(res.hits).toHaveLength(5);
    const adapter = adapterFor(engine, 'rand', 1).weights;
    const q = project(adapter.text, adapter.dim, (await engine.model.encodeTexts(['caption 3']))[0]);
    for (const h of res.hits) {
      const stored = await imageVectorOf(engine.db, h.imageId, engine.model.info.id);
      const v = project(adapter.image, adapter.dim, bytesToVector(stored!.data));
      const dot = q.reduce((s, x, i) => s + x * v[i], 0);
      expect(h.score).toBeCloseTo(dot, 4);
    }
    // a stored image as the query: its stored vector as the adapter sees it (projected), not the raw one
    const storedOf = async (id: number) => bytesToVector((await imageVectorOf(engine.db, id, engine.model.info.id))!.data);
    const qi = project(adapter.image, adapter.dim, await storedOf(res.hits[0].imageId));
    const byId = await search({ query: { imageId: res.hits[0].imageId }, want: 'image', k: 3 }, await getSearchEngine());
    expect(byId.hits.length).toBe(3);
    for (const h of byId.hits) {
      const v = project(adapter.image, adapter.dim, await storedOf(h.imageId));
      expect(h.score).toBeCloseTo(qi.reduce((s, x, i) => s + x * v[i], 0), 4);
    }
    // the site's searches (search page, /api/search) use the active adapter too
    const site = await runSearch(engine, { ...EMPTY_QUERY, q: 'caption 3', k: 5 });
    expect(site.hits.map((h) => h.score)).toEqual(res.hits.map((h) => h.score));
    // without the adapter the scores are the model's own
    await deactivateAdapter(engine.config.dataDir);
    const plain = await search({ query: { text: 'caption 3' }, want: 'image', k: 1 }, await getSearchEngine());
    expect(plain.hits[0].score).not.toBeCloseTo(res.hits[0].score, 4);
    expect((await runSearch(engine, { ...EMPTY_QUERY, q: 'caption 3', k: 1 })).hits[0].score).toBe(plain.hits[0].score);
  });

  it('an ingest after activation is added to the adapter index without a rebuild', async () => {
    await activateAdapter(engine, 'rand');
    const before = (await adaptEngine(engine, 'rand')).indexes.image;
    const loads = vi.spyOn(HnswIndex, 'load');
    await ingestCorpus({ path: await makePairsFile(work, 30, 'b.tsv'), dataset: 'b' }, engine);
    const adapted = await adaptEngine(engine, 'rand');
    expect(adapted.adapterReports.find((r) => r.kind === 'image')).toMatchObject({ action: 'repaired', added: 30, count: engine.indexes.image.size() });
    expect(adapted.indexes.image.size()).toBe(engine.indexes.image.size());
    // only the 30 new vectors were projected and added to the open index: no file was reloaded (issue 13, target 5)
    expect(adapted.indexes.image).toBe(before);
    expect(loads).not.toHaveBeenCalled();
    loads.mockRestore();
  });

  it('new weights under the same name rebuild the adapter indexes', async () => {
    await saveAdapter(engine.config.dataDir, adapterFor(engine, 'rand', 2), { replace: true });
    const adapted = await adaptEngine(engine, 'rand');
    expect(adapted.adapterReports.map((r) => r.action)).toEqual(['built', 'built']);
  });

  it('a save killed half-way leaves a temp folder that is never listed and is swept', async () => {
    const dir = path.join(engine.config.dataDir, 'adapters', '.tmp-half-999999999-abcd');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(10));
    expect((await listAdapters(engine.config.dataDir)).map((a) => a.name)).toEqual(['rand']);
    expect(await sweepAdapterTemp(engine.config.dataDir)).toBe(1);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('a train job learns from ingested datasets’ stored vectors and keeps its curve as the result', async () => {
    const started = await startTrainJob(engine, { name: 'from-datasets', trainDataset: 'b', validDataset: 'a', epochs: 2, lr: 1e-3, batchSize: 8 });
    await started.done;
    const job = await getJob(engine.db, started.id);
    expect(job?.status).toBe('done');
    expect(job?.kind).toBe('train');
    expect(isTrainJobResult(job?.result)).toBe(true);
    const r = job!.result as { curve: unknown[]; trainPairs: number; validPairs: number };
    expect(r).toMatchObject({ trainPairs: 30, validPairs: 20 });
    expect(r.curve).toHaveLength(2);
    expect(job?.message).toMatch(/^adapter "from-datasets": valid mean recall \d+\.\d\d → \d+\.\d\d/);
    expect(liveTrainCurve(started.id)).toBeUndefined();
    expect((await listAdapters(engine.config.dataDir)).map((a) => a.name)).toContain('from-datasets');
  });

  it('a running train job can be cancelled: it stops between steps, ends cancelled and writes no adapter', async () => {
    const started = await startTrainJob(engine, { name: 'cancelled-run', trainDataset: 'b', validDataset: 'a', epochs: 1000, lr: 1e-3, batchSize: 2 });
    await new Promise<void>((resolve) => {
      const off = subscribe(started.id, (e) => {
        if (e.type === 'progress' && /^epoch /.test(e.message ?? '')) {
          off();
          resolve();
        }
      });
    });
    await cancelJob(engine.db, started.id);
    const outcome = await started.done;
    expect(outcome.cancelled).toBe(true);
    const job = await getJob(engine.db, started.id);
    expect(job?.status).toBe('cancelled');
    expect(job?.message).toMatch(/interrupted: no adapter was written/);
    expect((await listAdapters(engine.config.dataDir)).map((a) => a.name)).not.toContain('cancelled-run');
  });
});
