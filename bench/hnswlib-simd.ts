/**
 * Issue 13 target 7: hnswlib-node as npm builds it (generic x86-64: SSE kernels) against the same
 * source compiled with -march=x86-64-v3 (AVX2/FMA kernels), in one process, interleaved so both
 * see the same machine load: ms per insert (index build) and search latency p50/p99 on ONE index
 * file loaded by both builds (same queries, same ef), plus a check that both return the same hits.
 *
 *   npx tsx bench/hnswlib-simd.ts [--simd-dir node_modules/.cache/clipdex/hnswlib-x86-64-v3] [--n 10000] [--dim 256,512]
 *                                 [--queries 1000] [--ef 768] [--rounds 3]
 *
 * The x86-64-v3 copy is what `npm install` builds when the CPU supports it
 * (scripts/build-hnswlib-simd.mjs); `--simd-dir` points at any other build of it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { SIMD_DIR } from '../lib/index/hnswlib-module';
import { printFooter, printHeader, ROOT } from './shared/machine';
import { makeGaussian, makeRng, normalize } from './shared/rng';
import { median, numListArg, parseArgs, percentile, table } from './shared/stats';

type HnswModule = typeof import('hnswlib-node');
const require = createRequire(import.meta.url);
const args = parseArgs(process.argv.slice(2));
const simdDir = path.resolve(ROOT, args.get('simd-dir') ?? SIMD_DIR);
const n = numListArg(args, 'n', '10000')[0];
const dims = numListArg(args, 'dim', '256,512');
const nq = numListArg(args, 'queries', '1000')[0];
const ef = numListArg(args, 'ef', '768')[0];
const rounds = numListArg(args, 'rounds', '3')[0];
if (!fs.existsSync(path.join(simdDir, 'build', 'Release', 'addon.node'))) {
  console.error(`no x86-64-v3 build in ${simdDir}: run \`node scripts/build-hnswlib-simd.mjs\` (or pass --simd-dir)`);
  process.exit(2);
}
const builds: [string, HnswModule][] = [
  ['generic (npm)', require('hnswlib-node') as HnswModule],
  ['x86-64-v3', require(path.join(simdDir, 'build', 'Release', 'addon.node')) as HnswModule],
];
printHeader('hnswlib-node: generic build vs -march=x86-64-v3', ['hnswlib-node']);
console.log(`load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}\n`);

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
    // Alternate the order each round so neither build always runs first.
    for (const b of r % 2 ? [1, 0] : [0, 1]) {
      const h = new builds[b][1].HierarchicalNSW('ip', dim);
      h.initIndex({ maxElements: n, m: 16, efConstruction: 200, randomSeed: 100 });
      const t = performance.now();
      for (let i = 0; i < n; i++) h.addPoint(vecs[i], i);
      insertMs[b].push((performance.now() - t) / n);
      if (r === 0 && b === 0) h.writeIndexSync(file);
    }
  }
  // Search: the same file in both builds, queries in interleaved slices of 50.
  const idx = builds.map(([, m]) => {
    const h = new m.HierarchicalNSW('ip', dim);
    h.readIndexSync(file);
    h.setEf(ef);
    return h;
  });
  const lat: number[][] = builds.map(() => []);
  let same = 0;
  for (let r = 0; r < rounds; r++) {
    for (let s = 0; s < nq; s += 50) {
      for (const b of (r + s / 50) % 2 ? [1, 0] : [0, 1]) {
        for (let q = s; q < Math.min(nq, s + 50); q++) {
          const t = performance.now();
          idx[b].searchKnn(queries[q], 10);
          lat[b].push(performance.now() - t);
        }
      }
    }
  }
  for (let q = 0; q < nq; q++) {
    const a = idx[0].searchKnn(queries[q], 10).neighbors.join();
    if (a === idx[1].searchKnn(queries[q], 10).neighbors.join()) same++;
  }
  const [ga, va] = [median(insertMs[0]), median(insertMs[1])];
  const [g50, v50, g99, v99] = [percentile(lat[0], 50), percentile(lat[1], 50), percentile(lat[0], 99), percentile(lat[1], 99)];
  rows.push([`${n} × ${dim}`, 'ms per insert (median of rounds)', ga, va, ga / va]);
  rows.push(['', `search p50 ms (ef ${ef}, k 10)`, g50, v50, g50 / v50]);
  rows.push(['', 'search p99 ms', g99, v99, g99 / v99]);
  rows.push(['', 'queries with identical top-10', `${same} / ${nq}`, '', '']);
  console.log(`dim ${dim}: insert ms per round generic ${insertMs[0].map((x) => x.toFixed(3)).join(', ')}; x86-64-v3 ${insertMs[1].map((x) => x.toFixed(3)).join(', ')}`);
}
console.log(`\nrandom unit vectors, M=16, efConstruction=200, ${rounds} interleaved rounds; ${nq} queries per round\n`);
console.log(table(['index', 'measure', 'generic', 'x86-64-v3', 'generic / v3'], rows));
console.log(`\nload average at end: ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}`);
fs.rmSync(tmp, { recursive: true, force: true });
printFooter();
