/**
 * What efConstruction buys (issue 13, target 4): the parallel rebuild of the same clustered vectors
 * (bench/shared/clustered.ts) at each --efc, in one run, and then each graph's recall@10 against
 * exact search and its search latency at each --ef. A smaller efConstruction builds faster; the
 * question is what the searches pay for it. A rebuild's calibration (lib/index, CLIPDEX_HNSW_EF_SEARCH
 * unset) serves unfiltered searches at the smallest ef that reaches recall 0.99, so compare the
 * p50 / p99 at the ef where each graph first reaches it.
 *
 *   npx tsx bench/rebuild/ef-construction.ts [--n 100000] [--dim 512] [--efc 128,200] [--ef 32,48,64,96,128,256] [--nq 300] [--threads N]
 *
 * At --n 1000000 (session 13: 729 s for efConstruction 200 on 2 threads) allow ~10 minutes for the
 * vectors and the exact answers, then one build per --efc.
 */
import os from 'node:os';
import path from 'node:path';
import { getConfig } from '../../lib/config';
import { HnswIndex } from '../../lib/index';
import { builderChoice } from '../../lib/index/hnswlib-module';
import { clusteredVectors, exactTopK, pagesOf } from '../shared/clustered';
import { printFooter, printHeader } from '../shared/machine';
import { fmt, numListArg, parseArgs, percentile, table } from '../shared/stats';

const args = parseArgs(process.argv.slice(2));
const n = numListArg(args, 'n', '100000')[0];
const dim = Number(args.get('dim') ?? 512);
const nq = Number(args.get('nq') ?? 300);
const efcs = numListArg(args, 'efc', '128,200');
const efs = numListArg(args, 'ef', '32,48,64,96,128,256');
const threads = Number(args.get('threads') ?? os.availableParallelism());
const k = 10;
const { m } = getConfig().hnsw;

printHeader('efConstruction: rebuild time against search — bench/rebuild/ef-construction.ts', ['hnswlib-node']);
const bc = builderChoice();
console.log(
  `- ${n.toLocaleString('en')} clustered unit vectors × ${dim}, M ${m}, ${nq} queries (new points of the same clusters); ` +
    `parallel builder: ${bc.module ? `${bc.march}, ${threads} thread(s)` : `none (${bc.reason})`}\n`,
);

const { data, queries } = clusteredVectors(n, dim, nq);
const labels = Array.from({ length: n }, (_, i) => i + 1);
const truth = queries.map((q) => exactTopK(q, data, labels, k));

const rows: (string | number)[][] = [];
for (const efConstruction of efcs) {
  const index = HnswIndex.create({
    dir: path.join(os.tmpdir(), `clipdex-efc-bench-${process.pid}`),
    kind: 'image',
    modelId: 'bench',
    dim,
    m,
    efConstruction,
    efSearch: efs[0],
    efSearchFixed: true, // each ef below as set, no calibration
    buildThreads: threads,
    buildNice: 0,
    readOnly: true, // built in memory, not saved
  });
  const load = os.loadavg()[0];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await index.rebuild(pagesOf(labels, data), n);
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  for (const ef of efs) {
    index.setEfSearch(ef);
    let hits = 0;
    const lat: number[] = [];
    queries.forEach((q, i) => {
      const t = performance.now();
      const found = index.search(q, k);
      lat.push(performance.now() - t);
      for (const h of found) if (truth[i].has(h.label)) hits++;
    });
    rows.push([efConstruction, fmt(wall, 4), fmt((c.user + c.system) / 1e6, 4), load.toFixed(2), ef, fmt(hits / (nq * k), 4), fmt(percentile(lat, 50)), fmt(percentile(lat, 99))]);
  }
  index.clear(1);
}
console.log(table(['efConstruction', 'build wall s', 'build CPU s', 'load at start', 'ef', 'recall@10', 'search p50 ms', 'search p99 ms'], rows));
printFooter();
