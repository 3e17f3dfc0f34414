/**
 * Issue 13 (target 3): `npm start` gives the web server glibc's huge-page tunable for malloc
 * (scripts/huge-pages.mjs). The environment it builds, and that the tunable really puts an hnswlib
 * graph on huge pages in a process started with it (where the kernel's transparent huge pages are
 * not off).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withHugePages } from '../../scripts/huge-pages.mjs';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('the web server environment for huge pages', () => {
  it('adds the tunable on Linux, after the operator’s own tunables, and never overrides or forces it', () => {
    expect(withHugePages({ PATH: '/bin' }, 'linux')).toEqual({ PATH: '/bin', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
    expect(withHugePages({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'linux').GLIBC_TUNABLES).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
    // the operator's own choice wins, whatever its value
    expect(withHugePages({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, 'linux').GLIBC_TUNABLES).toBe('glibc.malloc.hugetlb=0');
    expect(withHugePages({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2' }, 'linux').GLIBC_TUNABLES).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2');
    expect(withHugePages({ CLIPDEX_HUGE_PAGES: '0' }, 'linux').GLIBC_TUNABLES).toBeUndefined();
    expect(withHugePages({}, 'darwin').GLIBC_TUNABLES).toBeUndefined();
    const env = { A: '1' };
    expect(withHugePages(env, 'linux')).not.toBe(env);
    expect(env).toEqual({ A: '1' });
  });

  const thp = (() => {
    try {
      return /\[(\w+)\]/.exec(fs.readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1];
    } catch {
      return undefined;
    }
  })();
  it.runIf(process.platform === 'linux' && (thp === 'madvise' || thp === 'always'))('an hnswlib graph built in a process started with it sits on huge pages', () => {
    // 8,000 × 512 points: a 17 MB graph, malloc'd by hnswlib in one piece
    const child = `
      const { hnswlibChoice } = await import(${JSON.stringify(path.join(ROOT, 'lib', 'index', 'hnswlib-module.ts'))});
      const h = new (hnswlibChoice().module.HierarchicalNSW)('ip', 512);
      h.initIndex({ maxElements: 8000, m: 8, efConstruction: 16, randomSeed: 1 });
      const v = Array.from({ length: 512 }, (_, i) => Math.sin(i));
      for (let i = 0; i < 8000; i++) { v[i % 512] += 0.5; h.addPoint(v, i); }
      const { readFileSync } = await import('node:fs');
      const kb = Number(/AnonHugePages:\\s+(\\d+)/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))[1]);
      console.log(JSON.stringify({ kb, count: h.getCurrentCount() }));`;
    const run = (env: NodeJS.ProcessEnv) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as { kb: number; count: number };
    };
    const base = { ...process.env };
    delete base.GLIBC_TUNABLES;
    const on = run(withHugePages({ ...base, CLIPDEX_HUGE_PAGES: undefined }, 'linux'));
    expect(on.count).toBe(8000);
    expect(on.kb).toBeGreaterThanOrEqual(8 * 1024); // at least four 2 MiB pages of the graph
    if (thp === 'madvise') expect(run({ ...base, CLIPDEX_HUGE_PAGES: '0' }).kb).toBeLessThan(on.kb);
  });
});
