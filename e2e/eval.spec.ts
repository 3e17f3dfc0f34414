/**
 * The Evaluate and Classify pages in Chromium against the production build: an uploaded
 * validation file runs as an 'evaluate' job with live progress and ends in the recall table, the
 * R@K chart and the list of past runs; an image dropped on Classify gets its labels as bars.
 * Both pages are driven by keyboard where a user would type.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';

const ROOT = path.resolve(import.meta.dirname, '..');
const VALID = path.join(ROOT, 'demo', 'valid.tsv');
const SHOTS = path.join(ROOT, 'e2e', 'artifacts');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-e2e-eval-'));

function demoLines(): string[] {
  return fs.readFileSync(VALID, 'utf8').split('\n').filter((l) => l.trim() !== '');
}

/** The first demo image whose caption matches, written to a PNG file. */
function demoImage(caption: RegExp, name: string): string {
  for (const file of [VALID, path.join(ROOT, 'demo', 'train.tsv')]) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const [text, b64] = line.split('\t');
      if (b64 && caption.test(text.trim())) {
        const out = path.join(tmp, name);
        fs.writeFileSync(out, Buffer.from(b64, 'base64'));
        return out;
      }
    }
  }
  throw new Error(`no demo image captioned ${caption}`);
}

async function shot(page: Page, name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

test.describe.configure({ mode: 'serial' });
test.afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SUBSET = 40;
let fileMeanRecall: number | undefined;
const meanOf = async (page: Page) => Number((await page.getByTestId('evaluation-result').getByTestId('mean-recall').innerText()).split(' ')[0]);

test('Evaluate: an uploaded validation file gives the recall table, the chart and a past run', async ({ page }) => {
  const file = path.join(tmp, 'valid-small.tsv');
  // 40 demo pairs and one broken line, so the run also shows a skipped line
  fs.writeFileSync(file, demoLines().slice(0, SUBSET).join('\n') + '\nnot a pair\n');

  await page.goto('/evaluate');
  await expect(page).toHaveTitle(/Evaluate/);
  await expect(page.getByRole('heading', { level: 1, name: 'Evaluate retrieval' })).toBeVisible();
  await expect(page.getByText('No evaluation has been run yet.')).toBeVisible();

  // keyboard: pick the "validation file" source with the arrow keys / space
  const fileRadio = page.getByRole('radio', { name: 'A validation file' });
  await fileRadio.focus();
  await page.keyboard.press('Space');
  await expect(fileRadio).toBeChecked();
  await page.getByLabel('Validation file', { exact: true }).setInputFiles(file);
  await page.getByRole('button', { name: 'Evaluate' }).focus();
  await page.keyboard.press('Enter');

  const progress = page.getByTestId('job-progress');
  await expect(progress).toBeVisible();
  await expect(page.getByTestId('job-status')).toHaveText('done', { timeout: 120_000 });
  await expect(page.getByTestId('line-errors')).toContainText(`line ${SUBSET + 1}`);

  const result = page.getByTestId('evaluation-result');
  await expect(result).toBeVisible();
  await expect(result.getByRole('heading', { name: /Recall on “valid-small.tsv”/ })).toBeVisible();
  const table = result.getByTestId('recall-table');
  for (const name of ['Text → image', 'Image → text', 'Text → image (HNSW)', 'Image → text (HNSW)']) {
    await expect(table.getByRole('rowheader', { name, exact: true })).toBeVisible();
  }
  const r10 = Number(await table.getByRole('row', { name: /^Text → image \d/ }).getByRole('cell').nth(2).innerText());
  expect(r10).toBeGreaterThan(50); // chance is 10 of 40 = 25%; mini-clip gets about 90
  const chart = result.getByRole('img', { name: /Recall at K on valid-small.tsv/ });
  await expect(chart).toBeVisible();
  expect(await chart.locator('polyline').count()).toBe(4);

  // the run is kept in the list of past runs, with a link that shows it again
  const past = page.getByTestId('past-evaluations');
  await expect(past.getByRole('link', { name: 'valid-small.tsv' })).toBeVisible();
  fileMeanRecall = await meanOf(page);
  await shot(page, 'evaluate');
  await past.getByRole('link', { name: 'valid-small.tsv' }).first().click();
  await expect(page).toHaveURL(/\/evaluate\?job=/);
  await expect(page.getByTestId('evaluation-result').getByTestId('mean-recall')).toBeVisible();
});

test('Evaluate: an ingested dataset evaluates from its stored vectors, like the same file', async ({ page }) => {
  const file = path.join(tmp, 'subset.tsv');
  fs.writeFileSync(file, demoLines().slice(0, SUBSET).join('\n') + '\n');
  await page.goto('/datasets/new');
  await page.getByLabel('Corpus file').setInputFiles(file);
  await page.getByLabel('Dataset name').fill('eval-subset');
  await page.getByRole('button', { name: 'Upload and ingest' }).click();
  await expect(page.getByTestId('job-progress')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });

  await page.goto('/evaluate');
  await page.getByRole('radio', { name: 'An ingested dataset' }).check();
  await page.getByLabel('Dataset', { exact: true }).selectOption('eval-subset');
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('done', { timeout: 120_000 });
  await expect(page.getByTestId('evaluation-result').getByRole('heading', { name: /Recall on “eval-subset”/ })).toBeVisible();
  // the same 40 pairs: the same recall, up to one query flipping on float noise
  expect(fileMeanRecall).toBeDefined();
  expect(Math.abs((await meanOf(page)) - fileMeanRecall!)).toBeLessThanOrEqual(100 / SUBSET);
  // both runs are listed for comparison
  const past = page.getByTestId('past-evaluations');
  await expect(past.getByRole('link', { name: 'eval-subset' })).toBeVisible();
  await expect(past.getByRole('link', { name: 'valid-small.tsv' })).toBeVisible();
  await shot(page, 'evaluate-compare');
});

