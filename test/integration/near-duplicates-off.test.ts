/**
 * `clipdex ingest --no-near-duplicates` and CLIPDEX_NEAR_DUPLICATES=0 (a bulk load that leaves the
 * near-duplicate links to a later `clipdex duplicates --rescan`), on real parts: the bundled model,
 * sharp, hnswlib on disk, SQLite, the CLI as a child process. An ingest with the links off adds no
 * link, says so, and takes back the library's "scanned" record (its new images are unchecked);
 * the rescan then groups the copy with its original; `--near-duplicates` beats the setting.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../lib/engine';
import { duplicateGroupsOf } from '../../lib/duplicates';
import { startCli } from '../helpers/cli';
import { demoImages, halfSize, jpeg60, sha256, writePairs } from './duplicates-helpers';
import { makeTestEnv } from './engine-helpers';

const t = makeTestEnv('neardup-off');
let e: Engine;
const originals = demoImages(6);
const ingest = (file: string, dataset: string, args: string[] = [], env: Record<string, string> = {}) =>
  startCli(['ingest', file, '--dataset', dataset, '--no-progress', ...args], { ...t.env, ...env }).done;

beforeAll(async () => {
  const r = await ingest(writePairs(path.join(t.dataDir, 'orig.tsv'), originals.map((o) => ({ caption: o.caption, image: o.png }))), 'orig', ['--json']);
  expect(r.code, r.stderr).toBe(0);
  e = await t.open();
}, 120_000);
afterAll(() => t.cleanup());

async function groupOf(bytes: Buffer): Promise<number | undefined> {
  const img = await e.db.image.findFirstOrThrow({ where: { sha256: sha256(bytes) }, select: { id: true } });
  return (await duplicateGroupsOf(e.db, [img.id], e.model.info.id)).get(img.id)?.groupId;
}

describe('ingest without near-duplicate links', () => {
  it('--no-near-duplicates links nothing, says so, and the library no longer counts as scanned; a rescan links them', async () => {
    // The first ingest into the empty library checked every image: scanned.
    expect(await e.db.duplicateScan.count()).toBe(1);
    const copy = await halfSize(originals[2].png);
    const r = await ingest(writePairs(path.join(t.dataDir, 'copy.tsv'), [{ caption: 'a copy', image: copy }]), 'copies', ['--no-near-duplicates']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/near-duplicates not linked \(clipdex duplicates --rescan links them\)/);
    expect(await groupOf(copy)).toBeUndefined();
    expect(await e.db.duplicateScan.count()).toBe(0);

    const rescan = await startCli(['duplicates', '--rescan', '--json'], t.env).done;
    expect(rescan.code, rescan.stderr).toBe(0);
    expect(await groupOf(copy)).toBeDefined();
    expect(await groupOf(copy)).toBe(await groupOf(originals[2].png));
    expect(await e.db.duplicateScan.count()).toBe(1);
  }, 120_000);

  it('CLIPDEX_NEAR_DUPLICATES=0 does the same (the JSON summary says it); --near-duplicates overrides it; a bad value is refused, naming it', async () => {
    const off = await jpeg60(originals[4].png);
    const r = await ingest(writePairs(path.join(t.dataDir, 'off.tsv'), [{ caption: 'off', image: off }]), 'env-off', ['--json'], { CLIPDEX_NEAR_DUPLICATES: '0' });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ images: 1, nearDuplicatesOff: true });
    expect(await groupOf(off)).toBeUndefined();

    const on = await halfSize(originals[5].png);
    const r2 = await ingest(writePairs(path.join(t.dataDir, 'on.tsv'), [{ caption: 'on', image: on }]), 'flag-on', ['--json', '--near-duplicates'], { CLIPDEX_NEAR_DUPLICATES: 'off' });
    expect(r2.code, r2.stderr).toBe(0);
    expect(JSON.parse(r2.stdout).nearDuplicatesOff).toBeUndefined();
    expect(await groupOf(on)).toBe(await groupOf(originals[5].png));
    expect(await groupOf(on)).toBeDefined();

    const bad = await ingest(writePairs(path.join(t.dataDir, 'bad.tsv'), [{ caption: 'x', image: on }]), 'bad', [], { CLIPDEX_NEAR_DUPLICATES: 'maybe' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/CLIPDEX_NEAR_DUPLICATES: "maybe" is not one of 1, 0, true, false, on, off, yes, no/);
  }, 120_000);
});
