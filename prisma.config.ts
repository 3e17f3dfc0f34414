/**
 * Prisma CLI configuration. Prisma 6.19 with the JS/Wasm schema engine works fully offline
 * (the classic engine downloads a native binary at start-up, which fails on air-gapped machines).
 * The database comes from DATABASE_URL: a postgres:// or postgresql:// URL selects the PostgreSQL
 * schema and migrations (prisma/postgres), anything else SQLite (default data/clipdex.db).
 * CLIPDEX_PRISMA_PROVIDER=postgresql selects the PostgreSQL schema without a URL (for generate).
 */
import path from 'node:path';
import fs from 'node:fs';
import { defineConfig } from 'prisma/config';
import { dataDirOf } from './scripts/paths.mjs';

function databaseUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const dataDir = dataDirOf();
  fs.mkdirSync(dataDir, { recursive: true });
  return `file:${path.join(dataDir, 'clipdex.db')}`;
}

const url = databaseUrl();
// The schema reads env("DATABASE_URL"); without it `prisma generate` falls back to fetching a
// native query engine, which fails offline.
process.env.DATABASE_URL ??= url;
const postgres = /^postgres(ql)?:\/\//.test(url) || process.env.CLIPDEX_PRISMA_PROVIDER === 'postgresql';
const dir = postgres ? path.join('prisma', 'postgres') : 'prisma';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(dir, 'schema.prisma'),
  migrations: { path: path.join(dir, 'migrations') },
  async adapter() {
    if (postgres) {
      const { PrismaPg } = await import('@prisma/adapter-pg');
      return new PrismaPg({ connectionString: url });
    }
    const { PrismaBetterSQLite3 } = await import('@prisma/adapter-better-sqlite3');
    return new PrismaBetterSQLite3({ url: url.replace(/^file:/, '') });
  },
});
