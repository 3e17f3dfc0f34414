/**
 * Issue 13 target 5: how a server-like process holding an index of N vectors catches up when
 * another process adds vectors. The server opens the index as the web server does (openIndexes)
 * and runs a search every `--poll` ms; a writer PROCESS commits `--add` new vector rows, then (as
 * `clipdex ingest` does) loads the index file, adds them and saves a new generation. Each repeat
 * runs both catch-ups, interleaved, on the same index (the follower is swapped per case):
 *   - before: the catch-up as it was (500-row reads, every insert in one go, and the search that
 *     triggers it waits for all of it: `sliceMs: Infinity`, no wait bound);
 *   - after: slices of CATCH_UP_SLICE_MS yielding to the event loop, searches wait at most
 *     REQUEST_CATCH_UP_WAIT_MS and answer from the rows added so far.
 * Per case: lag (writer's commit → a search can return every new vector), the longest event-loop
 * block (perf_hooks.monitorEventLoopDelay) and search latency p99 from the writer's spawn to the
 * lag (counted from when the search was due: time queued behind a block counts), CPU (less the
 * searches' own) and RSS growth over that window. Baseline, same run: a full reload of the writer's file
 * (HnswIndex.load: checksum + hnswlib's readIndex, which runs on libuv's thread pool), with the
 * longest event-loop block while it runs.
 *
 *   npx tsx bench/refresh.ts [--n 100000] [--dim 256] [--add 1000] [--repeats 5] [--poll 50]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { closeDbs, getDb, migrateDatabase, tuneSqlite } from '../lib/db';
import { catchUpWithDatabase, CATCH_UP_SLICE_MS, HnswIndex, hnswlibChoice, indexDir, openIndexes, REQUEST_CATCH_UP_WAIT_MS } from '../lib/index';
import { printFooter, printHeader } from './shared/machine';
import { makeGaussian, makeRng, normalize } from './shared/rng';
import { numListArg, parseArgs, percentile, table } from './shared/stats';

const args = parseArgs(process.argv.slice(2));
const N = numListArg(args, 'n', '100000')[0];
const DIM = numListArg(args, 'dim', '256')[0];
const ADD = numListArg(args, 'add', '1000')[0];
const REPEATS = numListArg(args, 'repeats', '5')[0];
const POLL = numListArg(args, 'poll', '50')[0];
const SEARCH_EVERY = 25; // a second client's searches (40/s), to measure what a user waits
const HNSW = { m: 16, efConstruction: 200, efSearch: 768 };

/** Insert vector rows with ids from..to (random unit vectors) in one transaction, as an ingest commits. */
function fill(file: string, from: number, to: number, seed: number): void {
  const raw = new Database(file);
  raw.pragma('busy_timeout = 10000');
  raw.exec(`INSERT OR IGNORE INTO "Model" (id, name, layout, dim) VALUES ('m', 'm', 'x', ${DIM})`);
  raw.exec(`INSERT OR IGNORE INTO "Dataset" (id, name, format, status, updatedAt) VALUES (1, 'd', 'pairs', 'ready', CURRENT_TIMESTAMP)`);
  const img = raw.prepare('INSERT INTO "Image" (id, datasetId, sha256, width, height, format, bytes, line) VALUES (?, 1, ?, 1, 1, \'png\', 1, ?)');
  const vec = raw.prepare('INSERT INTO "ImageVector" (id, imageId, modelId, data) VALUES (?, ?, \'m\', ?)');
  const g = makeGaussian(makeRng(seed));
  const v = new Float32Array(DIM);
  raw.transaction(() => {
    for (let i = from; i <= to; i++) {
      for (let j = 0; j < DIM; j++) v[j] = g();
      normalize(v);
      img.run(i, `sha${i}`, i);
      vec.run(i, i, Buffer.from(v.buffer));
    }
  })();
  raw.close();
}

const params = (dir: string) => ({ dir: indexDir(dir), kind: 'image' as const, modelId: 'm', dim: DIM, ...HNSW });

