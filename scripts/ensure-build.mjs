#!/usr/bin/env node
// Runs `next build` only when the production build is missing or older than the sources, so
// `npm start` and the e2e tests are quick after the first time and never serve a stale build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { nextBin, root } from './paths.mjs';
const SOURCES = ['app', 'components', 'lib', 'public', 'next.config.js', 'package-lock.json', 'prisma/schema.prisma'];
const SKIP = new Set(['node_modules', '.next', 'generated']);

function newestMtime(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of fs.readdirSync(p)) {
    if (SKIP.has(name) || name.endsWith('.test.ts')) continue;
    newest = Math.max(newest, newestMtime(path.join(p, name)));
  }
  return newest;
}

export function buildIsFresh() {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!fs.existsSync(buildId)) return false;
  const built = fs.statSync(buildId).mtimeMs;
  return SOURCES.every((s) => newestMtime(path.join(root, s)) <= built);
}

export function ensureBuild() {
  if (buildIsFresh()) return;
  console.log('clipdex: building the web app (next build) — the first time takes a few minutes…');
  const r = spawnSync(process.execPath, [nextBin, 'build'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (r.status !== 0) {
    console.error('clipdex: next build failed (see above).');
    process.exit(r.status ?? 1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) ensureBuild();
