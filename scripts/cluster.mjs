#!/usr/bin/env node
// `npm run cluster`: a distributed clipdex on this machine to try (docs/SCALING.md): Redis (started
// here when REDIS_URL is unset and redis-server is installed), CLUSTER_WORKERS `clipdex worker`
// processes (default 2) and CLUSTER_NODES web nodes (default 2) on ports 3000, 3001, … (PORT
// moves the first), all on the PostgreSQL database in DATABASE_URL (required) and one shared
// blob dir (data/cluster/blobs); each node has its own data dir (its index replica). The demo
// corpus is ingested through the queue on the first run. Ctrl-C stops everything.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureBuild } from './ensure-build.mjs';
import { withHugePages } from './huge-pages.mjs';
import { clipdexBin, nextBin, root } from './paths.mjs';

process.chdir(root);
const fail = (m) => {
  console.error(`clipdex cluster: ${m}`);
  process.exit(2);
};
if (!/^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '')) {
  fail('set DATABASE_URL to a PostgreSQL database (postgresql://user:password@127.0.0.1:5432/clipdex): every node and worker shares it');
}
const count = (name, def) => {
  const n = Number(process.env[name] ?? def);
  if (!Number.isInteger(n) || n < 0 || n > 16) fail(`${name} must be an integer from 0 to 16, got "${process.env[name]}"`);
  return n;
};
const nWorkers = count('CLUSTER_WORKERS', 2);
const nNodes = count('CLUSTER_NODES', 2);
const base = path.resolve(process.env.CLUSTER_DIR ?? path.join('data', 'cluster'));
const children = [];
const start = (name, args, env) => {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const s of [child.stdout, child.stderr]) s.on('data', (d) => process.stdout.write(String(d).replace(/^(?=.)/gm, `[${name}] `)));
  child.on('exit', (code, sig) => console.log(`[${name}] exited (${sig ?? code})`));
  children.push(child);
  return child;
};
const stopAll = () => {
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);

let redisUrl = process.env.REDIS_URL;
if (!redisUrl) {
  const ping = spawnSync('redis-cli', ['-p', '6379', 'ping'], { encoding: 'utf8' });
  if (ping.stdout?.trim() !== 'PONG') {
    if (spawnSync('redis-server', ['--version']).status !== 0) fail('REDIS_URL is unset and redis-server is not installed (apt-get install redis-server)');
    start('redis', ['-e', "require('node:child_process').spawn('redis-server', ['--port', '6379', '--bind', '127.0.0.1', '--save', ''], { stdio: 'inherit' })"], process.env);
    for (let i = 0; i < 50 && spawnSync('redis-cli', ['-p', '6379', 'ping'], { encoding: 'utf8' }).stdout?.trim() !== 'PONG'; i++) spawnSync('sleep', ['0.1']);
  }
  redisUrl = 'redis://127.0.0.1:6379';
}
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', REDIS_URL: redisUrl, CLIPDEX_BLOB_DIR: path.join(base, 'blobs') };
fs.mkdirSync(env.CLIPDEX_BLOB_DIR, { recursive: true });

const migrate = spawnSync(process.execPath, [clipdexBin, 'migrate'], { cwd: root, stdio: 'inherit', env: { ...env, CLIPDEX_DATA_DIR: path.join(base, 'cli') } });
if (migrate.status !== 0) fail(`the configuration check and migration failed (exit ${migrate.status}); see above`);
if (nNodes) ensureBuild();
for (let i = 1; i <= nWorkers; i++) start(`worker-${i}`, [clipdexBin, 'worker'], { ...env, CLIPDEX_DATA_DIR: path.join(base, `worker-${i}`) });
const port0 = Number(process.env.PORT ?? 3000);
for (let i = 0; i < nNodes; i++) {
  const port = String(port0 + i);
  // each web node as `npm start` runs one (huge pages for its replicas, scripts/huge-pages.mjs)
  start(`node-${i + 1}`, [nextBin, 'start', '-H', '127.0.0.1', '-p', port], withHugePages({ ...env, CLIPDEX_DATA_DIR: path.join(base, `node-${i + 1}`), PORT: port }));
  console.log(`clipdex cluster: web node ${i + 1} on http://127.0.0.1:${port}`);
}
// The demo corpus, through the queue (the workers above do the work), once: like npm start's
// first-run ingest, but not blocking this process, which relays every child's output.
const marker = path.join(base, '.demo-ingested');
if (nWorkers && !fs.existsSync(marker) && process.env.CLIPDEX_SKIP_DEMO !== '1') {
  const demo = start('demo-ingest', [clipdexBin, 'ingest', path.join(root, 'demo', 'train.tsv'), '--dataset', 'demo', '--no-progress'], {
    ...env,
    CLIPDEX_DATA_DIR: path.join(base, 'cli'),
  });
  demo.on('exit', (code) => code === 0 && fs.writeFileSync(marker, new Date().toISOString()));
}
