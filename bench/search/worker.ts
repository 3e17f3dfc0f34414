/**
 * One measurement in a fresh process, so RSS deltas and timings are not polluted by earlier work.
 * Invoked by bench/search.ts as `node --import tsx bench/search/worker.ts '<json job>'`; prints
 * one line `RESULT <json>` on stdout, progress on stderr.
 */
import fs from 'node:fs';
import { percentile, median } from '../shared/stats';
import { buildIndex, loadUsearch, openSearcher, type BuildParams, type EngineName } from './engines';
import { readF32, readU32, writeTyped } from './files';

export type Job =
  | { mode: 'gt'; vectors: string; queries: string; dim: number; out: string; threads: number }
  | { mode: 'build'; engine: EngineName; vectors: string; dim: number; params: BuildParams; out: string }
  | {
      mode: 'query';
      engine: EngineName;
      index: string;
      vectors: string;
      queries: string;
      gt: string;
      dim: number;
      efs: number[];
      nq: number;
      repeats: number;
      filterEf?: number;
    };

export interface SweepRow {
  ef: number;
  recall: number;
  p50: number;
  p99: number;
  mean: number;
  qps: number;
}

export interface QueryResult {
  rssBefore: number;
  rssAfter: number;
  loadSeconds: number;
  rows: SweepRow[];
  filtered?: { ef: number; p50: number; p99: number };
}

const K = 10;
const log = (s: string) => process.stderr.write(`  [${process.pid}] ${s}\n`);

function groundTruth(job: Extract<Job, { mode: 'gt' }>): { seconds: number } {
  const us = loadUsearch();
  const data = readF32(job.vectors);
  const q = readF32(job.queries);
  const nq = q.length / job.dim;
  const out = new Uint32Array(nq * K);
  const t0 = performance.now();
  // exactSearch keeps a full distance matrix (queries × N): go 16 queries at a time to bound memory.
  // usearch 2.26's exactSearch ignores a typed array's byteOffset (it reads a subarray from the start
  // of its buffer), so each chunk is copied with slice(). Index.add/search do honour offsets.
  const step = 16;
  for (let i = 0; i < nq; i += step) {
    const m = Math.min(step, nq - i);
    const r = us.exactSearch(data, q.slice(i * job.dim, (i + m) * job.dim), job.dim, K, us.MetricKind.IP, job.threads) as unknown as { keys: BigUint64Array };
    for (let j = 0; j < m * K; j++) out[i * K + j] = Number(r.keys[j]);
    if (i % 160 === 0) log(`ground truth ${i + m}/${nq}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  writeTyped(job.out, out);
  return { seconds };
}

function recallOf(got: ArrayLike<number>, gt: Uint32Array, qi: number): number {
  let hit = 0;
  for (let a = 0; a < Math.min(K, got.length); a++) {
    const g = Number(got[a]);
    for (let b = 0; b < K; b++) if (gt[qi * K + b] === g) { hit++; break; }
  }
  return hit;
}

function query(job: Extract<Job, { mode: 'query' }>): QueryResult {
  const queries = readF32(job.queries);
  const gt = readU32(job.gt);
  const nq = Math.min(job.nq, queries.length / job.dim);
  global.gc?.();
  const rssBefore = process.memoryUsage.rss();
  const t0 = performance.now();
  // Brute force's "index" is the raw vectors themselves.
  const vectors = job.engine === 'brute' ? readF32(job.vectors) : undefined;
  const s = openSearcher(job.engine, job.index, job.dim, vectors);
  const loadSeconds = (performance.now() - t0) / 1000;
  const rssAfter = process.memoryUsage.rss();
  const q = (i: number) => queries.subarray(i * job.dim, (i + 1) * job.dim);
  const rows: SweepRow[] = [];
  const times = new Float64Array(nq);
  for (const ef of job.efs) {
    s.setEf(ef);
    for (let i = 0; i < Math.min(nq, 100); i++) s.search(q(i), K); // warm caches and JIT
    const p50s: number[] = [], p99s: number[] = [], means: number[] = [];
    let hits = 0;
    for (let r = 0; r < job.repeats; r++) {
      let total = 0;
      for (let i = 0; i < nq; i++) {
        const t = performance.now();
        const got = s.search(q(i), K);
        times[i] = performance.now() - t;
        total += times[i];
        if (r === 0) hits += recallOf(got, gt, i);
      }
      p50s.push(percentile(times, 50));
      p99s.push(percentile(times, 99));
      means.push(total / nq);
    }
    const row = { ef, recall: hits / (nq * K), p50: median(p50s), p99: median(p99s), mean: median(means), qps: 1000 / median(means) };
    rows.push(row);
    log(`${job.engine} ef=${ef}: recall@10 ${row.recall.toFixed(4)}, p50 ${row.p50.toFixed(3)} ms, p99 ${row.p99.toFixed(3)} ms`);
  }
  let filtered: QueryResult['filtered'];
  if (job.filterEf && s.searchFiltered) {
    // A dataset filter in lib/search is a JS callback hnswlib calls per candidate: time its cost
    // with a filter that keeps even labels (half the index).
    const even = (l: number) => (l & 1) === 0;
    s.setEf(job.filterEf);
    for (let i = 0; i < Math.min(nq, 100); i++) s.searchFiltered(q(i), K, even);
    for (let i = 0; i < nq; i++) {
      const t = performance.now();
      const got = s.searchFiltered(q(i), K, even);
      times[i] = performance.now() - t;
      for (let a = 0; a < got.length; a++) if ((Number(got[a]) & 1) !== 0) throw new Error('filter ignored');
    }
    filtered = { ef: job.filterEf, p50: percentile(times, 50), p99: percentile(times, 99) };
  }
  return { rssBefore, rssAfter, loadSeconds, rows, filtered };
}

function main(): void {
  const job = JSON.parse(process.argv[2]) as Job;
  let result: unknown;
  if (job.mode === 'gt') result = groundTruth(job);
  else if (job.mode === 'build') {
    const vectors = readF32(job.vectors);
    const rss0 = process.memoryUsage.rss();
    let last = 0;
    const seconds = buildIndex(job.engine, vectors, job.dim, job.params, `${job.out}.tmp`, (done, n) => {
      const now = performance.now();
      if (now - last > 30_000 || done === n) {
        log(`${job.engine} build ${done}/${n}`);
        last = now;
      }
    });
    fs.renameSync(`${job.out}.tmp`, job.out);
    result = { seconds, rssGrowth: process.memoryUsage.rss() - rss0, diskBytes: fs.statSync(job.out).size, date: new Date().toISOString() };
  } else result = query(job);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main();
