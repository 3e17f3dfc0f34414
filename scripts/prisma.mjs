#!/usr/bin/env node
// Runs the Prisma CLI with clipdex's defaults (for schema work: `migrate dev`, `migrate status`;
// applying migrations is `clipdex migrate`). Prisma reads env("DATABASE_URL") before it loads
// prisma.config.ts, and without it falls back to downloading a native engine (fails offline), so
// the default SQLite URL is set here. `node scripts/prisma.mjs generate-all` generates both clients
// (SQLite and PostgreSQL) — run by `npm install` (postinstall).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writePostgresSchema } from './gen-postgres-schema.mjs';
import { dataDirOf, prismaBin as cli, root } from './paths.mjs';

function prisma(args, env) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1', ...env },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function defaultUrl() {
  const dataDir = dataDirOf();
  fs.mkdirSync(dataDir, { recursive: true });
  return `file:${path.join(dataDir, 'clipdex.db')}`;
}

const args = process.argv.slice(2);
if (args[0] === 'generate-all') {
  writePostgresSchema();
  prisma(['generate', '--no-hints'], { DATABASE_URL: 'file:./unused.db' });
  prisma(['generate', '--no-hints'], { DATABASE_URL: 'postgresql://unused@127.0.0.1:5432/unused' });
} else {
  prisma(args, { DATABASE_URL: process.env.DATABASE_URL ?? defaultUrl() });
}
