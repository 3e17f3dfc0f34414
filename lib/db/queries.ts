/**
 * Dataset, model and statistics queries shared by ingest, the CLI and the web app.
 */
import type { Db } from './client';

export type DatasetStatus = 'ingesting' | 'ready' | 'failed';

export interface DatasetSummary {
  id: number;
  name: string;
  format: string;
  source: string | null;
  status: DatasetStatus;
  images: number;
  texts: number;
  links: number;
  createdAt: Date;
  updatedAt: Date;
}

export async function ensureModelRow(db: Db, info: { id: string; name: string; layout: string; dim: number }, opts: { readOnly?: boolean } = {}): Promise<void> {
  if (opts.readOnly) {
    // A read-only data dir serves only what it has: the model must have been used with it before.
    if (await db.model.findUnique({ where: { id: info.id }, select: { id: true } })) return;
    await db.model.create({ data: info }); // refused by the read-only client with a message naming the directory
    return;
  }
  await db.model.upsert({
    where: { id: info.id },
    create: { id: info.id, name: info.name, layout: info.layout, dim: info.dim },
    update: { name: info.name },
  });
}

/** The dataset called `name`, created when absent; its status becomes 'ingesting'. */
export async function openDatasetForIngest(db: Db, d: { name: string; format: string; source?: string }) {
  return db.dataset.upsert({
    where: { name: d.name },
    create: { name: d.name, format: d.format, source: d.source ?? null, status: 'ingesting' },
    update: { status: 'ingesting' },
  });
}

export async function setDatasetStatus(db: Db, id: number, status: DatasetStatus): Promise<void> {
  await db.dataset.update({ where: { id }, data: { status } });
}

export async function findDataset(db: Db, name: string) {
  return db.dataset.findUnique({ where: { name } });
}

export async function listDatasets(db: Db): Promise<DatasetSummary[]> {
  const rows = await db.dataset.findMany({ orderBy: { name: 'asc' }, include: { _count: { select: { images: true, texts: true } } } });
  const links = await db.$queryRawUnsafe<{ datasetId: number; n: bigint | number }[]>(
    // Quoted identifiers: the same SQL runs on SQLite and PostgreSQL (which folds unquoted names).
    'SELECT i."datasetId" AS "datasetId", COUNT(*) AS n FROM "ImageText" l JOIN "Image" i ON i.id = l."imageId" GROUP BY i."datasetId"',
  );
  const linkCount = new Map(links.map((r) => [Number(r.datasetId), Number(r.n)]));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    format: r.format,
    source: r.source,
    status: r.status as DatasetStatus,
    images: r._count.images,
    texts: r._count.texts,
    links: linkCount.get(r.id) ?? 0,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }));
}

/** HNSW labels of a dataset's vectors for one model (the dataset filter of a search). */
export async function datasetLabels(db: Db, datasetId: number, kind: 'image' | 'text', modelId: string): Promise<number[]> {
  const rows =
    kind === 'image'
      ? await db.imageVector.findMany({ where: { modelId, image: { datasetId } }, select: { id: true } })
      : await db.textVector.findMany({ where: { modelId, text: { datasetId } }, select: { id: true } });
  return rows.map((r) => r.id);
}

export interface DeletedDataset {
  name: string;
  images: number;
  texts: number;
  /** Labels of every vector that was removed (all models; the index ignores unknown labels). */
  imageLabels: number[];
  textLabels: number[];
  /** sha256 of originals no other dataset refers to: their files can go. */
  orphanShas: string[];
}

/** Delete a dataset and everything under it (cascade). Returns what the index and store must drop. */
export async function deleteDatasetRows(db: Db, name: string): Promise<DeletedDataset | undefined> {
  const ds = await db.dataset.findUnique({ where: { name } });
  if (!ds) return undefined;
  const [imageLabels, textLabels, images, texts] = await Promise.all([
    db.imageVector.findMany({ where: { image: { datasetId: ds.id } }, select: { id: true } }),
    db.textVector.findMany({ where: { text: { datasetId: ds.id } }, select: { id: true } }),
    db.image.findMany({ where: { datasetId: ds.id }, select: { sha256: true } }),
    db.text.count({ where: { datasetId: ds.id } }),
  ]);
  await db.dataset.delete({ where: { id: ds.id } });
  const shas = images.map((i) => i.sha256);
  const stillUsed = new Set<string>();
  for (let i = 0; i < shas.length; i += 500) {
    const rows = await db.image.findMany({ where: { sha256: { in: shas.slice(i, i + 500) } }, select: { sha256: true } });
    for (const r of rows) stillUsed.add(r.sha256);
  }
  return {
    name,
    images: images.length,
    texts,
    imageLabels: imageLabels.map((r) => r.id),
    textLabels: textLabels.map((r) => r.id),
    orphanShas: shas.filter((s) => !stillUsed.has(s)),
  };
}

export interface DbStats {
  datasets: number;
  images: number;
  texts: number;
  links: number;
  imageVectors: number;
  textVectors: number;
  models: { id: string; name: string; dim: number; imageVectors: number; textVectors: number }[];
}

export async function collectStats(db: Db): Promise<DbStats> {
  const [datasets, images, texts, links, imageVectors, textVectors, models] = await Promise.all([
    db.dataset.count(),
    db.image.count(),
    db.text.count(),
    db.imageText.count(),
    db.imageVector.count(),
    db.textVector.count(),
    db.model.findMany({ include: { _count: { select: { imageVectors: true, textVectors: true } } }, orderBy: { createdAt: 'asc' } }),
  ]);
  return {
    datasets,
    images,
    texts,
    links,
    imageVectors,
    textVectors,
    models: models.map((m) => ({ id: m.id, name: m.name, dim: m.dim, imageVectors: m._count.imageVectors, textVectors: m._count.textVectors })),
  };
}
