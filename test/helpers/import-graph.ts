/**
 * The project's import graph, read with TypeScript's own pre-processor (static, type-only,
 * re-exports and dynamic `import()` alike), resolved to repo-relative files: the architecture
 * tests check its direction and that it has no cycles.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Every .ts/.tsx file under `dir` (repo-relative), without generated code. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const r = path.posix.join(rel, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'generated') walk(r);
      } else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(r);
    }
  };
  walk(dir);
  return out.sort();
}

/** The import specifiers in a source text, as written (type-only, re-exports and `import()` included). */
export function importsOfSource(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** The import specifiers of one (repo-relative) file. */
export function importsOf(file: string): string[] {
  return importsOfSource(fs.readFileSync(path.join(ROOT, file), 'utf8'));
}

/** A specifier resolved to a repo-relative file, or undefined for a package (`next/link`, `node:fs`). */
export function resolveImport(from: string, spec: string): string | undefined {
  let base: string;
  if (spec.startsWith('@/')) base = spec.slice(2);
  else if (spec.startsWith('.')) base = path.posix.join(path.posix.dirname(from), spec);
  else return undefined;
  for (const cand of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) {
    const abs = path.join(ROOT, cand);
    if (fs.existsSync(abs) && fs.statSync(abs).isFile()) return path.posix.normalize(cand);
  }
  return path.posix.normalize(base); // unresolved: still names where it points
}

/** file → the repo files it imports. */
export function importGraph(files: string[]): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of files) g.set(f, importsOf(f).map((s) => resolveImport(f, s)).filter((t): t is string => t !== undefined));
  return g;
}

/** Each import cycle (a strongly connected component of 2+ files, or a file importing itself), as its files. */
export function findCycles(g: Map<string, string[]>): string[][] {
  // Tarjan's algorithm, iterative over the nodes in order so the result is stable.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (g.get(v) ?? []).includes(v)) cycles.push(comp.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return cycles;
}
