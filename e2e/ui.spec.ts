/**
 * The interface for people (issue 14) in Debian's Chromium: Chinese chrome from Accept-Language
 * and from the switcher, dark mode, a 390 px phone (no page wider than the screen, the menu, the
 * folded search options), every flow by keyboard alone, export, share link, collections, thumbnails
 * not stretched; screenshots of every page in both languages at desktop and phone width.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { demoLine, pairsFile } from './demo-data';
import { deleteUiDataset, ingestUiDataset, UI_DATASET, type UiData } from './ui-data';

test.describe.configure({ mode: 'serial' });

let data: UiData;
test.beforeAll(async ({ request }) => {
  data = await ingestUiDataset(request);
});
test.afterAll(async ({ request }) => {
  await deleteUiDataset(request);
  await request.delete('/api/datasets/ui-kbd');
});

const NAV_ZH = ['搜索', '数据集', '上传', '收藏集', '评测', '训练', '分类', '近似重复', '管理'];
const NAV_EN = ['Search', 'Datasets', 'Upload', 'Collections', 'Evaluate', 'Train', 'Classify', 'Duplicates', 'Admin'];
const nav = (page: Page) => page.getByRole('navigation', { name: /^(Main|主导航)$/ }).getByRole('link');

const pages = (): [string, string][] => [
  ['search', '/'],
  ['search-results', '/?q=dog&k=12'],
  ['search-captions', '/?q=dog&mode=text&k=12'],
  ['image', `/images/${data.imageIds[0]}`],
  ['datasets', '/datasets'],
  ['upload', '/datasets/new'],
  ['job', `/jobs/${data.jobId}`],
  ['admin', '/admin'],
  ['evaluate', '/evaluate'],
  ['classify', '/classify'],
  ['duplicates', '/duplicates'],
  ['train', '/train'],
  ['collections', '/collections'],
  ['signin', '/signin'],
  ['not-found', '/no-such-page'],
];

/** Tab (only the keyboard) until `target` has the focus; fails after `max` presses. */
async function tabTo(page: Page, target: Locator, max = 80) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target}`);
}

/** The focused element shows a focus ring (the :focus-visible box-shadow or outline). */
async function expectVisibleFocus(target: Locator) {
  const ring = await target.evaluate((el) => {
    const s = getComputedStyle(el);
    const span = el.matches('input[type=radio]') ? getComputedStyle(el.nextElementSibling!) : s;
    return { shadow: span.boxShadow, outline: s.outlineStyle, visible: el.matches(':focus-visible') };
  });
  expect(ring.visible).toBe(true);
  expect(ring.shadow !== 'none' || ring.outline !== 'none').toBe(true);
}

test.describe('Chinese', () => {
  test.use({ locale: 'zh-CN' });
  test('Accept-Language zh-CN gives the Chinese chrome, <html lang>, titles and numbers', async ({ page }) => {
    await page.goto('/datasets');
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(nav(page)).toHaveText(NAV_ZH);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('数据集');
    await expect(page).toHaveTitle('数据集 · clipdex');
    // Dates and numbers in the reader's format (UTC, as before).
    await expect(page.locator(`[data-testid=dataset-row][data-name="${UI_DATASET}"] td`).nth(5)).toHaveText(/^\d{4}年\d{1,2}月\d{1,2}日.*\d{2}:\d{2}/);
    await page.goto('/?q=dog&k=12');
    await expect(page.getByRole('list', { name: '搜索结果' })).toBeVisible();
    await expect(page.locator('#results-heading')).toContainText('12 个结果');
    await expect(page.getByRole('button', { name: '再加载 12 个' })).toBeVisible();
    await page.goto('/no-such-page');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('未找到');
  });
});

test('English by default; the switcher changes the language, keeps it in a cookie, and switches back', async ({ page, context }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(nav(page)).toHaveText(NAV_EN);
  // On a desktop the navigation is always there: no Menu button.
  await expect(page.getByRole('button', { name: 'Menu' })).toBeHidden();
  await page.getByLabel('Language').selectOption('zh');
  await expect(nav(page)).toHaveText(NAV_ZH);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  expect((await context.cookies()).find((c) => c.name === 'clipdex-locale')?.value).toBe('zh');
  await page.goto('/admin');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('管理');
  await expect(page.getByRole('heading', { name: '当前模型' })).toBeVisible();
  await page.getByLabel('语言').selectOption('en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Admin');
  await page.reload();
  await expect(nav(page)).toHaveText(NAV_EN);
});

test('dark mode follows the system, and the toggle overrides it from the first paint', async ({ page, request }) => {
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/');
  expect(await bg()).toBe('rgb(18, 18, 22)');
  await page.getByLabel('Theme').selectOption('light');
  expect(await bg()).toBe('rgb(247, 247, 248)');
  // The cookie is read on the server: the very first HTML already names the theme (no flash).
  const html = await (await request.get('/', { headers: { cookie: 'clipdex-theme=light' } })).text();
  expect(html).toMatch(/<html[^>]* data-theme="light"/);
  await page.reload();
  expect(await bg()).toBe('rgb(247, 247, 248)');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByLabel('Theme').selectOption('dark');
  expect(await bg()).toBe('rgb(18, 18, 22)');
  await page.getByLabel('Theme').selectOption('system');
  expect(await bg()).toBe('rgb(247, 247, 248)');
});

test('a 390 px phone: no page wider than the screen in either language; the menu and the search options fold', async ({ page, context }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const lang of ['en', 'zh']) {
    await context.addCookies([{ name: 'clipdex-locale', value: lang, url: 'http://127.0.0.1' }]);
    for (const [name, url] of pages()) {
      await page.goto(url);
      await expect(page.locator('html')).toHaveAttribute('lang', lang === 'zh' ? 'zh-CN' : 'en');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `${name} (${lang}) is ${width} px wide`).toBeLessThanOrEqual(390);
    }
  }
  await context.clearCookies();
  await page.goto('/?q=dog&k=12');
  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(nav(page).first()).toBeHidden();
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(nav(page)).toHaveText(NAV_EN);
  // One thumb: each menu entry is a big target.
  const box = await nav(page).nth(1).boundingBox();
  expect(box!.height).toBeGreaterThanOrEqual(40);
  await nav(page).nth(1).click();
  await expect(page).toHaveURL(/\/datasets$/);
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await page.goto('/?q=dog&k=12');
  await expect(page.getByLabel('Results per page')).toBeHidden();
  await page.getByRole('button', { name: 'Options' }).click();
  await expect(page.getByLabel('Results per page')).toBeVisible();
  // Results reflow to two columns.
  const cards = page.getByTestId('image-hit');
  const [a, b] = [await cards.nth(0).boundingBox(), await cards.nth(1).boundingBox()];
  expect(a!.y).toBe(b!.y);
  expect(b!.x + b!.width).toBeLessThanOrEqual(390);
});

test('search, open a result, more like this and paging with the keyboard alone, with a visible focus', async ({ page }) => {
  await page.goto('/');
  const box = page.getByRole('searchbox', { name: 'Search text' });
  await tabTo(page, box);
  await expectVisibleFocus(box);
  await page.keyboard.type('dog');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/[?&]q=dog/);
  const list = page.getByRole('list', { name: 'Search results' });
  await expect(list.getByRole('listitem').first()).toBeVisible();
  // k = 12 from the keyboard: the options are selects.
  const k = page.getByLabel('Results per page');
  await tabTo(page, k);
  await page.keyboard.press('Home');
  await expect(page).toHaveURL(/k=12/);
  await expect(list.getByRole('listitem')).toHaveCount(12);
  const firstLink = page.getByTestId('image-hit').first().getByRole('link').first();
  const id = await page.getByTestId('image-hit').first().getAttribute('data-image-id');
  await tabTo(page, firstLink);
  await expectVisibleFocus(firstLink);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/images/${id}$`));
  const more = page.getByRole('link', { name: 'More like this' }).first();
  await tabTo(page, more);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`like=${id}`));
  await expect(page.getByTestId('image-hit').first()).toBeVisible();

  await page.goto('/?q=dog&k=12');
  const load = page.getByRole('button', { name: 'Load 12 more' });
  await tabTo(page, load);
  await expectVisibleFocus(load);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('image-hit')).toHaveCount(24);
});

