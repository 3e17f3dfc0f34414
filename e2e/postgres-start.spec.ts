/**
 * `npm start` on PostgreSQL, as the README promises: `node scripts/start.mjs` with
 * DATABASE_URL=postgresql://… on a fresh database migrates it (`clipdex migrate`), ingests the
 * bundled demo corpus, writes the first-run marker and serves; a search then finds demo images.
 * Runs in CI's PostgreSQL tier (CLIPDEX_TEST_POSTGRES_URL, whose role may create databases);
 * skipped without it. The production build is already there (the e2e config built it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import pg from 'pg';

const ADMIN_URL = process.env.CLIPDEX_TEST_POSTGRES_URL;
const PORT = Number(process.env.E2E_PORT ?? 3217) + 2;
// Named after the given database (clipdex_ci → clipdex_ci_start_…), dropped at the end.
const DB_NAME = `${ADMIN_URL ? new URL(ADMIN_URL).pathname.slice(1).replace(/\W/g, '') : 'clipdex'}_start_${process.pid}`;

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

test.describe('npm start on PostgreSQL', () => {
  test.skip(!ADMIN_URL, 'set CLIPDEX_TEST_POSTGRES_URL (.ci/run does) to run the PostgreSQL start test');
  let server: ChildProcess | undefined;
  let log = '';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-pg-start-'));

  test.beforeAll(async () => {
    await admin((c) => c.query(`CREATE DATABASE ${DB_NAME}`));
  });
  test.afterAll(async () => {
    if (server?.pid) process.kill(-server.pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('migrates a fresh database, ingests the demo and serves searches', async ({ request }) => {
    test.setTimeout(10 * 60_000);
    const url = new URL(ADMIN_URL!);
    url.pathname = `/${DB_NAME}`;
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url.toString(), CLIPDEX_DATA_DIR: dataDir, PORT: String(PORT) };
    delete env.CLIPDEX_SKIP_DEMO;
    server = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: path.resolve('.'),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: the afterAll stops start.mjs and `next start` together
    });
    server.stdout!.on('data', (d) => (log += d));
    server.stderr!.on('data', (d) => (log += d));

    const base = `http://127.0.0.1:${PORT}`;
    await expect
      .poll(async () => (await request.get(`${base}/api/health`).catch(() => undefined))?.status(), { timeout: 8 * 60_000, intervals: [1000] })
      .toBe(200);
    expect(log).toMatch(/migrated PostgreSQL: applied 0001_init/);
    expect(log).toContain('first run — ingesting the demo corpus demo/train.tsv as dataset "demo"');
    expect(fs.existsSync(path.join(dataDir, '.demo-ingested'))).toBe(true);

    const tables = await admin(async () => {
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      try {
        return (await c.query<{ n: string }>('SELECT count(*) AS n FROM "Image"')).rows[0].n;
      } finally {
        await c.end();
      }
    });
    // Every distinct image of the demo corpus (plain Node here, not lib/ code).
    const distinct = new Set(fs.readFileSync('demo/train.tsv', 'utf8').split('\n').filter((l) => l.includes('\t')).map((l) => l.split('\t')[1].trim()));
    expect(Number(tables)).toBe(distinct.size);

    const res = await request.get(`${base}/api/search?q=${encodeURIComponent('a dog')}&k=5`);
    expect(res.status(), await res.text()).toBe(200);
    const body = await res.json();
    expect(body.hits.length).toBe(5);
    expect(body.hits[0]).toMatchObject({ dataset: 'demo' });
  });
});
