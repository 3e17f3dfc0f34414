/**
 * The evaluation set of a corpus already ingested: its stored vectors for the active model and
 * its image↔text links, read from the database (the source of truth; no re-embedding). Images and
 * texts are already deduplicated there (sha256 and content per dataset), as embed-corpus does.
 */
import { iterateVectors, type Db, type VectorKind } from '../db';
import { AppError } from '../errors';
import type { EvalSet } from './evaluate';
import { MatrixBuilder } from './matrix';
import type { Link } from './recall';

/** One kind's vectors of a dataset as matrix rows, and the row of each owner (image or text id). */
async function loadMatrix(
  db: Db,
  kind: VectorKind,
  model: { id: string; dim: number },
  datasetId: number,
): Promise<{ matrix: ReturnType<MatrixBuilder['build']>; rowOf: Map<number, number> }> {
  const b = new MatrixBuilder(model.dim, 1024);
  const rowOf = new Map<number, number>();
  for await (const page of iterateVectors(db, kind, model.id, { datasetId })) {
    for (const v of page) rowOf.set(v.owner, b.push(v.vector));
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
  const images = await loadMatrix(db, 'image', model, ds.id);
  const texts = await loadMatrix(db, 'text', model, ds.id);
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
