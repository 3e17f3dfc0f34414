/**
 * Finding near-duplicates with the image index. For each image, its nearest neighbours in the
 * HNSW index (itself excluded) whose CLIP cosine is ≥ the threshold are candidates; a candidate is
 * a near-duplicate when the pixel signatures of the two images also correlate ≥ the threshold
 * (signature.ts says why CLIP alone is not enough with a small model). The link's similarity is
 * the smaller of the two figures.
 *
 * Cost: one k-NN query per image (k = NEIGHBOURS) plus, for each image that has a candidate and
 * whose signatures this process does not hold yet, a decode of its stored thumbnail. Ingest hands
 * over the signatures of the images it adds (read off their preprocessed pixels); `rescanDuplicates`
 * and `findGroupsAt` read every image of the model (the full-library figure is in README
 * "Near-duplicates").
 */
import { countVectors, iterateVectors, loadVectors, maxVectorLabel, withBusyRetry, type Db } from '../db';
import { insertRows, sqlRunner, type SqlRunner } from '../db/sql-runner';
import { Prisma } from '../generated/prisma/client';
import type { VectorIndex } from '../index';
import type { BlobStore } from '../store';
import { chunks, groupLinks, regroup, saveLinks, type DuplicateLink, type GroupInfo } from './groups';
import { pixelSignatures, signatureSimilarity, type Signatures } from './signature';

/** Neighbours looked at per image: a group larger than this still forms, through its members' links. */
export const NEIGHBOURS = 8;


export interface DuplicateDeps {
  db: Db;
  /** The image index of `modelId`. */
  index: VectorIndex;
  store: Pick<BlobStore, 'readThumbnail'>;
  modelId: string;
  threshold: number;
}

type Vectors = { labels: number[]; vectors: Float32Array[] };

/** label → (imageId, sha256) for image vector rows. */
async function ownersOf(db: Db, labels: number[]): Promise<Map<number, { imageId: number; sha256: string }>> {
  const out = new Map<number, { imageId: number; sha256: string }>();
  for (let i = 0; i < labels.length; i += 500) {
    const rows = await sqlRunner(db).query<{ id: number; imageId: number; sha256: string }>(Prisma.sql`
      SELECT v."id", v."imageId", i."sha256" FROM "ImageVector" v JOIN "Image" i ON i."id" = v."imageId" WHERE v."id" IN (${Prisma.join(labels.slice(i, i + 500))})`);
    for (const r of rows) out.set(r.id, { imageId: r.imageId, sha256: r.sha256 });
  }
  return out;
}

/**
 * Signatures by sha256, least recently used first out: shared by every call in the process, so an
 * ingest does not decode an older image's thumbnail again for each batch that finds it. 2,000
 * entries of 7 × 768 floats ≈ 43 MB at most.
 */
class SignatureCache {
  private map = new Map<string, Promise<Signatures | null>>();
  constructor(private max = 2_000) {}
  get(store: DuplicateDeps['store'], sha: string): Promise<Signatures | null> {
    let p = this.map.get(sha);
    if (p) {
      this.map.delete(sha); // most recently used goes last
    } else {
      // A missing or unreadable thumbnail cannot confirm a link: no signature, no link.
      p = store.readThumbnail(sha).then(
        (f) => pixelSignatures(f.bytes),
        () => {
          this.map.delete(sha); // not remembered: the file may be there next time
          return null;
        },
      );
      if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
    }
    this.map.set(sha, p);
    return p;
  }
  /** Signatures computed elsewhere (ingest: from the pixels it preprocessed). */
  put(sha: string, p: Promise<Signatures | null>): void {
    this.map.delete(sha);
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
    this.map.set(sha, p);
  }
}

const signatures = new SignatureCache();

/**
 * issue 13: an ingest hands over the signatures it read off the pixels it preprocessed for the
 * model (signature.ts signaturesFromRgb), so linking the batch neither reads the thumbnail back
 * nor decodes it again.
 */
export function rememberSignatures(sha: string, sigs: Signatures): void {
  signatures.put(sha, Promise.resolve(sigs));
}

/** Near-duplicate links of the given vectors' images (to any image in the index). */
export async function findLinks(deps: DuplicateDeps, items: Vectors): Promise<DuplicateLink[]> {
  const { index, threshold } = deps;
  const candidates: { label: number; other: number; clip: number }[] = [];
  items.labels.forEach((label, i) => {
    if (!index.size()) return;
    // At the index's search ef (CLIPDEX_HNSW_EF_SEARCH): more than the nearest few need, but the
    // index never searches with less, and it is ~1 ms a query.
    for (const hit of index.search(items.vectors[i], NEIGHBOURS + 1)) {
      if (hit.label !== label && hit.score >= threshold) candidates.push({ label, other: hit.label, clip: hit.score });
    }
  });
  if (!candidates.length) return [];
  const owners = await ownersOf(deps.db, [...new Set(candidates.flatMap((c) => [c.label, c.other]))]);
  const links: DuplicateLink[] = [];
  for (const c of candidates) {
    const a = owners.get(c.label);
    const b = owners.get(c.other);
    if (!a || !b || a.imageId === b.imageId) continue; // a row deleted meanwhile
    // The same bytes (one file in two datasets) are a duplicate without looking at pixels.
    let pixel = 1;
    if (a.sha256 !== b.sha256) {
      const [sa, sb] = await Promise.all([signatures.get(deps.store, a.sha256), signatures.get(deps.store, b.sha256)]);
      if (!sa || !sb) continue;
      pixel = signatureSimilarity(sa, sb);
    }
    const similarity = Math.min(c.clip, pixel);
    if (similarity >= threshold) links.push({ imageId: a.imageId, otherId: b.imageId, similarity: Math.min(1, similarity) });
  }
  return links;
}

