/**
 * axe-core on every page, in English and Chinese, light and dark (issue 14): no serious or
 * critical violation. axe is injected into Debian's Chromium from the npm package (no network).
 */
import { createRequire } from 'node:module';
import { expect, test, type Page } from '@playwright/test';
import { deleteUiDataset, ingestUiDataset, type UiData } from './ui-data';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

test.describe.configure({ mode: 'serial' });

let data: UiData;
test.beforeAll(async ({ request }) => {
  data = await ingestUiDataset(request);
});
test.afterAll(async ({ request }) => {
  await deleteUiDataset(request);
});

/** Every page, with the data it needs to show more than its empty state. */
const pages = (): [string, string][] => [
  ['search', '/'],
  ['search-results', '/?q=dog&k=12'],
  ['search-captions', '/?q=dog&mode=text&k=12'],
  ['more-like-this', `/?like=${data.imageIds[0]}&k=12`],
  ['more-like-these', `/?like=${data.imageIds.slice(0, 3).join(',')}&k=12`],
  ['search-chips', `/?q=${encodeURIComponent('dog -cat "on grass" sort:new')}&k=12`],
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

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(' | ')}`);
}

for (const [locale, scheme] of [
  ['en-US', 'light'],
  ['zh-CN', 'light'],
  ['en-US', 'dark'],
  ['zh-CN', 'dark'],
] as const) {
  test.describe(`${locale}, ${scheme}`, () => {
    test.use({ locale, colorScheme: scheme });
    test(`axe finds no serious or critical violation on any page (${locale}, ${scheme})`, async ({ page }) => {
      const found: string[] = [];
      for (const [name, url] of pages()) {
        await page.goto(url);
        await expect(page.locator('html')).toHaveAttribute('lang', locale === 'zh-CN' ? 'zh-CN' : 'en');
        for (const v of await seriousViolations(page)) found.push(`${name} (${url}): ${v}`);
      }
      expect(found).toEqual([]);
    });
  });
}

test('axe also passes with the menu open on a phone and with a result kept in a collection', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/?q=dog&k=12');
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByTestId('image-hit').first().getByTestId('keep').click();
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/collections');
  await expect(page.getByTestId('collection-items').locator('li')).toHaveCount(1);
  expect(await seriousViolations(page)).toEqual([]);
});