test('upload, re-index, classify and evaluate with the keyboard alone; progress is announced politely', async ({ page }) => {
  // Upload: the file input opens its chooser on Space, like a button.
  await page.goto('/datasets/new');
  const file = page.getByLabel('Corpus file');
  await tabTo(page, file);
  const chooser = page.waitForEvent('filechooser');
  await page.keyboard.press('Space');
  await (await chooser).setFiles(pairsFile('ui-kbd.tsv', 53, 58));
  await tabTo(page, page.getByLabel('Dataset name'));
  await page.keyboard.type('ui-kbd');
  await tabTo(page, page.getByRole('button', { name: 'Upload and ingest' }));
  await page.keyboard.press('Enter');
  const progress = page.getByTestId('job-progress');
  await expect(progress).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  const live = page.getByTestId('job-announce');
  await expect(live).toHaveAttribute('aria-live', 'polite');
  await expect(live).toContainText('Ingest: done, 6 processed, 0 errors');

  await page.goto('/admin');
  await tabTo(page, page.getByRole('button', { name: 'Re-index' }));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('job-progress')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });

  await page.goto('/classify');
  await tabTo(page, page.getByLabel('Image (drop it here or choose a file)'));
  const chooser2 = page.waitForEvent('filechooser');
  await page.keyboard.press('Space');
  await (await chooser2).setFiles({ name: 'q.png', mimeType: 'image/png', buffer: demoLine(13).image });
  await tabTo(page, page.getByLabel('Labels'));
  await page.keyboard.type('dog, car, tree');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('classify-results').locator('li')).toHaveCount(3);

  await page.goto('/evaluate');
  const ds = page.getByLabel('Dataset', { exact: true });
  await tabTo(page, ds);
  await ds.selectOption(UI_DATASET); // a select's own keys (arrows) choose; this is the same event
  await tabTo(page, page.getByRole('button', { name: 'Evaluate' }));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('evaluation-result')).toBeVisible({ timeout: 120_000 });
});

