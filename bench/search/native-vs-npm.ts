/**
 * hnswlib-node as npm builds it (SSE) vs the same source with -march=native: index build time,
 * alternating the two builds in one process so both see the same machine load.
 *
 *   npx tsx bench/search/native-vs-npm.ts [--n 20000] [--dim 512] [--rounds 2]
 */
import { printFooter, printHeader } from '../shared/machine';
import { makeGaussian, makeRng, normalize } from '../shared/rng';
import { median, numListArg, parseArgs, table } from '../shared/stats';
import { loadHnswlib } from './engines';

const args = parseArgs(process.argv.slice(2));
const n = numListArg(args, 'n', '20000')[0];
const dim = numListArg(args, 'dim', '512')[0];
const rounds = numListArg(args, 'rounds', '2')[0];
printHeader('hnswlib-node build: npm (SSE) vs -march=native', ['hnswlib-node']);
const g = makeGaussian(makeRng(7));
const vecs: number[][] = [];
for (let i = 0; i < n; i++) {
  const v = new Float32Array(dim);
  for (let j = 0; j < dim; j++) v[j] = g();
  vecs.push(Array.from(normalize(v)));
}
const ms: Record<string, number[]> = { hnswlib: [], 'hnswlib-native': [] };
for (let r = 0; r < rounds; r++) {
  for (const e of ['hnswlib', 'hnswlib-native'] as const) {
    const { HierarchicalNSW } = loadHnswlib(e);
    const h = new HierarchicalNSW('ip', dim);
    h.initIndex({ maxElements: n, m: 16, efConstruction: 200, randomSeed: 100 });
    const t = performance.now();
    for (let i = 0; i < n; i++) h.addPoint(vecs[i], i);
    ms[e].push((performance.now() - t) / n);
  }
}
const a = median(ms.hnswlib), b = median(ms['hnswlib-native']);
console.log(`${n} random unit vectors, dim ${dim}, M=16, efConstruction=200, ${rounds} alternating rounds\n`);
console.log(table(['build', 'ms per insert (median)', 'all rounds', 'speed-up'], [
  ['hnswlib-node (npm, SSE)', a, ms.hnswlib.map((x) => x.toFixed(3)).join(', '), 1],
  ['hnswlib-node -march=native', b, ms['hnswlib-native'].map((x) => x.toFixed(3)).join(', '), a / b],
]));
printFooter();
