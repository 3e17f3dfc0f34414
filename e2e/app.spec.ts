/**
 * The web app end to end, in order, on one server with an empty data directory: empty state,
 * refused uploads, two uploads at once, delete, the demo valid split uploaded through the page
 * with live progress, searches (English, Chinese, by uploaded image, image→text, more like
 * this), the detail page, paging and the score cut-off, re-index, and the JSON API.
 * Screenshots of every page go to e2e/artifacts/screens/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { E2E_DATA_DIR } from '../playwright.config';
import { bigFile, captionsOfImage, demoLine, demoLines, pairsFile, tmpFile, VALID_TSV } from './demo-data';

// Queries checked against demo/valid.tsv with models/mini-clip by e2e/tools/pick-queries.ts (exact
// search over all 200 images): each one's best image carries exactly this caption, ahead of the
// runner-up by ≥ 0.14 cosine. Re-run that tool after retraining the model or regenerating the demo.
const EN_QUERY = process.env.E2E_EN_QUERY ?? 'spiral notepad';
const ZH_QUERY = process.env.E2E_ZH_QUERY ?? '跪下的女人';
// The caption of an image which, used as an image→text query, gets its own caption first.
const IMAGE_CAPTION = process.env.E2E_IMAGE_CAPTION ?? 'hot springs';
const IMAGE_LINE = demoLines().find((d) => d.text === IMAGE_CAPTION)?.line ?? 0;
const DATASET = 'demo-valid';

test.describe.configure({ mode: 'serial' });

const shot = (page: Page, name: string) => page.screenshot({ path: `e2e/artifacts/screens/${name}.png`, fullPage: true });

async function upload(page: Page, file: string, dataset: string) {
  await page.goto('/datasets/new');
  await page.getByLabel('Corpus file').setInputFiles(file);
  await page.getByLabel('Dataset name').fill(dataset);
  await page.getByRole('button', { name: 'Upload and ingest' }).click();
}

async function searchText(page: Page, q: string) {
  await page.goto('/');
  const box = page.getByRole('searchbox', { name: 'Search text' });
  const url = new RegExp(`[?&]q=${encodeURIComponent(q).replace(/%20/g, '\\+')}`);
  // Typed at once, hydrated or not: before hydration Enter submits the form natively (GET ?q=…),
  // after it the form adopts the typed text (see the "typed before hydration" test).
  await box.fill(q);
  await box.press('Enter');
  await expect(page).toHaveURL(url);
  await expect(page.getByTestId('image-hit').first()).toBeVisible();
}

const firstCaption = (page: Page, testId = 'image-hit') => page.getByTestId(testId).first().getByTestId('caption');

test('search page before any dataset points to the upload page', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveTitle('Search · clipdex');
  const empty = page.getByTestId('no-datasets');
  await expect(empty).toContainText('No datasets yet');
  await expect(empty.getByRole('link', { name: 'Upload a dataset' })).toHaveAttribute('href', '/datasets/new');
  await shot(page, 'search-empty');
  // Keyboard: the first Tab reaches the skip link, which leads to the content.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
});

test('invalid uploads are refused with a message and store nothing', async ({ page }) => {
  await upload(page, tmpFile('three-columns.tsv', 'a\tb\tc\nd\te\tf\n'), 'bad-format');
  await expect(page.getByTestId('upload-error')).toContainText('cannot tell the format of “three-columns.tsv”');
  await expect(page.getByTestId('upload-error')).toContainText('Nothing was stored.');
  await shot(page, 'upload-error');

  await upload(page, tmpFile('empty.tsv', ''), 'empty');
  await expect(page.getByTestId('upload-error')).toContainText('“empty.tsv” is empty');

  // The e2e server's limit is 64 MiB (playwright.config.ts).
  await upload(page, bigFile('too-big.tsv', 65 * 1024 * 1024), 'too-big');
  await expect(page.getByTestId('upload-error')).toContainText('the limit is 64 MiB');

  await page.goto('/datasets');
  await expect(page.getByTestId('no-datasets')).toBeVisible();
  const uploads = path.join(E2E_DATA_DIR, 'uploads');
  const left = fs.existsSync(uploads) ? fs.readdirSync(uploads).filter((n) => n !== 'queries') : [];
  expect(left).toEqual([]);
});

test('two uploads at once both finish; line errors are listed and downloadable; delete asks first', async ({ browser }) => {
  const a = await browser.newPage();
  const b = await browser.newPage();
  await Promise.all([
    upload(a, pairsFile('part-a.tsv', 1, 6, ['a caption\tnot base64 at all!', 'another\tiVBORw0KGgo='] ), 'part-a'),
    upload(b, pairsFile('part-b.tsv', 7, 12), 'part-b'),
  ]);
  for (const p of [a, b]) await expect(p.getByTestId('job-progress')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(a.getByTestId('job-errors')).toHaveText('2');
  await expect(a.getByTestId('line-errors')).toContainText('line 7');
  await expect(a.getByTestId('line-errors')).toContainText('line 8');
  await shot(a, 'upload-line-errors');
  const href = await a.getByTestId('errors-download').getAttribute('href');
  const tsv = await (await a.request.get(href!)).text();
  expect(tsv.split('\n')[0]).toBe('line\tfile\treason');
  expect(tsv).toMatch(/^7\t/m);
  expect(tsv).toMatch(/^8\t/m);
  await a.close();
  await b.close();

  const page = await browser.newPage();
  await page.goto('/datasets');
  await expect(page.getByTestId('dataset-row')).toHaveCount(2);
  for (const name of ['part-a', 'part-b']) {
    await page.getByRole('button', { name: `Delete dataset ${name}` }).click();
    await expect(page.getByText(`Delete “${name}” and its`)).toBeVisible();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await expect(page.locator(`[data-testid=dataset-row][data-name="${name}"]`)).toHaveCount(0);
  }
  await page.close();
});

test('the demo valid split uploads through the page with live progress to the end', async ({ page }) => {
  const total = demoLines().length;
  await upload(page, VALID_TSV, DATASET);
  const progress = page.getByTestId('job-progress');
  await expect(progress).toBeVisible();
  await expect(page.getByRole('progressbar')).toBeVisible();
  await shot(page, 'upload-progress');
  await expect(progress).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  await expect(page.getByTestId('job-processed')).toHaveText(`${total} / ${total}`);
  await expect(page.getByTestId('job-errors')).toHaveText('0');
  await expect(page.getByRole('progressbar')).toHaveAttribute('aria-valuenow', String(total));
  await shot(page, 'upload-done');
  // The job has its own page (shareable, survives a reload).
  await page.getByRole('link', { name: /^Job [0-9a-f]{8}$/ }).click();
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('job-status')).toHaveText('done');
  await shot(page, 'job');

  await page.goto('/datasets');
  const row = page.locator(`[data-testid=dataset-row][data-name="${DATASET}"]`);
  await expect(row).toContainText('ready');
  const distinctImages = new Set(demoLines().map((d) => d.image.toString('base64'))).size;
  await expect(row.getByTestId('dataset-images')).toHaveText(String(distinctImages));
  await shot(page, 'datasets');
});

test('text search in English finds the expected image first', async ({ page }) => {
  await searchText(page, EN_QUERY);
  await expect(firstCaption(page)).toHaveText(EN_QUERY);
  await expect(page).toHaveTitle(`“${EN_QUERY}” — Search · clipdex`);
  // Thumbnails sit in fixed square boxes: the layout does not move as they load.
  const box = await page.getByTestId('image-hit').first().locator('.thumb-box').boundingBox();
  expect(Math.abs(box!.width - box!.height)).toBeLessThan(1);
  await shot(page, 'search-english');
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(firstCaption(page)).toBeVisible();
  await page.screenshot({ path: 'e2e/artifacts/screens/search-phone.png' });
  await page.setViewportSize({ width: 1280, height: 900 });
  // The URL holds the query: reloading shows the same first result.
  await page.reload();
  await expect(firstCaption(page)).toHaveText(EN_QUERY);
});

test('text search in Chinese finds the expected image first', async ({ page }) => {
  await searchText(page, ZH_QUERY);
  await expect(firstCaption(page)).toHaveText(ZH_QUERY);
  await shot(page, 'search-chinese');
});

test('text typed before the page hydrates is what Enter searches', async ({ page }) => {
  // Hold back the page's JavaScript so the box is typed into while it is server-rendered HTML only.
  const held: (() => void)[] = [];
  let holding = true;
  await page.route('**/_next/static/chunks/**', async (route) => {
    if (holding && route.request().resourceType() === 'script') await new Promise<void>((release) => held.push(release));
    await route.continue();
  });
  await page.goto('/', { waitUntil: 'domcontentloaded' });
  const box = page.getByRole('searchbox', { name: 'Search text' });
  await box.fill(EN_QUERY);
  const isHydrated = () =>
    page.evaluate(() => Object.keys(document.querySelector('form[role=search]') ?? {}).some((k) => k.startsWith('__reactFiber')));
  expect(await isHydrated()).toBe(false);
  expect(held.length).toBeGreaterThan(0);
  holding = false;
  held.splice(0).forEach((release) => release());
  await expect.poll(isHydrated).toBe(true);
  await expect(box).toHaveValue(EN_QUERY);
  await box.press('Enter');
  await expect(page).toHaveURL(new RegExp(`[?&]q=${encodeURIComponent(EN_QUERY).replace(/%20/g, '\\+')}`));
  await expect(firstCaption(page)).toHaveText(EN_QUERY);
});

test('search by uploading an image finds that image first', async ({ page }) => {
  const d = demoLine(IMAGE_LINE);
  await page.goto('/');
  await page.getByTestId('image-query-file').setInputFiles({ name: 'query.png', mimeType: 'image/png', buffer: d.image });
  await expect(page).toHaveURL(/qimg=[0-9a-f]{64}/);
  await expect(page).not.toHaveURL(/mode=/); // images back: the default
  const first = page.getByTestId('image-hit').first();
  await expect(first.locator('.score')).toHaveText(/^(1\.000|0\.99\d)$/);
  expect(captionsOfImage(IMAGE_LINE)).toContain(await first.getByTestId('caption').textContent());
  await expect(page.getByAltText(/^Query image/)).toBeVisible();
  await shot(page, 'search-by-image');
});

test('image→text returns the image’s own caption first', async ({ page }) => {
  const d = demoLine(IMAGE_LINE);
  await page.goto('/');
  await page.getByText('Image → text', { exact: true }).click();
  await page.getByTestId('image-query-file').setInputFiles({ name: 'query.png', mimeType: 'image/png', buffer: d.image });
  await expect(page).toHaveURL(/qimg=[0-9a-f]{64}.*mode=text/);
  await expect(firstCaption(page, 'text-hit')).toHaveText(d.text);
  await shot(page, 'search-image-to-text');
});

test('a broken image query gets a message, not a crash', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('image-query-file').setInputFiles({ name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not an image at all') });
  await expect(page.getByRole('status').filter({ hasText: 'That image could not be used' })).toBeVisible();
});

test('"more like this" searches by a result, and a result opens its detail page', async ({ page }) => {
  await searchText(page, EN_QUERY);
  const first = page.getByTestId('image-hit').first();
  const id = await first.getAttribute('data-image-id');
  await first.getByTestId('more-like-this').click();
  await expect(page).toHaveURL(new RegExp(`like=${id}`));
  await expect(page.getByTestId('image-hit').first()).toBeVisible();
  // The query image itself is left out of its own neighbours.
  await expect(page.locator(`[data-testid=image-hit][data-image-id="${id}"]`)).toHaveCount(0);
  await shot(page, 'more-like-this');

  await page.getByTestId('image-hit').first().locator('.thumb-box').click();
  await expect(page).toHaveURL(/\/images\/\d+$/);
  await expect(page.getByTestId('captions')).toBeVisible();
  await expect(page.getByTestId('dimensions')).toContainText('×');
  await expect(page.getByTestId('nearest').getByTestId('image-hit').first()).toBeVisible();
  await shot(page, 'image-detail');
});

test('paging loads more results, and the score cut-off says when nothing passes', async ({ page }) => {
  await page.goto(`/?q=${encodeURIComponent(EN_QUERY)}&k=12`);
  await expect(page.getByTestId('image-hit')).toHaveCount(12);
  await page.getByRole('button', { name: 'Load 12 more' }).click();
  await expect(page.getByTestId('image-hit')).toHaveCount(24);

  await page.goto(`/?q=${encodeURIComponent(EN_QUERY)}&min=0.99`);
  await expect(page.getByText('No results scoring 0.99 or more')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Search again with no minimum' })).toBeVisible();
  await shot(page, 'search-threshold');
});

test('re-index keeps the same results', async ({ page }) => {
  const ids = async () => {
    await page.goto(`/?q=${encodeURIComponent(EN_QUERY)}&k=10`);
    await expect(page.getByTestId('image-hit')).toHaveCount(10);
    return page.getByTestId('image-hit').evaluateAll((els) => els.map((e) => e.getAttribute('data-image-id')));
  };
  const before = await ids();

  await page.goto('/admin');
  await expect(page.getByTestId('model-facts')).toContainText('mini-clip');
  await expect(page.getByTestId('image-vectors')).not.toHaveText('0');
  await page.getByRole('button', { name: 'Re-index' }).click();
  const progress = page.getByTestId('job-progress');
  await expect(progress).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await page.reload();
  await expect(page.getByTestId('jobs-table')).toContainText('reindex');
  await shot(page, 'admin');

  expect(await ids()).toEqual(before);
});

test('JSON API: search, errors, image bytes with caching headers, health', async ({ request }) => {
  const r = await request.get(`/api/search?q=${encodeURIComponent(EN_QUERY)}&k=3`);
  expect(r.status()).toBe(200);
  const body = await r.json();
  expect(body.hits).toHaveLength(3);
  expect(body.hits[0].captions).toContain(EN_QUERY);

  const bad = await request.post('/api/search', { multipart: { image: { name: 'x.png', mimeType: 'image/png', buffer: Buffer.from('nope') }, mode: 'image' } });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.code).toBe('INVALID_INPUT');

  // Refused by the sha256 check in the handler (a 404 would mean it never got there).
  const notSha = await request.get('/api/images/..%2F..%2Fetc%2Fpasswd');
  expect(notSha.status()).toBe(400);
  expect((await notSha.json()).error.message).toMatch(/sha256: 64 lowercase hex digits/);
  const unknown = await request.get(`/api/thumbs/${'0'.repeat(64)}`);
  expect(unknown.status()).toBe(404);

  const thumb = await request.get(body.hits[0].thumbUrl);
  expect(thumb.status()).toBe(200);
  // The demo's 72 px PNGs (with transparency) are their own thumbnails (lib/store/thumbnail.ts).
  expect(thumb.headers()['content-type']).toBe('image/png');
  expect(thumb.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  const etag = thumb.headers()['etag'];
  expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
  const again = await request.get(body.hits[0].imageUrl.replace('/api/images/', '/api/thumbs/'), { headers: { 'if-none-match': etag } });
  expect(again.status()).toBe(304);
  const original = await request.get(body.hits[0].imageUrl);
  expect(original.headers()['content-type']).toBe('image/png');

  const health = await request.get('/api/health');
  expect(health.status()).toBe(200);
  expect((await health.json()).status).toBe('ok');
});
