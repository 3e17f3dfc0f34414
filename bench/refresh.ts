/**
 * Issue 13 target 5: how a server-like process holding an index of N vectors catches up when
 * another process adds vectors. The server opens the index as the web server does (openIndexes:
 * a follower reads only the vector rows above the last id it saw) and runs a search every
 * `--poll` ms; a writer PROCESS commits `--add` new vector rows, then (as `clipdex ingest` does)
 * loads the index file, adds them and saves a new generation. Per repeat:
 *   - lag: writer's commit → the first search that can return every new vector (default catch-up
 *     interval, 1 s), and the wall, CPU and RSS growth of the catch-up call that loaded them;
 *   - baseline, same run: a full reload of the writer's new file (HnswIndex.load: checksum + read),
 *     what an index without a follower does, wall, CPU and RSS growth while the old one is held.
 *
 *   npx tsx bench/refresh.ts [--n 100000] [--dim 256] [--add 1000] [--repeats 5] [--poll 50]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { closeDbs, getDb, migrateDatabase, tuneSqlite } from '../lib/db';
import { HnswIndex, hnswlibChoice, openIndexes, indexDir } from '../lib/index';
import { printFooter, printHeader } from './shared/machine';
import { makeGaussian, makeRng, normalize } from './shared/rng';
import { numListArg, parseArgs, percentile, table } from './shared/stats';

const args = parseArgs(process.argv.slice(2));
const N = numListArg(args, 'n', '100000')[0];
const DIM = numListArg(args, 'dim', '256')[0];
const ADD = numListArg(args, 'add', '1000')[0];
const REPEATS = numListArg(args, 'repeats', '5')[0];
const POLL = numListArg(args, 'poll', '50')[0];
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

interface Row { lag: number; catchWall: number; catchCpu: number; catchRss: number; reloadWall: number; reloadCpu: number; reloadRss: number }
const rows: Row[] = [];
for (let r = 0; r < REPEATS; r++) {
  const from = N + 1 + r * ADD;
  const last = from + ADD - 1;
  const writer = spawn(process.execPath, [...process.execArgv, import.meta.filename, '--role', 'writer', '--dir', dir, '--from', String(from), '--add', String(ADD), '--dim', String(DIM)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  writer.stdout.on('data', (d) => (out += d));
  const exited = new Promise<void>((res, rej) => writer.on('exit', (c) => (c === 0 ? res() : rej(new Error(`writer exited ${c}`)))));
  // The server: a search every POLL ms, each preceded by the catch-up check as lib/search does.
  let catchWall = 0, catchCpu = 0, catchRss = 0, seenAt = 0;
  while (!seenAt) {
    await new Promise((res) => setTimeout(res, POLL));
    const [c0, m0, t0] = [process.cpuUsage(), rss(), performance.now()];
    const changed = await index.refreshIfStale();
    if (changed) {
      catchWall += performance.now() - t0;
      catchCpu += cpuMs(process.cpuUsage(c0));
      catchRss += rss() - m0;
    }
    index.search(query, 10);
    if (index.has(last)) seenAt = Date.now();
  }
  await exited;
  const committed = Number(/committed (\d+)/.exec(out)![1]);
  // Baseline in the same run: reload the writer's file in full, holding the old index meanwhile.
  const [c0, m0, t0] = [process.cpuUsage(), rss(), performance.now()];
  const full = await HnswIndex.load(params(dir));
  const reloadWall = performance.now() - t0;
  const row = { lag: seenAt - committed, catchWall, catchCpu, catchRss, reloadWall, reloadCpu: cpuMs(process.cpuUsage(c0)), reloadRss: rss() - m0 };
  if (!full.has(last) || full.size() !== index.size()) throw new Error(`the reloaded file holds ${full.size()} vectors, the caught-up index ${index.size()}`);
  rows.push(row);
  console.log(`repeat ${r + 1}: lag ${row.lag} ms; catch-up ${catchWall.toFixed(0)} ms wall, ${catchCpu.toFixed(0)} ms CPU; full reload ${reloadWall.toFixed(0)} ms wall, ${row.reloadCpu.toFixed(0)} ms CPU`);
}
const MiB = 1048576;
const p = (k: keyof Row, q: number, s = 1) => percentile(rows.map((x) => x[k] / s), q);
console.log(`\n${N} × ${DIM} random unit vectors (M=16, efC=200), +${ADD} per repeat from another process, ${REPEATS} repeats, a search every ${POLL} ms, catch-up interval 1 s\n`);
console.log(table(['', 'wall ms p50', 'wall ms p99', 'CPU ms p50', 'CPU ms p99', 'RSS growth MiB p50', 'RSS growth MiB max'], [
  ['commit → searchable (lag)', p('lag', 50), p('lag', 99), '', '', '', ''],
  [`catch-up: ${ADD} rows from the database`, p('catchWall', 50), p('catchWall', 99), p('catchCpu', 50), p('catchCpu', 99), p('catchRss', 50, MiB), p('catchRss', 100, MiB)],
  ['baseline: full reload of the saved file', p('reloadWall', 50), p('reloadWall', 99), p('reloadCpu', 50), p('reloadCpu', 99), p('reloadRss', 50, MiB), p('reloadRss', 100, MiB)],
  ['reload / catch-up', p('reloadWall', 50) / p('catchWall', 50), '', p('reloadCpu', 50) / p('catchCpu', 50), '', '', ''],
]));
console.log(`\nload average at end: ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}`);
await closeDbs();
fs.rmSync(dir, { recursive: true, force: true });
printFooter();
