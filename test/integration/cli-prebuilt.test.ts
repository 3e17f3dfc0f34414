/**
 * The prebuilt CLI (scripts/build-cli.mjs → dist/, run by `npm install`) and the launcher's choice
 * (bin/prebuilt.mjs): the bundle is used only while no source it was built from changed, it
 * answers like the TypeScript through tsx, and its start-up code imports none of the heavy
 * packages (onnxruntime, sharp, Prisma, hnswlib): `--help` must not load them (issue 13).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshBuild } from '../../bin/prebuilt.mjs';
import { ROOT } from './engine-helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-prebuilt-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function fakeBuild(builtAt: number, inputs: string[]) {
  fs.mkdirSync(path.join(tmp, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'dist', 'build.json'), JSON.stringify({ builtAt, inputs }));
}

describe('freshBuild (bin/prebuilt.mjs)', () => {
  it('uses the bundle only while every source it lists is older than the build', () => {
    expect(freshBuild(tmp)).toBeUndefined(); // no build
    fs.mkdirSync(path.join(tmp, 'cli'), { recursive: true });
    const src = path.join(tmp, 'cli', 'main.ts');
    fs.writeFileSync(src, '');
    const t = Date.now() / 1000;
    fs.utimesSync(src, t - 100, t - 100);
    fakeBuild((t - 50) * 1000, ['cli/main.ts']);
    expect(freshBuild(tmp)).toBe(path.join(tmp, 'dist', 'cli.mjs'));
    expect(freshBuild(tmp, { CLIPDEX_NO_PREBUILT: '1' })).toBeUndefined();
    fs.utimesSync(src, t - 10, t - 10); // edited after the build: stale
    expect(freshBuild(tmp)).toBeUndefined();
    fakeBuild(t * 1000, ['cli/main.ts', 'cli/gone.ts']); // a listed file removed
    expect(freshBuild(tmp)).toBeUndefined();
    fakeBuild(t * 1000, []);
    expect(freshBuild(tmp)).toBeUndefined();
  });
});

describe('scripts/build-cli.mjs', { timeout: 120_000 }, () => {
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-cli.mjs'), '--quiet'], { cwd: ROOT, encoding: 'utf8' });

  it('builds a bundle the launcher picks, answering like the TypeScript', () => {
    expect(build.status, build.stderr).toBe(0);
    expect(build.stderr).not.toMatch(/could not prebuild/);
    expect(freshBuild(ROOT)).toBe(path.join(ROOT, 'dist', 'cli.mjs'));
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, [path.join(ROOT, 'bin', 'clipdex.mjs'), 'search', '--help'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
    const prebuilt = run({});
    const tsx = run({ CLIPDEX_NO_PREBUILT: '1' });
    expect(prebuilt.status).toBe(0);
    expect(prebuilt.stdout).toMatch(/^Usage: clipdex search/);
    expect(prebuilt.stdout).toBe(tsx.stdout);
  });

  it('loads no heavy package at start-up: they sit behind dynamic import()', () => {
    // The static import closure of dist/cli.mjs: what `clipdex --help` evaluates. CommonJS packages
    // come through require() in the bundle (scripts/build-cli.mjs, require-cjs): those count too.
    const seen = new Set<string>();
    const packages = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = fs.readFileSync(file, 'utf8');
      for (const m of src.matchAll(/^import\s(?:[^;]*?\sfrom\s*)?["']([^"']+)["'];?/gms)) {
        if (m[1].startsWith('.')) walk(path.resolve(path.dirname(file), m[1]));
        else packages.add(m[1]);
      }
      for (const m of src.matchAll(/__require\(["']([^"']+)["']\)/g)) packages.add(m[1]);
    };
    walk(path.join(ROOT, 'dist', 'cli.mjs'));
    expect(packages.has('commander')).toBe(true); // the walk sees imports at all (commander through require)
    expect(packages.has('node:module')).toBe(true);
    const heavy = [...packages].filter((p) => /^(onnxruntime-node|sharp|@prisma\/|hnswlib-node|better-sqlite3|pg|@huggingface\/|zod)/.test(p));
    expect(heavy).toEqual([]);
  });
});
