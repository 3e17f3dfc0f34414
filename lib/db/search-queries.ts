/**
 * Turning HNSW labels (vector row ids) into search results: the item, its dataset, its captions
 * or images. Rows deleted since the index was saved simply do not come back (callers skip them).
 */
import type { Db } from './client';

export interface ImageRow {
  label: number;
  imageId: number;
  sha256: string;
  width: number;
  height: number;
  dataset: string;
  captions: string[];
}

export interface TextRow {
  label: number;
  textId: number;
  text: string;
  dataset: string;
  images: { imageId: number; sha256: string }[];
}

const MAX_LINKED = 20;

export async function imagesByLabels(db: Db, labels: number[]): Promise<Map<number, ImageRow>> {
  if (!labels.length) return new Map();
  const rows = await db.imageVector.findMany({
    where: { id: { in: labels } },
    select: {
      id: true,
      image: {
        select: {
          id: true, sha256: true, width: true, height: true,
          dataset: { select: { name: true } },
          texts: { take: MAX_LINKED, orderBy: { textId: 'asc' }, select: { text: { select: { text: true } } } },
        },
      },
    },
  });
  return new Map(
    rows.map((r) => [
      r.id,
      { label: r.id, imageId: r.image.id, sha256: r.image.sha256, width: r.image.width, height: r.image.height, dataset: r.image.dataset.name, captions: r.image.texts.map((t) => t.text.text) },
    ]),
  );
}

export async function textsByLabels(db: Db, labels: number[]): Promise<Map<number, TextRow>> {
  if (!labels.length) return new Map();
  const rows = await db.textVector.findMany({
    where: { id: { in: labels } },
    select: {
      id: true,
      text: {
        select: {
          id: true, text: true,
          dataset: { select: { name: true } },
          images: { take: MAX_LINKED, orderBy: { imageId: 'asc' }, select: { image: { select: { id: true, sha256: true } } } },
        },
      },
    },
  });
  return new Map(
    rows.map((r) => [
      r.id,
      { label: r.id, textId: r.text.id, text: r.text.text, dataset: r.text.dataset.name, images: r.text.images.map((i) => ({ imageId: i.image.id, sha256: i.image.sha256 })) },
    ]),
  );
}

/** The stored vector (and its label) of an image for a model. */
export async function imageVectorOf(db: Db, imageId: number, modelId: string): Promise<{ label: number; data: Uint8Array } | null> {
  const r = await db.imageVector.findUnique({ where: { imageId_modelId: { imageId, modelId } }, select: { id: true, data: true } });
  return r ? { label: r.id, data: r.data } : null;
}
