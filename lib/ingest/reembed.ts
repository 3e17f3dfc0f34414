/**
 * Re-embedding after a model change: every image and text without a vector for the active model
 * is embedded again — images from their stored originals (never the corpus file), texts from the
 * database — and the new vectors are stored and added to the indexes. Vectors of other models stay
 * in the database (switching back needs no inference) but never enter these indexes.
 */
import { vectorToBytes } from '../db';
import type { IngestDeps, LineError } from './types';

export interface ReembedProgress {
  kind: 'image' | 'text';
  done: number;
  total: number;
}

export interface ReembedSummary {
  images: number;
  texts: number;
  errors: LineError[];
  /** The signal was aborted: what was embedded is stored and indexed; a re-run does the rest. */
  cancelled?: boolean;
}

/**
 * The model input of stored images, read from their originals; an unreadable one becomes a line
 * error (its corpus line) and is left out. Shared by the in-process and the queued re-embed.
 */
export async function preprocessStoredImages(
  deps: Pick<IngestDeps, 'store' | 'model'>,
  rows: { id: number; sha256: string; line: number | null }[],
  errors: LineError[],
): Promise<{ id: number; pixels: Float32Array }[]> {
  const ok: { id: number; pixels: Float32Array }[] = [];
  for (const r of rows) {
    try {
      const { bytes } = await deps.store.readOriginal(r.sha256);
      ok.push({ id: r.id, pixels: await deps.model.preprocessImage(bytes) });
    } catch (err) {
      errors.push({ line: r.line ?? 0, reason: `image ${r.sha256}: ${(err as Error).message}` });
    }
  }
  return ok;
}

export async function reembedMissing(
  deps: IngestDeps,
  onProgress?: (p: ReembedProgress) => void,
  batchSize = deps.config.batchSize,
  signal?: AbortSignal,
): Promise<ReembedSummary> {
  const { db, model, store, indexes } = deps;
  const modelId = model.info.id;
  const out: ReembedSummary = { images: 0, texts: 0, errors: [] };

  const imageWhere = { vectors: { none: { modelId } } };
  const imageTotal = await db.image.count({ where: imageWhere });
  let done = 0;
  let cursor = 0;
  // A cancel stops between batches (each batch's vectors are committed and indexed together).
  for (;;) {
    if (signal?.aborted) break;
    const rows = await db.image.findMany({ where: { ...imageWhere, id: { gt: cursor } }, orderBy: { id: 'asc' }, take: batchSize, select: { id: true, sha256: true, line: true } });
    if (!rows.length) break;
    cursor = rows[rows.length - 1].id;
    const ok = await preprocessStoredImages({ store, model }, rows, out.errors);
    if (ok.length) {
      const vs = await model.encodePixels(ok.map((o) => o.pixels));
      const created = await db.imageVector.createManyAndReturn({
        data: ok.map((o, i) => ({ imageId: o.id, modelId, data: vectorToBytes(vs[i]) })),
        select: { id: true, imageId: true },
      });
      const byImage = new Map(ok.map((o, i) => [o.id, vs[i]]));
      indexes.image.add(created.map((c) => c.id), created.map((c) => byImage.get(c.imageId)!));
      out.images += created.length;
    }
    done += rows.length;
    onProgress?.({ kind: 'image', done, total: imageTotal });
  }

  const textWhere = { vectors: { none: { modelId } } };
  const textTotal = await db.text.count({ where: textWhere });
  done = 0;
  cursor = 0;
  for (;;) {
    if (signal?.aborted) break;
    const rows = await db.text.findMany({ where: { ...textWhere, id: { gt: cursor } }, orderBy: { id: 'asc' }, take: batchSize, select: { id: true, text: true } });
    if (!rows.length) break;
    cursor = rows[rows.length - 1].id;
    const vs = await model.encodeTexts(rows.map((r) => r.text));
    const created = await db.textVector.createManyAndReturn({
      data: rows.map((r, i) => ({ textId: r.id, modelId, data: vectorToBytes(vs[i]) })),
      select: { id: true, textId: true },
    });
    const byText = new Map(rows.map((r, i) => [r.id, vs[i]]));
    indexes.text.add(created.map((c) => c.id), created.map((c) => byText.get(c.textId)!));
    out.texts += created.length;
    done += rows.length;
    onProgress?.({ kind: 'text', done, total: textTotal });
  }
  await Promise.all([indexes.image.save(), indexes.text.save()]);
  if (signal?.aborted) out.cancelled = true;
  return out;
}
