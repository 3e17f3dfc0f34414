/**
 * Queries over the durable vector tables (ImageVector/TextVector), for the index module:
 * the row id is the HNSW label. Both tables have the same shape, so one set of helpers takes the
 * kind and converts rows to (label, Float32Array) at this edge.
 */
import { Prisma } from '../generated/prisma/client';
import type { Db } from './client';
import { isPostgresDb } from './search-queries';
import { bytesToVector } from './vectors';

export type VectorKind = 'image' | 'text';

export interface LabeledVector {
  label: number;
  vector: Float32Array;
}

type IdRow = { id: number };
type DataRow = { id: number; data: Uint8Array };

function table(db: Db, kind: VectorKind) {
  // The two delegates have identical shapes for the calls below.
  return (kind === 'image' ? db.imageVector : db.textVector) as unknown as {
    findMany(args: object): Promise<(IdRow & Partial<DataRow>)[]>;
    count(args: object): Promise<number>;
  };
}

/** Every label stored for a model (ascending). */
export async function listVectorLabels(db: Db, kind: VectorKind, modelId: string): Promise<number[]> {
  const rows = await table(db, kind).findMany({ where: { modelId }, select: { id: true }, orderBy: { id: 'asc' } });
  return rows.map((r) => r.id);
}

export async function countVectors(db: Db, kind: VectorKind, modelId?: string): Promise<number> {
  return table(db, kind).count({ where: modelId ? { modelId } : {} });
}

/**
 * Vectors for the given labels, fetched in chunks. As hex text, not Prisma's Bytes: through the
 * SQLite adapter 100 blobs of 1 KB took ~30 ms and their hex ~5 ms (hybrid search loads up to
 * 100 per query, for the hits only the keyword signal found — bench/relevance.ts).
 */
export async function loadVectors(db: Db, kind: VectorKind, labels: number[], chunk = 2000): Promise<LabeledVector[]> {
  const out: LabeledVector[] = [];
  const from = Prisma.raw(kind === 'image' ? '"ImageVector"' : '"TextVector"');
  const hex = Prisma.raw(isPostgresDb(db) ? `encode("data", 'hex')` : 'hex("data")');
  for (let i = 0; i < labels.length; i += chunk) {
    const rows = await db.$queryRaw<{ id: number | bigint; h: string }[]>`SELECT "id" AS "id", ${hex} AS "h" FROM ${from} WHERE "id" IN (${Prisma.join(labels.slice(i, i + chunk))})`;
    for (const r of rows) out.push({ label: Number(r.id), vector: bytesToVector(Buffer.from(r.h, 'hex')) });
  }
  return out;
}

/**
 * The `modelId` vector of each of `imageIds` that has one, as image id → label and vector: one
 * query where labelsOfImages then loadVectors took two in a row (hybrid search's keyword hits).
 */
export async function vectorsOfImages(db: Db, imageIds: number[], modelId: string): Promise<Map<number, LabeledVector>> {
  const out = new Map<number, LabeledVector>();
  if (!imageIds.length) return out;
  const hex = Prisma.raw(isPostgresDb(db) ? `encode("data", 'hex')` : 'hex("data")');
  const rows = await db.$queryRaw<{ id: number | bigint; imageId: number | bigint; h: string }[]>`
    SELECT "id" AS "id", "imageId" AS "imageId", ${hex} AS "h" FROM "ImageVector" WHERE "modelId" = ${modelId} AND "imageId" IN (${Prisma.join(imageIds)})`;
  for (const r of rows) out.set(Number(r.imageId), { label: Number(r.id), vector: bytesToVector(Buffer.from(r.h, 'hex')) });
  return out;
}

/**
 * The vectors of `modelId` among `labels` (labels of other models, or gone, are left out), read
 * 500 ids a query: SQLite refuses a statement with more bound parameters than its limit (a 2,400-id
 * list failed: test/integration/link-added.test.ts).
 */
export async function loadModelVectors(db: Db, kind: VectorKind, modelId: string, labels: number[]): Promise<LabeledVector[]> {
  const out: LabeledVector[] = [];
  for (let i = 0; i < labels.length; i += 500) {
    const rows = await table(db, kind).findMany({ where: { modelId, id: { in: labels.slice(i, i + 500) } }, select: { id: true, data: true } });
    for (const r of rows) out.push({ label: r.id, vector: bytesToVector(r.data as Uint8Array) });
  }
  return out;
}

