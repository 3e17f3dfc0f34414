/**
 * The one-way core, checked on every run: lib/ has no import cycles (type-only imports count: a
 * cycle of types is still two rooms that cannot be understood apart), and imports run app →
 * components → lib only. The helper is tested on a graph with a known cycle first, so a parser
 * that saw no imports could not pass the real checks vacuously.
 */
import { describe, expect, it } from 'vitest';
import { findCycles, importGraph, importsOf, importsOfSource, resolveImport, sourceFiles } from '../helpers/import-graph';

describe('the import graph', () => {
  it('finds cycles, self-imports included, and nothing in an acyclic graph', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(findCycles(g)).toEqual([['a', 'b', 'c'], ['e']]);
    expect(findCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  it('reads static, type-only, re-export and dynamic imports, and resolves them to files', () => {
    const src = "import type { A } from './a';\nexport { b } from '../b';\nimport './c';\nconst d = await import('@/lib/d');\nimport fs from 'node:fs';";
    expect(importsOfSource(src)).toEqual(['./a', '../b', './c', '@/lib/d', 'node:fs']);
    expect(resolveImport('lib/engine.ts', './jobs')).toBe('lib/jobs/index.ts');
    expect(resolveImport('app/page.tsx', '@/lib/engine')).toBe('lib/engine.ts');
    const g = importGraph(sourceFiles('lib'));
    expect(g.size).toBeGreaterThan(50);
    expect([...g.values()].flat().length).toBeGreaterThan(150);
  });

  it('lib/ has no import cycles', () => {
    const cycles = findCycles(importGraph(sourceFiles('lib')));
    expect(cycles, `import cycles in lib/:\n${cycles.map((c) => c.join(' ↔ ')).join('\n')}`).toEqual([]);
  });

  it('components/ and lib/ never import app/; lib/ never imports next/*, react or components/', () => {
    const bad: string[] = [];
    for (const dir of ['lib', 'components']) {
      for (const f of sourceFiles(dir)) {
        for (const spec of importsOf(f)) {
          const target = resolveImport(f, spec);
          if (target?.startsWith('app/')) bad.push(`${f} imports ${spec}`);
          if (dir === 'lib' && (target?.startsWith('components/') || /^(next|react|react-dom)(\/|$)/.test(spec))) bad.push(`${f} imports ${spec}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
