/**
 * The evaluation set of a corpus already ingested: its stored vectors for the active model and
 * its image↔text links, read from the database (the source of truth; no re-embedding). Images and
 * texts are already deduplicated there (sha256 and content per dataset), as embed-corpus does.
 */
import type { Db } from '../db';
import { bytesToVector } from '../db';
import { AppError } from '../errors';
import type { EvalSet } from './evaluate';
import { MatrixBuilder } from './matrix';
import type { Link } from './recall';

const PAGE = 2000;

type VecRow = { id: number; ownerId: number; data: Uint8Array };

async function loadMatrix(
  fetchPage: (cursor: number) => Promise<VecRow[]>,
  dim: number,
): Promise<{ matrix: ReturnType<MatrixBuilder['build']>; rowOf: Map<number, number> }> {
  const b = new MatrixBuilder(dim, 1024);
  const rowOf = new Map<number, number>();
  let cursor = 0;
  for (;;) {
    const rows = await fetchPage(cursor);
    if (rows.length === 0) break;
    for (const r of rows) rowOf.set(r.ownerId, b.push(bytesToVector(r.data)));
    cursor = rows[rows.length - 1].id;
  }
  return { matrix: b.build(), rowOf };
}

export interface DatasetEvalSet extends EvalSet {
  datasetId: number;
}

export async function loadDatasetEvalSet(db: Db, dataset: string, model: { id: string; dim: number }): Promise<DatasetEvalSet> {
  const ds = await db.dataset.findUnique({ where: { name: dataset } });
  if (!ds) {
    const names = (await db.dataset.findMany({ select: { name: true }, orderBy: { name: 'asc' } })).map((d) => d.name);
    throw new AppError('NOT_FOUND', `no dataset named "${dataset}"${names.length ? ` (datasets: ${names.join(', ')})` : ' (none ingested yet)'}`);
  }
  const images = await loadMatrix(
    async (cursor) =>
      (
        await db.imageVector.findMany({
          where: { modelId: model.id, id: { gt: cursor }, image: { datasetId: ds.id } },
          select: { id: true, imageId: true, data: true },
          orderBy: { id: 'asc' },
          take: PAGE,
        })
      ).map((r) => ({ id: r.id, ownerId: r.imageId, data: r.data })),
    model.dim,
  );
  const texts = await loadMatrix(
    async (cursor) =>
      (
        await db.textVector.findMany({
          where: { modelId: model.id, id: { gt: cursor }, text: { datasetId: ds.id } },
          select: { id: true, textId: true, data: true },
          orderBy: { id: 'asc' },
          take: PAGE,
        })
      ).map((r) => ({ id: r.id, ownerId: r.textId, data: r.data })),
    model.dim,
  );
  if (images.matrix.rows === 0 || texts.matrix.rows === 0) {
    throw new AppError(
      'NOT_FOUND',
      `dataset "${dataset}" has no ${images.matrix.rows === 0 ? 'image' : 'text'} vectors for the active model ${model.id}: re-ingest it or run \`clipdex reindex\``,
    );
  }
  const links: Link[] = [];
  const pairs = await db.imageText.findMany({ where: { image: { datasetId: ds.id } }, select: { imageId: true, textId: true } });
  for (const p of pairs) {
    const image = images.rowOf.get(p.imageId);
    const text = texts.rowOf.get(p.textId);
    if (image !== undefined && text !== undefined) links.push({ text, image });
  }
  return { datasetId: ds.id, images: images.matrix, texts: texts.matrix, links };
}
