#!/usr/bin/env node
// `npm start`: build if needed, migrate the database, ingest the bundled demo corpus on the very
// first run, then serve the app on http://127.0.0.1:3000 (HOST / PORT override).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureBuild } from './ensure-build.mjs';

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
const dataDir = path.resolve(env.CLIPDEX_DATA_DIR ?? './data');
const demo = path.resolve(env.CLIPDEX_DEMO_CORPUS ?? './demo/train.tsv');
const marker = path.join(dataDir, '.demo-ingested');

function run(args, what) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`clipdex: ${what} failed (exit ${r.status}).`);
    process.exit(r.status ?? 1);
  }
}

ensureBuild();
fs.mkdirSync(dataDir, { recursive: true });
run([path.join(root, 'node_modules', 'prisma', 'build', 'index.js'), 'migrate', 'deploy'], 'database migration');

if (env.CLIPDEX_SKIP_DEMO !== '1' && !fs.existsSync(marker) && fs.existsSync(demo)) {
  console.log(`clipdex: first run — ingesting the demo corpus ${path.relative(root, demo)} as dataset "demo"…`);
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'clipdex.mjs'), 'ingest', demo, '--dataset', 'demo'], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
  // Exit code 0 = all good, other codes with some lines ingested still count as done.
  if (r.status === 0 || r.status === 2) fs.writeFileSync(marker, new Date().toISOString());
  else console.error('clipdex: the demo ingest did not finish; the app starts anyway (run `npx clipdex ingest demo/train.tsv --dataset demo`).');
}

const host = env.HOST ?? '127.0.0.1';
const port = env.PORT ?? '3000';
console.log(`clipdex: serving on http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`);
const child = spawn(process.execPath, [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-H', host, '-p', port], {
  cwd: root,
  stdio: 'inherit',
  env,
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