test('results go away as CSV and JSON, with a share link', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto(`/?q=dog&k=12&dataset=${UI_DATASET}`); // other specs' datasets share this server
  await expect(page.getByTestId('image-hit')).toHaveCount(12);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  expect(csv.suggestedFilename()).toMatch(/^clipdex-dog-\d{8}-\d{4}\.csv$/);
  const text = fs.readFileSync((await csv.path())!, 'utf8');
  const lines = text.trimEnd().split('\r\n');
  expect(lines[0]).toBe('\uFEFFrank,kind,imageId,textId,score,text,dataset,pageUrl,imageUrl,thumbUrl,imageUrls');
  expect(lines).toHaveLength(13);
  expect(lines[1]).toMatch(/^1,image,\d+,,0\.\d+,.*,ui-e2e,http:\/\/127\.0\.0\.1:\d+\/images\/\d+,http:\/\/127\.0\.0\.1:\d+\/api\/images\/[0-9a-f]{64},/);
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const body = JSON.parse(fs.readFileSync((await json.path())!, 'utf8'));
  expect(body.query).toMatchObject({ q: 'dog', k: '12' });
  expect(body.results).toHaveLength(12);
  const img = await page.request.get(body.results[0].imageUrl);
  expect(img.ok()).toBe(true);
  await page.getByTestId('copy-link').click();
  await expect(page.getByText('Link copied.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(page.url());
});

test('collections: keep images from two searches, export them, search by their mean', async ({ page }) => {
  await page.goto('/?q=dog&k=12');
  const keep = page.getByTestId('image-hit').first().getByTestId('keep');
  await tabTo(page, keep);
  await page.keyboard.press('Enter');
  await expect(keep).toHaveAttribute('aria-pressed', 'true');
  const a = Number(await page.getByTestId('image-hit').first().getAttribute('data-image-id'));
  await page.goto('/?q=car&k=12');
  const second = page.getByTestId('image-hit').filter({ hasNot: page.locator(`[data-image-id="${a}"]`) }).nth(1);
  const b = Number(await second.getAttribute('data-image-id'));
  await second.getByTestId('keep').click();
  await expect(second.getByTestId('keep')).toHaveAttribute('aria-pressed', 'true');

  await page.goto('/collections');
  await expect(page.getByTestId('collection-items').locator('li')).toHaveCount(2);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('collection-csv').click()]);
  expect(fs.readFileSync((await csv.path())!, 'utf8').trimEnd().split('\r\n')).toHaveLength(3);
  await page.getByTestId('collection-search').click();
  await expect(page).toHaveURL(new RegExp(`like=${a}%2C${b}|like=${a},${b}`));
  const hits = page.getByTestId('image-hit');
  await expect(hits.first()).toBeVisible();
  const ids = await hits.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-image-id'))));
  expect(ids).not.toContain(a);
  expect(ids).not.toContain(b);
  // The same search through the API: the images themselves are left out there too.
  const api = await (await page.request.get(`/api/search?like=${a},${b}&k=5`)).json();
  expect(api.hits.map((h: { imageId: number }) => h.imageId)).toEqual(ids.slice(0, 5));
});

test('small originals are not stretched past twice their size', async ({ page }) => {
  await page.goto('/?q=dog&k=12');
  const img = page.getByTestId('image-hit').first().locator('img');
  await expect(img).toHaveJSProperty('complete', true);
  const { natural, shown } = await img.evaluate((el: HTMLImageElement) => ({ natural: el.naturalWidth, shown: el.getBoundingClientRect().width }));
  expect(natural).toBeGreaterThan(0);
  expect(shown).toBeLessThanOrEqual(2 * natural + 0.5);
});

test('screenshots of every page: English and Chinese, desktop and phone', async ({ page, context }) => {
  const dir = 'e2e/artifacts/screens/ui';
  fs.mkdirSync(dir, { recursive: true });
  for (const lang of ['en', 'zh'] as const) {
    for (const [device, size] of [
      ['desktop', { width: 1280, height: 900 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      await page.setViewportSize(size);
      for (const [name, url] of pages()) {
        await context.addCookies([{ name: 'clipdex-locale', value: lang, url: 'http://127.0.0.1' }]);
        await page.goto(url);
        await expect(page.locator('html')).toHaveAttribute('lang', lang === 'zh' ? 'zh-CN' : 'en');
        await page.screenshot({ path: path.join(dir, `${name}-${lang}-${device}.png`), fullPage: true });
      }
    }
  }
  // The two README pictures: search results on a desktop in English, on a phone in Chinese (menu open).
  await context.addCookies([{ name: 'clipdex-locale', value: 'en', url: 'http://127.0.0.1' }]);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/?q=dog&k=12');
  await page.screenshot({ path: path.join(dir, 'readme-desktop-en.png') });
  await context.addCookies([{ name: 'clipdex-locale', value: 'zh', url: 'http://127.0.0.1' }]);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/?q=狗&k=12');
  await page.screenshot({ path: path.join(dir, 'readme-phone-zh.png') });
});
