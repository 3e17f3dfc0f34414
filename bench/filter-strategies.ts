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
 *   npx tsx bench/filter-strategies.ts [--n 100000] [--dim 512] [--nq 1000] [--nq-callback nq] [--clusters n/100] [--ef 128,256] [--cache]
 *
 * The index is built as a rebuild builds it (HnswIndex.rebuild: the parallel builder npm install
 * compiles, every core), and its time is printed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getConfig } from '../lib/config';
import { CATCH_UP_INTERVAL_MS, FULL_CHECK_INTERVAL_MS, HnswIndex, readManifest } from '../lib/index';
import { hnswlibChoice } from '../lib/index/hnswlib-module';
import { nearest } from '../lib/search/semantic';
import { clusteredVectors, exactTopK, pagesOf } from './shared/clustered';
import { CACHE, printFooter, printHeader } from './shared/machine';
import { fmt, numListArg, parseArgs, percentile, table } from './shared/stats';

const args = parseArgs(process.argv.slice(2));
const n = Number(args.get('n') ?? 100_000);
const dim = Number(args.get('dim') ?? 512);
const nq = Number(args.get('nq') ?? 1000);
const k = 10;
const { m, efConstruction, efSearch } = getConfig().hnsw;
const { module: hnswlib, variant } = hnswlibChoice();

printHeader('Filtered search strategies — bench/filter-strategies.ts', ['hnswlib-node']);
console.log(`- ${n.toLocaleString('en')} clustered unit vectors × ${dim} (see the source), M ${m}, efConstruction ${efConstruction}, ef ${efSearch} (clipdex's defaults), hnswlib addon: ${variant}; ${nq} queries, k ${k}\n`);

const clusterArg = args.get('clusters');
const { data, queries, more } = clusteredVectors(n, dim, nq, clusterArg ? Number(clusterArg) : undefined, 200);
// HnswIndex.rebuild calibrates its ef on 200 other queries drawn the same way (as clipdex's rebuild does on sampled vectors)
// The callback is slow on small filters (~80 ms a query at 100k): fewer of its queries at 1M.
const nqCallback = Math.min(nq, Number(args.get('nq-callback') ?? nq));
// --ef 128,256,…: also the post-filter and the unfiltered search at these ef (the configured one always)
const efs = [...new Set([efSearch, ...numListArg(args, 'ef', String(efSearch))])].sort((a, b) => a - b);

void hnswlib;
// --cache: the index is kept in bench/.cache (a saved generation, as a rebuild saves it) and a
// later run with the same --n/--dim loads it instead of building it again
const cacheDir = args.has('cache') ? path.join(CACHE, `filter-index-${n}-${dim}`) : undefined;
const params = { dir: cacheDir ?? path.join(os.tmpdir(), `clipdex-filter-bench-${process.pid}`), kind: 'image' as const, modelId: 'bench', dim, m, efConstruction, efSearch, readOnly: !cacheDir };
const labelsAll = Array.from({ length: n }, (_, i) => i + 1);
const cached = cacheDir ? await readManifest(cacheDir, 'image') : undefined;
let index: HnswIndex;
if (cached?.ok && cached.manifest.count === n) {
  index = await HnswIndex.load(params);
  console.log(`loaded the index an earlier run built and saved (${cacheDir}, saved ${cached.manifest.savedAt})`);
  const c = index.describeCalibration();
  console.log(c ? `calibrated ef ${c.ef} (recall@${c.k} ${fmt(c.recall, 4)} on ${c.queries} sample queries)\n` : `no calibration: ef ${index.efSearch}\n`);
} else {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  // built as a rebuild builds it (the parallel builder where npm install compiled it) and, with --cache, saved as it saves
  index = HnswIndex.create(params);
  const built = await index.rebuild(pagesOf(labelsAll, data), n, undefined, { calibrate: more });
  const cpu = process.cpuUsage(cpu0);
  console.log(`built${cacheDir ? ' and saved' : ''} in ${fmt((performance.now() - t0) / 1000)} s (${built.way}, ${built.threads} thread(s), ${fmt((cpu.user + cpu.system) / 1e6)} CPU-s, calibration included)`);
  const c = built.calibration;
  console.log(
    c
      ? `calibrated ef ${c.ef} (recall@${c.k} ${fmt(c.recall, 4)} on ${c.queries} sample queries; swept: ${c.sweep.map(([ef, r]) => `${ef} → ${fmt(r, 4)}`).join(', ')}); searches now run at ef ≥ ${index.efSearch}\n`
      : `no calibration (${built.way} build): ef ${index.efSearch}\n`,
  );
}
// as in a server (openIndexes): before a search, at most one catch-up a second (here nothing to catch up)
index.follow({ catchUp: async () => ({ behind: false }), intervalMs: CATCH_UP_INTERVAL_MS, fullIntervalMs: FULL_CHECK_INTERVAL_MS });

