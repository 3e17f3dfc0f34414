/**
 * What one ingest batch's bulk write costs the main thread, three ways, on a real SQLite file
 * (issue 13, lib/db/sql-runner.ts): 32 Image rows and their 32 ImageVector rows (512-d), inside
 * one transaction, as
 * - Prisma's model API (createManyAndReturn: what commit.ts did before),
 * - Prisma's $queryRaw with the same INSERT … RETURNING (sql-runner's way on PostgreSQL),
 * - that INSERT on SQLite's connection inside Prisma's transaction (sql-runner's way on SQLite).
 * Medians of interleaved rounds; CPU is this process's (user + sys), which is the main thread here.
 *   npx tsx bench/ingest/prisma-queries.ts [--rounds 7] [--batches 30]
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeDbs, getDb, migrateDatabase, tuneSqlite, vectorToBytes, type Db } from '../../lib/db';
import { insertRows, prismaRunner, sqlRunner, type SqlRunner } from '../../lib/db/sql-runner';
import { printFooter, printHeader } from '../shared/machine';
import { fmt, median, parseArgs, table } from '../shared/stats';

const args = parseArgs(process.argv.slice(2));
const rounds = Number(args.get('rounds') ?? 7);
const batches = Number(args.get('batches') ?? 30);
const ROWS = 32;
const DIM = 512;

printHeader('a batch of 32 images and vectors written three ways — bench/ingest/prisma-queries.ts', ['@prisma/client', 'better-sqlite3']);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-bench-prisma-'));
const url = `file:${path.join(dir, 'bench.db')}`;
await migrateDatabase(url);
const db = getDb(url);
await tuneSqlite(db, url); // WAL, synchronous NORMAL: as clipdex runs it
const modelId = 'b'.repeat(16);
await db.model.create({ data: { id: modelId, name: 'bench', layout: 'hf', dim: DIM } });
const datasetId = (await db.dataset.create({ data: { name: 'bench', format: 'pairs' } })).id;
const vector = vectorToBytes(new Float32Array(DIM).map((_, i) => Math.sin(i)));
let serial = 0;
const batch = () => Array.from({ length: ROWS }, () => createHash('sha256').update(String(serial++)).digest('hex'));

const ways: Record<string, (db: Db) => Promise<void>> = {
  'Prisma createManyAndReturn': (db) =>
    db.$transaction(async (tx) => {
      const now = new Date();
      const imgs = await tx.image.createManyAndReturn({
        data: batch().map((sha256, i) => ({ datasetId, sha256, width: 500, height: 500, format: 'jpeg', bytes: 48_000, externalId: null, line: i, createdAt: now })),
        select: { id: true },
      });
      await tx.imageVector.createManyAndReturn({ data: imgs.map((r) => ({ imageId: r.id, modelId, data: vector })), select: { id: true, imageId: true } });
    }),
  'Prisma $queryRaw INSERT … RETURNING': (db) => db.$transaction(async (tx) => writeWith(prismaRunner(tx))),
  'sql-runner (on the connection)': (db) => db.$transaction(async (tx) => writeWith(sqlRunner(db, tx))),
};

async function writeWith(sql: SqlRunner): Promise<void> {
  const now = new Date();
  const imgs = await insertRows<{ id: number }>(
    sql, 'Image', ['datasetId', 'sha256', 'width', 'height', 'format', 'bytes', 'externalId', 'line', 'createdAt'],
    batch().map((sha, i) => [datasetId, sha, 500, 500, 'jpeg', 48_000, null, i, now]), ['id'],
  );
  await insertRows(sql, 'ImageVector', ['imageId', 'modelId', 'data'], imgs.map((r) => [r.id, modelId, vector]), ['id', 'imageId']);
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const wall: Record<string, number[]> = {};
const cpu: Record<string, number[]> = {};
for (const name of Object.keys(ways)) await ways[name](db); // warm each way once
for (let r = 0; r < rounds; r++) {
  for (const [name, write] of Object.entries(ways)) {
    const t = performance.now();
    const c = cpuMs();
    for (let b = 0; b < batches; b++) await write(db);
    (wall[name] ??= []).push((performance.now() - t) / batches);
    (cpu[name] ??= []).push((cpuMs() - c) / batches);
  }
}
const base = median(cpu['Prisma createManyAndReturn']);
console.log(`- ${rounds} interleaved rounds of ${batches} batches each; per batch: ${ROWS} Image rows + ${ROWS} ImageVector rows (${DIM}-d) in one transaction\n`);
console.log(table(
  ['way', 'median wall ms / batch', 'median CPU ms / batch', '× Prisma model API (CPU)'],
  Object.keys(ways).map((name) => [name, fmt(median(wall[name])), fmt(median(cpu[name])), fmt(base / median(cpu[name]))]),
));
const rows = await db.image.count();
console.log(`\n- rows written: ${rows} images (${(Object.keys(ways).length * (rounds * batches + 1)) * ROWS} expected)`);
printFooter();
await closeDbs();
fs.rmSync(dir, { recursive: true, force: true });
