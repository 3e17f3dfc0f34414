/**
 * Search bench: hnswlib-node (as shipped, and compiled with -march=native) against usearch and
 * exact brute force, at N vectors × dimension, on random unit vectors and on perturbed real CLIP
 * embeddings. Reports build time, index memory (disk and RSS) against the raw vector bytes,
 * single-query latency p50/p99, queries/s and recall@10 against exact search over an ef sweep.
 *
 *   npx tsx bench/search.ts [--n 100k,1m] [--dim 256,512] [--data real,random]
 *     [--engines hnswlib,hnswlib-native,usearch,brute] [--ef 16,32,64,128,256,512]
 *     [--m 16] [--efc 200] [--nq 1000] [--repeats 3] [--threads 2] [--rebuild] [--build-only] [--no-chart]
 *
 * Defaults for M / efConstruction / efSearch come from lib/config.ts, so the "default" rows are
 * what clipdex runs. Every measurement runs in a fresh child process (bench/search/worker.ts).
 * Generated vectors, ground truth and built indexes are cached under bench/.cache/search
 * (an index is rebuilt only with --rebuild; otherwise its build time is read from the cache, with its
 * date). --build-only prepares data, ground truth and indexes without measuring queries.
 */
import fs from 'node:fs';
import path from 'node:path';
import { getConfig } from '../lib/config';
import { CACHE, printFooter, printHeader } from './shared/machine';
import { fmt, listArg, numListArg, parseArgs, table } from './shared/stats';
import { ensureDataset, readRealBase, SEARCH_CACHE, type DataKind } from './search/data';
import { hasNativeHnswlib, indexFile, type BuildParams, type EngineName } from './search/engines';
import { runWorker } from './search/run-worker';
import type { QueryResult } from './search/worker';
import { writeChart, type ChartSeries } from './search/chart';

interface BuildInfo { engine: EngineName; seconds: number; diskBytes: number; rssGrowth: number; date: string; threads: number; cached?: boolean }
interface ConfigResult { data: DataKind; dim: number; n: number; note: string; gtSeconds?: number; engines: Record<string, { build?: BuildInfo; query: QueryResult; nq: number }> }

const args = parseArgs(process.argv.slice(2));
const cfg = getConfig().hnsw;
const ns = numListArg(args, 'n', '100k');
const dims = numListArg(args, 'dim', '256,512');
const kinds = listArg(args, 'data', 'real,random') as DataKind[];
const efs = numListArg(args, 'ef', '16,32,64,128,256,512');
const nq = numListArg(args, 'nq', '1000')[0];
const repeats = numListArg(args, 'repeats', '3')[0];
const threads = numListArg(args, 'threads', '2')[0];
const params: BuildParams = { m: numListArg(args, 'm', String(cfg.m))[0], efConstruction: numListArg(args, 'efc', String(cfg.efConstruction))[0], threads };
const defaultEf = cfg.efSearch;
let engines = listArg(args, 'engines', 'hnswlib,hnswlib-native,usearch,brute') as EngineName[];
if (engines.includes('hnswlib-native') && !hasNativeHnswlib()) {
  console.log('> hnswlib-native skipped: not built (run `sh bench/search/build-hnswlib-native.sh`)\n');
  engines = engines.filter((e) => e !== 'hnswlib-native');
}

const machine = printHeader('Search: HNSW (hnswlib-node) vs usearch vs exact brute force', ['hnswlib-node', 'usearch', 'onnxruntime-node']);
console.log(`- parameters: M=${params.m}, efConstruction=${params.efConstruction} (config defaults: M=${cfg.m}, efConstruction=${cfg.efConstruction}, efSearch=${cfg.efSearch}); k=10; ${nq} queries × ${repeats} repeats per ef (brute force: fewer, see table); build threads: hnswlib-node 1 (its API adds one point at a time), usearch ${threads}; space: inner product on unit vectors (as lib/index)\n`);

fs.mkdirSync(SEARCH_CACHE, { recursive: true });
const results: ConfigResult[] = [];

async function ensureBuilt(engine: EngineName, vectors: string, dim: number, tag: string): Promise<BuildInfo | undefined> {
  if (engine === 'brute') return undefined;
  const file = indexFile(SEARCH_CACHE, engine, tag, params);
  const side = `${file}.build.json`;
  const fresh = fs.existsSync(file) && fs.statSync(file).mtimeMs > fs.statSync(vectors).mtimeMs;
  if (fresh && fs.existsSync(side) && !args.has('rebuild')) return { ...(JSON.parse(fs.readFileSync(side, 'utf8')) as BuildInfo), cached: true };
  console.error(`building ${path.basename(file)} with ${engine} …`);
  const r = await runWorker<Omit<BuildInfo, 'engine' | 'threads'>>({ mode: 'build', engine, vectors, dim, params, out: file });
  const info: BuildInfo = { engine, threads: engine === 'usearch' ? threads : 1, ...r };
  fs.writeFileSync(side, JSON.stringify(info));
  return info;
}

