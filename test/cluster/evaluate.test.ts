/**
 * The cluster tier, `clipdex evaluate` in distributed mode (issue 15): two `clipdex worker`
 * processes embed the validation file, and the CLI prints what a single-process evaluate of the
 * same file prints (the figures, the counts, the skipped lines with their reasons, the exit code),
 * for a pairs file, with an adapter, and a MUGE TSV + JSONL (a folder is embedded by the CLI, which says so), also
 * when a worker is SIGKILLed after writing a slice's vectors and before reporting it (the slice is
 * retried by another worker). The evaluate page's job goes the same way. Ctrl-C removes the
 * slices no worker has taken. The shared copies of the file and the slice files are gone when the
 * evaluate ends. Real PostgreSQL, Redis, model and processes; runs when CLIPDEX_TEST_POSTGRES_URL
 * and CLIPDEX_TEST_REDIS_URL are set.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { saveAdapter, zeroWeights, type Adapter } from '../../lib/adapters';
import { rng } from '../../lib/train';
import { startCli, type CliRun } from '../helpers/cli';
import { dropQueue, kill, ROOT, startWorker, type Proc } from './processes';

const pg = process.env.CLIPDEX_TEST_POSTGRES_URL;
const redis = process.env.CLIPDEX_TEST_REDIS_URL;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-cluster-eval-'));
const queue = `cluster-eval-${process.pid}-${Date.now()}`;
const blobs = path.join(dir, 'blobs');
const procs: Proc[] = [];
const cluster = {
  REDIS_URL: redis ?? '', DATABASE_URL: pg ?? '', CLIPDEX_QUEUE: queue, CLIPDEX_BLOB_DIR: blobs,
  CLIPDEX_THREADS: '1', CLIPDEX_BATCH_SIZE: '8', CLIPDEX_BATCHES_PER_SLICE: '2', CLIPDEX_QUEUE_LOCK_MS: '3000',
};
// The single-process run: no queue, its own SQLite data dir (a file's evaluate never opens it).
const alone = { REDIS_URL: '', CLIPDEX_THREADS: '1', CLIPDEX_BATCH_SIZE: '8', CLIPDEX_DATA_DIR: path.join(dir, 'alone') };

function worker(name: string, pauseMs?: number): Proc {
  const w = startWorker(name, { ...cluster, CLIPDEX_DATA_DIR: path.join(dir, name), ...(pauseMs ? { CLIPDEX_TEST_SLICE_PAUSE_MS: String(pauseMs) } : {}) });
  procs.push(w);
  return w;
}

const evaluate = (args: string[], env: Record<string, string>) => startCli(['evaluate', ...args, '--json'], env);
const distributed = (args: string[]) => evaluate(args, { ...cluster, CLIPDEX_DATA_DIR: path.join(dir, 'cli') });

/** The JSON without its wall times (the only figures that may differ between two runs). */
function figures(run: CliRun): unknown {
  expect(run.code, run.stderr).toBe(0);
  const j = JSON.parse(run.stdout);
  delete j.seconds;
  if (j.ann) delete j.ann.seconds;
  return j;
}
/** The warnings (skipped lines with their reasons), the progress bar aside. */
const warnings = (run: CliRun) => run.stderr.split('\n').filter((l) => l.startsWith('warning:'));

/** Nothing left in the blob dir by an evaluate: no shared copy, no slice file. */
function leftInBlobDir(): string[] {
  const out: string[] = [];
  for (const sub of ['corpora', 'eval']) {
    const d = path.join(blobs, sub);
    if (fs.existsSync(d)) out.push(...fs.readdirSync(d, { recursive: true }).map((f) => `${sub}/${String(f)}`));
  }
  return out;
}

/** A random residual-MLP adapter of the bundled model (as test/integration/adapters.test.ts makes one). */
async function randomAdapter(name: string): Promise<Adapter> {
  const { loadClipModel } = await import('../../lib/clip');
  const model = await loadClipModel(path.join(ROOT, 'models', 'mini-clip'), { threads: 1 });
  const info = model.info;
  await model.close();
  const rand = rng(7);
  const w = zeroWeights(info.dim, 16, rand);
  for (const k of ['text', 'image'] as const) for (const p of [w[k].w, w[k].b]) for (let i = 0; i < p.length; i++) p[i] = (rand() - 0.5) * 0.2;
  const r = { r1: 0, r5: 0, r10: 0, mean: 0 };
  return {
    weights: w,
    manifest: {
      format: 'clipdex-adapter', version: 1, name, method: 'residual-mlp', hidden: 16, modelId: info.id, modelName: info.name, dim: info.dim,
      createdAt: new Date().toISOString(), weightsSha256: '',
      training: { trainFile: 'x', validFile: 'y', trainPairs: 1, validPairs: 1, epochs: 1, bestEpoch: 1, bestStep: 1, lr: 1, batchSize: 1, weightDecay: 0, seconds: 0, baseline: r, best: r },
    },
  };
}

