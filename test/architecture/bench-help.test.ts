/**
 * `--help` on every bench script (brief: "--help on every command"): each entry point the README,
 * package.json or bench/RESULTS.md tells people to run prints its own header comment and exits
 * before any work. Before, `npx tsx bench/ingest-peer.ts --help` ignored the flag and ran the whole
 * ten-minute benchmark.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { headerComment } from '../../bench/shared/help';
import { importsOf, resolveImport } from '../helpers/import-graph';

const ROOT = path.resolve(__dirname, '../..');

/** bench/… .ts files named after `tsx` in the documents people run benchmarks from. */
function documentedEntryPoints(): string[] {
  const docs = ['README.md', 'package.json', 'bench/RESULTS.md'].map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8')).join('\n');
  const found = new Set<string>();
  for (const m of docs.matchAll(/tsx (bench\/[A-Za-z0-9_/.-]+\.ts)/g)) if (fs.existsSync(path.join(ROOT, m[1]))) found.add(m[1]);
  return [...found].sort();
}

const HELP = 'bench/shared/help.ts';
const CARRIERS = new Set([HELP, 'bench/shared/stats.ts', 'bench/shared/machine.ts']);

describe('bench scripts answer --help', () => {
  it('reads the first doc comment without its marks', () => {
    expect(headerComment('/**\n * Measures X.\n *\n *   npx tsx bench/x.ts [--n 3]\n */\nimport a from "a";\n/** not this */')).toBe('Measures X.\n\n  npx tsx bench/x.ts [--n 3]');
    expect(headerComment('const x = 1;')).toBeUndefined();
  });

  it('every documented entry point imports the --help check (directly or through ./shared/stats or ./shared/machine)', () => {
    const entries = documentedEntryPoints();
    expect(entries.length).toBeGreaterThan(25);
    const without = entries.filter((f) => {
      const deps = importsOf(f).map((s) => resolveImport(f, s));
      return !deps.some((d) => d !== undefined && CARRIERS.has(d));
    });
    expect(without).toEqual([]);
    for (const f of [...CARRIERS].filter((c) => c !== HELP)) expect(importsOf(f)).toContain('./help');
    for (const f of entries) expect(headerComment(fs.readFileSync(path.join(ROOT, f), 'utf8')), f).toBeTruthy();
  });

  it('prints the script header and exits 0 without running the benchmark', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'bench/ingest-peer.ts', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Ingest side by side with the peer pipeline');
    expect(r.stdout).toContain('--repeats');
    expect(r.stdout).not.toContain('## ingest vs the peer pipeline'); // the report's heading: no run began
  });
});
