/**
 * One check of search-hit hydration (lib/db imagesByLabels / textsByLabels, raw SQL) run on both
 * SQLite (lib/db/db.test.ts) and PostgreSQL (postgres.test.ts): fields, link order, the cap of 20
 * linked items per hit, and labels with no row.
 */
import { expect } from 'vitest';
import { imagesByLabels, textsByLabels, vectorToBytes, type Db } from '../../lib/db';

export async function checkHydration(db: Db, datasetName: string): Promise<void> {
  const modelId = 'hydrate-model-01';
  await db.dataset.deleteMany({ where: { name: datasetName } });
  await db.model.upsert({ where: { id: modelId }, create: { id: modelId, name: 'm', layout: 'hf', dim: 2 }, update: {} });
  const ds = await db.dataset.create({ data: { name: datasetName, format: 'pairs' } });
  const img = (n: number) =>
    db.image.create({ data: { datasetId: ds.id, sha256: n.toString(16).padStart(64, '0'), width: 10 + n, height: 20 + n, format: 'png', bytes: 9 } });
  const many = await img(1);
  const lone = await img(2);
  const texts = [];
  for (let i = 0; i < 25; i++) texts.push(await db.text.create({ data: { datasetId: ds.id, text: `caption ${i} 猫` } }));
  for (const t of texts) await db.imageText.create({ data: { imageId: many.id, textId: t.id } });
  await db.imageText.create({ data: { imageId: lone.id, textId: texts[3].id } });
  const v = vectorToBytes(new Float32Array([1, 0]));
  const iv1 = await db.imageVector.create({ data: { imageId: many.id, modelId, data: v } });
  const iv2 = await db.imageVector.create({ data: { imageId: lone.id, modelId, data: v } });
  const tv = await db.textVector.create({ data: { textId: texts[3].id, modelId, data: v } });
  const tv0 = await db.textVector.create({ data: { textId: texts[0].id, modelId, data: v } });

  const missing = 2_000_000_000;
  const images = await imagesByLabels(db, [iv2.id, missing, iv1.id]);
  expect([...images.keys()].sort((a, b) => a - b)).toEqual([iv1.id, iv2.id].sort((a, b) => a - b));
  expect(images.get(iv1.id)).toEqual({
    label: iv1.id, imageId: many.id, sha256: many.sha256, width: 11, height: 21, dataset: datasetName,
    captions: texts.slice(0, 20).map((t) => t.text),
  });
  expect(images.get(iv2.id)?.captions).toEqual(['caption 3 猫']);

  const hits = await textsByLabels(db, [tv.id, tv0.id, missing]);
  expect(hits.size).toBe(2);
  expect(hits.get(tv.id)).toEqual({
    label: tv.id, textId: texts[3].id, text: 'caption 3 猫', dataset: datasetName,
    images: [{ imageId: many.id, sha256: many.sha256 }, { imageId: lone.id, sha256: lone.sha256 }],
  });
  expect(hits.get(tv0.id)?.images).toEqual([{ imageId: many.id, sha256: many.sha256 }]);
  expect((await imagesByLabels(db, [missing])).size).toBe(0);
  expect((await textsByLabels(db, [])).size).toBe(0);
  await db.dataset.delete({ where: { id: ds.id } });
}
