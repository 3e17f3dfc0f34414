/**
 * Ctrl-C during `clipdex ingest` (a real SIGINT to the CLI process): the batch being committed is
 * finished, the indexes are saved, the job ends 'cancelled', the process exits 130 and says how
 * to resume; the database and the indexes agree, and a re-run completes the ingest. A second
 * Ctrl-C quits at once, and the next run still completes.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, makePairsFile, makeTestEnv } from './engine-helpers';

const BIN = path.join(ROOT, 'bin', 'clipdex.mjs');
const t = makeTestEnv('cli-cancel');
afterAll(() => t.cleanup());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...t.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  const printed = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => stdout.includes(text) && resolve();
      child.stdout.on('data', check);
      child.on('close', () => reject(new Error(`the process ended before printing "${text}":\n${stdout}\n${stderr}`)));
      check();
    });
  return { child, done, printed };
}
const run = (args: string[]) => start(args).done;

async function counts() {
  const r = await run(['stats', '--json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as {
    database: { images: number; texts: number; links: number; imageVectors: number; textVectors: number };
    index: { image: { count: number }; text: { count: number } };
    jobs: { status: string; message: string | null }[];
  };
}

describe('Ctrl-C during clipdex ingest', { timeout: 400_000 }, () => {
  it('stops after the current batch, keeps it consistent, exits 130, and a re-run completes', async () => {
    const corpus = await makePairsFile(t.dataDir, 40, 'cancel.tsv');
    const args = ['ingest', corpus, '--dataset', 'cancel', '--batch-size', '4'];
    // The test hook pauses after batch 2 (a Ctrl-C ends the pause), so the SIGINT lands mid-ingest.
    const p = start([...args, '--json'], { CLIPDEX_TEST_PAUSE_AFTER_BATCH: '2' });
    await p.printed('batch 2 committed');
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/cancelled after 8 records: 8 images, 8 texts, 8 links added/);
    expect(r.stderr).toMatch(/run the same command again to finish/);
    expect(JSON.parse(r.stdout.slice(r.stdout.indexOf('{')))).toMatchObject({ records: 8, images: 8, cancelled: true, datasetStatus: 'failed' });

    const c1 = await counts();
    expect(c1.database).toMatchObject({ images: 8, texts: 8, links: 8, imageVectors: 8, textVectors: 8 });
    expect(c1.index.image.count).toBe(8);
    expect(c1.index.text.count).toBe(8);
    expect(c1.jobs[0]).toMatchObject({ status: 'cancelled' });
    const ds = JSON.parse((await run(['datasets', 'list', '--json'])).stdout) as { name: string; status: string; images: number }[];
    expect(ds.find((d) => d.name === 'cancel')).toMatchObject({ status: 'failed', images: 8 });

    const again = await run([...args, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ images: 32, duplicates: 8, datasetStatus: 'ready' });
    const c2 = await counts();
    expect(c2.database).toMatchObject({ images: 40, texts: 40, links: 40, imageVectors: 40, textVectors: 40 });
    expect(c2.index.image.count).toBe(40);
    expect(c2.index.text.count).toBe(40);
  });

  it('a second Ctrl-C quits at once with 130; the next run completes the ingest', async () => {
    const corpus = await makePairsFile(t.dataDir, 24, 'twice.tsv');
    const before = (await counts()).database.imageVectors;
    const args = ['ingest', corpus, '--dataset', 'twice', '--batch-size', '4'];
    // Held in the test pause after batch 1: the first Ctrl-C cannot finish, so only the second ends it.
    const p = start(args, { CLIPDEX_TEST_PAUSE_AFTER_BATCH: '1', CLIPDEX_TEST_PAUSE_HOLD: '1' });
    await p.printed('batch 1 committed');
    p.child.kill('SIGINT');
    await new Promise<void>((resolve) => p.child.stderr.on('data', (d: Buffer) => String(d).includes('press Ctrl-C again') && resolve()));
    const t0 = Date.now();
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/stopped at once/);
    expect(Date.now() - t0).toBeLessThan(20_000); // not the 60 s pause

    const again = await run([...args, '--json']);
    expect(again.code, again.stderr).toBe(0);
    const c = await counts();
    expect(c.database.imageVectors).toBe(before + 24);
    expect(c.index.image.count).toBe(before + 24);
    expect(c.index.text.count).toBe(c.database.textVectors);
  });
});
