/**
 * Ctrl-C during `clipdex ingest` (a real SIGINT to the CLI process): the batch being committed is
 * finished, the indexes are saved, the job ends 'cancelled', the process exits 130 and says how
 * to resume; the database and the indexes agree, and a re-run completes the ingest. A second
 * Ctrl-C quits at once, and the next run still completes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cliStats, expectAllStored, startCli } from '../helpers/cli';
import { makePairsFile, makeTestEnv } from './engine-helpers';

const t = makeTestEnv('cli-cancel');
afterAll(() => t.cleanup());

const start = (args: string[], env: Record<string, string> = {}) => startCli(args, { ...t.env, ...env });
const run = (args: string[]) => start(args).done;
const counts = () => cliStats(t.env);

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
    await expectAllStored(t.env, 40);
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
