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

/** Whether a client (or a transaction of one) talks to PostgreSQL (else SQLite): their SQL differs in places. */
export function isPostgresDb(db: Db): boolean {
  return (db as unknown as { _activeProvider?: string })._activeProvider === 'postgresql';
}

/** A comparison of a filter (lib/query's, repeated here so lib/db stays below lib/query). */
export type FilterOp = '>=' | '>' | '<=' | '<' | '=';

/** Which images a search may return (issue 11): dataset, format, size, day added, text found in it. */
export interface ImageFilter {
  datasetId?: number;
  format?: string;
  sizes?: { field: 'width' | 'height'; op: FilterOp; value: number }[];
  /** Days as YYYY-MM-DD (UTC). */
  added?: { op: FilterOp; value: string }[];
  /** Only images with OCR text (their keyword document's `ocr` is not empty). */
  hasText?: boolean;
}

export const isEmptyFilter = (f: ImageFilter): boolean =>
  f.datasetId === undefined && !f.format && !f.sizes?.length && !f.added?.length && !f.hasText;

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * The filter as SQL conditions on `"Image" i` (TRUE when empty). Days compare as text on SQLite
 * (Prisma stores an ISO string there, which sorts by time) and as timestamps on PostgreSQL.
 */
export function imageFilterSql(f: ImageFilter, pg: boolean): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`1 = 1`];
  if (f.datasetId !== undefined) parts.push(Prisma.sql`i."datasetId" = ${f.datasetId}`);
  if (f.format) parts.push(Prisma.sql`i."format" = ${f.format}`);
  for (const s of f.sizes ?? []) {
    const col = Prisma.raw(s.field === 'width' ? 'i."width"' : 'i."height"');
    parts.push(Prisma.sql`${col} ${Prisma.raw(s.op)} ${Math.trunc(s.value)}`);
  }
  const day = (d: string) => (pg ? Prisma.sql`CAST(${d} AS timestamp)` : Prisma.sql`${d}`);
  for (const a of f.added ?? []) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(a.value)) continue;
    const lo = day(a.value);
    const hi = day(nextDay(a.value));
    if (a.op === '>=') parts.push(Prisma.sql`i."createdAt" >= ${lo}`);
    else if (a.op === '>') parts.push(Prisma.sql`i."createdAt" >= ${hi}`);
    else if (a.op === '<') parts.push(Prisma.sql`i."createdAt" < ${lo}`);
    else if (a.op === '<=') parts.push(Prisma.sql`i."createdAt" < ${hi}`);
    else parts.push(Prisma.sql`i."createdAt" >= ${lo} AND i."createdAt" < ${hi}`);
  }
  if (f.hasText) parts.push(Prisma.sql`EXISTS (SELECT 1 FROM "KeywordDoc" k WHERE k."imageId" = i."id" AND k."ocr" <> '')`);
  return Prisma.join(parts, ' AND ');
}

/** HNSW labels of the image vectors (one model) whose images pass the filter: a search's filter set. */
export async function filteredImageLabels(db: Db, f: ImageFilter, modelId: string): Promise<number[]> {
  const rows = await db.$queryRaw<{ id: number }[]>`
    SELECT v.id AS "id" FROM "ImageVector" v JOIN "Image" i ON i.id = v."imageId"
    WHERE v."modelId" = ${modelId} AND ${imageFilterSql(f, isPostgresDb(db))}`;
  return rows.map((r) => Number(r.id));
}

/** Image ids → their vector labels for one model (keyword hits join the semantic ones by label). */
export async function labelsOfImages(db: Db, imageIds: number[], modelId: string): Promise<Map<number, number>> {
  if (!imageIds.length) return new Map();
  const rows = await db.$queryRaw<{ id: number; imageId: number }[]>`
    SELECT v.id AS "id", v."imageId" AS "imageId" FROM "ImageVector" v
    WHERE v."modelId" = ${modelId} AND v."imageId" IN (${ids(imageIds)})`;
  return new Map(rows.map((r) => [Number(r.imageId), Number(r.id)]));
}

/** Image id → when it was added and the text found in it (from its keyword document), for sort:new and hits. */
export async function imageExtras(db: Db, imageIds: number[]): Promise<Map<number, { createdAt: number; ocrText: string | null }>> {
  if (!imageIds.length) return new Map();
  const rows = await db.$queryRaw<{ id: number; createdAt: Date | string; ocr: string | null }[]>`
    SELECT i.id AS "id", i."createdAt" AS "createdAt", k."ocr" AS "ocr"
    FROM "Image" i LEFT JOIN "KeywordDoc" k ON k."imageId" = i.id WHERE i.id IN (${ids(imageIds)})`;
  return new Map(rows.map((r) => [Number(r.id), { createdAt: new Date(r.createdAt).getTime() || 0, ocrText: r.ocr ? r.ocr : null }]));
}

/** Vector labels → their image ids (the semantic signal's hits join the keyword ones by image). */
export async function imageIdsOfLabels(db: Db, labels: number[]): Promise<Map<number, number>> {
  if (!labels.length) return new Map();
  const rows = await db.$queryRaw<{ id: number; imageId: number }[]>`
    SELECT v.id AS "id", v."imageId" AS "imageId" FROM "ImageVector" v WHERE v.id IN (${ids(labels)})`;
  return new Map(rows.map((r) => [Number(r.id), Number(r.imageId)]));
}

/** The keyword documents of some images (phrases and exclusions are checked on every hit). */
export async function keywordDocsOf(db: Db, imageIds: number[]): Promise<Map<number, { captions: string; ocr: string; filename: string }>> {
  if (!imageIds.length) return new Map();
  const rows = await db.$queryRaw<{ imageId: number; captions: string; ocr: string; filename: string }[]>`
    SELECT k."imageId" AS "imageId", k."captions" AS "captions", k."ocr" AS "ocr", k."filename" AS "filename"
    FROM "KeywordDoc" k WHERE k."imageId" IN (${ids(imageIds)})`;
  return new Map(rows.map((r) => [Number(r.imageId), { captions: r.captions, ocr: r.ocr, filename: r.filename }]));
}
