/**
 * The Cancel button on a job page, against an ingest run by another process: the CLI ingests into
 * the e2e server's data dir (SQLite, shared) and holds after its first batch (a test hook that a
 * cancel ends); the page shows the job running, Cancel turns it 'cancelling', the CLI process sees
 * the row, stops after the batch it is in, and the page ends on 'cancelled' with what was kept.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { AUTH_PORT, E2E_DATA_DIR } from '../playwright.config';
import { demoLines } from './demo-data';

const ROOT = path.resolve(import.meta.dirname, '..');
const DATASET = 'cancel-e2e';

test('Cancel on the job page stops an ingest that the CLI is running', async ({ page, request }) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-e2e-cancel-'));
  const corpus = path.join(tmp, 'cancel.tsv');
  fs.writeFileSync(corpus, demoLines().slice(0, 24).map((l) => `${l.text}\t${l.image.toString('base64')}\n`).join(''));
  const cli = spawn(process.execPath, [path.join(ROOT, 'bin', 'clipdex.mjs'), 'ingest', corpus, '--dataset', DATASET, '--batch-size', '4', '--no-progress'], {
    cwd: ROOT,
    env: {
      ...process.env,
      CLIPDEX_DATA_DIR: E2E_DATA_DIR,
      DATABASE_URL: `file:${path.join(E2E_DATA_DIR, 'clipdex.db')}`,
      CLIPDEX_TEST_PAUSE_AFTER_BATCH: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  cli.stdout.on('data', (d) => (stdout += d));
  cli.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => cli.on('close', resolve));
  try {
    await expect.poll(() => stdout, { timeout: 120_000 }).toContain('batch 1 committed');

    // The running job, found where a user finds it: the admin page's job history.
    await page.goto('/admin');
    const row = page.getByTestId('jobs-table').getByRole('row', { name: new RegExp(DATASET) }).first();
    await expect(row).toContainText('running');
    await row.getByRole('link').click();
    await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]+$/);
    const progress = page.getByTestId('job-progress');
    await expect(progress).toHaveAttribute('data-status', 'running');

    await page.getByTestId('job-cancel').click();
    await expect(page.getByTestId('job-status')).toHaveText(/cancelling|cancelled/);
    await expect(progress).toHaveAttribute('data-status', 'cancelled');
    await expect(page.getByTestId('job-message')).toContainText('cancelled after 4 records');
    await expect(page.getByTestId('job-cancel')).toHaveCount(0);
    await page.screenshot({ path: 'e2e/artifacts/screens/job-cancelled.png', fullPage: true });

    expect(await exited, stderr).toBe(130);
    expect(stderr).toContain('run the same command again to finish');
    // What was committed is there, and the dataset says it is incomplete.
    const datasets = (await (await request.get('/api/datasets')).json()) as { datasets: { name: string; status: string; images: number }[] };
    expect(datasets.datasets.find((d) => d.name === DATASET)).toMatchObject({ status: 'failed', images: 4 });
  } finally {
    cli.kill('SIGKILL');
    await request.delete(`/api/datasets/${encodeURIComponent(DATASET)}`);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('cancelling a job needs the admin token when one is configured', async ({ request }) => {
  const res = await request.post(`http://127.0.0.1:${AUTH_PORT}/api/jobs/00000000-0000-4000-8000-000000000000/cancel`);
  expect(res.status()).toBe(401);
  expect((await res.json()).error.code).toBe('UNAUTHORIZED');
});