/** Per database, models known to have a DuplicateScan row (no lookup per batch once one is seen). */
const scanned = new WeakMap<Db, Set<string>>();

/**
 * A library whose first images are being ingested has every image checked at ingest: it counts
 * as scanned, so the page and the CLI do not ask for a backfill it does not need.
 */
async function markScannedIfFirst(deps: DuplicateDeps, items: Vectors): Promise<void> {
  const known = scanned.get(deps.db) ?? scanned.set(deps.db, new Set()).get(deps.db)!;
  if (known.has(deps.modelId)) return;
  if (await deps.db.duplicateScan.findUnique({ where: { modelId: deps.modelId }, select: { modelId: true } })) {
    known.add(deps.modelId);
    return;
  }
  if (deps.index.size() !== items.labels.length) return; // older images are there, unchecked
  await markDuplicatesScanned(deps);
}

/**
 * Record the library as scanned at `deps.threshold`: for a caller that has itself linked every
 * image of the model (a distributed ingest into an empty library, once all its passes are done).
 */
export async function markDuplicatesScanned(deps: Pick<DuplicateDeps, 'db' | 'modelId' | 'threshold'>): Promise<void> {
  // Every write here can meet another process's ingest on the same SQLite file (lib/db/retry.ts).
  await withBusyRetry(() => deps.db.duplicateScan.upsert({ where: { modelId: deps.modelId }, create: { modelId: deps.modelId, threshold: deps.threshold, scannedAt: new Date() }, update: {} }));
  (scanned.get(deps.db) ?? scanned.set(deps.db, new Set()).get(deps.db)!).add(deps.modelId);
}

/**
 * An ingest that does not link its images (`--no-near-duplicates`) is about to add unchecked
 * images: the library no longer counts as scanned, so the page and `clipdex duplicates` offer the
 * rescan. Done before anything is committed, so a crash mid-ingest cannot leave a false claim.
 */
export async function forgetDuplicateScan(db: Db, modelId: string): Promise<void> {
  await withBusyRetry(() => db.duplicateScan.deleteMany({ where: { modelId } }));
  scanned.get(db)?.delete(modelId);
}

/**
 * After new image vectors entered the index (ingest, re-embed): store their links and regroup.
 * `claimScan: false`: never record the library as scanned here (a caller linking in several
 * passes records it itself once all of them are done: markDuplicatesScanned).
 */
export async function linkNewImages(deps: DuplicateDeps, items: Vectors, opts: { claimScan?: boolean } = {}): Promise<{ links: number }> {
  if (!items.labels.length) return { links: 0 };
  if (opts.claimScan !== false) await markScannedIfFirst(deps, items);
  const links = await findLinks(deps, items);
  if (!links.length) return { links: 0 };
  await saveLinks(deps.db, deps.modelId, links);
  await regroup(deps.db, deps.modelId, links.flatMap((l) => [l.imageId, l.otherId]));
  return { links: links.length };
}

/**
 * issue 13: the image vectors a batch commits are written to DuplicatePending in its transaction
 * (`sql`: the batch's runner); `clearPending` removes them once their links are stored. An ingest
 * killed between the two leaves rows, and `linkPending` links them when the next ingest starts, so
 * a kill never costs near-duplicate links (before, the images were "already there" on the next
 * run and were never checked).
 */
export async function addPending(sql: SqlRunner, modelId: string, labels: number[]): Promise<void> {
  if (labels.length) await insertRows(sql, 'DuplicatePending', ['modelId', 'label'], labels.map((l) => [modelId, l]));
}

export async function clearPending(db: Db, modelId: string, labels: number[]): Promise<void> {
  for (const part of chunks(labels)) {
    await withBusyRetry(() => sqlRunner(db).execute(Prisma.sql`DELETE FROM "DuplicatePending" WHERE "modelId" = ${modelId} AND "label" IN (${Prisma.join(part)})`));
  }
}

/**
 * Links the images an interrupted ingest committed but never checked. Returns how many it linked.
 * `ownDataset`: the dataset this ingest writes. Pending rows of another dataset still 'ingesting'
 * belong to an ingest that is running now (a web job beside a CLI ingest): that ingest links them
 * itself, and if it is killed, the next start marks its dataset failed and the next ingest links
 * them. The index first catches up with the database (a server's index follows other processes'
 * commits lazily); a pending image it still lacks (a commit not visible yet) stays pending.
 */
