/**
 * The cluster tier (issue 15): PostgreSQL, Redis, two `clipdex worker` processes and two search
 * nodes on this machine. An ingest runs through the queue while a worker is SIGKILLed right after
 * committing part of a slice (so the slice's retry meets rows it already wrote) and a node is
 * SIGKILLed too; both come back. Then: the CLI reports as a single-process ingest does, every
 * line is stored exactly once (counted against the file, parsed here), and both nodes' replicas
 * answer the same top 10. Runs when CLIPDEX_TEST_POSTGRES_URL and CLIPDEX_TEST_REDIS_URL are set
 * (.ci/run starts both); about a minute on two cores.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDbs, getDb, migrateDatabase } from '../../lib/db';
import { readPairsTsv, startCli } from '../helpers/cli';
import { dropQueue, getJson, kill, ROOT, sleep, startNode, startWorker, type Proc } from './processes';

const pg = process.env.CLIPDEX_TEST_POSTGRES_URL;
const redis = process.env.CLIPDEX_TEST_REDIS_URL;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-cluster-'));
const queue = `cluster-test-${process.pid}-${Date.now()}`;
const procs: Proc[] = [];
let dataset = '';

interface Hits {
  ids: number[];
  scores: number[];
}

/**
 * The same top k: the same scores in the same order, and the same ids for each score, except
 * among hits of exactly equal score (identical vectors), whose order is the index's insertion
 * order, and in the group of equal scores the cut at k goes through (which of them made it is arbitrary).
 */
function sameTop(a: Hits, b: Hits): boolean {
  const r = (x: number) => x.toFixed(6);
  if (a.scores.map(r).join() !== b.scores.map(r).join()) return false;
  const last = r(a.scores[a.scores.length - 1]);
  const groups = (h: Hits) => {
    const m = new Map<string, number[]>();
    h.ids.forEach((id, i) => (r(h.scores[i]) === last ? undefined : m.set(r(h.scores[i]), [...(m.get(r(h.scores[i])) ?? []), id].sort())));
    return JSON.stringify([...m]);
  };
  return groups(a) === groups(b);
}

