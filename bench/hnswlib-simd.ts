/**
 * Issue 13 target 7: hnswlib-node as npm builds it (generic x86-64: SSE kernels) against the same
 * source compiled for higher SIMD levels — -march=x86-64-v3 (AVX2/FMA kernels) and, where the CPU
 * has AVX-512 and `npm install` built it, -march=x86-64-v4 — in one process, interleaved so all
 * see the same machine load: ms per insert (index build) and search latency p50/p99 on ONE index
 * file loaded by every build (same queries, same ef), plus a check that they return the same hits.
 *
 *   npx tsx bench/hnswlib-simd.ts [--simd-dir DIR[,DIR…]] [--n 10000] [--dim 256,512]
 *                                 [--queries 1000] [--ef 768] [--rounds 3]
 *
 * By default the copies `npm install` built (scripts/build-hnswlib-simd.mjs) under
 * node_modules/.cache/clipdex/; `--simd-dir` points at any other builds of it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { MARCH_LEVELS, simdDir } from '../lib/index/hnswlib-module';
import { printFooter, printHeader, ROOT } from './shared/machine';
import { makeGaussian, makeRng, normalize } from './shared/rng';
import { listArg, median, numListArg, parseArgs, percentile, table } from './shared/stats';

type HnswModule = typeof import('hnswlib-node');
const require = createRequire(import.meta.url);
const args = parseArgs(process.argv.slice(2));
const simdDirs = args.has('simd-dir')
  ? listArg(args, 'simd-dir', '').map((d) => path.resolve(ROOT, d))
  : [...MARCH_LEVELS].reverse().map((l) => path.join(ROOT, simdDir(l.march)));
const n = numListArg(args, 'n', '10000')[0];
const dims = numListArg(args, 'dim', '256,512');
const nq = numListArg(args, 'queries', '1000')[0];
const ef = numListArg(args, 'ef', '768')[0];
const rounds = numListArg(args, 'rounds', '3')[0];
const found = simdDirs.filter((d) => fs.existsSync(path.join(d, 'build', 'Release', 'addon.node')));
if (!found.length) {
  console.error(`no SIMD build in ${simdDirs.join(', ')}: run \`node scripts/build-hnswlib-simd.mjs\` (or pass --simd-dir)`);
  process.exit(2);
}
/** The level a build folder was compiled for (its stamp), else the folder's name. */
const levelOf = (d: string): string => {
  try {
    return (JSON.parse(fs.readFileSync(path.join(d, 'ok.json'), 'utf8')) as { march?: string }).march ?? path.basename(d);
  } catch {
    return path.basename(d);
  }
};
const builds: [string, HnswModule][] = [['generic (npm)', require('hnswlib-node') as HnswModule], ...found.map((d) => [levelOf(d), require(path.join(d, 'build', 'Release', 'addon.node')) as HnswModule] as [string, HnswModule])];
printHeader(`hnswlib-node: generic build vs ${builds.slice(1).map(([name]) => `-march=${name}`).join(', ')}`, ['hnswlib-node']);
console.log(`load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}\n`);
/** Build indexes in an order that moves round by round, so none always runs first. */
const orderOf = (r: number): number[] => builds.map((_, i) => (i + r) % builds.length);

function randomUnit(count: number, dim: number, seed: number): number[][] {
  const g = makeGaussian(makeRng(seed));
  const out: number[][] = [];
  for (let i = 0; i < count; i++) {
    const v = new Float32Array(dim);
    for (let j = 0; j < dim; j++) v[j] = g();
    out.push(Array.from(normalize(v)));
  }
  return out;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-bench-simd-'));
const rows: (string | number)[][] = [];
for (const dim of dims) {
  const vecs = randomUnit(n, dim, 7);
  const queries = randomUnit(nq, dim, 11);
  const insertMs: number[][] = builds.map(() => []);
  const file = path.join(tmp, `ip-${dim}.hnsw`);
  for (let r = 0; r < rounds; r++) {
    for (const b of orderOf(r)) {
      const h = new builds[b][1].HierarchicalNSW('ip', dim);
      h.initIndex({ maxElements: n, m: 16, efConstruction: 200, randomSeed: 100 });
      const t = performance.now();
      for (let i = 0; i < n; i++) h.addPoint(vecs[i], i);
      insertMs[b].push((performance.now() - t) / n);
      if (r === 0 && b === 0) h.writeIndexSync(file);
    }
  }
  // Search: the same file in every build, queries in interleaved slices of 50.
  const idx = builds.map(([, m]) => {
    const h = new m.HierarchicalNSW('ip', dim);
    h.readIndexSync(file);
    h.setEf(ef);
    return h;
  });
  const lat: number[][] = builds.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let s = 0; s < nq; s += 50) {
      for (const b of orderOf(r + s / 50)) {
        for (let q = s; q < Math.min(nq, s + 50); q++) {
          const t = performance.now();
          idx[b].searchKnn(queries[q], 10);
          lat[b].push(performance.now() - t);
        }
      }
    }
  }
  const same = builds.map((_, b) => queries.filter((q) => idx[0].searchKnn(q, 10).neighbors.join() === idx[b].searchKnn(q, 10).neighbors.join()).length);
  const ins = insertMs.map(median);
  const p50 = lat.map((l) => percentile(l, 50));
  const p99 = lat.map((l) => percentile(l, 99));
  const ratios = (xs: number[]) => xs.slice(1).map((x) => xs[0] / x);
  rows.push([`${n} × ${dim}`, 'ms per insert (median of rounds)', ...ins, ...ratios(ins)]);
  rows.push(['', `search p50 ms (ef ${ef}, k 10)`, ...p50, ...ratios(p50)]);
  rows.push(['', 'search p99 ms', ...p99, ...ratios(p99)]);
  rows.push(['', 'queries with the generic build\'s top-10', ...same.map((x) => `${x} / ${nq}`), ...same.slice(1).map(() => '')]);
  console.log(`dim ${dim}: insert ms per round ${builds.map(([name], b) => `${name} ${insertMs[b].map((x) => x.toFixed(3)).join(', ')}`).join('; ')}`);
}
console.log(`\nrandom unit vectors, M=16, efConstruction=200, ${rounds} interleaved rounds; ${nq} queries per round\n`);
console.log(table(['index', 'measure', ...builds.map(([name]) => name), ...builds.slice(1).map(([name]) => `generic / ${name}`)], rows));
console.log(`\nload average at end: ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}`);
fs.rmSync(tmp, { recursive: true, force: true });
printFooter();
