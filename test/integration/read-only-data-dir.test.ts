/**
 * A data dir on a read-only file system (hostile probe D1): the real CLI, as a child process, on
 * a copy of a migrated data dir in a tmpfs remounted read-only. Search, stats and migrate work;
 * a write (ingest) and a never-migrated dir fail with a message that names the directory and says
 * it is read-only, not Prisma's "External error id#0".
 *
 * What it covers: the EROFS path (a read-only mount). It needs root and `mount` (the CI machine
 * and the dev container have both) and is skipped otherwise. A directory that is only chmod'ed
 * (EACCES) takes the same code path after one different errno, but cannot be tested here: root
 * ignores permissions.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCorpus } from '../../lib/ingest';
import { stageUpload } from '../../lib/staged-uploads';
import { makePairsFile, makeTestEnv, ROOT } from './engine-helpers';

const t = makeTestEnv('readonly');
const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-ro-mount-'));
let mounted = false;
function tryMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mnt], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const canMount = tryMount();
mounted = canMount;

function cli(args: string[], dataDir: string) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'clipdex.mjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...t.env, CLIPDEX_DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const roData = path.join(mnt, 'data');
const roEmpty = path.join(mnt, 'empty');
let corpus = '';

beforeAll(async () => {
  if (!canMount) return;
  const e = await t.open();
  corpus = await makePairsFile(t.dataDir, 8);
  await ingestCorpus({ path: corpus, dataset: 'gen', batchSize: 4 }, e);
  await t.close();
  fs.cpSync(t.dataDir, roData, { recursive: true });
  fs.mkdirSync(roEmpty);
  execFileSync('mount', ['-o', 'remount,ro', mnt]);
});
afterAll(async () => {
  if (mounted) execFileSync('umount', [mnt]);
  fs.rmSync(mnt, { recursive: true, force: true });
  await t.cleanup();
});

describe.skipIf(!canMount)('a data dir on a read-only file system', () => {
  it('is really read-only', () => {
    expect(() => fs.writeFileSync(path.join(roData, 'x'), '')).toThrow(/EROFS/);
  });

  it('stats and search still work, saying once that the dir is read-only', () => {
    const stats = cli(['stats', '--json'], roData);
    expect(stats.code, stats.err).toBe(0);
    expect(JSON.parse(stats.out)).toMatchObject({ database: { images: 8, texts: 8 }, index: { image: { count: 8 }, text: { count: 8 } } });
    expect(stats.err).toContain(`the data directory ${roData} is read-only (it is on a read-only file system): opened for reading only`);

    const search = cli(['search', '--text', 'caption 3', '--json'], roData);
    expect(search.code, search.err).toBe(0);
    expect(JSON.parse(search.out).hits).toHaveLength(8);
  });

  it('migrate has nothing to do; an ingest is refused naming the directory', () => {
    const m = cli(['migrate'], roData);
    expect(m.code, m.err).toBe(0);
    expect(m.out).toContain('is up to date');

    const ingest = cli(['ingest', corpus, '--dataset', 'more'], roData);
    expect(ingest.code).not.toBe(0);
    expect(ingest.err).toContain(`the data directory ${roData} is read-only (it is on a read-only file system): clipdex cannot create Job rows there`);
    expect(ingest.err).not.toMatch(/External error|internal error/);
  });

  it('an upload to it is refused saying the dir is read-only, not EROFS', async () => {
    const err = await stageUpload(Readable.from([Buffer.from('a\tb\n')]), { dataDir: roData, maxBytes: 1024, fileName: 'x.tsv' }).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'CONFLICT' });
    expect((err as Error).message).toContain(`the data directory ${roData} is read-only (it is on a read-only file system)`);
    expect((err as Error).message).not.toMatch(/EROFS/);
  });

  it('a read-only dir without a migrated database says so, for stats and for migrate', () => {
    for (const args of [['stats'], ['migrate']]) {
      const r = cli(args, roEmpty);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(new RegExp(`the data directory ${roEmpty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is read-only \\(it is on a read-only file system\\)`));
      expect(r.err).not.toMatch(/External error|internal error/);
    }
  });
});