for (const dim of dims) {
  for (const data of kinds) {
    if (data === 'real' && !readRealBase()) {
      console.log(`> real d=${dim}: skipped — no real embeddings yet (run \`npx tsx bench/search/embed-corpus.ts\` once lib/clip and a model exist)\n`);
      continue;
    }
    for (const n of ns) {
      const ds = ensureDataset(data, dim, n, nq);
      const res: ConfigResult = { data, dim, n, note: ds.note, engines: {} };
      if (!fs.existsSync(ds.gt)) {
        console.error(`exact ground truth for ${data} d=${dim} n=${n} …`);
        res.gtSeconds = (await runWorker<{ seconds: number }>({ mode: 'gt', vectors: ds.vectors, queries: ds.queries, dim, out: ds.gt, threads })).seconds;
      }
      const tag = `${data}-d${dim}-n${n}`;
      for (const engine of engines) {
        const build = await ensureBuilt(engine, ds.vectors, dim, tag);
        if (args.has('build-only')) continue;
        const bruteNq = Math.max(20, Math.min(nq, Math.round(2e7 / n)));
        const job = engine === 'brute'
          ? { efs: [0], nq: bruteNq, repeats: 1 }
          : { efs, nq, repeats, filterEf: engine.startsWith('hnswlib') ? defaultEf : undefined };
        const query = await runWorker<QueryResult>({ mode: 'query', engine, index: indexFile(SEARCH_CACHE, engine, tag, params), vectors: ds.vectors, queries: ds.queries, gt: ds.gt, dim, ...job });
        res.engines[engine] = { build, query, nq: job.nq };
      }
      if (args.has('build-only')) continue;
      results.push(res);
      report(res);
    }
  }
}

function report(r: ConfigResult): void {
  const raw = r.n * r.dim * 4;
  console.log(`### ${r.data} vectors, N=${r.n.toLocaleString('en-US')}, dim=${r.dim}\n\n${r.note}; raw vectors ${fmt(raw / 2 ** 20)} MiB${r.gtSeconds ? `; exact ground truth (usearch exactSearch, ${threads} threads) in ${fmt(r.gtSeconds)} s` : ''}.\n`);
  const brute = r.engines.brute?.query.rows[0];
  console.log(table(
    ['engine', 'built by', 'build s', 'build threads', 'disk MiB', 'disk / raw', 'RSS Δ on load MiB', 'RSS Δ / raw'],
    Object.entries(r.engines).map(([e, x]) => {
      const rss = x.query.rssAfter - x.query.rssBefore;
      const b = x.build;
      return [e, b ? `${b.engine}${b.cached ? ` (cached, ${b.date.slice(0, 16)}Z)` : ''}` : '–', b?.seconds, b?.threads, b ? b.diskBytes / 2 ** 20 : undefined, b ? b.diskBytes / raw : undefined, rss / 2 ** 20, rss / raw];
    }),
  ));
  console.log('');
  const rows: (string | number | undefined)[][] = [];
  for (const [e, x] of Object.entries(r.engines)) {
    for (const row of x.query.rows) {
      rows.push([e, e === 'brute' ? 'exact' : row.ef === defaultEf ? `${row.ef} (default)` : row.ef, row.recall, row.p50, row.p99, row.qps, brute ? brute.mean / row.mean : undefined, x.nq]);
    }
    const f = x.query.filtered;
    if (f) rows.push([`${e} + filter callback (½ labels pass)`, f.ef, '–', f.p50, f.p99, undefined, undefined, x.nq]);
  }
  console.log(table(['engine', 'ef', 'recall@10', 'p50 ms', 'p99 ms', 'QPS (1 thread)', '× brute-force speed', 'queries'], rows));
  console.log('');
}

// Targets (issue 6), checked on the largest 512-d configuration of this run.
for (const r of results.filter((x) => x.dim === 512 && x.n === Math.max(...ns))) {
  const raw = r.n * r.dim * 4;
  for (const e of ['hnswlib', 'hnswlib-native'] as const) {
    const x = r.engines[e];
    if (!x) continue;
    const row = x.query.rows.find((y) => y.ef === defaultEf);
    const rss = (x.query.rssAfter - x.query.rssBefore) / raw;
    const firstOk = x.query.rows.find((y) => y.recall >= 0.98);
    console.log(`- target check, ${e}, ${r.data} N=${r.n} d=512, M=${params.m} efC=${params.efConstruction} ef=${defaultEf}: recall@10 ${fmt(row?.recall, 4)} (target ≥ 0.98: ${row && row.recall >= 0.98 ? 'met' : 'MISSED'}), p99 ${fmt(row?.p99)} ms (target < 5: ${row && row.p99 < 5 ? 'met' : 'MISSED'}), index RSS ${fmt(rss)}× raw (target ≤ 1.3: ${rss <= 1.3 ? 'met' : 'MISSED'}); smallest swept ef with recall ≥ 0.98: ${firstOk ? `${firstOk.ef} (p99 ${fmt(firstOk.p99)} ms)` : 'none'}`);
  }
}

const outDir = path.join(CACHE, 'results');
fs.mkdirSync(outDir, { recursive: true });
const outFile = path.join(outDir, `search-${machine.date.replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(outFile, JSON.stringify({ machine, params, defaultEf, results }, null, 1));
console.log(`\n- raw results: ${path.relative(process.cwd(), outFile)}`);

if (!args.has('no-chart') && results.length) {
  const nMax = Math.max(...results.map((r) => r.n));
  const series: ChartSeries[] = [];
  for (const r of results.filter((x) => x.n === nMax)) {
    for (const [e, x] of Object.entries(r.engines)) {
      if (e === 'brute') continue;
      series.push({ panel: `${r.data} vectors, dim ${r.dim}`, label: e, points: x.query.rows.map((y) => ({ x: y.p50, y: y.recall, tag: String(y.ef) })) });
    }
  }
  const svg = path.join(import.meta.dirname, `search-recall-latency-${nMax >= 1e6 ? `${nMax / 1e6}m` : `${nMax / 1e3}k`}.svg`);
  writeChart(svg, `Recall@10 vs p50 latency, N=${nMax.toLocaleString('en-US')} (labels: ef; M=${params.m}, efC=${params.efConstruction}) — ${machine.cpu.split(' [')[0]}, ${machine.date.slice(0, 10)}`, series);
  console.log(`- chart: ${path.relative(process.cwd(), svg)}`);
}
printFooter();
