/**
 * One stored image by id, for its detail page and "more like this": the row, its dataset and its
 * captions, whether or not it has a vector for the active model yet.
 */
import type { Db } from './client';

/** A stored image as pages and search results show it (search results extend it, see ImageRow). */
export interface ImageDetail {
  imageId: number;
  sha256: string;
  width: number;
  height: number;
  dataset: string;
  /** Linked captions, in link order: every one from findImage, the first few in a search result. */
  captions: string[];
}

export async function findImage(db: Db, imageId: number): Promise<ImageDetail | null> {
  if (!Number.isSafeInteger(imageId) || imageId < 1) return null;
  const row = await db.image.findUnique({
    where: { id: imageId },
    select: {
      id: true,
      sha256: true,
      width: true,
      height: true,
      dataset: { select: { name: true } },
      texts: { select: { text: { select: { text: true } } }, orderBy: { textId: 'asc' } },
    },
  });
  if (!row) return null;
  return { imageId: row.id, sha256: row.sha256, width: row.width, height: row.height, dataset: row.dataset.name, captions: row.texts.map((t) => t.text.text) };
}
