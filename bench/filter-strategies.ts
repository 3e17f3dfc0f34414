/**
 * Filtered search strategies (issue 13, target 3), measured at a size this machine builds in
 * minutes, to choose what to build at 1M: the same HNSW index (the addon clipdex loads: x86-64-v3
 * where the CPU allows), clustered unit vectors and queries drawn like them, and a "dataset" filter
 * that passes ½ (every other label) or 1/100 (one contiguous block) of the labels. k = 10.
 *
 * - `callback`: what clipdex does today — hnswlib's filter calls a JavaScript function per
 *   candidate, at the configured ef;
 * - `post-filter`: no callback; the unfiltered search asks for k / fraction × 2 neighbours (ef at
 *   least that), and the first k that pass are kept;
 * - `brute force`: hnswlib's native BruteforceSearch over the passing vectors only (a per-dataset
 *   exact index, built once, kept in memory).
 * Recall@10 is against exact search over the passing vectors; latency per query, p50 and p99 of
 * --nq queries after a warm-up.
 *
 *   npx tsx bench/filter-strategies.ts [--n 100000] [--dim 512] [--nq 1000] [--clusters n/100]
 */
import { getConfig } from '../lib/config';
import { hnswlibChoice } from '../lib/index/hnswlib-module';
import { printFooter, printHeader } from './shared/machine';
import { fmt, parseArgs, percentile, table } from './shared/stats';

const args = parseArgs(process.argv.slice(2));
const n = Number(args.get('n') ?? 100_000);
const dim = Number(args.get('dim') ?? 512);
const nq = Number(args.get('nq') ?? 1000);
const k = 10;
const { m, efConstruction, efSearch } = getConfig().hnsw;
const { module: hnswlib, variant } = hnswlibChoice();

printHeader('Filtered search strategies — bench/filter-strategies.ts', ['hnswlib-node']);
console.log(`- ${n.toLocaleString('en')} clustered unit vectors × ${dim} (see the source), M ${m}, efConstruction ${efConstruction}, ef ${efSearch} (clipdex's defaults), hnswlib addon: ${variant}; ${nq} queries, k ${k}\n`);

// A small deterministic generator: the same vectors every run.
let seed = 12345;
const rand = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
const unit = (v: Float32Array) => {
  let s = 0;
  for (const x of v) s += x * x;
  const r = 1 / Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i] *= r;
  return v;
};
// Clustered, as embeddings are (uniform random vectors in 512 dimensions have no neighbours worth
// the name): `clusters` random centres, each vector a centre plus noise of the same norm × 0.7
// (cosine ≈ 0.82 to its centre, ≈ 0.67 between two of a cluster); queries are new points of the
// same kind, so the labels of a filter are spread over the clusters.
const clusters = Number(args.get('clusters') ?? Math.max(10, Math.round(n / 100)));
const centres = Array.from({ length: clusters }, () => unit(Float32Array.from({ length: dim }, gauss)));
const sigma = 0.7 / Math.sqrt(dim);
const point = () => unit(Float32Array.from(centres[Math.floor(rand() * clusters)], (x) => x + sigma * gauss()));
const data = Array.from({ length: n }, point);
const queries = Array.from({ length: nq }, point);

const t0 = performance.now();
const index = new hnswlib.HierarchicalNSW('ip', dim);
index.initIndex({ maxElements: n, m, efConstruction, randomSeed: 100 });
for (let i = 0; i < n; i++) index.addPoint(Array.from(data[i]), i);
index.setEf(efSearch);
console.log(`built in ${fmt((performance.now() - t0) / 1000)} s\n`);

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

const filters = [
  { name: '½ (every other label)', fraction: 1 / 2, pass: (l: number) => l % 2 === 0 },
  { name: '1/100 (one block)', fraction: 1 / 100, pass: (l: number) => l < n / 100 },
];

const rows: (string | number)[][] = [];
for (const f of filters) {
  const allowed = Array.from({ length: n }, (_, i) => i).filter(f.pass);
  // exact answers over the passing vectors
  const truth = queries.map((q) => {
    const scored = allowed.map((l) => [l, dot(q, data[l])] as const);
    scored.sort((a, b) => b[1] - a[1]);
    return new Set(scored.slice(0, k).map(([l]) => l));
  });
  const brute = new hnswlib.BruteforceSearch('ip', dim);
  brute.initIndex(allowed.length);
  for (const l of allowed) brute.addPoint(Array.from(data[l]), l);

  const strategies: { name: string; search: (q: number[]) => number[] }[] = [
    {
      name: 'callback (today)',
      search: (q) => {
        index.setEf(efSearch);
        return index.searchKnn(q, k, f.pass).neighbors;
      },
    },
    {
      name: 'post-filter',
      search: (q) => {
        const want = Math.min(n, Math.ceil((k / f.fraction) * 2));
        index.setEf(Math.max(efSearch, want));
        return index.searchKnn(q, want).neighbors.filter(f.pass).slice(0, k);
      },
    },
    { name: 'brute force (native, passing vectors only)', search: (q) => brute.searchKnn(q, k).neighbors },
  ];
  for (const s of strategies) {
    const qs = queries.map((q) => Array.from(q));
    for (let i = 0; i < Math.min(100, nq); i++) s.search(qs[i]); // warm-up
    const times: number[] = [];
    let hits = 0;
    qs.forEach((q, i) => {
      const t = performance.now();
      const got = s.search(q);
      times.push(performance.now() - t);
      for (const l of got) if (truth[i].has(l)) hits++;
    });
    rows.push([f.name, s.name, fmt(percentile(times, 50), 3), fmt(percentile(times, 99), 3), fmt(hits / (nq * k), 4)]);
  }
  index.setEf(efSearch);
}
// and the unfiltered search, for scale
{
  const qs = queries.map((q) => Array.from(q));
  const times = qs.map((q) => {
    const t = performance.now();
    index.searchKnn(q, k);
    return performance.now() - t;
  });
  rows.push(['none', 'unfiltered', fmt(percentile(times, 50), 3), fmt(percentile(times, 99), 3), '–']);
}
console.log(table(['filter passes', 'strategy', 'p50 ms', 'p99 ms', 'recall@10'], rows));
printFooter();
