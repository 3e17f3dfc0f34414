/**
 * Groups for review (`clipdex duplicates`, `/duplicates`, GET /api/duplicates): the stored links of
 * a model (optionally only those between two images of one dataset) as groups, each with its images,
 * their captions and dataset. Groups come largest first, then closest first; inside a group the
 * image with the most pixels comes first (the one to keep, if any), then the oldest.
 */
import { resolveDatasetName } from '../datasets';
import { findDataset, type Db } from '../db';
import { AppError } from '../errors';
import { groupLinks, type DuplicateLink, type GroupInfo } from './groups';

export interface DuplicateImage {
  imageId: number;
  sha256: string;
  captions: string[];
  dataset: string;
  width: number;
  height: number;
  format: string;
  bytes: number;
}

export interface DuplicateGroup {
  groupId: number;
  /** The group's weakest link: min over its links of min(CLIP cosine, pixel correlation). */
  similarity: number;
  images: DuplicateImage[];
}

const MAX_CAPTIONS = 20;

export async function storedLinks(db: Db, modelId: string, datasetId?: number): Promise<DuplicateLink[]> {
  const where = datasetId === undefined ? { modelId } : { modelId, image: { datasetId }, other: { datasetId } };
  return db.duplicateEdge.findMany({ where, select: { imageId: true, otherId: true, similarity: true } });
}

/** Groups (of `groupLinks`' shape) with their images, sorted; `limit`/`offset` page through them. */
export async function describeGroups(db: Db, groups: Map<number, GroupInfo>, opts: { limit?: number; offset?: number } = {}): Promise<{ total: number; groups: DuplicateGroup[] }> {
  const byGroup = new Map<number, { info: GroupInfo; ids: number[] }>();
  for (const [imageId, g] of groups) {
    const e = byGroup.get(g.groupId) ?? byGroup.set(g.groupId, { info: g, ids: [] }).get(g.groupId)!;
    e.ids.push(imageId);
  }
  const sorted = [...byGroup.values()].sort((a, b) => b.ids.length - a.ids.length || b.info.similarity - a.info.similarity || a.info.groupId - b.info.groupId);
  const offset = opts.offset ?? 0;
  const page = sorted.slice(offset, opts.limit === undefined ? undefined : offset + opts.limit);
  const ids = page.flatMap((g) => g.ids);
  const images = new Map<number, DuplicateImage>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.image.findMany({
      where: { id: { in: ids.slice(i, i + 500) } },
      select: {
        id: true, sha256: true, width: true, height: true, format: true, bytes: true,
        dataset: { select: { name: true } },
        texts: { select: { text: { select: { text: true } } }, orderBy: { textId: 'asc' }, take: MAX_CAPTIONS },
      },
    });
    for (const r of rows) {
      images.set(r.id, { imageId: r.id, sha256: r.sha256, captions: r.texts.map((t) => t.text.text), dataset: r.dataset.name, width: r.width, height: r.height, format: r.format, bytes: r.bytes });
    }
  }
  const out: DuplicateGroup[] = [];
  for (const g of page) {
    const members = g.ids.map((id) => images.get(id)).filter((x): x is DuplicateImage => !!x);
    if (members.length < 2) continue; // deleted while we read
    members.sort((a, b) => b.width * b.height - a.width * a.height || a.imageId - b.imageId);
    out.push({ groupId: g.info.groupId, similarity: g.info.similarity, images: members });
  }
  return { total: sorted.length, groups: out };
}

/** The stored groups of a model (of one dataset's images when `datasetId` is given). */
export async function listGroups(db: Db, modelId: string, opts: { datasetId?: number; limit?: number; offset?: number } = {}) {
  return describeGroups(db, groupLinks(await storedLinks(db, modelId, opts.datasetId)), opts);
}

/** The last full scan of the model, if any (a library ingested before near-duplicates has none). */
export async function lastScan(db: Db, modelId: string): Promise<{ threshold: number; scannedAt: Date } | null> {
  return db.duplicateScan.findUnique({ where: { modelId }, select: { threshold: true, scannedAt: true } });
}

/** The id of the dataset a user named (CLI --dataset, API/page ?dataset=); NOT_FOUND names it. */
export async function datasetIdFor(db: Db, raw: string): Promise<number> {
  const name = await resolveDatasetName(db, raw);
  const ds = await findDataset(db, name);
  if (!ds) throw new AppError('NOT_FOUND', `no dataset called "${name}" (the datasets page or \`clipdex datasets list\` shows them)`);
  return ds.id;
}
