/**
 * What the live index's catch-up costs a search (lib/index catchUpWithDatabase): the watermark
 * query (max id and count of the active model's vector rows) that runs at most once a second
 * before a search, on SQLite with 10k and 100k vector rows, and loading 500 rows another process
 * added. Run: `npx tsx bench/index-catch-up.ts`.
 */
import './shared/help'; // --help: this script's header comment
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { closeDbs, countVectors, iterateVectors, getDb, maxVectorLabel, migrateDatabase, tuneSqlite } from '../lib/db';
import { catchUpWithDatabase, HnswIndex } from '../lib/index';

const DIM = 256;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-bench-catchup-'));
const url = `file:${path.join(dir, 'clipdex.db')}`;
await migrateDatabase(url);

function fill(from: number, to: number) {
  const raw = new Database(url.slice(5));
  raw.exec(`INSERT OR IGNORE INTO "Model" (id, name, layout, dim) VALUES ('m', 'm', 'x', ${DIM})`);
  raw.exec(`INSERT OR IGNORE INTO "Dataset" (id, name, format, status, updatedAt) VALUES (1, 'd', 'pairs', 'ready', CURRENT_TIMESTAMP)`);
  const img = raw.prepare('INSERT INTO "Image" (id, datasetId, sha256, width, height, format, bytes, line) VALUES (?, 1, ?, 1, 1, \'png\', 1, ?)');
  const vec = raw.prepare('INSERT INTO "ImageVector" (id, imageId, modelId, data) VALUES (?, ?, \'m\', ?)');
  const v = new Float32Array(DIM);
  raw.transaction(() => {
    for (let i = from; i <= to; i++) {
      v.fill(0);
      v[i % DIM] = 1;
      img.run(i, `sha${i}`, i);
      vec.run(i, i, Buffer.from(v.buffer));
    }
  })();
  raw.close();
}

const db = getDb(url);
await tuneSqlite(db);
async function median(fn: () => Promise<unknown>, n = 50): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return ts.sort((a, b) => a - b)[Math.floor(n / 2)];
}

fill(1, 10_000);
console.log(`max id, 10k rows:  ${(await median(() => maxVectorLabel(db, 'image', 'm'))).toFixed(2)} ms; count ${(await median(() => countVectors(db, 'image', 'm'))).toFixed(2)} ms (medians of 50)`);
fill(10_001, 100_000);
console.log(`max id, 100k rows: ${(await median(() => maxVectorLabel(db, 'image', 'm'))).toFixed(2)} ms; count ${(await median(() => countVectors(db, 'image', 'm'))).toFixed(2)} ms (medians of 50)`);

// An index holding the first 20k (building 100k takes minutes on two cores), then 500 new rows.
const index = HnswIndex.create({ dir: path.join(dir, 'index'), kind: 'image', modelId: 'm', dim: DIM, m: 16, efConstruction: 100, efSearch: 64 });
let t = performance.now();
for await (const page of iterateVectors(db, 'image', 'm', { upTo: 20_000 })) index.add(page.map((v) => v.label), page.map((v) => v.vector));
console.log(`indexing 20k: ${((performance.now() - t) / 1000).toFixed(1)} s`);
await db.imageVector.deleteMany({ where: { id: { gt: 20_000 } } });
fill(100_001, 100_500);
t = performance.now();
const r = await catchUpWithDatabase(index, db, { after: 20_000 });
console.log(`catch-up of 500 new rows: ${(performance.now() - t).toFixed(0)} ms (added ${r.added})`);
console.log(`nothing new, no deletion check (the per-second check): ${(await median(() => catchUpWithDatabase(index, db, { after: r.after }))).toFixed(2)} ms (median of 50)`);
console.log(`nothing new, with the deletion check (every 30 s), 20.5k rows: ${(await median(() => catchUpWithDatabase(index, db, { after: r.after, full: true }))).toFixed(2)} ms (median of 50)`);
await closeDbs();
fs.rmSync(dir, { recursive: true, force: true });
