/**
 * The CPU-heavy half of a batch, run while an earlier batch is in the model (ingest prepares up to
 * two ahead, sharing one set of image lanes, which hold an image only while the CPU works on it):
 * hash each image,
 * skip those this model already embedded (in this dataset, or reuse the vector stored for the same
 * bytes in another dataset), and for the rest preprocess for CLIP (its header probe enforces the
 * pixel limit and gives the size and format stored with the image), and write the original +
 * thumbnail to the store. Bad bytes become per-line errors, never exceptions.
 */
import type { CorpusRecord } from '../corpus';
import { sqlRunner } from '../db/sql-runner';
import { Prisma } from '../generated/prisma/client';
import type { DecodedImage, ImageHeader } from '../image';
import { originalIsThumbnail, sha256Hex, thumbnailFor, thumbnailIsReencode } from '../store';
import { rememberSignatures, signaturesFromRgb } from '../duplicates';
import type { Limiter } from '../map-pool';
import { removeUnreferenced } from './cleanup';
import type { IngestDeps, LineError } from './types';

export interface ImageFacts {
  width: number;
  height: number;
  format: string;
  bytes: number;
}

export type ImageState =
  /** Already in this dataset with a vector for the active model: nothing to do. */
  | { state: 'known'; sha: string }
  /** A vector for these bytes exists (another dataset): copy it, no inference. */
  | { state: 'reuse'; sha: string; facts: ImageFacts; vector: Uint8Array }
  /** Needs inference. */
  | { state: 'encode'; sha: string; facts: ImageFacts; pixels: Float32Array }
  | { state: 'failed'; sha: string; reason: string };

export type GoodRecord = Exclude<CorpusRecord, { kind: 'error' }>;

export interface PreparedBatch {
  /** Good records with the sha256 of their image (if any). */
  records: { rec: GoodRecord; sha?: string }[];
  images: Map<string, ImageState>;
  /** Unique texts of the batch not yet embedded in this dataset by this model. */
  textsToEncode: string[];
  errors: LineError[];
  /**
   * Shas whose original or thumbnail this batch wrote to the store (files that were there already
   * are not listed): removed again if the batch never commits (cleanup.ts).
   */
  written: Set<string>;
  /**
   * Shas whose original or thumbnail was already on disk when this batch looked: another ingest's
   * cleanup may remove them before this batch commits, so they are checked after (cleanup.ts).
   */
  found: Set<string>;
  /** Records read, good and bad. */
  count: number;
  prepareSeconds: number;
  /** Busy seconds per part, summed over the concurrent pool. */
  parts: { lookup: number; preprocess: number; thumbnail: number; store: number };
}

export interface PrepareContext {
  deps: IngestDeps;
  datasetId: number;
  modelId: string;
  /**
   * The image lanes: shared by every batch prepared at once, so together they never decode more
   * images at once than there are lanes. The store's writes wait outside them.
   */
  lanes: Limiter;
  /** Near-duplicate linking follows this batch: read each new image's pixel signatures off its preprocessed pixels. */
  signatures?: boolean;
}

/** Larger whole images than this (a photo decoded whole: 16-bit, or a fused path that fell back) are not read for signatures here. */
const SIGNATURE_SOURCE_MAX_PIXELS = 1024 * 1024;

const imageOf = (r: GoodRecord): Buffer | undefined => (r.kind === 'pair' || r.kind === 'image' ? r.image : undefined);
export const textOf = (r: GoodRecord): string | undefined => (r.kind === 'pair' || r.kind === 'text' ? r.text : r.kind === 'image' ? r.caption : undefined);

export async function prepareBatch(batch: CorpusRecord[], ctx: PrepareContext): Promise<PreparedBatch> {
  const written = new Set<string>();
  try {
    return await prepareInto(batch, ctx, written);
  } catch (err) {
    // The batch will never commit: the files it wrote would be orphans.
    await removeUnreferenced(ctx.deps, written).catch(() => undefined);
    throw err;
  }
}

