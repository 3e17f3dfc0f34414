/**
 * Index rebuild (issue 13, target 4): how long rebuilding an index takes, and what searches see
 * while it runs. Clustered unit vectors (bench/shared/clustered.ts), clipdex's HNSW parameters
 * (M, efConstruction, ef from the configuration), the hnswlib addon clipdex loads, all through
 * lib/index's HnswIndex. Pages of 2,000 vectors, as the database hands them out.
 *
 * 1. At --base-n (default 100k, or --n if smaller), in the same run:
 *    - before: the previous head's rebuild — clear the live graph, then hnswlib-node's addPoint one
 *      vector at a time on the JavaScript thread, page by page;
 *    - HnswIndex.rebuild with the parallel builder on 1 thread, and on --threads (default: every core);
 *    - recall@10 of each graph against exact search (--nq queries, at the configured ef).
 * 2. Searches during a rebuild, at --base-n: a query is due every 5 ms on a live index of that
 *    size; response time = answer − due time, p50/p99/max, and recall@10 of the answers, idle
 *    and during each way of rebuilding that index.
 * 3. With --n above --base-n: only HnswIndex.rebuild on --threads at --n (wall, CPU, recall).
 *
 *   npx tsx bench/rebuild.ts [--n 100000] [--base-n 100000] [--dim 512] [--threads N] [--nq 200]
 */
import os from 'node:os';
import path from 'node:path';
import { getConfig } from '../lib/config';
import { HnswIndex, type RebuildReport, type VectorPage } from '../lib/index';
import { builderChoice, hnswlibChoice } from '../lib/index/hnswlib-module';
import { clusteredVectors, exactTopK, pagesOf } from './shared/clustered';
import { printFooter, printHeader, rssBytes } from './shared/machine';
import { fmt, numListArg, parseArgs, percentile, table } from './shared/stats';

const args = parseArgs(process.argv.slice(2));
const n = numListArg(args, 'n', '100000')[0];
const baseN = Math.min(n, numListArg(args, 'base-n', '100000')[0]);
const dim = Number(args.get('dim') ?? 512);
const nq = Number(args.get('nq') ?? 200);
const threads = Number(args.get('threads') ?? os.availableParallelism());
const k = 10;
const { m, efConstruction, efSearch } = getConfig().hnsw;

printHeader('Index rebuild — bench/rebuild.ts', ['hnswlib-node']);
const bc = builderChoice();
console.log(
  `- clustered unit vectors × ${dim}, M ${m}, efConstruction ${efConstruction}, ef ${efSearch}; hnswlib addon ${hnswlibChoice().variant}; ` +
    `parallel builder: ${bc.module ? `${bc.march}, ${threads} thread(s)` : `none (${bc.reason})`}; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}\n`,
);
if (!bc.module) {
  console.error('This bench compares the parallel builder with the previous way: run `node scripts/build-hnsw-builder.mjs` first.');
  process.exit(1);
}

const { data, queries } = clusteredVectors(n, dim, nq);
const labels = (count: number) => Array.from({ length: count }, (_, i) => i + 1);
const params = (buildThreads: number, buildNice = 0) => ({
  dir: path.join(os.tmpdir(), `clipdex-rebuild-bench-${process.pid}`),
  kind: 'image' as const,
  modelId: 'bench',
  dim,
  m,
  efConstruction,
  efSearch,
  efSearchFixed: true, // the graph's recall at the configured ef (no calibration here)
  buildThreads,
  buildNice,
  readOnly: true,
});

const truthAt = new Map<number, Set<number>[]>();
function recall(index: HnswIndex, count: number): number {
  let truth = truthAt.get(count);
  if (!truth) truthAt.set(count, (truth = queries.map((q) => exactTopK(q, data, labels(count), k))));
  let hits = 0;
  queries.forEach((q, i) => {
    for (const h of index.search(q, k)) if (truth[i].has(h.label)) hits++;
  });
  return hits / (nq * k);
}

/** The previous head's rebuild: clear the graph, then add page by page (awaiting between pages, as the database read did). */
async function rebuildBefore(index: HnswIndex, pages: AsyncIterable<VectorPage>, total: number): Promise<void> {
  index.clear(Math.ceil(total * 1.1) + 16);
  for await (const p of pages) {
    index.add(p.labels, p.vectors);
    await new Promise<void>((r) => setImmediate(r));
  }
}

async function timed<T>(f: () => Promise<T>): Promise<{ r: T; wall: number; cpu: number; rss: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await f();
  const c = process.cpuUsage(c0);
  return { r, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, rss: rssBytes() };
}