describe.skipIf(!pg || !redis)('distributed evaluate: the workers embed, the figures are a single-process run\'s', () => {
  let corpus = '';
  let expected: { json: unknown; warnings: string[] } = { json: null, warnings: [] };

  beforeAll(async () => {
    // The demo validation pairs with a line without an image, one that is no base64, one whose
    // bytes are no image (the worker's preprocessing refuses it) and a repeated pair.
    const lines = fs.readFileSync(path.join(ROOT, 'demo', 'valid.tsv'), 'utf8').split('\n').filter((l) => l.trim());
    lines.splice(19, 0, 'a caption without an image');
    lines.splice(60, 0, `bytes that are no image\t${Buffer.from('not an image at all, only text').toString('base64')}`);
    lines.splice(99, 0, 'a caption\tnot*base64*at*all');
    lines.push(lines[0]);
    corpus = path.join(dir, 'valid.tsv');
    fs.writeFileSync(corpus, `${lines.join('\n')}\n`);
    const run = await evaluate([corpus], alone).done;
    expected = { json: figures(run), warnings: warnings(run) };
    expect(expected.warnings.map((w) => w.match(/line (\d+)/)?.[1])).toEqual(['20', '61', '100']);
  }, 180_000);

  // Each test's workers go with it, also when it fails (a live one would take the next test's slices).
  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => kill(p)));
  });

  afterAll(async () => {
    await dropQueue(redis!, queue);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('two workers embed every slice; the JSON, the skipped lines and the exit code are the single-process ones', async () => {
    const [w1, w2] = [worker('w1'), worker('w2')];
    await Promise.all([w1.waitFor(/ready/, 120_000), w2.waitFor(/ready/, 120_000)]);
    const run = await distributed([corpus]).done;
    expect(figures(run)).toEqual(expected.json);
    expect(warnings(run)).toEqual(expected.warnings);
    // 204 lines in slices of 16: the workers embedded the images of all 13, then the texts (the CLI only looked up and placed them).
    const slices = (re: RegExp) => [...new Set([...`${w1.out}${w2.out}`.matchAll(re)].map((m) => Number(m[1])))].sort((a, b) => a - b);
    expect(slices(/evaluate slice (\d+) \(lines/g)).toEqual([...Array(13).keys()]);
    expect(slices(/evaluate slice (\d+) \(text batches/g).length).toBeGreaterThan(0);
    expect(`${w1.out}${w2.out}`).not.toMatch(/failed/);
    expect(leftInBlobDir()).toEqual([]);

    // A MUGE image TSV (sliced by line) and its texts JSONL (read by the starting process, its texts
    // encoded by the workers in batches), under both of its protocols.
    const muge = path.join(ROOT, 'test', 'fixtures', 'corpus', 'muge');
    for (const protocol of ['clipdex', 'chinese-clip']) {
      const args = [path.join(muge, 'images.tsv'), '--texts', path.join(muge, 'texts.jsonl'), '--protocol', protocol];
      const [one, two] = [await evaluate(args, alone).done, await distributed(args).done];
      expect(figures(two), protocol).toEqual(figures(one));
      expect(warnings(two)).toEqual(warnings(one));
    }
    expect(leftInBlobDir()).toEqual([]);

    // An adapter (`--adapter`): the workers send the frozen model's vectors, the CLI projects them.
    const adapter = await randomAdapter('rand');
    for (const d of [alone.CLIPDEX_DATA_DIR, path.join(dir, 'cli')]) await saveAdapter(d, adapter);
    const [adaptedOne, adaptedTwo] = [await evaluate([corpus, '--adapter', 'rand'], alone).done, await distributed([corpus, '--adapter', 'rand']).done];
    expect(figures(adaptedTwo)).toEqual(figures(adaptedOne));
    expect(figures(adaptedOne)).not.toEqual(expected.json); // the adapter moves the figures: the comparison sees a projection left out

    // Nothing to evaluate (no image can be read; an empty file): exit 1 and the same words, both ways.
    const noImage = (t: string) => Buffer.from(t).toString('base64');
    for (const [name, text, code] of [['bad.tsv', `a\t${noImage('no image')}\nb\t${noImage('nor this')}\n`, 1], ['empty.tsv', '', 1]] as const) {
      const f = path.join(dir, name);
      fs.writeFileSync(f, text);
      const [one, two] = [await evaluate([f, '--format', 'pairs'], alone).done, await distributed([f, '--format', 'pairs']).done];
      expect([two.code, two.stdout], two.stderr).toEqual([one.code, one.stdout]);
      expect(one.code).toBe(code);
      expect(two.stderr.split('\n').filter((l) => l.startsWith('warning:') || l.startsWith('clipdex:'))).toEqual(one.stderr.split('\n').filter((l) => l.startsWith('warning:') || l.startsWith('clipdex:')));
    }

    // A folder's records are files, not lines: embedded by the CLI itself, which says so; same figures.
    const folder = path.join(ROOT, 'test', 'fixtures', 'corpus', 'folder');
    const [one, two] = [await evaluate([folder], alone).done, await distributed([folder]).done];
    expect(figures(two)).toEqual(figures(one));
    expect(warnings(two)).toEqual([...warnings(one), `warning: ${folder} is a folder: it was embedded in this process (workers take pairs files and MUGE image TSVs, whose lines can be sliced)`]);
  }, 300_000);

  it('a worker SIGKILLed after writing a slice and before reporting it, in each round: another worker redoes it, same figures', async () => {
    const [w1, w2] = [worker('k1', 400), worker('k2', 400)];
    await Promise.all([w1.waitFor(/ready/, 120_000), w2.waitFor(/ready/, 120_000)]);
    const ev = distributed([corpus]);
    // Images: w1 has written a slice's vectors and not reported it.
    const img = await w1.waitFor(/evaluate slice (\d+) \(pairs\) written/, 120_000);
    await kill(w1);
    const w3 = worker('k3', 400);
    // Texts: whichever worker writes a text slice first is killed there too.
    const wrote = (w: Proc) => w.waitFor(/evaluate slice (\d+) \(texts\) written/, 90_000).then((m) => ({ w, m }));
    const race = [wrote(w2), wrote(w3)];
    race.forEach((p) => p.catch(() => undefined)); // the loser's wait ends in a timeout or with its process
    const txt = await Promise.race(race);
    await kill(txt.w);
    const w4 = worker('k4', 400);
    const run = await ev.done;
    expect(figures(run)).toEqual(expected.json);
    expect(warnings(run)).toEqual(expected.warnings);
    // Each killed slice was embedded again, by a live worker, after the dead one's lock expired.
    expect(`${w2.out}${w3.out}`).toMatch(new RegExp(`evaluate slice ${img[1]} \\(lines `));
    const others = [w2, w3, w4].filter((w) => w !== txt.w).map((w) => w.out).join('');
    expect(others).toMatch(new RegExp(`evaluate slice ${txt.m[1]} \\(text batches `));
    expect(leftInBlobDir()).toEqual([]);
  }, 300_000);

  it('the evaluate page\'s job goes through the workers too: same figures and skipped count, progress as job events', async () => {
    const w = worker('j1');
    await w.waitFor(/ready/, 120_000);
    // A web node's engine, in this process (as test/cluster/search-node.ts opens one).
    const saved = { ...process.env };
    Object.assign(process.env, { ...cluster, CLIPDEX_DATA_DIR: path.join(dir, 'web') });
    const [{ resetConfig }, { getEngine, closeEngine }, { startEvaluateJob, toEvalJson }, { subscribe }] = await Promise.all([
      import('../../lib/config'), import('../../lib/engine'), import('../../lib/eval'), import('../../lib/jobs'),
    ]);
    resetConfig();
    try {
      const engine = await getEngine({ log: () => undefined });
      const from = w.out.length;
      const job = await startEvaluateJob(engine, { path: corpus, label: 'valid.tsv' });
      const events: { processed: number; total: number; message?: string }[] = [];
      const off = subscribe(job.id, (e) => void (e.type === 'progress' && events.push(e)));
      const outcome = (await job.done) as { failed?: boolean; message?: string; result: { evaluation: Parameters<typeof toEvalJson>[0]; skipped: number } };
      off();
      expect(outcome.failed, outcome.message).toBeFalsy();
      const j = toEvalJson(outcome.result.evaluation) as Record<string, unknown> & { ann?: Record<string, unknown> };
      delete j.seconds;
      delete j.ann?.seconds;
      expect(j).toEqual(expected.json);
      expect(outcome.result.skipped).toBe(3);
      // Progress as an ingest reports it: the lines the workers embedded, up to every line.
      expect(events).toContainEqual(expect.objectContaining({ message: 'embedding the file', processed: 204, total: 204 }));
      expect(w.out.slice(from)).toMatch(/evaluate slice 12 \(lines 193-204\)/);
      expect(leftInBlobDir()).toEqual([]);
    } finally {
      await closeEngine();
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      resetConfig();
    }
  }, 300_000);

  it('Ctrl-C removes the slices no worker has taken, exits 130 and leaves no file', async () => {
    const w = worker('c1', 1500);
    await w.waitFor(/ready/, 120_000);
    const ev = distributed([corpus]);
    await w.waitFor(/evaluate slice \d+ \(pairs\) written/, 120_000);
    ev.child.kill('SIGINT');
    const run = await ev.done;
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toMatch(/evaluate cancelled after \d+ of 204 lines were embedded: nothing evaluated/);
    const { Queue } = await import('bullmq');
    const q = new Queue(queue, { connection: { url: redis } });
    try {
      // The slice in hand when Ctrl-C came finished; none is left for a worker to take.
      expect(await q.getJobCounts('waiting', 'delayed', 'active', 'prioritized')).toEqual({ waiting: 0, delayed: 0, active: 0, prioritized: 0 });
    } finally {
      await q.close();
    }
    // Ctrl-C during the images: fewer than the 13 image slices were embedded, no text at all.
    expect([...w.out.matchAll(/evaluate slice (\d+) \(lines/g)].length).toBeLessThan(13);
    expect(w.out).not.toMatch(/text batches/);
    expect(leftInBlobDir()).toEqual([]);
  }, 300_000);
});
