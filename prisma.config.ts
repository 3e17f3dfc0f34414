/**
 * Prisma CLI configuration. Prisma 6.19 with the JS/Wasm schema engine works fully offline
 * (the classic engine downloads a native binary at start-up, which fails on air-gapped machines).
 * The database URL comes from lib/config (DATABASE_URL, or data/clipdex.db by default).
 */
import path from 'node:path';
import fs from 'node:fs';
import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';

function databaseUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const dataDir = path.resolve(process.env.CLIPDEX_DATA_DIR ?? './data');
  fs.mkdirSync(dataDir, { recursive: true });
  return `file:${path.join(dataDir, 'clipdex.db')}`;
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  async adapter() {
    return new PrismaBetterSQLite3({ url: databaseUrl() });
  },
});
