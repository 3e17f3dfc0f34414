/**
 * HTTP bench: GET /api/search (text → image) with autocannon against `next start`, at N indexed
 * images (default 1M) with the active model (models/mini-clip), p50/p90/p99, req/s and errors,
 * against the same searches in-process through lib/search (the no-HTTP baseline, same data dir).
 *
 *   npx tsx bench/http.ts [--n 1m] [--connections 1,4] [--duration 20] [--port 3999] [--app DIR]
 *
 * The data dir (bench/.cache/http/data-…) is made by bench/http/setup.ts from the bench/search
 * `real` vectors and their prebuilt hnswlib index (run `bench/search.ts --n 1m --dim <model dim>
 * --data real` first). The app is the committed HEAD, exported to $TMPDIR/clipdex-bench-app-<sha> and
 * built with `next build` (or --app: a folder that already holds a production build).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { getConfig } from '../lib/config';
import { readModelManifest } from '../lib/clip';
import { CACHE, printFooter, printHeader, ROOT } from './shared/machine';
import { makeCaptions } from './shared/images';
import { fmt, numListArg, parseArgs, table } from './shared/stats';
import { ensureDataset, readRealBase, SEARCH_CACHE } from './search/data';
import { indexFile } from './search/engines';
import { withHugePages } from '../scripts/huge-pages.mjs';

const args = parseArgs(process.argv.slice(2));
const n = numListArg(args, 'n', '1m')[0];
const conns = numListArg(args, 'connections', '1,4');
const duration = numListArg(args, 'duration', '20')[0];
const port = numListArg(args, 'port', '3999')[0];
const cfg = getConfig();
const modelDir = cfg.modelDir;
const HTTP_CACHE = path.join(CACHE, 'http');

const machine = printHeader('HTTP: GET /api/search (text → image) under autocannon vs in-process lib/search', ['next', 'autocannon', 'hnswlib-node', 'onnxruntime-node', '@prisma/client', 'better-sqlite3']);
const queries = makeCaptions(50);

function runNode(script: string, argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', script, ...argv], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    c.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} exited with ${code}: ${out.slice(-1500)}`))));
  });
}

// 1. The data dir.
const base = readRealBase();
if (!base) throw new Error('no real embeddings: run `npx tsx bench/search/embed-corpus.ts` first');
const dim = base.meta.dim;
const ds = ensureDataset('real', dim, n, 1000);
const params = { m: cfg.hnsw.m, efConstruction: cfg.hnsw.efConstruction, threads: 1 };
const index = indexFile(SEARCH_CACHE, 'hnswlib', `real-d${dim}-n${n}`, params);
if (!fs.existsSync(index) || fs.statSync(index).mtimeMs < fs.statSync(ds.vectors).mtimeMs)
  throw new Error(`${index} is missing or older than its vectors: run \`npx tsx bench/search.ts --n ${n} --dim ${dim} --data real --engines hnswlib-native --build-only\` first`);
const dataDir = path.join(HTTP_CACHE, `data-n${n}-d${dim}`);
const env = { ...process.env, CLIPDEX_DATA_DIR: dataDir, CLIPDEX_MODEL_DIR: modelDir, NEXT_TELEMETRY_DISABLED: '1' } as NodeJS.ProcessEnv;
delete env.DATABASE_URL;
delete (env as Record<string, string | undefined>).NODE_ENV; // next build / next start choose production themselves; an inherited value breaks prerendering
const stamp = path.join(dataDir, 'bench-ready.json');
// Reuse the data dir only for the same index file (and build) and the same active model.
const want = JSON.stringify({ index, indexMtime: fs.statSync(index).mtimeMs, model: fs.readdirSync(path.join(modelDir, 'onnx')).map((f) => `${f}:${fs.statSync(path.join(modelDir, 'onnx', f)).mtimeMs}`) });
const skipLoad = fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want;
if (!skipLoad) fs.rmSync(dataDir, { recursive: true, force: true });
fs.mkdirSync(dataDir, { recursive: true });
console.error(`data dir ${dataDir} (${skipLoad ? 'reused' : 'building'}) …`);
const setupOut = await runNode(path.join(import.meta.dirname, 'http', 'setup.ts'), [JSON.stringify({ vectors: ds.vectors, index, n, dim, queries, m: params.m, efConstruction: params.efConstruction, skipLoad })], env);
type P = { p50: number; p99: number };
const setup = JSON.parse(setupOut.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7)) as { openSeconds: number; inProcess: P & { n: number; p90: number; max: number }; encode: P; ann: P; rss: number; report: unknown };
fs.writeFileSync(stamp, want);

// 2. The app: a production build of the committed HEAD (or --app).
let appDir = args.get('app') ? path.resolve(args.get('app')!) : '';
if (!appDir) {
  const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  // Outside the repository: a build nested in it makes Next.js pick /work/main as the workspace root.
  appDir = path.join(os.tmpdir(), `clipdex-bench-app-${sha}`);
  if (!fs.existsSync(path.join(appDir, '.next', 'BUILD_ID'))) {
    fs.rmSync(appDir, { recursive: true, force: true });
    fs.mkdirSync(appDir, { recursive: true });
    execFileSync('sh', ['-c', `git archive HEAD | tar -x -C "${appDir}"`], { cwd: ROOT });
    // Hard links, not a symlink: Turbopack refuses packages that resolve outside its root.
    execFileSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(appDir, 'node_modules')]);
    fs.cpSync(path.join(ROOT, 'lib', 'generated'), path.join(appDir, 'lib', 'generated'), { recursive: true });
    console.error(`next build in ${appDir} …`);
    const t = performance.now();
    execFileSync(process.execPath, [path.join(appDir, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], { cwd: appDir, env, stdio: ['ignore', 'ignore', 'inherit'] });
    console.error(`built in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
}

// 3. Start the server and wait for /api/health.
// next from the app's own node_modules: one React instance for next and the app; the environment
// `npm start` gives it (huge pages for malloc, scripts/huge-pages.mjs)
const server: ChildProcess = spawn(process.execPath, [path.join(appDir, 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-p', String(port)], { cwd: appDir, env: withHugePages(env), stdio: ['ignore', 'ignore', 'inherit'] });
const stop = () => server.kill('SIGTERM');
process.on('exit', stop);
const t0 = performance.now();
let health: { status?: string; indexes?: { image: number } } = {};
for (;;) {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/api/health`);
    health = (await r.json()) as typeof health;
    if (r.ok) break;
  } catch {
    /* not up yet */
  }
  if (performance.now() - t0 > 600_000) throw new Error('server did not become healthy in 10 minutes');
  await new Promise((r) => setTimeout(r, 500));
}
const readySeconds = (performance.now() - t0) / 1000;
if (health.indexes?.image !== n) throw new Error(`server reports ${health.indexes?.image} indexed images, expected ${n}`);
const url = (i: number) => `/api/search?q=${encodeURIComponent(queries[i % queries.length])}&mode=t2i&k=24`;
for (let i = 0; i < 50; i++) await fetch(`http://127.0.0.1:${port}${url(i)}`).then((r) => r.arrayBuffer());

