/**
 * The /duplicates page (issue 11): a corpus with a demo image, its 0.5× resized copy and its JPEG
 * copy is ingested through the API; the page shows them as one group of three (thumbnails,
 * captions, similarity); deleting an extra from the page leaves a group of two, and the deleted
 * image is gone from the API, its thumbnail and the search results.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { demoLines } from './demo-data';

const DATASET = 'dup-e2e';

async function waitForJob(request: APIRequestContext, id: string): Promise<{ status: string; message: string | null }> {
  for (let i = 0; i < 600; i++) {
    const { job } = await (await request.get(`/api/jobs/${id}`)).json();
    if (!['queued', 'running', 'cancelling'].includes(job.status)) return job;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`job ${id} did not finish`);
}

interface GroupsBody {
  total: number;
  groups: { similarity: number; images: { imageId: number; sha256: string; captions: string[] }[] }[];
}

test('/duplicates shows a group of copies and deleting an extra works', async ({ page, request }) => {
  // Four distinct demo images, plus two edited copies of the first.
  const seen = new Set<string>();
  const lines = demoLines().filter((l) => !seen.has(l.image.toString('base64')) && seen.add(l.image.toString('base64'))).slice(0, 4);
  const o = lines[0];
  const w = (await sharp(o.image).metadata()).width!;
  const half = await sharp(o.image).resize(Math.round(w / 2)).png().toBuffer();
  const jpeg = await sharp(o.image).flatten({ background: '#ffffff' }).jpeg({ quality: 60 }).toBuffer();
  const rows = [...lines.map((l) => [l.text, l.image] as const), ['copy at half size', half] as const, ['copy as jpeg', jpeg] as const];
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-e2e-dup-')), 'dups.tsv');
  fs.writeFileSync(file, rows.map(([t, b]) => `${t}\t${b.toString('base64')}\n`).join(''));
  const r = await request.post('/api/datasets', { multipart: { dataset: DATASET, file: { name: 'dups.tsv', mimeType: 'text/tab-separated-values', buffer: fs.readFileSync(file) } } });
  expect(r.status(), await r.text()).toBe(202);
  expect((await waitForJob(request, (await r.json()).job.id)).status).toBe('done');

  const api = (await (await request.get(`/api/duplicates?dataset=${DATASET}`)).json()) as GroupsBody;
  expect(api.total).toBe(1);
  expect(api.groups[0].images.map((i) => i.captions[0]).sort()).toEqual(['copy as jpeg', 'copy at half size', o.text].sort());

  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Duplicates' }).click();
  await expect(page).toHaveURL(/\/duplicates$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Near-duplicates' })).toBeVisible();
  // Other specs' datasets share this server: look at this spec's own dataset.
  await page.goto(`/duplicates?dataset=${DATASET}`);
  const group = page.getByTestId('duplicate-group');
  await expect(group).toHaveCount(1);
  await expect(group.getByTestId('duplicate-image')).toHaveCount(3);
  await expect(group.getByText('copy at half size')).toBeVisible();
  const sim = Number(await group.getByTestId('group-similarity').textContent());
  expect(sim).toBeGreaterThanOrEqual(0.95);
  // Every thumbnail loaded (naturalWidth > 0), so the page shows the images, not broken links.
  const imgs = group.locator('img');
  for (let i = 0; i < 3; i++) await expect.poll(() => imgs.nth(i).evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  await page.screenshot({ path: 'e2e/artifacts/duplicates.png', fullPage: true });

  const extra = group.getByTestId('duplicate-image').filter({ hasText: 'copy at half size' });
  const extraId = Number(await extra.getAttribute('data-image-id'));
  const extraSha = api.groups[0].images.find((i) => i.imageId === extraId)!.sha256;
  await extra.getByTestId('delete-image').click();
  await extra.getByTestId('confirm-delete-image').click();
  await expect(page.getByTestId('duplicate-image')).toHaveCount(2);
  await expect(page.getByText('copy at half size')).toHaveCount(0);

  const after = (await (await request.get(`/api/duplicates?dataset=${DATASET}`)).json()) as GroupsBody;
  expect(after.groups[0].images.map((i) => i.imageId)).not.toContain(extraId);
  expect(after.groups[0].images).toHaveLength(2);
  expect((await request.get(`/api/thumbs/${extraSha}`)).status()).toBe(404);
  const search = await (await request.get(`/api/search?q=${encodeURIComponent('copy at half size')}&k=50`)).json();
  expect((search.hits as { imageId: number }[]).map((h) => h.imageId)).not.toContain(extraId);

  // The API refuses a bad id with a message naming what is allowed, and a missing one with 404.
  const bad = await request.delete('/api/duplicates/images/abc');
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.message).toMatch(/positive integer/);
  expect((await request.delete(`/api/duplicates/images/${extraId}`)).status()).toBe(404);
});

test('/duplicates names an unknown dataset and shows its empty state', async ({ page }) => {
  await page.goto('/duplicates?dataset=no-such-dataset');
  await expect(page.getByRole('alert').filter({ hasText: 'no dataset called "no-such-dataset"' })).toBeVisible();
  await expect(page.getByTestId('no-duplicates')).toContainText('No near-duplicates');
  await expect(page.getByTestId('duplicate-group')).toHaveCount(0);
});
