/**
 * Dataset names at the CLI (hostile probe P5): `clipdex ingest --dataset` and `clipdex datasets
 * delete` apply lib/datasets' one rule, refusing a path-like, control-character or huge name
 * with exit 2 and a message saying why, before anything is created; a legitimate name with `%`
 * works end to end.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CORPUS, ROOT, makeTestEnv } from './engine-helpers';

const BIN = path.join(ROOT, 'bin', 'clipdex.mjs');
const t = makeTestEnv('cli-names');
afterAll(() => t.cleanup());

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...t.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const PAIRS = path.join(CORPUS, 'pairs.tsv');

describe('clipdex dataset names', { timeout: 300_000 }, () => {
  it('refuses ../../etc, a 10 KB name and a control character with exit 2 and a clear message, creating nothing', async () => {
    const cases: [string, RegExp][] = [
      ['../../etc', /dataset name "\.\.\/\.\.\/etc" contains a slash/],
      ['x'.repeat(10 * 1024), /10240 characters long; at most 100 are allowed/],
      ['a\x01b', /contains U\+0001 at position 2; control and text-direction characters are not allowed/],
      ['   ', /the dataset name is empty/],
    ];
    for (const [name, message] of cases) {
      const r = await run(['ingest', PAIRS, '--dataset', name, '--no-progress']);
      expect(r.code, JSON.stringify(name.slice(0, 20))).toBe(2);
      expect(r.stderr).toMatch(message);
      // commander echoes the refused argument: never raw control characters, never 10 KB of it
      expect(r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
      expect(r.stderr.length).toBeLessThan(1000);
    }
    const del = await run(['datasets', 'delete', 'a\x1b[2Jb']);
    expect(del.code).toBe(2);
    expect(del.stderr).toMatch(/ESC at position 2/);

    const list = await run(['datasets', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('ingests and deletes "100% cotton" by its literal name, leaving "cotton" alone', async () => {
    for (const name of ['100% cotton', 'cotton']) {
      const r = await run(['ingest', PAIRS, '--dataset', name, '--no-progress', '--json']);
      expect(r.code, r.stderr).toBe(0);
    }
    const del = await run(['datasets', 'delete', '100% cotton']);
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout).toMatch(/deleted dataset "100% cotton"/);
    const names = (JSON.parse((await run(['datasets', 'list', '--json'])).stdout) as { name: string }[]).map((d) => d.name);
    expect(names).toEqual(['cotton']);
  });
});