if (args.get('role') === 'writer') {
  // The other process: commit the rows, say when, then do what an ingest does with the index file.
  const [dir, from] = [args.get('dir')!, Number(args.get('from'))];
  fill(path.join(dir, 'clipdex.db'), from, from + ADD - 1, from);
  process.stdout.write(`committed ${Date.now()}\n`);
  const db = getDb(`file:${path.join(dir, 'clipdex.db')}`);
  const index = await HnswIndex.load(params(dir));
  const rows = await db.imageVector.findMany({ where: { id: { gte: from } }, select: { id: true, data: true } });
  index.add(rows.map((r) => r.id), rows.map((r) => new Float32Array(r.data.buffer.slice(r.data.byteOffset, r.data.byteOffset + r.data.byteLength))));
  await index.save();
  await closeDbs();
  process.stdout.write(`saved ${Date.now()}\n`);
  process.exit(0);
}

printHeader('index refresh: catch-up from the database vs full reload', ['hnswlib-node', 'better-sqlite3']);
console.log(`hnswlib-node addon: ${hnswlibChoice().variant}; load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}\n`);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-bench-refresh-'));
const url = `file:${path.join(dir, 'clipdex.db')}`;
await migrateDatabase(url);
fill(url.slice(5), 1, N, 1);
const db = getDb(url);
await tuneSqlite(db);
let t = performance.now();
const opened = await openIndexes({ db, dataDir: dir, modelId: 'm', dim: DIM, hnsw: HNSW, log: () => {} });
console.log(`setup: index of ${N} × ${DIM} built in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
const index = opened.image;
const g = makeGaussian(makeRng(99));
const query = normalize(Float32Array.from({ length: DIM }, g));
const rss = () => process.memoryUsage().rss;
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

const cases = ['before', 'after'] as const;
type Case = (typeof cases)[number];
interface Row { lag: number; block: number; searchP99: number; searchMax: number; cpu: number; rss: number }
const rows: Record<Case, Row[]> = { before: [], after: [] };
const reloads: { wall: number; cpu: number; rss: number; block: number }[] = [];
const allLatencies: Record<Case, number[]> = { before: [], after: [] };
let after = N; // the follower's watermark, carried across the swaps
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

function follow(c: Case): void {
  index.follow({
    catchUp: async (i, { full }) => {
      const r = await catchUpWithDatabase(i, db, { after, full, sliceMs: c === 'before' ? Infinity : CATCH_UP_SLICE_MS });
      after = r.after;
      return { behind: r.behind === true };
    },
    intervalMs: 1000,
    fullIntervalMs: 30_000,
  });
}

let from = N + 1;
for (let r = 0; r < REPEATS; r++) {
  for (const c of r % 2 ? [...cases].reverse() : cases) {
    follow(c);
    const last = from + ADD - 1;
    const writer = spawn(process.execPath, [...process.execArgv, import.meta.filename, '--role', 'writer', '--dir', dir, '--from', String(from), '--add', String(ADD), '--dim', String(DIM)], { stdio: ['ignore', 'pipe', 'inherit'] });
    from += ADD;
    let out = '';
    let committedAt = 0; // the writer's Date.now() at its commit (it says so on stdout)
    // The window is the whole repeat, from the spawn: the old catch-up can start (and block the
    // loop) before this process has read the writer's "committed" line.
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const [c0, m0] = [process.cpuUsage(), rss()];
    let searchCpu = 0; // the searches' own CPU, left out of the catch-up's
    writer.stdout.on('data', (d) => {
      out += d;
      const m = /committed (\d+)/.exec(out);
      if (m) committedAt = Number(m[1]);
    });
    const exited = new Promise<void>((res, rej) => writer.on('exit', (x) => (x === 0 ? res() : rej(new Error(`writer exited ${x}`)))));
    const waitMs = c === 'before' ? undefined : REQUEST_CATCH_UP_WAIT_MS;
    let seenAt = 0;
    const latencies: number[] = [];
    // A second client: a search every SEARCH_EVERY ms, latency counted from when it was due.
    let clientOn = true;
    const client = (async () => {
      while (clientOn) {
        const due = performance.now() + SEARCH_EVERY;
        await sleep(SEARCH_EVERY);
        await index.refreshIfStale({ waitMs });
        const s0 = process.cpuUsage();
        index.search(query, 10);
        searchCpu += cpuMs(process.cpuUsage(s0));
        if (!seenAt) latencies.push(performance.now() - due);
      }
    })();
    // The polling server loop: notices when every new vector is searchable.
    while (!seenAt) {
      await sleep(POLL);
      await index.refreshIfStale({ waitMs });
      const s0 = process.cpuUsage();
      index.search(query, 10);
      searchCpu += cpuMs(process.cpuUsage(s0));
      if (index.has(last)) seenAt = Date.now();
    }
    h.disable();
    clientOn = false;
    await client;
    await exited;
    // monitorEventLoopDelay reports how late its timer fired: that is the longest block, in ns.
    const row: Row = { lag: seenAt - committedAt, block: h.max / 1e6, searchP99: percentile(latencies, 99), searchMax: Math.max(...latencies), cpu: cpuMs(process.cpuUsage(c0)) - searchCpu, rss: rss() - m0 };
    rows[c].push(row);
    allLatencies[c].push(...latencies);
    console.log(`repeat ${r + 1} ${c}: lag ${row.lag.toFixed(0)} ms, longest block ${row.block.toFixed(0)} ms, search p99 ${row.searchP99.toFixed(1)} ms (${latencies.length} searches), CPU ${row.cpu.toFixed(0)} ms`);
  }
  // Baseline in the same run: reload the writer's file in full, holding the live index meanwhile.
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const [c0, m0, t0] = [process.cpuUsage(), rss(), performance.now()];
  const full = await HnswIndex.load(params(dir));
  const wall = performance.now() - t0;
  h.disable();
  reloads.push({ wall, cpu: cpuMs(process.cpuUsage(c0)), rss: rss() - m0, block: h.max / 1e6 });
  if (!full.has(from - 1) || full.size() !== index.size()) throw new Error(`the reloaded file holds ${full.size()} vectors, the caught-up index ${index.size()}`);
  console.log(`repeat ${r + 1} full reload: ${wall.toFixed(0)} ms wall, longest block ${(h.max / 1e6).toFixed(0)} ms`);
}
const MiB = 1048576;
const q = (c: Case, k: keyof Row, p: number, s = 1) => percentile(rows[c].map((x) => x[k] / s), p);
console.log(`\n${N} × ${DIM} random unit vectors (M=16, efC=200), +${ADD} per case from another process, ${REPEATS} repeats, polling search every ${POLL} ms, a client search every ${SEARCH_EVERY} ms, catch-up interval 1 s\n`);
console.log(table(['case', 'lag ms p50', 'lag ms p99', 'longest block ms p50', 'max', 'search ms p99 (all)', 'search ms max', 'CPU ms p50 (less searches)', 'RSS MiB p50'], [
  ...cases.map((c) => [c, q(c, 'lag', 50), q(c, 'lag', 99), q(c, 'block', 50), q(c, 'block', 100), percentile(allLatencies[c], 99), Math.max(...allLatencies[c]), q(c, 'cpu', 50), q(c, 'rss', 50, MiB)]),
]));
const rl = (k: keyof (typeof reloads)[number], p: number, s = 1) => percentile(reloads.map((x) => x[k] / s), p);
console.log(`\nfull reload of the saved file: wall p50 ${rl('wall', 50).toFixed(0)} ms / p99 ${rl('wall', 99).toFixed(0)} ms, CPU p50 ${rl('cpu', 50).toFixed(0)} ms, RSS +${rl('rss', 50, MiB).toFixed(0)} MiB, longest event-loop block p50 ${rl('block', 50).toFixed(0)} ms / max ${rl('block', 100).toFixed(0)} ms`);
console.log(`\nload average at end: ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}`);
await closeDbs();
fs.rmSync(dir, { recursive: true, force: true });
printFooter();
