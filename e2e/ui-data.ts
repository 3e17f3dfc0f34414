/**
 * A small dataset for the interface specs (e2e/a11y.spec.ts, e2e/ui.spec.ts), ingested through
 * the JSON API and deleted afterwards, so the specs that expect an empty server (app.spec.ts)
 * still find one whatever order the files run in.
 */
import { expect, type APIRequestContext } from '@playwright/test';
import { pairsFile } from './demo-data';
import fs from 'node:fs';

export const UI_DATASET = 'ui-e2e';
/** Demo lines 13–52: 40 images, enough for a second page at k=12. */
const FILE = () => pairsFile('ui-e2e.tsv', 13, 52);

export interface UiData {
  jobId: string;
  imageIds: number[];
  caption: string;
}

export async function ingestUiDataset(request: APIRequestContext): Promise<UiData> {
  const file = FILE();
  const res = await request.post('/api/datasets', {
    multipart: { dataset: UI_DATASET, file: { name: 'ui-e2e.tsv', mimeType: 'text/tab-separated-values', buffer: fs.readFileSync(file) } },
  });
  expect(res.status(), await res.text()).toBe(202);
  const jobId = ((await res.json()) as { job: { id: string } }).job.id;
  await expect
    .poll(async () => ((await (await request.get(`/api/jobs/${jobId}`)).json()) as { job: { status: string } }).job.status, { timeout: 120_000 })
    .toBe('done');
  const search = (await (await request.get(`/api/search?q=dog&k=40&dataset=${UI_DATASET}`)).json()) as { hits: { imageId: number; captions: string[] }[] };
  expect(search.hits.length).toBeGreaterThan(20);
  return { jobId, imageIds: search.hits.map((h) => h.imageId), caption: search.hits[0].captions[0] };
}

export async function deleteUiDataset(request: APIRequestContext): Promise<void> {
  const res = await request.delete(`/api/datasets/${UI_DATASET}`);
  expect([200, 204, 404]).toContain(res.status());
}