/**
 * Labels of other models' vectors, in a range (after < label ≤ upTo) or among given labels: ids a
 * model's catch-up did not see that are not late commits of its own (id-only reads on the key).
 */
export async function otherModelLabels(db: Db, kind: VectorKind, modelId: string, among: { after: number; upTo: number } | number[]): Promise<number[]> {
  const out: number[] = [];
  if (!Array.isArray(among)) {
    if (among.upTo <= among.after) return out;
    const rows = await table(db, kind).findMany({ where: { id: { gt: among.after, lte: among.upTo }, modelId: { not: modelId } }, select: { id: true } });
    return rows.map((r) => r.id);
  }
  for (let i = 0; i < among.length; i += 500) {
    const rows = await table(db, kind).findMany({ where: { id: { in: among.slice(i, i + 500) }, modelId: { not: modelId } }, select: { id: true } });
    for (const r of rows) out.push(r.id);
  }
  return out;
}

/**
 * About `count` vectors of a model picked at random (label ids drawn between the lowest and the
 * highest; ids of other models or deleted rows are drawn again, a few rounds at most): sample
 * queries for an index rebuild's ef calibration.
 */
export async function sampleVectors(db: Db, kind: VectorKind, modelId: string, count: number, rand: () => number = Math.random): Promise<LabeledVector[]> {
  const hi = await edgeVectorLabel(db, kind, modelId, 'desc');
  if (hi === 0 || count <= 0) return [];
  const lo = await edgeVectorLabel(db, kind, modelId, 'asc');
  const got = new Map<number, LabeledVector>();
  for (let round = 0; round < 4 && got.size < count; round++) {
    const want = new Set<number>();
    for (let i = 0; i < 2 * (count - got.size) && want.size < hi - lo + 1; i++) {
      const id = lo + Math.floor(rand() * (hi - lo + 1));
      if (!got.has(id)) want.add(id);
    }
    for (const v of await loadModelVectors(db, kind, modelId, [...want])) if (got.size < count) got.set(v.label, v);
  }
  return [...got.values()];
}

/** The highest label of a model's vectors (0 when none): one index seek, whatever the table's size. */
export function maxVectorLabel(db: Db, kind: VectorKind, modelId: string): Promise<number> {
  return edgeVectorLabel(db, kind, modelId, 'desc');
}

/** The lowest ('asc') or highest ('desc') label of a model's vectors, 0 when none. */
async function edgeVectorLabel(db: Db, kind: VectorKind, modelId: string, order: 'asc' | 'desc'): Promise<number> {
  const rows = await table(db, kind).findMany({ where: { modelId }, select: { id: true }, orderBy: { id: order }, take: 1 });
  return rows[0]?.id ?? 0;
}

/**
 * Every vector of a model, in pages (memory bounded by `page`), ascending by label;
 * `datasetId` keeps one dataset's, `after`/`upTo` a label range (after < label ≤ upTo).
 * Each carries its owner (the ImageVector's imageId or the TextVector's textId).
 */
export async function* iterateVectors(
  db: Db,
  kind: VectorKind,
  modelId: string,
  opts: { page?: number; datasetId?: number; after?: number; upTo?: number } = {},
): AsyncGenerator<(LabeledVector & { owner: number })[]> {
  const owner = kind === 'image' ? 'imageId' : 'textId';
  // The relation to the owning row is named like the kind (ImageVector.image, TextVector.text).
  const inDataset = opts.datasetId === undefined ? {} : { [kind]: { datasetId: opts.datasetId } };
  let cursor = opts.after ?? 0;
  for (;;) {
    const rows = (await table(db, kind).findMany({
      where: { modelId, id: opts.upTo === undefined ? { gt: cursor } : { gt: cursor, lte: opts.upTo }, ...inDataset },
      select: { id: true, data: true, [owner]: true },
      orderBy: { id: 'asc' },
      take: opts.page ?? 2000,
    })) as (DataRow & Record<string, number>)[];
    if (rows.length === 0) return;
    cursor = rows[rows.length - 1].id;
    yield rows.map((r) => ({ label: r.id, owner: r[owner], vector: bytesToVector(r.data) }));
  }
}
