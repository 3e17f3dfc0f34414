/**
 * Two processes ingesting into one SQLite data dir at the same time (hostile probe G5): a CLI
 * ingest (`node bin/clipdex.mjs ingest`, a child process) while this process runs an ingest job,
 * as the web server does. Both must finish (busy waits and retried batch transactions), neither
 * dataset may stay 'ingesting', and the engine this process opened before the CLI started must
 * serve the CLI's vectors after a refresh (the catch-up a search runs), without a restart.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../lib/engine';
import { startIngestJob } from '../../lib/ingest';
import { makeImages, makeTestEnv, ROOT } from './engine-helpers';

const t = makeTestEnv('concurrent');
let e: Engine;
const N = 160; // per side: enough batches of 4 that the two writers overlap many times

async function pairsFile(name: string, imgs: Buffer[], tag: string): Promise<string> {
  const file = path.join(t.dataDir, name);
  fs.writeFileSync(file, imgs.map((b, i) => `${tag} caption ${i}\t${b.toString('base64')}\n`).join(''));
  return file;
}

function runCli(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'clipdex.mjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...t.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

beforeAll(async () => {
  e = await t.open();
});
afterAll(() => t.cleanup());

describe('a CLI ingest beside an in-process ingest on the same SQLite data dir', () => {
  it('both finish, no dataset stays ingesting, and the open engine catches up with the other process', async () => {
    const imgs = await makeImages(2 * N, 24);
    const cliFile = await pairsFile('cli.tsv', imgs.slice(0, N), 'cli');
    const webFile = await pairsFile('web.tsv', imgs.slice(N), 'web');
    const imageLabelsBefore = e.indexes.image.size();

    const cli = runCli(['ingest', cliFile, '--dataset', 'cli', '--batch-size', '4', '--no-progress']);
    // Start writing only once the CLI has begun (it needs a few seconds to load), so the two
    // ingests really overlap.
    const deadline = Date.now() + 60_000;
    while (!(await e.db.dataset.findUnique({ where: { name: 'cli' } }))) {
      if (Date.now() > deadline) throw new Error(`the CLI ingest did not start: ${(await Promise.race([cli, Promise.resolve({ out: '(running)' })])).out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const web = await startIngestJob(e, { path: webFile, dataset: 'web', batchSize: 4 });
    const [webOutcome, cliResult] = await Promise.all([web.done, cli]);

    expect(webOutcome, JSON.stringify(webOutcome)).toMatchObject({ result: { images: N } });
    expect(webOutcome.failed ?? false).toBe(false);
    expect(cliResult.code, cliResult.out).toBe(0);
    const datasets = await e.db.dataset.findMany({ orderBy: { name: 'asc' } });
    expect(datasets.map((d) => [d.name, d.status])).toEqual([
      ['cli', 'ready'],
      ['web', 'ready'],
    ]);

    // The CLI's vectors are in the database but not yet in this process's index.
    const modelId = e.model.info.id;
    const cliLabels = (await e.db.imageVector.findMany({ where: { modelId, image: { dataset: { name: 'cli' } } }, select: { id: true } })).map((v) => v.id);
    expect(cliLabels).toHaveLength(N);
    expect(e.indexes.image.size()).toBe(imageLabelsBefore + N);
    expect(cliLabels.filter((l) => e.indexes.image.has(l))).toHaveLength(0);

    // What a search runs first: the catch-up loads exactly the rows it lacks.
    expect(await e.indexes.image.refreshIfStale()).toBe(true);
    expect(await e.indexes.text.refreshIfStale()).toBe(true);
    expect(cliLabels.filter((l) => !e.indexes.image.has(l))).toEqual([]);
    expect(e.indexes.image.size()).toBe(await e.db.imageVector.count({ where: { modelId } }));
    expect(e.indexes.text.size()).toBe(await e.db.textVector.count({ where: { modelId } }));
    const v = await e.db.imageVector.findUniqueOrThrow({ where: { id: cliLabels[7] } });
    const [top] = e.indexes.image.search(new Float32Array(new Uint8Array(v.data).buffer.slice(0)), 1);
    expect(top.label).toBe(cliLabels[7]);
  });

  it('a job whose ingest throws after committing batches leaves its dataset failed, not ingesting (probe G5)', async () => {
    const imgs = await makeImages(12, 20);
    const file = await pairsFile('throws.tsv', imgs, 'throws');
    const job = await startIngestJob(e, { path: file, dataset: 'throws', batchSize: 4 }, {
      onBatchCommitted: (n) => {
        if (n === 2) throw new Error('the disk went away');
      },
    });
    const outcome = await job.done;
    expect(outcome).toMatchObject({ failed: true, message: 'internal error: the disk went away' });
    expect((await e.db.dataset.findUniqueOrThrow({ where: { name: 'throws' } })).status).toBe('failed');
    expect((await e.db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe('failed');
  });

  it('a dataset another process deleted leaves the open index at the next full catch-up', async () => {
    const modelId = e.model.info.id;
    await e.indexes.image.refreshIfStale({ full: true });
    const before = e.indexes.image.size();
    expect(before).toBe(await e.db.imageVector.count({ where: { modelId } }));
    const cli = await runCli(['datasets', 'delete', 'cli']);
    expect(cli.code, cli.out).toBe(0);
    // The per-second check looks for new rows only; rows are counted every 30 s, or now with `full`.
    await e.indexes.image.refreshIfStale();
    expect(e.indexes.image.size()).toBe(before);
    expect(await e.indexes.image.refreshIfStale({ full: true })).toBe(true);
    expect(e.indexes.image.size()).toBe(before - N);
    expect(e.indexes.image.size()).toBe(await e.db.imageVector.count({ where: { modelId } }));
  });
});
