/**
 * The `clipdex` CLI as a user runs it (child processes through bin/clipdex.mjs): --help, exit
 * codes (0 ok, 1 nothing ingested, 2 usage/bad input), the error list and --errors FILE, search
 * --json, datasets list/delete, and a SIGKILL in the middle of an ingest followed by a re-run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliStats, expectAllStored, startCli } from '../helpers/cli';
import { CORPUS, makePairsFile, makeTestEnv } from './engine-helpers';

const t = makeTestEnv('cli');
afterAll(() => t.cleanup());

const start = (args: string[], env: Record<string, string> = {}) => startCli(args, { ...t.env, ...env });
const run = (args: string[], env?: Record<string, string>) => start(args, env).done;
const counts = () => cliStats(t.env);

// Each child process loads the engine (a few seconds on a busy 2-core machine): generous timeouts.
describe('clipdex CLI', { timeout: 400_000 }, () => {
  it('prints help for every command with exit 0', async () => {
    for (const args of [['--help'], ['ingest', '--help'], ['search', '--help'], ['datasets', 'delete', '--help'], ['reindex', '--help']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage: clipdex/);
    }
  });

  it('exits 2 on usage errors', async () => {
    expect((await run(['bogus'])).code).toBe(2);
    expect((await run(['ingest'])).code).toBe(2);
    expect((await run(['ingest', 'x', '--format', 'csv'])).code).toBe(2);
    expect((await run(['ingest', 'x', '--batch-size', '0'])).code).toBe(2);
    const neither = await run(['search', '--k', '3']); // issue 11: --text and --image together refine the image
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/give --text Q, --image PATH, or both/);
  });

  it('ingests good lines, lists the bad ones, writes them all with --errors, exits 0', async () => {
    const errors = path.join(t.dataDir, 'errors.txt');
    const r = await run(['ingest', path.join(CORPUS, 'pairs.tsv'), '--dataset', 'demo', '--errors', errors]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/added\s+3 images, 3 texts, 3 links/);
    expect(r.stderr).toMatch(/^8 lines rejected:$/m);
    expect(r.stderr).toContain('  line 2: column 2 (image) is not valid base64');
    expect(fs.readFileSync(errors, 'utf8').trim().split('\n').map((l) => l.match(/^line (\d+):/)![1])).toEqual(['2', '3', '4', '5', '6', '9', '10', '11']);
    const again = await run(['ingest', path.join(CORPUS, 'pairs.tsv'), '--dataset', 'demo', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ images: 0, texts: 0, links: 0, duplicates: 3 });
  });

  it('exits 1 when nothing could be ingested and 2 when the input does not exist', async () => {
    const bad = path.join(t.dataDir, 'bad.tsv');
    fs.writeFileSync(bad, 'a\tnot*base64\n');
    const r = await run(['ingest', bad, '--format', 'pairs']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 1: column 2 \(image\) is not valid base64/);
    expect(r.stderr).toMatch(/nothing could be ingested/);
    const missing = await run(['ingest', path.join(t.dataDir, 'nope.tsv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/corpus not found/);
  });

  it('searches with --json, and lists and deletes datasets', async () => {
    const s = await run(['search', '--text', 'a red square', '--k', '2', '--json']);
    expect(s.code).toBe(0);
    const r = JSON.parse(s.stdout);
    expect(r.hits).toHaveLength(2);
    expect(r.hits[0]).toMatchObject({ kind: 'image', dataset: 'demo' });
    const byImage = await run(['search', '--image', path.join(CORPUS, 'images', 'rgb-40x30.png'), '--mode', 'text', '--k', '1']);
    expect(byImage.code).toBe(0);
    expect(byImage.stdout).toMatch(/^\s+1\. -?\d\.\d{4}\s+text #\d+\s+\[demo\]/);
    expect((await run(['search', '--text', 'x', '--dataset', 'nope'])).code).toBe(2);
    const list = await run(['datasets', 'list']);
    expect(list.stdout).toMatch(/demo\s+ready\s+pairs\s+3\s+3\s+3/);
    const del = await run(['datasets', 'delete', 'demo']);
    expect(del.code).toBe(0);
    expect(del.stdout).toMatch(/deleted dataset "demo": 3 images, 3 texts, 6 vectors; 3 stored originals removed/);
    expect((await run(['datasets', 'delete', 'demo'])).code).toBe(2);
    const c = await counts();
    expect(c.index.image.count).toBe(0);
  });

  it('a SIGKILL after a committed batch, then a restart and a re-run, leaves everything consistent', async () => {
    const corpus = await makePairsFile(t.dataDir, 40, 'kill.tsv');
    const args = ['ingest', corpus, '--dataset', 'kill', '--batch-size', '4'];
    // Pause after batch 3 commits (before the index is saved) and kill the process there.
    const p = start(args, { CLIPDEX_TEST_PAUSE_AFTER_BATCH: '3' });
    await new Promise<void>((resolve, reject) => {
      p.child.stdout!.on('data', (d: Buffer) => String(d).includes('batch 3 committed') && resolve());
      p.child.on('close', () => reject(new Error('the ingest ended before it was killed')));
    });
    p.child.kill('SIGKILL');
    expect((await p.done).code).toBe(null);

    // The next start repairs the index from the stored vectors and fails the dead job.
    const c1 = await counts();
    expect(c1.database.images).toBe(12);
    expect(c1.database.imageVectors).toBe(12);
    expect(c1.index.image.count).toBe(12);
    expect(c1.index.text.count).toBe(12);
    expect(c1.jobs[0]).toMatchObject({ status: 'failed', message: 'interrupted: the process stopped; run the ingest again to finish it' });
    const ds = JSON.parse((await run(['datasets', 'list', '--json'])).stdout) as { name: string; status: string; images: number }[];
    expect(ds.find((d) => d.name === 'kill')).toMatchObject({ status: 'failed', images: 12 });

    const again = await run([...args, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ images: 28, texts: 28, links: 28, duplicates: 12, datasetStatus: 'ready' });
    await expectAllStored(t.env, 40);
  });

  it('a SIGKILL at an arbitrary moment, then a re-run, completes the ingest', async () => {
    const corpus = await makePairsFile(t.dataDir, 40, 'kill2.tsv');
    const args = ['ingest', corpus, '--dataset', 'kill2', '--batch-size', '4'];
    const p = start(args, { CLIPDEX_TEST_PAUSE_AFTER_BATCH: '1000' });
    await new Promise<void>((resolve) => p.child.stdout!.on('data', (d: Buffer) => String(d).includes('batch 1 committed') && resolve()));
    p.child.kill('SIGKILL'); // wherever the ingest is now: encoding, committing, writing blobs
    await p.done;
    const again = await run([...args, '--json']);
    expect(again.code).toBe(0);
    const c = await counts();
    expect(c.database.imageVectors).toBe(80);
    expect(c.index.image.count).toBe(80);
    expect(c.index.text.count).toBe(c.database.textVectors);
  });

  it('reindex rebuilds both indexes from the stored vectors with nothing to re-embed', async () => {
    const r = await run(['reindex']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^re-embedded 0 images and 0 texts; indexed 80 image and 80 text vectors$/m);
  });
});
