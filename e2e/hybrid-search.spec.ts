/**
 * issue 11 on the search page, in Chromium against the production build: the parsed query as
 * chips (shown, removed with the mouse and with the keyboard, the URL rewritten), "why it matched"
 * on each card, the ranking control, filters typed in the query, and near-duplicate collapse with
 * its toggle. Its own data: the first 40 lines of the demo split, uploaded through the API; one
 * near-duplicate group is written into the database (as lib/duplicates stores one).
 *
 *   E2E_PORT=3941 E2E_DATA_DIR=/tmp/e2e-kw flock /tmp/clipdex-build.lock npx playwright test e2e/hybrid-search.spec.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { E2E_DATA_DIR } from '../playwright.config';
import { pairsFile } from './demo-data';

test.describe.configure({ mode: 'serial' });

const DATASET = 'kw-demo';
// Lines 1–40 of demo/valid.tsv hold four captions with 旗 (flag): 旗: 布基纳法索, 旗, 旗: 巴基斯坦, 旗: 乌干达.
const FLAG = '旗';

async function waitForJob(request: APIRequestContext, id: string): Promise<string> {
  for (let i = 0; i < 1200; i++) {
    const { job } = await (await request.get(`/api/jobs/${id}`)).json();
    if (!['queued', 'running', 'cancelling'].includes(job.status)) return job.status;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`job ${id} did not finish`);
}

const chips = (page: Page) => page.getByTestId('query-chip');
const qOf = (page: Page) => new URL(page.url()).searchParams.get('q');

test('upload the small corpus', async ({ request }) => {
  const file = pairsFile('kw-demo.tsv', 1, 40);
  const r = await request.post('/api/datasets', { multipart: { dataset: DATASET, file: { name: path.basename(file), mimeType: 'text/tab-separated-values', buffer: fs.readFileSync(file) } } });
  expect(r.status(), await r.text()).toBe(202);
  expect(await waitForJob(request, (await r.json()).job.id)).toBe('done');
});

test('the parsed query shows as chips; removing one (mouse or keyboard) rewrites the query in the URL', async ({ page }) => {
  await page.goto(`/?q=${encodeURIComponent(`${FLAG} -巴基斯坦 format:png sort:new`)}`);
  await expect(chips(page)).toHaveText([/^旗/, /not 巴基斯坦/, /format: png/, /newest first/]);
  await expect(page.getByTestId('image-hit').first()).toBeVisible();
  // No hit holds the excluded word.
  await expect(page.getByTestId('caption').filter({ hasText: '巴基斯坦' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Remove not 巴基斯坦' }).click();
  await expect.poll(() => qOf(page)).toBe(`${FLAG} format:png sort:new`);
  await expect(chips(page)).toHaveCount(3);
  await expect(page.getByTestId('caption').filter({ hasText: '巴基斯坦' }).first()).toBeVisible();
  // Keyboard: focus the chip's remove control and press Enter.
  await page.getByRole('link', { name: 'Remove newest first' }).focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => qOf(page)).toBe(`${FLAG} format:png`);
  await expect(chips(page)).toHaveCount(2);
  await page.screenshot({ path: 'e2e/artifacts/screens/hybrid-chips.png', fullPage: true });
});

test('each card says why it matched: the words and where, and the visual similarity with its score', async ({ page }) => {
  await page.goto(`/?q=${encodeURIComponent(`${FLAG} dataset:${DATASET}`)}`);
  const first = page.getByTestId('image-hit').first();
  await expect(first.getByTestId('caption')).toContainText(FLAG);
  await expect(first.getByTestId('why-matched')).toContainText('caption words');
  await expect(first.getByTestId('why-matched')).toContainText(/visual similarity \d\.\d{3}/);
});

test('the ranking control switches between hybrid, meaning and words', async ({ page }) => {
  await page.goto(`/?q=${encodeURIComponent(`${FLAG} dataset:${DATASET}`)}`);
  await page.getByRole('radio', { name: 'Words' }).check();
  await expect(page).toHaveURL(/mode=keyword/);
  const hits = page.getByTestId('image-hit');
  await expect(hits).toHaveCount(4); // exactly the four captions holding 旗
  for (const h of await hits.all()) await expect(h.getByTestId('why-matched')).toContainText('caption words');
  await page.getByRole('radio', { name: 'Meaning' }).check();
  await expect(page).toHaveURL(/mode=semantic/);
  await expect(hits.first().getByTestId('why-matched')).not.toContainText('caption words');
});

test('filters typed in the query apply: format, size, dataset', async ({ page }) => {
  await page.goto(`/?q=${encodeURIComponent(`${FLAG} dataset:${DATASET} format:jpeg`)}`);
  await expect(page.getByRole('heading', { name: /No results/ })).toBeVisible();
  await page.goto(`/?q=${encodeURIComponent(`${FLAG} dataset:${DATASET} width>=100000`)}`);
  await expect(page.getByRole('heading', { name: /No results/ })).toBeVisible();
  await page.goto(`/?q=${encodeURIComponent(`${FLAG} dataset:${DATASET} format:png`)}`);
  await expect(page.getByTestId('image-hit').first()).toBeVisible();
  await expect(chips(page)).toHaveText([/^旗/, new RegExp(`dataset: ${DATASET}`), /format: png/]);
  // A filter-only query lists the matching images.
  await page.goto(`/?q=${encodeURIComponent(`dataset:${DATASET}`)}`);
  await expect(page.getByTestId('image-hit')).toHaveCount(24);
});

test('near-duplicates collapse into one card with "+N similar"; the toggle shows them all', async ({ page, request }) => {
  const r = await request.get(`/api/search?q=${encodeURIComponent(`${FLAG} dataset:${DATASET}`)}&mode=keyword&collapse=0`);
  const ids = ((await r.json()).hits as { imageId: number }[]).map((h) => h.imageId);
  expect(ids.length).toBe(4);
  const db = new Database(path.join(E2E_DATA_DIR, 'clipdex.db'));
  try {
    const { id: modelId } = db.prepare('SELECT id FROM "Model" LIMIT 1').get() as { id: string };
    const group = Math.min(ids[1], ids[2]);
    const put = db.prepare('INSERT OR REPLACE INTO "DuplicateMember" ("imageId", "modelId", "groupId", "size", "similarity") VALUES (?, ?, ?, 2, 0.97)');
    put.run(ids[1], modelId, group);
    put.run(ids[2], modelId, group);
  } finally {
    db.close();
  }
  await page.goto(`/?q=${encodeURIComponent(`${FLAG} dataset:${DATASET}`)}&mode=keyword`);
  await expect(page.getByTestId('image-hit')).toHaveCount(3);
  await expect(page.getByTestId('similar-badge')).toHaveText('+1 similar');
  const toggle = page.getByTestId('collapse-toggle');
  await expect(toggle).toBeChecked();
  await toggle.uncheck();
  await expect(page).toHaveURL(/collapse=0/);
  await expect(page.getByTestId('image-hit')).toHaveCount(4);
  await expect(page.getByTestId('similar-badge')).toHaveCount(0);
  // The badge itself opens the ungrouped results.
  await page.goto(`/?q=${encodeURIComponent(`${FLAG} dataset:${DATASET}`)}&mode=keyword`);
  await page.getByTestId('similar-badge').click();
  await expect(page).toHaveURL(/collapse=0/);
  await expect(page.getByTestId('image-hit')).toHaveCount(4);
});
