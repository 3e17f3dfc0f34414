/**
 * issue 11, OCR through the web: an upload's job shows OCR as its second stage with its own
 * progress, ends on the records (8 / 8) with the OCR figures in its summary, and an image's
 * detail page shows the text found in it ("No text found" for a picture without any). The upload
 * page's OCR box (unticked: the images are marked not read) and the admin re-index's backfill.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { renderText, type TextSpan } from '../test/helpers/text-image';

test.describe.configure({ mode: 'serial' });

const DATASET = 'ocr-e2e';

async function corpus(): Promise<string> {
  const items: [string, Buffer][] = [
    ['a product label', await renderText(320, 120, [{ text: 'QX-4471', x: 20, y: 75, size: 44 }])],
    ['a blue circle', await renderText(120, 120, [], { extraSvg: '<circle cx="60" cy="60" r="40" fill="#36c"/>' })],
  ];
  // Posters with several lines: enough OCR work that its stage is on screen for a while.
  for (let i = 0; i < 6; i++) {
    const spans: TextSpan[] = Array.from({ length: 6 }, (_, k) => ({ text: k % 2 ? `红烧牛肉面 ${10 + i + k} 元` : `SALE ${10 * (k + 1)}% ZX-${100 + i * 10 + k}`, x: 30, y: 70 + k * 80, size: 36 }));
    items.push([`poster ${i}`, await renderText(720, 540, spans, { format: 'jpeg' })]);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-e2e-ocr-'));
  const file = path.join(dir, 'ocr.tsv');
  fs.writeFileSync(file, items.map(([c, b]) => `${c}\t${b.toString('base64')}\n`).join(''));
  return file;
}

async function imageIdOf(page: Page, caption: string, dataset = DATASET): Promise<number> {
  const res = await page.request.get(`/api/search?q=${encodeURIComponent(caption)}&dataset=${dataset}&k=24&mode=semantic`);
  const fallback = res.ok() ? res : await page.request.get(`/api/search?q=${encodeURIComponent(caption)}&dataset=${dataset}&k=24`);
  const body = (await fallback.json()) as { hits: { imageId: number; captions: string[] }[] };
  const hit = body.hits.find((h) => h.captions.includes(caption));
  if (!hit) throw new Error(`no hit with the caption "${caption}"`);
  return hit.imageId;
}

test('an upload reads the text in its images as a second stage, and the detail page shows it', async ({ page }) => {
  const file = await corpus();
  await page.goto('/datasets/new');
  await page.getByLabel('Corpus file').setInputFiles(file);
  await page.getByLabel('Dataset name').fill(DATASET);
  await page.getByRole('button', { name: 'Upload and ingest' }).click();
  const progress = page.getByTestId('job-progress');
  await expect(progress).toBeVisible();
  // The OCR stage has its own label and bar (it counts images read, not records).
  await expect(page.getByTestId('job-stage')).toHaveText('stage 2/2: reading text in images (OCR)', { timeout: 120_000 });
  await page.screenshot({ path: 'e2e/artifacts/ocr-stage.png' });
  await expect(progress).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  await expect(page.getByTestId('job-stage')).toHaveCount(0);
  await expect(page.getByTestId('job-processed')).toHaveText('8 / 8');
  const summary = page.getByTestId('job-summary');
  await expect(summary).toContainText('Images read for text (OCR)');
  await expect(summary).toContainText('Images with text found');
  await expect(page.getByTestId('job-message')).toContainText('text found in 7 of 8 images read');

  await page.goto(`/images/${await imageIdOf(page, 'a product label')}`);
  await expect(page.getByTestId('ocr')).toHaveAttribute('data-status', 'done');
  // Scoped: the nearest-images cards below show their own text found (data-testid ocr-text too).
  await expect(page.getByTestId('ocr').getByTestId('ocr-text')).toHaveText('QX-4471');
  await page.screenshot({ path: 'e2e/artifacts/ocr-detail.png' });

  await page.goto(`/images/${await imageIdOf(page, 'a blue circle')}`);
  await expect(page.getByTestId('ocr')).toContainText('No text found.');
});

test('the upload page\'s OCR box starts at the server\'s setting, works from the keyboard, and unticked leaves the text unread until the admin backfill', async ({ page }) => {
  const dataset = 'ocr-e2e-off';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-e2e-ocr-off-'));
  const file = path.join(dir, 'label.tsv');
  const label = await renderText(320, 120, [{ text: 'QX-4471', x: 20, y: 75, size: 44 }]);
  fs.writeFileSync(file, `an unread label\t${label.toString('base64')}\n`);

  await page.goto('/datasets/new');
  const box = page.getByRole('checkbox', { name: 'Read text in images (OCR)' });
  // The e2e server runs with CLIPDEX_OCR at its default (on), and the hint says so.
  await expect(box).toBeChecked();
  await expect(page.locator('#ocr-help')).toContainText('The server’s setting is on');
  await page.getByLabel('Corpus file').setInputFiles(file);
  await page.getByLabel('Dataset name').fill(dataset);
  // Keyboard only: Tab from the last field before it reaches the box, Space unticks it.
  await page.getByLabel('Texts JSONL (Chinese-CLIP/MUGE only)').focus();
  await page.keyboard.press('Tab');
  await expect(box).toBeFocused();
  await page.keyboard.press('Space');
  await expect(box).not.toBeChecked();
  await page.getByRole('button', { name: 'Upload and ingest' }).click();
  const progress = page.getByTestId('job-progress');
  await expect(progress).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('job-message')).toContainText('OCR off (1 images left');

  const id = await imageIdOf(page, 'an unread label', dataset);
  await page.goto(`/images/${id}`);
  await expect(page.getByTestId('ocr')).toHaveAttribute('data-status', 'skipped');
  await expect(page.getByTestId('ocr')).toContainText('Not read: OCR was off when it was ingested');

  // The admin page's re-index with the OCR backfill reads it (retrying failures needs the backfill).
  await page.goto('/admin');
  const backfill = page.getByRole('checkbox', { name: /Then read the text in images not read yet/ });
  const retry = page.getByRole('checkbox', { name: /Also try again the images whose text could not be read/ });
  await expect(retry).toBeDisabled();
  await backfill.focus();
  await page.keyboard.press('Space');
  await expect(backfill).toBeChecked();
  await expect(retry).toBeEnabled();
  await page.getByRole('button', { name: 'Re-index', exact: true }).click();
  await expect(page.getByTestId('job-progress')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  await page.goto(`/images/${id}`);
  await expect(page.getByTestId('ocr')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('ocr').getByTestId('ocr-text')).toHaveText('QX-4471');
  await page.request.delete(`/api/datasets/${dataset}`);
});
