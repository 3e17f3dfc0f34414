/**
 * `clipdex search` and issue 11 as a user runs it (child processes): --json keeps its shape and adds
 * ocrText and signals, --mode takes both kinds (repeated or comma-separated), --no-collapse, and
 * bad queries (100 KB, only operators, a bad --mode) exit 2 with a message that names the limit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli';
import { makeImages, makeTestEnv } from './engine-helpers';

const t = makeTestEnv('cli-search');
const run = (args: string[]) => startCli(args, t.env).done;
afterAll(() => t.cleanup());

describe('clipdex search (issue 11)', { timeout: 400_000 }, () => {
  beforeAll(async () => {
    const imgs = await makeImages(4);
    const caps = ['一碗红烧牛肉面', 'a box labelled QX-4471', 'a red car', 'a blue bird'];
    const file = path.join(t.dataDir, 'k.tsv');
    fs.writeFileSync(file, caps.map((c, i) => `${c}\t${imgs[i].toString('base64')}\n`).join(''));
    expect((await run(['ingest', file, '--dataset', 'k'])).code).toBe(0);
  });

  it('prints hits with captions and score, plus ocrText and signals; --mode keyword finds a part of a code', async () => {
    const r = await run(['search', '--text', '4471', '--k', '3', '--json', '--mode', 'keyword']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.hits).toHaveLength(1);
    expect(out.hits[0]).toMatchObject({ kind: 'image', captions: ['a box labelled QX-4471'], signals: { keyword: { rank: 1, fields: ['caption'] } } });
    expect(typeof out.hits[0].score).toBe('number');
    expect(out.hits[0]).toHaveProperty('ocrText');
    const hybrid = JSON.parse((await run(['search', '--text', '牛肉', '--k', '2', '--json', '--no-collapse'])).stdout);
    expect(hybrid.hits[0].captions).toEqual(['一碗红烧牛肉面']);
    expect(hybrid.hits[0].signals.semantic.score).toBe(hybrid.hits[0].score);
    const texts = await run(['search', '--text', 'red car', '--mode', 'text', '--mode', 'semantic', '--k', '1']);
    expect(texts.code, texts.stderr).toBe(0);
    expect(texts.stdout).toMatch(/text #\d+/);
  });

  it('exits 2 with the limit on bad queries and modes', async () => {
    // 100 KB on the command line is refused before the engine opens (cli/main.ts, MAX_ARGV_BYTES);
    // a query under that but over the query language's limit gets that limit.
    const huge = await run(['search', '--text', 'x'.repeat(100 * 1024)]);
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(/at most 16384 are accepted/);
    const long = await run(['search', '--text', 'x'.repeat(8 * 1024)]);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/limit is 500/);
    const ops = await run(['search', '--text', '-']);
    expect(ops.code).toBe(2);
    expect(ops.stderr).toMatch(/nothing to search for/);
    const mode = await run(['search', '--text', 'a', '--mode', 'image,text']);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toMatch(/--mode takes image\|text .*hybrid\|semantic\|keyword/);
    expect((await run(['search', '--text', 'a', '--mode', 'fuzzy'])).code).toBe(2);
  });
});
