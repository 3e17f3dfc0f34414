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
 *   exact index, built once, kept in memory: HnswIndex.searchAmong);
 * - `nearest()`: what clipdex now does (lib/search/semantic.ts picks one of the above), after its
 *   first search of the filter has had its brute force built.
 * All through lib/index's HnswIndex, as clipdex searches.
 * Recall@10 is against exact search over the passing vectors; latency per query, p50 and p99 of
 * --nq queries after a warm-up.
 *
 *   npx tsx bench/filter-strategies.ts [--n 100000] [--dim 512] [--nq 1000] [--clusters n/100]
 */
import os from 'node:os';
import path from 'node:path';
import { getConfig } from '../lib/config';
import { HnswIndex } from '../lib/index';
import { hnswlibChoice } from '../lib/index/hnswlib-module';
import { nearest } from '../lib/search/semantic';
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

void hnswlib;
const t0 = performance.now();
const index = HnswIndex.create({ dir: path.join(os.tmpdir(), `clipdex-filter-bench-${process.pid}`), kind: 'image', modelId: 'bench', dim, m, efConstruction, efSearch }, n);
const labelsAll = Array.from({ length: n }, (_, i) => i + 1);
index.add(labelsAll, data);
console.log(`built in ${fmt((performance.now() - t0) / 1000)} s\n`);

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

const filters = [
  { name: '½ (every other label)', fraction: 1 / 2, pass: (l: number) => l % 2 === 0 },
  { name: '1/100 (one block)', fraction: 1 / 100, pass: (l: number) => l <= n / 100 },
];

const rows: (string | number)[][] = [];
for (const f of filters) {
  const allowed = labelsAll.filter(f.pass);
  const allowedSet = new Set(allowed);
  // exact answers over the passing vectors
  const truth = queries.map((q) => {
    const scored = allowed.map((l) => [l, dot(q, data[l - 1])] as const);
    scored.sort((a, b) => b[1] - a[1]);
    return new Set(scored.slice(0, k).map(([l]) => l));
  });
  const key = `bench:${f.name}`;
  index.searchAmong(queries[0], k, allowedSet, key); // starts its brute force
  const tb = performance.now();
  await index.exactReady(key);
  const built = index.searchAmong(queries[0], k, allowedSet, key) !== undefined;
  console.log(
    built
      ? `${f.name}: brute force of ${allowed.length.toLocaleString('en')} vectors built in ${fmt(performance.now() - tb)} ms (off the request)`
      : `${f.name}: no brute force (${allowed.length.toLocaleString('en')} vectors are over HnswIndex's EXACT_CACHE_FLOATS)`,
  );

  const strategies: { name: string; search: (q: Float32Array) => Promise<number[]> | number[] }[] = [
    { name: 'callback (before)', search: (q) => index.search(q, k, f.pass).map((h) => h.label) },
    {
      name: 'post-filter',
      search: (q) => {
        const want = Math.min(n, Math.ceil((k / f.fraction) * 2));
        return index.search(q, want, undefined, want).filter((h) => f.pass(h.label)).slice(0, k).map((h) => h.label);
      },
    },
    ...(built ? [{ name: 'brute force (native, passing vectors only)', search: (q: Float32Array) => index.searchAmong(q, k, allowedSet, key)!.map((h) => h.label) }] : []),
    { name: 'nearest() (what clipdex picks)', search: async (q) => (await nearest(index, q, k, allowedSet, undefined, { key })).map((h) => h.label) },
  ];
  for (const s of strategies) {
    for (let i = 0; i < Math.min(100, nq); i++) await s.search(queries[i]); // warm-up
    const times: number[] = [];
    let hits = 0;
    for (let i = 0; i < nq; i++) {
      const t = performance.now();
      const got = await s.search(queries[i]);
      times.push(performance.now() - t);
      for (const l of got) if (truth[i].has(l)) hits++;
    }
    rows.push([f.name, s.name, fmt(percentile(times, 50), 3), fmt(percentile(times, 99), 3), fmt(hits / (nq * k), 4)]);
  }
}
// and the unfiltered search, for scale
{
  const times = queries.map((q) => {
    const t = performance.now();
    index.search(q, k);
    return performance.now() - t;
  });
  rows.push(['none', 'unfiltered', fmt(percentile(times, 50), 3), fmt(percentile(times, 99), 3), '–']);
}
console.log(table(['filter passes', 'strategy', 'p50 ms', 'p99 ms', 'recall@10'], rows));
printFooter();
