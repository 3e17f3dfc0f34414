/**
 * Reading commands on a full disk (issue 13, noticed with hostile probe D2): when the index must be
 * repaired at start (here an image deleted by another process while this one was not running), or
 * rebuilt (its files lost), the result is saved. With the disk full, that used to fail the whole
 * command: `clipdex stats` and `clipdex search` exited 1. Now the index serves from memory (a
 * rebuild's file passes through the system temp folder), the command says it was not saved, and
 * the next start with room saves it.
 *
 * The full disk is real: a tmpfs mounted on the data dir's index folder and filled to the last
 * byte (the database stays on the ordinary disk, so SQLite is untouched). It needs root and
 * `mount` (the CI machine and the dev container have both) and is skipped otherwise.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCorpus } from '../../lib/ingest';
import { makePairsFile, makeTestEnv, ROOT } from './engine-helpers';

const t = makeTestEnv('index-full');
const indexDir = path.join(t.dataDir, 'index');
const saved = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-index-saved-'));
let mounted = false;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'clipdex.mjs'), ...args], { cwd: ROOT, env: { ...process.env, ...t.env }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Writes to `file` until the file system refuses (ENOSPC). */
function fill(file: string): void {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
  // The last partial page too.
  const fd2 = fs.openSync(file, 'a');
  try {
    for (;;) fs.writeSync(fd2, Buffer.alloc(512, 1));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd2);
  }
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) return;
  const e = await t.open();
  await ingestCorpus({ path: await makePairsFile(t.dataDir, 8), dataset: 'gen', batchSize: 4 }, e);
  await t.close();
  // The saved index moves onto its own small file system.
  fs.cpSync(indexDir, saved, { recursive: true });
  fs.rmSync(indexDir, { recursive: true });
  fs.mkdirSync(indexDir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', indexDir], { stdio: 'ignore' });
    mounted = true;
  } catch {
    fs.cpSync(saved, indexDir, { recursive: true });
    return;
  }
  fs.cpSync(saved, indexDir, { recursive: true });
  // Another process deleted an image meanwhile (its vectors go with it): the index has one too many.
  const db = new Database(path.join(t.dataDir, 'clipdex.db'));
  db.pragma('foreign_keys = ON');
  db.prepare('DELETE FROM "Image" WHERE id = (SELECT MIN(id) FROM "Image")').run();
  db.close();
  fill(path.join(indexDir, 'filler'));
}, 120_000);

afterAll(async () => {
  if (mounted) execFileSync('umount', [indexDir]);
  fs.rmSync(saved, { recursive: true, force: true });
  await t.cleanup();
});

describe.skipIf(process.getuid?.() !== 0)('a repaired index on a full disk', () => {
  it('stats and search work from memory and say the repair was not saved; with room, the next start saves it', () => {
    expect(mounted, 'mount a tmpfs (root and mount are needed)').toBe(true);
    const stats = cli(['stats', '--json']);
    expect(stats.code, stats.err).toBe(0);
    expect(stats.err).toMatch(/index\/image: repaired in memory but not saved: the disk that holds clipdex's data is full/);
    const s = JSON.parse(stats.out);
    expect(s.database.images).toBe(7);
    expect(s.index.image.count).toBe(7);

    const search = cli(['search', '--text', 'caption', '--json']);
    expect(search.code, search.err).toBe(0);
    expect(JSON.parse(search.out).hits.length).toBeGreaterThan(0);

    fs.rmSync(path.join(indexDir, 'filler'));
    const again = cli(['stats', '--json']);
    expect(again.code, again.err).toBe(0);
    expect(again.err).toMatch(/index\/image: 1 vectors in the index are no longer in the database: marked deleted/);
    expect(again.err).not.toMatch(/not saved/);
    const third = cli(['stats', '--json']);
    expect(third.code, third.err).toBe(0);
    expect(third.err).not.toMatch(/index\/image/); // saved: nothing left to repair
  });

  it('an index lost on a full disk is rebuilt through the system temp folder and served from memory', () => {
    expect(mounted).toBe(true);
    for (const f of fs.readdirSync(indexDir)) if (f.startsWith('image')) fs.rmSync(path.join(indexDir, f));
    fill(path.join(indexDir, 'filler'));
    const stats = cli(['stats', '--json']);
    expect(stats.code, stats.err).toBe(0);
    expect(stats.err).toMatch(/index\/image: rebuilt in memory but not saved: the disk that holds clipdex's data is full/);
    expect(JSON.parse(stats.out).index.image.count).toBe(7);
    const search = cli(['search', '--text', 'caption', '--json']);
    expect(search.code, search.err).toBe(0);
    expect(JSON.parse(search.out).hits.length).toBeGreaterThan(0);
    expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('image-rebuild.tmp-'))).toEqual([]);
    expect(fs.readdirSync(indexDir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    fs.rmSync(path.join(indexDir, 'filler'));
    const again = cli(['stats', '--json']);
    expect(again.code, again.err).toBe(0);
    expect(again.err).not.toMatch(/not saved/);
    expect(fs.readdirSync(indexDir).some((f) => /^image-\d+\.hnsw$/.test(f))).toBe(true);
  });
});