// 4. Load.
const rows: (string | number | undefined)[][] = [
  ['  part: encodeTexts([q]) alone', 1, queries.length, setup.encode.p50, undefined, setup.encode.p99, undefined, undefined, 0, 0],
  ['  part: HNSW search alone (k=24)', 1, queries.length, setup.ann.p50, undefined, setup.ann.p99, undefined, undefined, 0, 0],
  ['in-process lib/search search() (no HTTP)', 1, setup.inProcess.n, setup.inProcess.p50, setup.inProcess.p90, setup.inProcess.p99, setup.inProcess.max, undefined, 0, 0],
];
for (const c of conns) {
  let i = 0;
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: c,
    duration,
    requests: [{ method: 'GET', setupRequest: (req: Record<string, unknown>) => ({ ...req, path: url(i++) }) }],
  });
  rows.push([`GET /api/search via next start`, c, r.requests.total, r.latency.p50, r.latency.p90, r.latency.p99, r.latency.max, r.requests.average, r.errors + r.timeouts, r.non2xx]);
  process.stderr.write(`  c=${c}: p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.requests.average} req/s, errors ${r.errors}, non-2xx ${r.non2xx}\n`);
}
const serverRss = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(server.pid)], { encoding: 'utf8' }).trim()) * 1024;
stop();

const man = readModelManifest(modelDir);
console.log(`- data: ${n.toLocaleString('en-US')} images (bulk-inserted rows + the prebuilt hnswlib index of bench/search's real d=${dim} vectors, M=${params.m}, efC=${params.efConstruction}, efSearch=${cfg.hnsw.efSearch}), 1,000 captions linked round-robin; model ${path.relative(ROOT, man.dir)}; queries: ${queries.length} generated captions, rotated, k=24`);
console.log(`- server: ${path.relative(ROOT, appDir)} (next start, NODE_ENV=production); healthy ${fmt(readySeconds)} s after spawn (engine open + index load + reconcile of ${n.toLocaleString('en-US')} labels; in the setup process the engine opened in ${fmt(setup.openSeconds)} s); server RSS after the load ${fmt(serverRss / 2 ** 20)} MiB`);
console.log(`- autocannon: ${duration} s per row after 50 warm-up requests; latencies in ms (autocannon reports whole ms)\n`);
console.log(table(['path', 'connections', 'requests', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'req/s', 'errors + timeouts', 'non-2xx'], rows));
console.log(`\n- targets (issue 6, 1M images, mini model): p50 < 20 ms, p99 < 60 ms, no errors — see the connections=1 row`);
printFooter();
process.exit(0);
