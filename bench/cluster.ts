/**
 * Issue 15's cluster figures on this machine (PostgreSQL + Redis must be running):
 *   1. throughput: `clipdex ingest` of a corpus through the queue with 1 and then 2 workers at
 *      CLIPDEX_THREADS=1, each into a fresh database (so every image is embedded, none reused),
 *      with OCR off (CLIPDEX_OCR=0: these are embedding figures; workers read text only since
 *      the OCR stage moved into them, after the figures in docs/SCALING.md were taken) and, for
 *      the queue's parallel efficiency, near-duplicate links off too (CLIPDEX_NEAR_DUPLICATES=0:
 *      the one stage the starting process does itself); then the same pair with the links on
 *      (the whole ingest as a user runs it, OCR aside);
 *   2. lag: during the 2-worker run, a search node (test/cluster/search-node.ts) follows the
 *      database; each image vector's first sighting in the database (polled every 25 ms) is
 *      compared with its first sighting in the node's index (polled every 25 ms);
 *   3. queries/s of that node (text → image, k 10, sequential and 4 at once) and its RSS;
 *   4. kills: `--kills N` SIGKILLs a worker right after it commits a batch, N times, restarting
 *      it each time, over as many ingests as it takes; every ingest is then checked: each line
 *      stored exactly once (counted against the file).
 * Usage: tsx bench/cluster.ts --pg postgresql://u:p@127.0.0.1:5432/ --redis redis://127.0.0.1:6379
 *        [--corpus demo/train.tsv | jpeg:N] [--kills 20] [--skip-throughput] [--skip-lag] [--lag-only]
 * The --pg URL names the server; databases <db-prefix>_1, _2, _kills (default prefix clipdex_bench_cluster)
 * are dropped and created there.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { readPairsTsv, startCli } from '../test/helpers/cli';
import { CACHE } from './shared/machine';
import { jpegPairsCorpus } from './shared/images';
import { dropQueue, getJson, kill, ROOT, sleep, startNode, startWorker, type Proc } from '../test/cluster/processes';

const { values: args } = parseArgs({
  options: {
    pg: { type: 'string' },
    redis: { type: 'string' },
    corpus: { type: 'string', default: 'demo/train.tsv' },
    kills: { type: 'string', default: '20' },
    'skip-throughput': { type: 'boolean', default: false },
    'db-prefix': { type: 'string', default: 'clipdex_bench_cluster' },
    'lag-only': { type: 'boolean', default: false },
    'skip-lag': { type: 'boolean', default: false },
  },
});
if (!args.pg || !args.redis) throw new Error('--pg and --redis are required');
// `jpeg:N`: N generated 500×500 JPEG pairs (bench/shared/images.ts), photo-sized work per image.
const jpeg = args.corpus!.match(/^jpeg:(\d+)$/);
const corpus = jpeg ? await jpegPairsCorpus(Number(jpeg[1]), path.join(CACHE, 'cluster')) : path.resolve(ROOT, args.corpus!);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-bench-cluster-'));
const procs: Proc[] = [];
const log = (m: string) => process.stdout.write(`${m}\n`);

async function freshDb(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: `${args.pg!.replace(/\/[^/]*$/, '/')}postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return `${args.pg!.replace(/\/[^/]*$/, '/')}${name}`;
}

function envFor(db: string, queue: string, extra: Record<string, string> = {}): Record<string, string> {
  return { REDIS_URL: args.redis!, DATABASE_URL: db, CLIPDEX_QUEUE: queue, CLIPDEX_BLOB_DIR: path.join(dir, `blobs-${queue}`), CLIPDEX_THREADS: '1', CLIPDEX_OCR: '0', ...extra };
}

async function workers(n: number, env: Record<string, string>, tag: string): Promise<Proc[]> {
  const ws = Array.from({ length: n }, (_, i) => startWorker(`${tag}-w${i + 1}`, { ...env, CLIPDEX_DATA_DIR: path.join(dir, `${tag}-w${i + 1}`) }));
  procs.push(...ws);
  await Promise.all(ws.map((w) => w.waitFor(/ready/, 180_000)));
  return ws;
}

/** CPU seconds of every PostgreSQL and Redis server process on this machine (they serve only the bench here). */
function serviceCpu(): { pg: number; redis: number } {
  const out = { pg: 0, redis: 0 };
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const kind = comm.startsWith('postgres') ? 'pg' : comm.startsWith('redis-server') ? 'redis' : undefined;
      if (kind) out[kind] += cpuSeconds(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function ingest(env: Record<string, string>, dataset: string, file = corpus) {
  const cli = startCli(['ingest', file, '--dataset', dataset, '--json', '--no-progress'], { ...env, CLIPDEX_DATA_DIR: path.join(dir, 'cli') });
  const start = performance.now();
  // The CLI's own CPU, read just before it exits (its /proc entry goes with it).
  let cliCpu = 0;
  const sampler = setInterval(() => {
    try {
      cliCpu = cpuSeconds(cli.child.pid!);
    } catch {
      // exited
    }
  }, 100);
  const r = await cli.done;
  clearInterval(sampler);
  if (r.code !== 0) throw new Error(`ingest exited ${r.code}: ${r.stderr}`);
  const s = JSON.parse(r.stdout) as { records: number; images: number; seconds: number; duplicates: number; stages: Record<string, number> };
  return { ...s, cliCpu, wall: (performance.now() - start) / 1000 };
}

const pairs = (xs: number[]) => Array.from({ length: xs.length / 2 }, (_, i) => [xs[2 * i], xs[2 * i + 1]] as const);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** CPU seconds (user + system, all threads) a process has used so far. */
function cpuSeconds(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ 100 on Linux)
}

async function throughput(n: number, withLag: boolean, links = false) {
  const db = await freshDb(`${args['db-prefix']}_${n}`);
  const queue = `bench-${n}-${Date.now()}`;
  const env = envFor(db, queue, { CLIPDEX_NEAR_DUPLICATES: links ? '1' : '0' });
  // Migrate once before the workers race to.
  const m = await startCli(['migrate'], { ...env, CLIPDEX_DATA_DIR: path.join(dir, 'cli') }).done;
  if (m.code !== 0) throw new Error(m.stderr);
  const ws = await workers(n, env, `t${n}`);
  let lag: { p50: number; p99: number; max: number; n: number; qps1?: number; qps4?: number; rssMiB?: number } | undefined;
  let node: (Proc & { port: number }) | undefined;
  const inDb = new Map<number, number>();
  const onNode = new Map<number, number>();
  let polling = false;
  let poller: Promise<void> | undefined;
  if (withLag) {
    node = await startNode('lag-node', { ...env, CLIPDEX_DATA_DIR: path.join(dir, 'lag-node') });
    procs.push(node);
    const c = new pg.Client({ connectionString: db });
    await c.connect();
    polling = true;
    poller = (async () => {
      while (polling) {
        if (node!.child.exitCode !== null || node!.child.signalCode !== null) throw new Error(`the node exited:\n${node!.out.slice(-4000)}`);
        const [rows, labels] = await Promise.all([
          c.query('SELECT id FROM "ImageVector"'),
          getJson<{ image: number[] }>(node!.port, '/labels').catch(async (err) => {
            await sleep(500);
            throw new Error(`node: ${(err as Error).cause ?? err} (exit ${node!.child.exitCode ?? node!.child.signalCode ?? 'none yet'}); its output:\n${node!.out.slice(-4000)}`);
          }),
        ]);
        const t = performance.now();
        for (const r of rows.rows as { id: number }[]) if (!inDb.has(r.id)) inDb.set(r.id, t);
        for (const l of labels.image) if (!onNode.has(l)) onNode.set(l, t);
        await sleep(25);
      }
      await c.end();
    })();
  }
  const cpu0 = ws.map((w) => cpuSeconds(w.child.pid!));
  const svc0 = serviceCpu();
  // When each slice was reported done (workers print one line per slice), from the ingest's start.
  const t0 = performance.now();
  const sliceDone: number[] = [];
  // Workers log one line per slice on stderr: "clipdex worker: slice 3 (lines …) … in 1.23 s".
  for (const w of ws) w.child.stderr!.on('data', (d: Buffer) => {
    for (const l of String(d).split('\n')) {
      const m = l.match(/: slice \d+ \(lines .* in ([\d.]+) s/);
      if (m) sliceDone.push((performance.now() - t0) / 1000, Number(m[1]));
    }
  });
  const s = await ingest(env, 'bench');
  const workerCpu = ws.reduce((sum, w, i) => sum + cpuSeconds(w.child.pid!) - cpu0[i], 0);
  const svc1 = serviceCpu();
  log(`  ${n} worker(s): CLI wall ${s.wall.toFixed(1)} s (job ${s.seconds.toFixed(1)} s), CLI CPU ${s.cliCpu.toFixed(1)} s, PostgreSQL CPU ${(svc1.pg - svc0.pg).toFixed(1)} s, Redis CPU ${(svc1.redis - svc0.redis).toFixed(1)} s; coordinator's near-duplicate linking ${s.stages.index.toFixed(1)} s; slices done at (s, after taking s) ${pairs(sliceDone).sort((a, b) => a[0] - b[0]).map(([at, took]) => `${at.toFixed(1)} (${took.toFixed(1)})`).join(', ')}`);
  if (withLag && node) {
    await sleep(3000);
    polling = false;
    await poller;
    const lags = [...inDb].map(([l, t]) => (onNode.get(l) ?? Infinity) - t).map((x) => Math.max(0, x));
    lag = { p50: pct(lags, 50), p99: pct(lags, 99), max: Math.max(...lags), n: lags.length };
    // Queries per second of the node (it holds the corpus now).
    const queries = readPairsTsv(corpus).map((p) => p.text).slice(0, 200);
    const qps = async (conc: number) => {
      let done = 0;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: conc }, async (_, j) => {
        for (let i = j; performance.now() - t0 < 10_000; i += conc) {
          await getJson(node!.port, `/search?q=${encodeURIComponent(queries[i % queries.length])}&k=10`);
          done++;
        }
      }));
      return done / ((performance.now() - t0) / 1000);
    };
    lag.qps1 = await qps(1);
    lag.qps4 = await qps(4);
    lag.rssMiB = Number(fs.readFileSync(`/proc/${node.child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]) / 1024;
    await kill(node, 'SIGTERM');
  }
  await Promise.all(ws.map((w) => kill(w, 'SIGTERM')));
  await dropQueue(args.redis!, queue);
  return { workers: n, images: s.images, seconds: s.seconds, rate: s.images / s.seconds, perCpu: s.images / workerCpu, workerCpu, lag };
}

async function kills(target: number) {
  const db = await freshDb(`${args['db-prefix']}_kills`);
  const queue = `bench-kills-${Date.now()}`;
  const env = envFor(db, queue, { CLIPDEX_BATCH_SIZE: '8', CLIPDEX_BATCHES_PER_SLICE: '3', CLIPDEX_QUEUE_LOCK_MS: '2000', CLIPDEX_TEST_SLICE_PAUSE_MS: '200' });
  const m = await startCli(['migrate'], { ...env, CLIPDEX_DATA_DIR: path.join(dir, 'cli') }).done;
  if (m.code !== 0) throw new Error(m.stderr);
  const ws = await workers(2, env, 'k');
  const good = readPairsTsv(corpus);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const want = { images: new Set(good.map((g) => sha(g.image))).size, texts: new Set(good.map((g) => g.text)).size, links: new Set(good.map((g) => `${sha(g.image)}\t${g.text}`)).size };
  let killed = 0;
  const checks: string[] = [];
  const c = new pg.Client({ connectionString: db });
  await c.connect();
  for (let round = 1; killed < target; round++) {
    const dataset = `kills-${round}`;
    let running = true;
    const killer = (async () => {
      while (running && killed < target) {
        // The worker that last committed a batch is mid-slice: kill it there, start another.
        const i = killed % 2;
        const from = ws[i].out.length;
        try {
          await ws[i].waitFor(/batch \d+ committed/, 60_000, from);
        } catch {
          continue;
        }
        if (!running) break;
        await kill(ws[i]);
        killed++;
        ws[i] = startWorker(`k-w${i + 1}`, { ...env, CLIPDEX_DATA_DIR: path.join(dir, `k-w${i + 1}`) });
        procs.push(ws[i]);
        await ws[i].waitFor(/ready/, 180_000);
      }
    })();
    const s = await ingest(env, dataset);
    running = false;
    await killer;
    const q = async (sql: string) => Number((await c.query(sql, [dataset])).rows[0].n);
    const got = {
      images: await q('SELECT count(*) n FROM "Image" i JOIN "Dataset" d ON d.id = i."datasetId" WHERE d.name = $1'),
      texts: await q('SELECT count(*) n FROM "Text" t JOIN "Dataset" d ON d.id = t."datasetId" WHERE d.name = $1'),
      links: await q('SELECT count(*) n FROM "ImageText" l JOIN "Image" i ON i.id = l."imageId" JOIN "Dataset" d ON d.id = i."datasetId" WHERE d.name = $1'),
      vectors: await q('SELECT count(*) n FROM "ImageVector" v JOIN "Image" i ON i.id = v."imageId" JOIN "Dataset" d ON d.id = i."datasetId" WHERE d.name = $1'),
    };
    const ok = got.images === want.images && got.texts === want.texts && got.links === want.links && got.vectors === want.images && s.records === good.length;
    checks.push(`${dataset}: ${killed} kills so far; stored ${JSON.stringify(got)} want ${JSON.stringify(want)} (${s.records} records) → ${ok ? 'exactly once' : 'MISMATCH'}`);
    log(checks.at(-1)!);
  }
  await c.end();
  await Promise.all(ws.map((w) => kill(w, 'SIGTERM')));
  await dropQueue(args.redis!, queue);
  return { killed, checks };
}

try {
  log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (shared with other work)`);
  if (args['lag-only']) {
    const lagRun = await throughput(2, true, true);
    log(`lag-only run: ${JSON.stringify(lagRun.lag)}`);
  } else if (!args['skip-throughput']) {
    // Throughput runs alone (no node, no polling); the lag and the node's figures come from a last run.
    const line = (r: Awaited<ReturnType<typeof throughput>>) =>
      `${r.workers} worker${r.workers > 1 ? 's' : ''}: ${r.images} images in ${r.seconds.toFixed(1)} s = ${r.rate.toFixed(1)} images/s; workers' CPU ${r.workerCpu.toFixed(1)} s = ${r.perCpu.toFixed(1)} images per CPU-second`;
    for (const links of [false, true]) {
      log(links ? 'whole ingest (near-duplicate links on, in the starting process):' : "the queue's parallel efficiency (near-duplicate links off):");
      const one = await throughput(1, false, links);
      log(line(one));
      const two = await throughput(2, false, links);
      log(`${line(two)} (${(two.rate / one.rate).toFixed(2)}× one worker's images/s; ${(two.perCpu / one.perCpu).toFixed(2)}× its images per CPU-second)`);
    }
    const lagRun = args['skip-lag'] ? undefined : await throughput(2, true, true);
    if (lagRun?.lag) {
      const l = lagRun.lag;
      log(`lag (commit seen in the database → in the node's index, 25 ms polls), n=${l.n}: p50 ${l.p50.toFixed(0)} ms, p99 ${l.p99.toFixed(0)} ms, max ${l.max.toFixed(0)} ms`);
      log(`node: ${l.qps1!.toFixed(1)} queries/s sequential, ${l.qps4!.toFixed(1)} queries/s 4 at once; RSS ${l.rssMiB!.toFixed(0)} MiB`);
    }
    log(`load average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  }
  const target = Number(args.kills);
  if (target > 0) {
    const k = await kills(target);
    log(`kills: ${k.killed} worker SIGKILLs; ${k.checks.every((c) => c.endsWith('exactly once')) ? 'every ingest stored every line exactly once' : 'MISMATCH (see above)'}`);
  }
} finally {
  await Promise.all(procs.map((p) => kill(p)));
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(0); // pg and BullMQ keep sockets that would hold the process open