export async function linkPending(deps: DuplicateDeps, ownDataset: number): Promise<number> {
  const labels = (
    await sqlRunner(deps.db).query<{ label: number }>(Prisma.sql`
      SELECT p."label" FROM "DuplicatePending" p
      JOIN "ImageVector" v ON v."id" = p."label"
      JOIN "Image" i ON i."id" = v."imageId"
      JOIN "Dataset" d ON d."id" = i."datasetId"
      WHERE p."modelId" = ${deps.modelId} AND (d."status" <> 'ingesting' OR d."id" = ${ownDataset})
      ORDER BY p."label"`)
  ).map((r) => r.label);
  if (!labels.length) return 0;
  await deps.index.catchUpFully();
  let linked = 0;
  for (const part of chunks(labels)) {
    const stored = await loadVectors(deps.db, 'image', part);
    const vs = stored.filter((v) => deps.index.has(v.label));
    await linkNewImages(deps, { labels: vs.map((v) => v.label), vectors: vs.map((v) => v.vector) }, { claimScan: false });
    // Linked (in the index), or gone (its image deleted: the cascade already took the row).
    const have = new Set(stored.map((v) => v.label));
    await clearPending(deps.db, deps.modelId, part.filter((l) => !have.has(l) || deps.index.has(l)));
    linked += vs.length;
  }
  return linked;
}

export interface ScanProgress {
  done: number;
  total: number;
}

/** Every image vector of the model (optionally one dataset's), in pages, through `findLinks`. */
async function scan(deps: DuplicateDeps, opts: { datasetId?: number; onProgress?: (p: ScanProgress) => void; signal?: AbortSignal }): Promise<DuplicateLink[]> {
  const total = opts.datasetId === undefined ? await countVectors(deps.db, 'image', deps.modelId) : await deps.db.imageVector.count({ where: { modelId: deps.modelId, image: { datasetId: opts.datasetId } } });
  const links: DuplicateLink[] = [];
  let done = 0;
  for await (const page of iterateVectors(deps.db, 'image', deps.modelId, { page: 500, datasetId: opts.datasetId })) {
    if (opts.signal?.aborted) break;
    links.push(...(await findLinks(deps, { labels: page.map((p) => p.label), vectors: page.map((p) => p.vector) })));
    done += page.length;
    opts.onProgress?.({ done, total });
  }
  return links;
}

/**
 * The backfill and the re-index step: every link of the model found again at `deps.threshold`,
 * replacing the stored links and groups; records the scan (DuplicateScan).
 */
export async function rescanDuplicates(deps: DuplicateDeps, onProgress?: (p: ScanProgress) => void, signal?: AbortSignal): Promise<{ images: number; links: number; grouped: number; cancelled?: boolean }> {
  const scannedUpTo = await maxVectorLabel(deps.db, 'image', deps.modelId);
  const links = await scan(deps, { onProgress, signal });
  if (signal?.aborted) return { images: 0, links: 0, grouped: 0, cancelled: true };
  const { db, modelId } = deps;
  // The scan record goes with the old links: an interrupted rescan then reads as "not scanned"
  // (the page offers the backfill again), never as a scanned library with no groups.
  await withBusyRetry(() =>
    db.$transaction([db.duplicateEdge.deleteMany({ where: { modelId } }), db.duplicateMember.deleteMany({ where: { modelId } }), db.duplicateScan.deleteMany({ where: { modelId } })]),
  );
  await saveLinks(db, modelId, links);
  const linked = [...new Set(links.flatMap((l) => [l.imageId, l.otherId]))];
  await regroup(db, modelId, linked);
  const now = new Date();
  await withBusyRetry(() => db.duplicateScan.upsert({ where: { modelId }, create: { modelId, threshold: deps.threshold, scannedAt: now }, update: { threshold: deps.threshold, scannedAt: now } }));
  // Every image the scan read is checked now (an ingest running beside it clears its own).
  await withBusyRetry(() => db.duplicatePending.deleteMany({ where: { modelId, label: { lte: scannedUpTo } } }));
  const images = await db.imageVector.count({ where: { modelId } });
  const grouped = await db.duplicateMember.count({ where: { modelId } });
  return { images, links: links.length, grouped };
}

/**
 * Groups at another threshold than the stored one, computed from the index and not stored (the
 * CLI's `--threshold`): a full scan, so it costs what `rescanDuplicates` costs.
 */
export async function findGroupsAt(deps: DuplicateDeps, opts: { datasetId?: number; onProgress?: (p: ScanProgress) => void } = {}): Promise<{ groups: Map<number, GroupInfo>; links: DuplicateLink[] }> {
  let links = await scan(deps, opts);
  if (opts.datasetId !== undefined) {
    // A dataset's review: only links between two of its images.
    const inDs = new Set((await deps.db.image.findMany({ where: { datasetId: opts.datasetId }, select: { id: true } })).map((r) => r.id));
    links = links.filter((l) => inDs.has(l.imageId) && inDs.has(l.otherId));
  }
  return { groups: groupLinks(links), links };
}
