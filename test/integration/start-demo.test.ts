/**
 * `npm start`'s first-run demo ingest (scripts/first-run-demo.mjs, the real CLI as a child
 * process): only exit 0 writes the marker. Before, exit 2 (bad input) counted as done, so a
 * failed demo ingest was never tried again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestDemoOnce } from '../../scripts/first-run-demo.mjs';
import { makePairsFile, makeTestEnv } from './engine-helpers';

const t = makeTestEnv('start-demo');
afterAll(() => t.cleanup());
const marker = () => path.join(t.dataDir, '.demo-ingested');

describe('the first-run demo ingest', () => {
  it('a demo ingest that fails (exit 2) leaves no marker, so the next start tries again', () => {
    const bad = path.join(t.dataDir, 'bad-demo.tsv');
    fs.writeFileSync(bad, 'a caption\tnot base64!!\n');
    const env = { ...process.env, ...t.env, CLIPDEX_DEMO_CORPUS: bad, CLIPDEX_SKIP_DEMO: '' };
    expect(ingestDemoOnce(env, 'ignore')).toBe('failed');
    expect(fs.existsSync(marker())).toBe(false);
    expect(ingestDemoOnce(env, 'ignore')).toBe('failed'); // tried again, not skipped
  });

  it('a demo ingest that succeeds writes the marker once; later starts skip it', async () => {
    const good = await makePairsFile(t.dataDir, 4, 'good-demo.tsv');
    const env = { ...process.env, ...t.env, CLIPDEX_DEMO_CORPUS: good, CLIPDEX_SKIP_DEMO: '' };
    expect(ingestDemoOnce(env, 'ignore')).toBe('done');
    expect(fs.existsSync(marker())).toBe(true);
    expect(ingestDemoOnce(env, 'ignore')).toBe('skipped');
  });
});
