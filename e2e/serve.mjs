#!/usr/bin/env node
// The e2e server: an empty data directory, the production build (built only when stale),
// migrated database, then `next start` on the test port (127.0.0.1).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildIsFresh, ensureBuild } from '../scripts/ensure-build.mjs';
import { withHugePages } from '../scripts/huge-pages.mjs';
import { clipdexBin, nextBin, root } from '../scripts/paths.mjs';

const dataDir = process.env.E2E_DATA_DIR;
const port = process.env.E2E_PORT ?? '3217';
if (!dataDir) throw new Error('E2E_DATA_DIR is not set (run through playwright test)');

fs.rmSync(dataDir, { recursive: true, force: true });
fs.mkdirSync(dataDir, { recursive: true });
const env = {
  ...process.env,
  CLIPDEX_DATA_DIR: dataDir,
  DATABASE_URL: `file:${path.join(dataDir, 'clipdex.db')}`,
  NEXT_TELEMETRY_DISABLED: '1',
};

if (process.env.E2E_WAIT_FOR_BUILD === '1') {
  // A second server: let the first one build, whether Playwright starts them together or not.
  const deadline = Date.now() + 20 * 60_000;
  while (!buildIsFresh()) {
    if (Date.now() > deadline) throw new Error('the production build did not appear within 20 minutes');
    await new Promise((r) => setTimeout(r, 2000));
  }
} else ensureBuild();
// The same migration path as `npm start`.
const migrate = spawnSync(process.execPath, [clipdexBin, 'migrate'], { cwd: root, env, stdio: 'inherit' });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

// the environment `npm start` gives the server (huge pages for malloc, scripts/huge-pages.mjs)
const child = spawn(process.execPath, [nextBin, 'start', '-H', '127.0.0.1', '-p', port], {
  cwd: root,
  env: withHugePages(env),
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