async function prepareInto(batch: CorpusRecord[], ctx: PrepareContext, written: Set<string>): Promise<PreparedBatch> {
  const t0 = performance.now();
  const { db, store, model, config } = ctx.deps;
  const errors: LineError[] = [];
  const records: PreparedBatch['records'] = [];
  const found = new Set<string>();
  const bytesBySha = new Map<string, Buffer>();
  for (const rec of batch) {
    if (rec.kind === 'error') {
      errors.push(rec.file ? { line: rec.line, reason: rec.reason, file: rec.file } : { line: rec.line, reason: rec.reason });
      continue;
    }
    const bytes = imageOf(rec);
    const sha = bytes ? sha256Hex(bytes) : undefined;
    if (sha && bytes && !bytesBySha.has(sha)) bytesBySha.set(sha, bytes);
    records.push({ rec, sha });
  }

  const shas = [...bytesBySha.keys()];
  const images = new Map<string, ImageState>();
  const parts = { lookup: 0, preprocess: 0, thumbnail: 0, store: 0 };
  const timed = async <T>(part: keyof typeof parts, f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await f();
    } finally {
      parts[part] += (performance.now() - t) / 1000;
    }
  };
  if (shas.length) {
    const tl = performance.now();
    // SQL of our own (lib/db/sql-runner.ts): Prisma's model queries cost the main thread several ms each.
    const sql = sqlRunner(db);
    const known = await sql.query<{ sha256: string }>(Prisma.sql`
      SELECT i."sha256" FROM "Image" i WHERE i."datasetId" = ${ctx.datasetId} AND i."sha256" IN (${Prisma.join(shas)})
        AND EXISTS (SELECT 1 FROM "ImageVector" v WHERE v."imageId" = i."id" AND v."modelId" = ${ctx.modelId})`);
    for (const r of known) images.set(r.sha256, { state: 'known', sha: r.sha256 });
    const rest = shas.filter((s) => !images.has(s));
    if (rest.length) {
      const elsewhere = await sql.query<ImageFacts & { sha256: string; data: Uint8Array }>(Prisma.sql`
        SELECT i."sha256", i."width", i."height", i."format", i."bytes", v."data" FROM "ImageVector" v JOIN "Image" i ON i."id" = v."imageId"
        WHERE v."modelId" = ${ctx.modelId} AND i."sha256" IN (${Prisma.join(rest)})`);
      for (const { sha256, data, width, height, format, bytes } of elsewhere) {
        if (!images.has(sha256)) images.set(sha256, { state: 'reuse', sha: sha256, facts: { width, height, format, bytes }, vector: data });
      }
    }
    parts.lookup += (performance.now() - tl) / 1000;
    await Promise.all(shas.map(async (sha) => {
      const bytes = bytesBySha.get(sha)!;
      const known = images.get(sha);
      try {
        if (known?.state === 'known') return;
        const reuse = known?.state === 'reuse' ? known : undefined;
        let facts: ImageFacts;
        let pixels: Float32Array | undefined;
        let decoded: DecodedImage | undefined;
        let header: ImageHeader | undefined;
        if (reuse) {
          facts = reuse.facts;
        } else {
          // issue 13: a lane holds an image only while the CPU works on it (decoding, the pixel
          // signatures); the store's file-system round trips below wait outside the lanes.
          const p = await ctx.lanes(async () => {
            const pre = await timed('preprocess', () => model.preprocessImageWithFacts(bytes));
            // issue 13: no decode of their own; a large whole decode (16-bit, or a fused path that
            // fell back) is left to the thumbnail, as is an image whose signatures fail here.
            const { whole } = pre;
            if (ctx.signatures && whole.width * whole.height <= SIGNATURE_SOURCE_MAX_PIXELS) {
              try {
                rememberSignatures(sha, signaturesFromRgb(whole.data, whole.width, whole.height));
              } catch {
                // linking reads the stored thumbnail instead
              }
            }
            return pre;
          });
          facts = { width: p.width, height: p.height, format: p.format, bytes: bytes.length };
          pixels = p.pixels;
          // Kept past the lane only where the thumbnail re-encodes it (no side over 512 px).
          decoded = p.decoded && thumbnailIsReencode(p.decoded.width, p.decoded.height) ? p.decoded : undefined;
          header = p.header;
        }
        // Originals and thumbnails are written before the rows that point at them are committed.
        const newOriginal = await timed('store', () => store.putOriginal(sha, facts.format, bytes));
        if (newOriginal) written.add(sha);
        else found.add(sha);
        // A new original has no thumbnail yet (both go together), so no need to look for one; a
        // leftover one is found by putThumbnail all the same.
        if (!newOriginal && (await store.hasThumbnail(sha))) found.add(sha);
        else {
          // The original itself where it already is a thumbnail; else a small image that preprocessing
          // decoded whole is re-encoded from those pixels (the same bytes, one decode fewer); else
          // decode (in a lane).
          const make = () => timed('thumbnail', () => thumbnailFor(bytes, config.maxImagePixels, { header, decoded }));
          const thumb = header && originalIsThumbnail(header, bytes) ? await make() : await ctx.lanes(make);
          const ofOriginal = thumb.bytes === bytes; // the original is its own thumbnail: a hard link to it
          if (await timed('store', () => store.putThumbnail(sha, thumb.bytes, thumb.format, { ofOriginal }))) written.add(sha);
          else found.add(sha);
        }
        if (pixels) images.set(sha, { state: 'encode', sha, facts, pixels });
      } catch (err) {
        images.set(sha, { state: 'failed', sha, reason: reasonOf(err) });
      }
    }));
  }

  const texts = [...new Set(records.map((r) => textOf(r.rec)).filter((t): t is string => t !== undefined))];
  let textsToEncode = texts;
  if (texts.length) {
    const tl = performance.now();
    const known = await sqlRunner(db).query<{ text: string }>(Prisma.sql`
      SELECT t."text" FROM "Text" t WHERE t."datasetId" = ${ctx.datasetId} AND t."text" IN (${Prisma.join(texts)})
        AND EXISTS (SELECT 1 FROM "TextVector" v WHERE v."textId" = t."id" AND v."modelId" = ${ctx.modelId})`);
    const knownSet = new Set(known.map((k) => k.text));
    textsToEncode = texts.filter((t) => !knownSet.has(t));
    parts.lookup += (performance.now() - tl) / 1000;
  }
  return { records, images, textsToEncode, errors, written, found, count: batch.length, prepareSeconds: (performance.now() - t0) / 1000, parts };
}

function reasonOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s+/g, ' ').trim();
}

/**
 * After `b` committed: the originals and thumbnails it found already on disk (`b.found`), rather
 * than wrote, may have been removed meanwhile by another ingest's cleanup; write back any that
 * went, from the bytes the batch still holds. Returns how many shas needed it.
 */
export async function ensureFoundBlobs(deps: Pick<IngestDeps, 'store' | 'config'>, b: PreparedBatch): Promise<number> {
  if (!b.found.size) return 0;
  const bytesOf = new Map<string, Buffer>();
  for (const { rec, sha } of b.records) {
    const bytes = imageOf(rec);
    if (sha && bytes && b.found.has(sha)) bytesOf.set(sha, bytes);
  }
  let fixed = 0;
  for (const [sha, bytes] of bytesOf) {
    const st = b.images.get(sha);
    if (st?.state !== 'encode' && st?.state !== 'reuse') continue; // no row of this batch relies on it
    let wrote = false;
    if (!(await deps.store.hasOriginal(sha))) wrote = (await deps.store.putOriginal(sha, st.facts.format, bytes)) || wrote;
    if (!(await deps.store.hasThumbnail(sha))) {
      const thumb = await thumbnailFor(bytes, deps.config.maxImagePixels);
      wrote = (await deps.store.putThumbnail(sha, thumb.bytes, thumb.format)) || wrote;
    }
    if (wrote) fixed++;
  }
  return fixed;
}