describe.skipIf(!pg || !redis)('a local cluster: two workers, two web nodes, kills mid-run', () => {
  afterAll(async () => {
    await Promise.all(procs.map((p) => kill(p)));
    await dropQueue(redis!, queue);
    // The shared test database keeps no rows of this run (the blobs go with the temp dir).
    if (dataset) await getDb(pg!).dataset.deleteMany({ where: { name: dataset } }).catch(() => undefined);
    await closeDbs();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores every line exactly once and both nodes answer the same top 10', async () => {
    await migrateDatabase(pg!);
    dataset = `cluster-${Date.now()}`;
    // The demo validation pairs with two bad lines and a repeated pair among them.
    const lines = fs.readFileSync(path.join(ROOT, 'demo', 'valid.tsv'), 'utf8').split('\n').filter((l) => l.trim());
    lines.splice(19, 0, 'a caption without an image');
    lines.splice(99, 0, 'a caption\tnot*base64*at*all');
    lines.push(lines[0]);
    const corpus = path.join(dir, 'corpus.tsv');
    fs.writeFileSync(corpus, `${lines.join('\n')}\n`);
    const valid = readPairsTsv(path.join(ROOT, 'demo', 'valid.tsv'));
    const good = [...valid, valid[0]];
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

    const base = {
      REDIS_URL: redis!, DATABASE_URL: pg!, CLIPDEX_QUEUE: queue, CLIPDEX_BLOB_DIR: path.join(dir, 'blobs'),
      CLIPDEX_THREADS: '1', CLIPDEX_BATCH_SIZE: '8', CLIPDEX_BATCHES_PER_SLICE: '2', CLIPDEX_QUEUE_LOCK_MS: '3000',
    };
    const worker = (n: string) => {
      const w = startWorker(n, { ...base, CLIPDEX_DATA_DIR: path.join(dir, n), CLIPDEX_TEST_SLICE_PAUSE_MS: '150' });
      procs.push(w);
      return w;
    };
    const node = async (n: string) => {
      const p = await startNode(n, { ...base, CLIPDEX_DATA_DIR: path.join(dir, n) });
      procs.push(p);
      return p;
    };
    const w1 = worker('w1');
    const w2 = worker('w2');
    const [a, b0] = await Promise.all([node('a'), node('b'), w1.waitFor(/ready/, 120_000), w2.waitFor(/ready/, 120_000)]);

    const ingest = startCli(['ingest', corpus, '--dataset', dataset, '--json', '--no-progress'], { ...base, CLIPDEX_DATA_DIR: path.join(dir, 'cli') });
    // w1 has committed the first batch of a slice and not the second: kill it there, and node b with it.
    const m = await w1.waitFor(/slice (\d+) batch 0 committed/, 120_000);
    const killedSlice = Number(m[1]);
    await Promise.all([kill(w1), kill(b0)]);
    const w1again = worker('w1');
    const b = await node('b');
    const run = await ingest.done;
    expect(run.code, run.stderr).toBe(0);

    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ dataset, datasetStatus: 'ready', records: lines.length, good: good.length, errorCount: 2 });
    expect(summary.errors.map((e: { line: number }) => e.line)).toEqual([20, 100]);
    expect(summary.errors[0].reason).toMatch(/expected 2 tab-separated columns/);
    // The killed slice was finished by another worker (after w1's lock expired).
    expect(`${w2.out}${w1again.out}`).toMatch(new RegExp(`slice ${killedSlice} \\(lines`));

    // Exactly once: what the file holds, counted here, is what the database holds.
    const db = getDb(pg!);
    const ds = await db.dataset.findUniqueOrThrow({ where: { name: dataset } });
    const where = { datasetId: ds.id };
    const images = new Set(good.map((g) => sha(g.image)));
    const texts = new Set(good.map((g) => g.text));
    const links = new Set(good.map((g) => `${sha(g.image)}\t${g.text}`));
    expect(await db.image.count({ where })).toBe(images.size);
    expect(await db.text.count({ where })).toBe(texts.size);
    expect(await db.imageText.count({ where: { image: where } })).toBe(links.size);
    expect(await db.imageVector.count({ where: { image: where } })).toBe(images.size);
    expect(await db.textVector.count({ where: { text: where } })).toBe(texts.size);
    // The summary is a single run's: a retried slice reuses the counts of the batches it had committed.
    expect(summary).toMatchObject({ images: images.size, texts: texts.size, links: links.size, duplicates: good.length - links.size });

    // Both replicas hold every image vector of the database (all datasets), then agree.
    const { modelId } = await getJson<{ modelId: string }>(a.port, '/labels');
    const total = await db.imageVector.count({ where: { modelId } });
    for (const n of [a, b]) {
      const t0 = Date.now();
      let held = 0;
      while ((held = (await getJson<{ image: number[] }>(n.port, '/labels')).image.length) !== total) {
        if (Date.now() - t0 > 20_000) throw new Error(`node ${n.name} holds ${held} of the ${total} image vectors after 20 s`);
        await sleep(200);
      }
    }
    for (const q of ['a dog', 'a red car', 'people on a beach', 'food on a plate', 'a city street at night']) {
      const ask = (n: { port: number }) => getJson<Hits>(n.port, `/search?q=${encodeURIComponent(q)}&k=10&dataset=${dataset}`);
      const [ra, rb] = await Promise.all([ask(a), ask(b)]);
      expect(ra.ids.length).toBe(10);
      expect(sameTop(ra, rb), `${q}: ${JSON.stringify(ra)} vs ${JSON.stringify(rb)}`).toBe(true);
    }
  }, 240_000);
});

describe('sameTop (the comparison above)', () => {
  it('allows reordering only among equal scores, and any members in the group cut at k', () => {
    const a = { ids: [1, 2, 3, 4], scores: [0.9, 0.8, 0.8, 0.7] };
    expect(sameTop(a, { ids: [1, 3, 2, 5], scores: [0.9, 0.8, 0.8, 0.7] })).toBe(true);
    expect(sameTop(a, { ids: [2, 1, 3, 4], scores: [0.9, 0.8, 0.8, 0.7] })).toBe(false);
    expect(sameTop(a, { ids: [1, 2, 6, 4], scores: [0.9, 0.8, 0.8, 0.7] })).toBe(false);
    expect(sameTop(a, { ids: [1, 2, 3, 4], scores: [0.9, 0.8, 0.7, 0.7] })).toBe(false);
  });
});
