/**
 * Issue 13, target 5: when another connection commits a batch of vectors, the server's catch-up
 * adds them in slices and gives the event loop back in between (a server answering nothing for
 * the whole batch was the bug), searches meanwhile see a prefix of the new rows, and none is lost.
 * Real SQLite (rows committed by a second connection, as another process does) and real hnswlib.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDbs, getDb, migrateDatabase, type Db } from '../../lib/db';
import { catchUpWithDatabase, HnswIndex, openIndexes } from '../../lib/index';

const DIM = 64;
const HNSW = { m: 16, efConstruction: 200, efSearch: 64 };
let dir: string;
let dbFile: string;
let db: Db;

function vectorOf(i: number): Float32Array {
  const v = new Float32Array(DIM).map((_, j) => Math.sin(i * 0.731 + j * 1.37) + Math.cos(i * j * 0.0113));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** Commit vector rows from..to in one transaction through a second connection. */
function commitRows(from: number, to: number): void {
  const raw = new Database(dbFile);
  raw.pragma('busy_timeout = 10000');
  raw.exec(`INSERT OR IGNORE INTO "Model" (id, name, layout, dim) VALUES ('m', 'm', 'x', ${DIM})`);
  raw.exec(`INSERT OR IGNORE INTO "Dataset" (id, name, format, status, updatedAt) VALUES (1, 'd', 'pairs', 'ready', CURRENT_TIMESTAMP)`);
  const img = raw.prepare('INSERT INTO "Image" (id, datasetId, sha256, width, height, format, bytes, line) VALUES (?, 1, ?, 1, 1, \'png\', 1, ?)');
  const vec = raw.prepare('INSERT INTO "ImageVector" (id, imageId, modelId, data) VALUES (?, ?, \'m\', ?)');
  raw.transaction(() => {
    for (let i = from; i <= to; i++) {
      img.run(i, `sha${i}`, i);
      vec.run(i, i, Buffer.from(vectorOf(i).buffer));
    }
  })();
  raw.close();
}

/** Max gap between setImmediate ticks while `work` runs, and the work's own duration. */
async function loopGaps<T>(work: () => Promise<T>): Promise<{ result: T; maxGap: number; ticks: number; total: number }> {
  let last = performance.now();
  let maxGap = 0;
  let ticks = 0;
  let on = true;
  const tick = () => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  const t0 = performance.now();
  const result = await work();
  const total = performance.now() - t0;
  on = false;
  return { result, maxGap: Math.max(maxGap, performance.now() - last), ticks, total };
}

const params = (sub: string) => ({ dir: path.join(dir, sub), kind: 'image' as const, modelId: 'm', dim: DIM, ...HNSW });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-index-refresh-'));
  dbFile = path.join(dir, 'clipdex.db');
  await migrateDatabase(`file:${dbFile}`);
  commitRows(1, 300);
  db = getDb(`file:${dbFile}`);
});
afterAll(async () => {
  await closeDbs();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the catch-up gives the event loop back', () => {
  it('inserts a batch in slices, where one block used to hold the loop for all of it', async () => {
    commitRows(301, 1100);
    // The control: with no slicing (the old behaviour) the longest block is most of the catch-up,
    // so the measure below can tell the two apart on this machine, at its current load.
    const whole = HnswIndex.create(params('whole'));
    const before = await loopGaps(() => catchUpWithDatabase(whole, db, { after: 300, sliceMs: Infinity }));
    expect(before.result.added).toBe(800);
    expect(before.maxGap).toBeGreaterThan(before.total / 3);

    const sliced = HnswIndex.create(params('sliced'));
    const fired: number[] = [];
    const timer = setTimeout(() => fired.push(performance.now()), 0);
    const after = await loopGaps(async () => {
      const r = await catchUpWithDatabase(sliced, db, { after: 300, sliceMs: 10 });
      return { ...r, doneAt: performance.now() };
    });
    clearTimeout(timer);
    expect(after.result).toMatchObject({ added: 800, removed: 0, after: 1100 });
    // A timer set before the catch-up ran before it ended, and no block came near the whole.
    expect(fired.length).toBe(1);
    expect(fired[0]).toBeLessThan(after.result.doneAt);
    expect(after.ticks).toBeGreaterThan(5);
    expect(after.maxGap).toBeLessThan(Math.max(after.total / 4, 60));
    // Nothing lost: both hold every new row, and each finds its own vector first.
    for (const idx of [whole, sliced]) {
      expect(idx.size()).toBe(800);
      for (const l of [301, 700, 1100]) expect(idx.search(vectorOf(l), 1)[0].label).toBe(l);
    }
  });

  it('a search that waits a bounded time answers from a prefix of the new rows; none is lost', async () => {
    const opened = await openIndexes({ db, dataDir: path.join(dir, 'server'), modelId: 'm', dim: DIM, hnsw: HNSW, catchUpIntervalMs: 0, log: () => undefined });
    const index = opened.image;
    const start = index.size();
    expect(start).toBe(await db.imageVector.count());
    const top = 1100 + 1200;
    commitRows(1101, top);
    // The request path: wait at most 0 ms, search what is there.
    await index.refreshIfStale({ waitMs: 0 });
    const seen: number[] = [];
    let partial = false;
    while (!index.has(top)) {
      // Searches during the catch-up: the rows present are exactly 1101..k for some k.
      const present = [1101, 1400, 1700, 2000, top].filter((l) => index.has(l));
      const size = index.size();
      if (size > start && size < start + 1200) partial = true;
      for (let i = 1; i < present.length; i++) expect(present[i - 1]).toBeLessThan(present[i]);
      if (present.length) expect(index.has(present.at(-1)! - 1) || present.at(-1) === 1101).toBe(true);
      expect(index.labels().filter((l) => l > 1100).length).toBe(size - start);
      expect(index.search(vectorOf(5), 3)[0].label).toBe(5);
      seen.push(size);
      await index.refreshIfStale({ waitMs: 0 });
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(partial, `sizes seen: ${seen.join(',')}`).toBe(true);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    // A caller without a bound gets it whole: every row the database has, each findable.
    await index.refreshIfStale({ full: true });
    expect(index.size()).toBe(await db.imageVector.count());
    for (let l = 1101; l <= top; l += 97) expect(index.search(vectorOf(l), 1)[0].label).toBe(l);
  });
});