const filters = [
  { name: '½ (every other label)', fraction: 1 / 2, pass: (l: number) => l % 2 === 0 },
  { name: '1/100 (one block)', fraction: 1 / 100, pass: (l: number) => l <= n / 100 },
];

// exact answers over the passing vectors (and over all, for the unfiltered rows), all computed
// before any timing; kept in bench/.cache, keyed by the generator's arguments
const truthFile = path.join(CACHE, `filter-truth-${n}-${dim}-${nq}-${clusterArg ?? 'default'}.json`);
let truths: Record<string, number[][]>;
try {
  truths = JSON.parse(fs.readFileSync(truthFile, 'utf8'));
} catch {
  const t = performance.now();
  truths = Object.fromEntries(
    [...filters.map((f) => [f.name, labelsAll.filter(f.pass)] as const), ['none', labelsAll] as const].map(([name, among]) => [name, queries.map((q) => [...exactTopK(q, data, among, k)])]),
  );
  fs.mkdirSync(CACHE, { recursive: true });
  fs.writeFileSync(truthFile, JSON.stringify(truths));
  console.log(`exact answers computed in ${fmt((performance.now() - t) / 1000)} s (kept in ${truthFile})\n`);
}

const rows: (string | number)[][] = [];
for (const f of filters) {
  const allowed = labelsAll.filter(f.pass);
  const allowedSet = new Set(allowed);
  const truth = truths[f.name].map((ls) => new Set(ls));
  const key = `bench:${f.name}`;
  index.searchAmong(queries[0], k, allowedSet, key); // starts its brute force
  const tb = performance.now();
  await index.exactReady(key);
  const bruteBuilt = index.searchAmong(queries[0], k, allowedSet, key) !== undefined;
  console.log(
    bruteBuilt
      ? `${f.name}: brute force of ${allowed.length.toLocaleString('en')} vectors built in ${fmt(performance.now() - tb)} ms (off the request)`
      : `${f.name}: no brute force (${allowed.length.toLocaleString('en')} vectors are over HnswIndex's EXACT_CACHE_FLOATS)`,
  );

  const strategies: { name: string; ef?: number; search: (q: Float32Array) => Promise<number[]> | number[] }[] = [
    { name: `callback (before), ef ${efSearch}`, ef: efSearch, search: (q) => index.search(q, k, f.pass).map((h) => h.label) },
    ...efs.map((ef) => ({
      name: `post-filter, ef ${ef}`,
      ef,
      search: (q: Float32Array) => {
        const want = Math.min(n, Math.ceil((k / f.fraction) * 2));
        return index.search(q, want, undefined, want).filter((h) => f.pass(h.label)).slice(0, k).map((h) => h.label);
      },
    })),
    ...(bruteBuilt ? [{ name: 'brute force (native, passing vectors only)', search: (q: Float32Array) => index.searchAmong(q, k, allowedSet, key)!.map((h) => h.label) }] : []),
    { name: 'nearest() (what clipdex picks)', search: async (q) => (await nearest(index, q, k, allowedSet, undefined, { key })).map((h) => h.label) },
  ];
  for (const s of strategies) {
    index.setEfSearch(s.ef);
    const count = s.name.startsWith('callback') ? nqCallback : nq;
    for (let i = 0; i < Math.min(100, count); i++) await s.search(queries[i]); // warm-up
    const times: number[] = [];
    let hits = 0;
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      const got = await s.search(queries[i]);
      times.push(performance.now() - t);
      for (const l of got) if (truth[i].has(l)) hits++;
    }
    index.setEfSearch(undefined);
    rows.push([f.name, `${s.name}${count < nq ? ` (${count} queries)` : ''}`, fmt(percentile(times, 50), 3), fmt(percentile(times, 99), 3), fmt(hits / (count * k), 4)]);
  }
}
// and the unfiltered search, for scale (recall against exact search over every vector)
{
  const truth = truths.none.map((ls) => new Set(ls));
  for (const ef of efs) {
    index.setEfSearch(ef);
    let hits = 0;
    const times = queries.map((q, i) => {
      const t = performance.now();
      const got = index.search(q, k);
      const ms = performance.now() - t;
      for (const h of got) if (truth[i].has(h.label)) hits++;
      return ms;
    });
    rows.push(['none', `unfiltered, ef ${ef}`, fmt(percentile(times, 50), 3), fmt(percentile(times, 99), 3), fmt(hits / (nq * k), 4)]);
  }
  index.setEfSearch(undefined);
}
console.log(table(['filter passes', 'strategy', 'p50 ms', 'p99 ms', 'recall@10'], rows));
printFooter();