test('Evaluate: a file that is not a pairs file fails with the reason', async ({ page }) => {
  const file = path.join(tmp, 'texts-only.txt');
  fs.writeFileSync(file, 'just a caption\nanother caption\n');
  await page.goto('/evaluate');
  await page.getByRole('radio', { name: 'A validation file' }).check();
  await page.getByLabel('Validation file', { exact: true }).setInputFiles(file);
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('failed', { timeout: 60_000 });
  await expect(page.getByTestId('job-progress')).toContainText('holds only texts');
});

test('Evaluate: the EasyNLP protocol counts text → image only, one candidate per line', async ({ page }) => {
  const file = path.join(tmp, 'easynlp.tsv');
  fs.writeFileSync(file, demoLines().slice(0, SUBSET).join('\n') + '\n');
  await page.goto('/evaluate');
  await page.getByRole('radio', { name: 'A validation file' }).check();
  await page.getByLabel('Validation file', { exact: true }).setInputFiles(file);
  await page.getByLabel('Count recall as').selectOption('easynlp');
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await expect(page.getByTestId('job-status')).toHaveText('done', { timeout: 120_000 });
  const result = page.getByTestId('evaluation-result');
  await expect(result).toContainText('protocol easynlp');
  const table = result.getByTestId('recall-table');
  await expect(table.getByRole('rowheader', { name: 'Text → image', exact: true })).toBeVisible();
  await expect(table.getByRole('rowheader', { name: 'Image → text', exact: true })).toHaveCount(0);
  const t2iMean = Number(await table.getByRole('row', { name: /^Text → image \d/ }).getByRole('cell').nth(3).innerText());
  expect(await meanOf(page)).toBe(t2iMean); // EasyNLP's mean_recall is the text → image mean
  expect(await result.getByRole('img', { name: /Recall at K/ }).locator('polyline').count()).toBe(1);
});

test('Classify: a demo image gets its label first, with probabilities as bars', async ({ page }) => {
  // checked against models/mini-clip: the car emoji scores 汽车 first by a clear margin
  const image = demoImage(/^汽车$/, 'car.png');
  await page.goto('/classify');
  await expect(page).toHaveTitle(/Classify/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Zero-shot classification');
  // the model's own English prompt (models/mini-clip/clipdex.json: "{}") is the default shown
  await expect(page.locator('#classify-template')).toHaveAttribute('placeholder', '{}');
  await expect(page.locator('#classify-template-help')).toContainText('Left empty: “{}”, or “一张{}的照片。” for Chinese labels');

  await page.getByLabel(/^Image/).setInputFiles(image);
  await expect(page.getByRole('img', { name: /Image to classify/ })).toBeVisible();
  const labels = page.getByLabel('Labels');
  await labels.focus();
  await page.keyboard.type('狗, 披萨, 汽车, 树');
  await page.keyboard.press('Enter');

  const results = page.getByTestId('classify-results');
  await expect(results.locator('li')).toHaveCount(4);
  await expect(results.locator('li').first()).toHaveAttribute('data-label', '汽车');
  await expect(results.locator('li').first()).toContainText('一张汽车的照片。');
  const probs = await results.locator('li').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-probability'))));
  expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  expect([...probs].sort((a, b) => b - a)).toEqual(probs);
  await expect(page.getByRole('meter', { name: '汽车' })).toBeVisible();
  await shot(page, 'classify');

  // a template without {} is refused with the reason
  await page.getByLabel('Template (optional)').fill('a photo');
  await page.getByRole('button', { name: 'Classify' }).click();
  await expect(page.getByTestId('classify-error')).toContainText('has no {}');
});
