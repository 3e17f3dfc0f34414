#!/usr/bin/env node
// Runs `next build` only when the production build is missing or older than the sources, so
// `npm start` and the e2e tests are quick after the first time and never serve a stale build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { nextBin, root } from './paths.mjs';
/**
 * Everything `next build` reads. A top-level file the build compiles or reads its settings from
 * (proxy.ts, tsconfig.json) belongs here too: a change to it alone must rebuild, or `npm start`
 * serves the old proxy (review finding 5).
 */
export const SOURCES = [
  'app', 'components', 'lib', 'public', 'i18n', 'messages', 'proxy.ts', 'middleware.ts', 'instrumentation.ts',
  'next.config.js', 'tsconfig.json', 'package-lock.json', 'prisma/schema.prisma',
];
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

/** `dir` is the project root; tests pass a scratch folder. A source that does not exist is ignored. */
export function buildIsFresh(dir = root) {
  const buildId = path.join(dir, '.next', 'BUILD_ID');
  if (!fs.existsSync(buildId)) return false;
  const built = fs.statSync(buildId).mtimeMs;
  return SOURCES.every((s) => newestMtime(path.join(dir, s)) <= built);
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