// 1. the three ways at baseN
const rows: (string | number)[][] = [];
const base = labels(baseN);
const before = HnswIndex.create(params(1));
const tb = await timed(() => rebuildBefore(before, pagesOf(base, data), baseN));
rows.push([baseN.toLocaleString('en'), 'before: clear, then addPoint on the JS thread', fmt(tb.wall), fmt(tb.cpu), '1', fmt(recall(before, baseN), 4)]);
before.clear(1);
const one = HnswIndex.create(params(1));
const t1 = await timed(() => one.rebuild(pagesOf(base, data), baseN));
rows.push([baseN.toLocaleString('en'), 'rebuild, parallel builder, 1 thread', fmt(t1.wall), fmt(t1.cpu), fmt(tb.wall / t1.wall, 3), fmt(recall(one, baseN), 4)]);
one.clear(1);
const live = HnswIndex.create(params(threads));
const tt = await timed(() => live.rebuild(pagesOf(base, data), baseN));
rows.push([baseN.toLocaleString('en'), `rebuild, parallel builder, ${tt.r.threads} threads`, fmt(tt.wall), fmt(tt.cpu), fmt(tb.wall / tt.wall, 3), fmt(recall(live, baseN), 4)]);
console.log('### Rebuild time (same run)\n');
console.log(table(['vectors', 'way', 'wall s', 'CPU s', 'speed-up vs before', 'recall@10'], rows));

// 2. searches during a rebuild of the live index
async function probe(index: HnswIndex, during: () => Promise<unknown>, idleMs = 0): Promise<{ lat: number[]; recall: number }> {
  const truth = truthAt.get(baseN)!;
  const lat: number[] = [];
  let hits = 0;
  let asked = 0;
  let running = true;
  const work = idleMs ? new Promise((r) => setTimeout(r, idleMs)) : during();
  void work.finally(() => (running = false));
  let due = performance.now();
  while (running) {
    due += 5;
    const wait = due - performance.now();
    await new Promise((r) => setTimeout(r, Math.max(0, wait)));
    if (!running) break;
    const i = asked++ % nq;
    for (const h of index.search(queries[i], k)) if (truth[i].has(h.label)) hits++;
    lat.push(performance.now() - due);
    if (performance.now() - due > 5) due = performance.now(); // a late answer does not queue a burst
  }
  await work;
  return { lat, recall: hits / (Math.max(1, asked) * k) };
}
const searchRows: (string | number)[][] = [];
const say = (what: string, p: { lat: number[]; recall: number }) =>
  searchRows.push([what, p.lat.length, fmt(percentile(p.lat, 50)), fmt(percentile(p.lat, 99)), fmt(Math.max(...p.lat)), fmt(p.recall, 4)]);
say('idle (10 s)', await probe(live, async () => undefined, 10_000));
say('during the previous rebuild (clear, add on the JS thread)', await probe(live, () => rebuildBefore(live, pagesOf(base, data), baseN)));
say(`during HnswIndex.rebuild (${threads} threads)`, await probe(live, () => live.rebuild(pagesOf(base, data), baseN)));
// the same with the builder's threads at nice 10 (CLIPDEX_INDEX_BUILD_NICE=10)
const niced = HnswIndex.create(params(threads, 10));
const tn10 = await timed(() => niced.rebuild(pagesOf(base, data), baseN));
say(`during HnswIndex.rebuild (${threads} threads at nice 10; alone it took ${fmt(tn10.wall)} s)`, await probe(niced, () => niced.rebuild(pagesOf(base, data), baseN)));
niced.clear(1);
console.log(`\n### Searches during a rebuild of a ${baseN.toLocaleString('en')}-vector index: one query due every 5 ms, response time from its due time\n`);
console.log(table(['while', 'queries', 'p50 ms', 'p99 ms', 'max ms', 'recall@10'], searchRows));
live.clear(1);

// 3. the full size
if (n > baseN) {
  const big = HnswIndex.create(params(threads));
  const all = labels(n);
  let last = performance.now();
  const tn = await timed(() =>
    big.rebuild(pagesOf(all, data), n, (done) => {
      if (performance.now() - last > 60_000 || done === n) {
        last = performance.now();
        console.error(`  ${done.toLocaleString('en')} / ${n.toLocaleString('en')}`);
      }
    }),
  );
  const r = tn.r as RebuildReport;
  console.log(`\n### Rebuild of ${n.toLocaleString('en')} × ${dim}\n`);
  console.log(
    table(
      ['vectors', 'way', 'wall s', 'CPU s', 'RSS after GiB', 'recall@10'],
      [[n.toLocaleString('en'), `rebuild, ${r.way}, ${r.threads} threads`, fmt(tn.wall), fmt(tn.cpu), fmt(tn.rss / 2 ** 30), fmt(recall(big, n), 4)]],
    ),
  );
}
console.log(`\nload after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
printFooter();
