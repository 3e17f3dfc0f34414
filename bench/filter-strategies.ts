/**
 * Filtered search strategies (issue 13, target 3), measured at a size this machine builds in
 * minutes, to choose what to build at 1M: the same HNSW index (the addon clipdex loads: the best
 * SIMD copy npm install built for this CPU), clustered unit vectors and queries drawn like them, and
 * a "dataset" filter that passes ½ (every other label) or 1/100 (one contiguous block) of the
 * labels. k = 10. The process runs with the environment `npm start` gives the web server (huge
 * pages for malloc, scripts/huge-pages.mjs; CLIPDEX_HUGE_PAGES=0 measures without).
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
 *   npx tsx bench/filter-strategies.ts [--n 100000] [--dim 512] [--nq 1000] [--nq-callback nq] [--clusters n/100] [--ef 128,256] [--cache] [--data clustered|real]
 *
 * --data real: instead of clustered vectors, bench/search's "real" set (the demo corpus's CLIP
 * embeddings mixed and jittered, see bench/search/data.ts: locally random, the hardest data the
 * search bench measures); queries and calibration queries are drawn from its text embeddings.
 * Needs `npx tsx bench/search/embed-corpus.ts --corpus demo/train.tsv,demo/valid.tsv` first.
 *
 * The index is built as a rebuild builds it (HnswIndex.rebuild: the parallel builder npm install
 * compiles, every core), and its time is printed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getConfig } from '../lib/config';
import { CATCH_UP_INTERVAL_MS, FULL_CHECK_INTERVAL_MS, HnswIndex, readManifest } from '../lib/index';
import { hnswlibChoice } from '../lib/index/hnswlib-module';
import { nearest } from '../lib/search/semantic';
import { clusteredVectors, exactTopK, pagesOf } from './shared/clustered';
import { ensureDataset, readF32 } from './search/data';
import { withHugePages } from '../scripts/huge-pages.mjs';
import { CACHE, printFooter, printHeader } from './shared/machine';
import { fmt, numListArg, parseArgs, percentile, table } from './shared/stats';

// Timed as the web server searches: `npm start` starts it with huge pages for malloc
// (scripts/huge-pages.mjs), which glibc reads only when a process starts, so this bench starts
// itself again with that environment when it was not given it.
const serverEnv = withHugePages(process.env);
if (serverEnv.GLIBC_TUNABLES !== process.env.GLIBC_TUNABLES) {
  const again = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { env: serverEnv, stdio: 'inherit' });
  process.exit(again.status ?? 1);
}

const args = parseArgs(process.argv.slice(2));
const n = Number(args.get('n') ?? 100_000);
const dim = Number(args.get('dim') ?? 512);
const nq = Number(args.get('nq') ?? 1000);
const k = 10;
const { m, efConstruction, efSearch } = getConfig().hnsw;
const { module: hnswlib, variant } = hnswlibChoice();

const dataKind = args.get('data') ?? 'clustered';
if (dataKind !== 'clustered' && dataKind !== 'real') throw new Error(`--data ${dataKind}: expected clustered or real`);
const clusterArg = args.get('clusters');
const CALIBRATION_QUERIES = 200;

/** The vectors, the measured queries and the rebuild's calibration queries (drawn like the queries). */
function loadData(): { data: Float32Array[]; queries: Float32Array[]; more: Float32Array[]; note: string } {
  if (dataKind === 'clustered') {
    return { ...clusteredVectors(n, dim, nq, clusterArg ? Number(clusterArg) : undefined, CALIBRATION_QUERIES), note: 'clustered unit vectors (see bench/shared/clustered.ts)' };
  }
  const ds = ensureDataset('real', dim, n, nq + CALIBRATION_QUERIES);
  const rows = (file: string) => {
    const all = readF32(file);
    return Array.from({ length: all.length / dim }, (_, i) => all.subarray(i * dim, (i + 1) * dim));
  };
  const qs = rows(ds.queries);
  return { data: rows(ds.vectors), queries: qs.slice(0, nq), more: qs.slice(nq), note: `"real" vectors: ${ds.note}` };
}

printHeader('Filtered search strategies — bench/filter-strategies.ts', ['hnswlib-node']);
const { data, queries, more, note } = loadData();
console.log(`- ${n.toLocaleString('en')} × ${dim} ${note}; M ${m}, efConstruction ${efConstruction}, ef ${efSearch} (clipdex's defaults), hnswlib addon: ${variant}; malloc: ${/hugetlb=1/.test(process.env.GLIBC_TUNABLES ?? '') ? 'huge pages (glibc.malloc.hugetlb=1, as `npm start` runs the web server)' : '4 KiB pages (CLIPDEX_HUGE_PAGES=0, or not Linux)'}; ${nq} queries, k ${k}\n`);

// HnswIndex.rebuild calibrates its ef on 200 other queries drawn the same way (as clipdex's rebuild does on sampled vectors)
// The callback is slow on small filters (~80 ms a query at 100k): fewer of its queries at 1M.
const nqCallback = Math.min(nq, Number(args.get('nq-callback') ?? nq));
// --ef 128,256,…: also the post-filter and the unfiltered search at these ef (the configured one always)
const efs = [...new Set([efSearch, ...numListArg(args, 'ef', String(efSearch))])].sort((a, b) => a - b);

// --cache: the index is kept in bench/.cache (a saved generation, as a rebuild saves it) and a
// later run with the same --n/--dim loads it instead of building it again
// (an index built with other graph settings than the defaults is kept apart)
const dataTag = `${dataKind === 'real' ? '-real' : ''}${m !== 16 || efConstruction !== 200 ? `-m${m}-efc${efConstruction}` : ''}`;
const cacheDir = args.has('cache') ? path.join(CACHE, `filter-index-${n}-${dim}${dataTag}`) : undefined;
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
const truthFile = path.join(CACHE, `filter-truth-${n}-${dim}-${nq}-${dataKind === 'real' ? 'real' : (clusterArg ?? 'default')}.json`);
let truths: Record<string, number[][]>;
try {
  truths = JSON.parse(fs.readFileSync(truthFile, 'utf8'));
} catch {
  const t = performance.now();
  truths = Object.fromEntries(
    [...filters.map((f) => [f.name, labelsAll.filter(f.pass)] as const), ['none', labelsAll] as const].map(([name, among]) => [name, exactAnswers(among)]),
  );
  fs.mkdirSync(CACHE, { recursive: true });
  fs.writeFileSync(truthFile, JSON.stringify(truths));
  console.log(`exact answers computed in ${fmt((performance.now() - t) / 1000)} s (kept in ${truthFile})\n`);
}

/**
 * The exact top k of every query among `among`: hnswlib's native brute force (every inner product,
 * SIMD) where there is a lot to scan, the JavaScript loop otherwise.
 */
function exactAnswers(among: number[]): number[][] {
  if (among.length * queries.length < 50_000_000) return queries.map((q) => [...exactTopK(q, data, among, k)]);
  const brute = new hnswlib.BruteforceSearch('ip', dim);
  brute.initIndex(among.length);
  for (const l of among) brute.addPoint(Array.from(data[l - 1]), l);
  return queries.map((q) => brute.searchKnn(Array.from(q), k).neighbors);
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
