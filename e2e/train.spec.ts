/**
 * The Train page in Chromium against the production build: uploaded demo pairs train a tiny
 * adapter as a 'train' job; the page shows the live progress, the loss / validation-recall chart
 * with one point per epoch and the table, then the adapter in the list with its Activate button;
 * activating it re-projects the library's stored vectors and marks it active; deleting removes it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';

const ROOT = path.resolve(import.meta.dirname, '..');
const SHOTS = path.join(ROOT, 'e2e', 'artifacts');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-e2e-train-'));
const lines = (file: string, n: number) =>
  fs.readFileSync(path.join(ROOT, 'demo', file), 'utf8').split('\n').filter((l) => l.trim() !== '').slice(0, n);

test.describe.configure({ mode: 'serial' });
test.afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const EPOCHS = 3;

test('Train: uploaded pairs train an adapter with a live chart, then it can be activated and deleted', async ({ page }) => {
  const train = path.join(tmp, 'train-small.tsv');
  const valid = path.join(tmp, 'valid-small.tsv');
  fs.writeFileSync(train, `${lines('train.tsv', 48).join('\n')}\n`);
  fs.writeFileSync(valid, `${lines('valid.tsv', 24).join('\n')}\n`);

  await page.goto('/train');
  await expect(page).toHaveTitle(/Train/);
  await expect(page.getByRole('heading', { level: 1, name: 'Train an adapter' })).toBeVisible();

  const form = page.getByRole('form', { name: 'Train an adapter' });
  await form.getByRole('radio', { name: 'Upload pairs' }).first().check();
  await form.getByLabel('Training pairs: file').setInputFiles(train);
  await form.getByRole('radio', { name: 'Upload pairs' }).nth(1).check();
  await form.getByLabel('Validation pairs: file').setInputFiles(valid);
  await form.getByLabel('Adapter name').fill('e2e-demo');
  await form.getByLabel('Epochs').fill(String(EPOCHS));
  await form.getByLabel('Batch size').fill('16');
  // the default recipe (lib/train/defaults.ts) is what the form offers first
  await expect(form.getByLabel('Adapt', { exact: true })).toHaveValue('both');
  await expect(form.getByLabel('Map', { exact: true })).toHaveValue('256');
  await form.getByLabel('Adapt', { exact: true }).selectOption('image');
  await form.getByLabel('Map', { exact: true }).selectOption('256');
  await form.getByRole('button', { name: 'Train', exact: true }).click();

  await expect(page.getByTestId('job-progress')).toBeVisible();
  await expect(page.getByTestId('job-status')).toHaveText('done', { timeout: 150_000 });
  const chart = page.getByTestId('train-chart');
  await expect(chart).toBeVisible();
  await expect(chart).toHaveAttribute('data-points', String(EPOCHS));
  await expect(page.getByTestId('train-table').getByRole('row')).toHaveCount(1 + 1 + EPOCHS); // header, model alone, epochs
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, 'train.png'), fullPage: true });

  const row = page.getByTestId('adapter-e2e-demo');
  await expect(row).toBeVisible();
  await expect(row).toContainText('48 pairs (train-small.tsv), 24 valid');
  await row.getByRole('button', { name: 'Activate' }).click();
  await expect(page.getByTestId('adapter-message')).toContainText('adapter “e2e-demo” is active');
  await expect(row.getByText('active', { exact: true })).toBeVisible();
  await expect(row.getByRole('button', { name: 'Deactivate' })).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, 'train-activated.png'), fullPage: true });

  await row.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByTestId('adapter-message')).toContainText('adapter “e2e-demo” deleted (it was active)');
  await expect(page.getByTestId('adapter-e2e-demo')).toHaveCount(0);
});

test('Train: a bad adapter name is refused with a message naming it', async ({ page }) => {
  await page.goto('/train');
  const form = page.getByRole('form', { name: 'Train an adapter' });
  await form.getByRole('radio', { name: 'Upload pairs' }).first().check();
  const one = path.join(tmp, 'one.tsv');
  fs.writeFileSync(one, `${lines('train.tsv', 1)[0]}\n`);
  await form.getByLabel('Training pairs: file').setInputFiles(one);
  // the browser's own pattern check is bypassed, so the server's message is what shows
  await form.getByLabel('Adapter name').evaluate((el) => el.removeAttribute('pattern'));
  await form.getByLabel('Adapter name').fill('../evil');
  await form.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('train-error')).toContainText('adapter name "../evil" is not allowed');
});
