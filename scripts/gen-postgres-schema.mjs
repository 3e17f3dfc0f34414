#!/usr/bin/env node
// prisma/schema.prisma (SQLite) is the one schema we edit. This writes its PostgreSQL twin,
// prisma/postgres/schema.prisma, so the two can never drift; a unit test checks they agree.
import fs from 'node:fs';
import path from 'node:path';
import { root } from './paths.mjs';

export function postgresSchema(sqlite) {
  const out = sqlite
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('output       = "../lib/generated/prisma"', 'output       = "../../lib/generated/prisma-pg"')
    .replace(/^\/\/ clipdex metadata\..*$/m, '// GENERATED from prisma/schema.prisma by scripts/gen-postgres-schema.mjs — edit that file instead.');
  if (out === sqlite || !out.includes('postgresql') || !out.includes('prisma-pg')) {
    throw new Error('gen-postgres-schema: prisma/schema.prisma no longer has the expected provider/output lines');
  }
  return out;
}

/** Write prisma/postgres/schema.prisma from prisma/schema.prisma. */
export function writePostgresSchema() {
  const src = fs.readFileSync(path.join(root, 'prisma', 'schema.prisma'), 'utf8');
  fs.mkdirSync(path.join(root, 'prisma', 'postgres'), { recursive: true });
  fs.writeFileSync(path.join(root, 'prisma', 'postgres', 'schema.prisma'), postgresSchema(src));
}

if (path.resolve(process.argv[1] ?? '') === path.resolve(import.meta.filename)) writePostgresSchema();
