/**
 * Turning HNSW labels (vector row ids) into search results: the item, its dataset, its captions
 * or images. Rows deleted since the index was saved simply do not come back (callers skip them).
 */
import { Prisma } from '../generated/prisma/client';
import type { Db } from './client';
import type { ImageDetail } from './find-image';

/** An image hit: the image as its detail page shows it (first MAX_LINKED captions), by vector label. */
export interface ImageRow extends ImageDetail {
  label: number;
}

export interface TextRow {
  label: number;
  textId: number;
  text: string;
  dataset: string;
  images: { imageId: number; sha256: string }[];
}

const MAX_LINKED = 20;

/*
 * Hydration is on every search's critical path, so it is two flat raw statements rather than a
 * Prisma nested select (which costs several round trips and ~7 ms of query-engine work for 24
 * hits at 1M rows; see bench/http/hydrate.ts). The SQL is the same on SQLite and PostgreSQL:
 * quoted identifiers, `Prisma.join` placeholders, and ROW_NUMBER() for "first N links per item".
 */
const ids = (labels: number[]) => Prisma.join(labels.map((l) => Math.trunc(l)));

/** Rows grouped by a numeric key (the statements return them in link order). */
function groupBy<R, V>(rows: R[], key: (r: R) => unknown, value: (r: R) => V): Map<number, V[]> {
  const out = new Map<number, V[]>();
  for (const r of rows) {
    const k = Number(key(r));
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(value(r));
  }
  return out;
}

export async function imagesByLabels(db: Db, labels: number[]): Promise<Map<number, ImageRow>> {
  if (!labels.length) return new Map();
  const rows = await db.$queryRaw<{ label: number; imageId: number; sha256: string; width: number; height: number; dataset: string }[]>`
    SELECT v.id AS "label", i.id AS "imageId", i.sha256 AS "sha256", i.width AS "width", i.height AS "height", d.name AS "dataset"
    FROM "ImageVector" v JOIN "Image" i ON i.id = v."imageId" JOIN "Dataset" d ON d.id = i."datasetId"
    WHERE v.id IN (${ids(labels)})`;
  if (!rows.length) return new Map();
  const links = await db.$queryRaw<{ imageId: number; text: string }[]>`
    SELECT x."imageId" AS "imageId", x.text AS "text" FROM (
      SELECT it."imageId" AS "imageId", t.text AS text, ROW_NUMBER() OVER (PARTITION BY it."imageId" ORDER BY it."textId") AS rn
      FROM "ImageText" it JOIN "Text" t ON t.id = it."textId"
      WHERE it."imageId" IN (${ids(rows.map((r) => Number(r.imageId)))})
    ) x WHERE x.rn <= ${MAX_LINKED} ORDER BY x."imageId", x.rn`;
  const captions = groupBy(links, (l) => l.imageId, (l) => l.text);
  return new Map(
    rows.map((r) => {
      const label = Number(r.label);
      const imageId = Number(r.imageId);
      return [label, { label, imageId, sha256: r.sha256, width: Number(r.width), height: Number(r.height), dataset: r.dataset, captions: captions.get(imageId) ?? [] }];
    }),
  );
}

export async function textsByLabels(db: Db, labels: number[]): Promise<Map<number, TextRow>> {
  if (!labels.length) return new Map();
  const rows = await db.$queryRaw<{ label: number; textId: number; text: string; dataset: string }[]>`
    SELECT v.id AS "label", t.id AS "textId", t.text AS "text", d.name AS "dataset"
    FROM "TextVector" v JOIN "Text" t ON t.id = v."textId" JOIN "Dataset" d ON d.id = t."datasetId"
    WHERE v.id IN (${ids(labels)})`;
  if (!rows.length) return new Map();
  const links = await db.$queryRaw<{ textId: number; imageId: number; sha256: string }[]>`
    SELECT x."textId" AS "textId", x."imageId" AS "imageId", x.sha256 AS "sha256" FROM (
      SELECT it."textId" AS "textId", i.id AS "imageId", i.sha256 AS sha256, ROW_NUMBER() OVER (PARTITION BY it."textId" ORDER BY it."imageId") AS rn
      FROM "ImageText" it JOIN "Image" i ON i.id = it."imageId"
      WHERE it."textId" IN (${ids(rows.map((r) => Number(r.textId)))})
    ) x WHERE x.rn <= ${MAX_LINKED} ORDER BY x."textId", x.rn`;
  const images = groupBy(links, (l) => l.textId, (l) => ({ imageId: Number(l.imageId), sha256: l.sha256 }));
  return new Map(
    rows.map((r) => {
      const label = Number(r.label);
      const textId = Number(r.textId);
      return [label, { label, textId, text: r.text, dataset: r.dataset, images: images.get(textId) ?? [] }];
    }),
  );
}

/** The stored vector (and its label) of an image for a model. */
export async function imageVectorOf(db: Db, imageId: number, modelId: string): Promise<{ label: number; data: Uint8Array } | null> {
  const r = await db.imageVector.findUnique({ where: { imageId_modelId: { imageId, modelId } }, select: { id: true, data: true } });
  return r ? { label: r.id, data: r.data } : null;
}
