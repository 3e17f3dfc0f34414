/**
 * One Prisma transaction per batch: Image, Text, ImageText, ImageVector and TextVector rows, with
 * dedupe decided inside the transaction (the lookups in prepare.ts only save work): the same
 * sha256 in the dataset is reused, the same text is reused, an existing link is skipped, and a
 * vector is written only when the item has none for this model. Returns the new vector rows
 * (labels) for the HNSW indexes, which are updated after the commit.
 */
import { Prisma } from '../generated/prisma/client';
import { bytesToVector, vectorToBytes, withBusyRetry, type Db } from '../db';
import { insertRows, isUniqueViolation, sqlRunner, type SqlRunner } from '../db/sql-runner';
import { addPending } from '../duplicates';
import { syncKeywordDocs } from '../keyword'; // issue 11: the keyword documents follow the rows
import { textOf, type PreparedBatch } from './prepare';
import type { LineError } from './types';

export interface EncodedBatch {
  /** sha256 → vector for images in state 'encode'. */
  imageVectors: Map<string, Float32Array>;
  /** text → vector for `textsToEncode`. */
  textVectors: Map<string, Float32Array>;
}

export interface CommitResult {
  images: number;
  texts: number;
  links: number;
  duplicates: number;
  vectorsReused: number;
  good: number;
  errors: LineError[];
  newImageVectors: { labels: number[]; vectors: Float32Array[] };
  newTextVectors: { labels: number[]; vectors: Float32Array[] };
}

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export interface CommitContext {
  datasetId: number;
  modelId: string;
  /** MUGE image ids whose bytes were already stored under another id: id → Image.id. */
  aliases: Map<string, number>;
  /** The MUGE texts JSONL, named in errors about its lines. */
  textsFile?: string;
  /** Near-duplicates are linked after the commit: the new image vectors are recorded as pending (lib/duplicates, addPending). */
  pendingLinks?: boolean;
}

export async function commitBatch(db: Db, b: PreparedBatch, enc: EncodedBatch, ctx: CommitContext): Promise<CommitResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await withBusyRetry(() => db.$transaction((tx) => commitInTx(tx, sqlRunner(db, tx), b, enc, ctx), { timeout: 120_000, maxWait: 120_000 }));
    } catch (err) {
      // Another process ingesting the same items committed them first: the retry sees its rows.
      if (isUniqueViolation(err) && attempt < 3) continue;
      throw err;
    }
  }
}

/**
 * The batch's reads and writes are SQL of their own (sql-runner.ts: straight on SQLite's
 * connection inside this transaction), not Prisma's model calls: the same statements on both
 * databases, and a fraction of the main thread's time.
 */
async function commitInTx(tx: Tx, sql: SqlRunner, b: PreparedBatch, enc: EncodedBatch, ctx: CommitContext): Promise<CommitResult> {
  const { datasetId, modelId } = ctx;
  const errors: LineError[] = [];
  const res: CommitResult = {
    images: 0, texts: 0, links: 0, duplicates: 0, vectorsReused: 0, good: 0, errors,
    newImageVectors: { labels: [], vectors: [] },
    newTextVectors: { labels: [], vectors: [] },
  };
  const live = b.records.filter(({ rec, sha }) => {
    const st = sha ? b.images.get(sha) : undefined;
    if (st?.state === 'failed') {
      errors.push(fileOf(rec) ? { line: rec.line, reason: st.reason, file: fileOf(rec) } : { line: rec.line, reason: st.reason });
      return false;
    }
    return true;
  });
  const added = new Set<number>(); // indexes into `live` of records that added something

  // Images
  const shaToId = new Map<string, number>();
  const shas = [...new Set(live.map((r) => r.sha).filter((s): s is string => !!s))];
  if (shas.length) {
    const existing = await sql.query<{ id: number; sha256: string; externalId: string | null }>(
      Prisma.sql`SELECT "id", "sha256", "externalId" FROM "Image" WHERE "datasetId" = ${datasetId} AND "sha256" IN (${Prisma.join(shas)})`,
    );
    const storedExt = new Map<string, string | null>();
    for (const e of existing) {
      shaToId.set(e.sha256, e.id);
      storedExt.set(e.sha256, e.externalId);
    }
    const toCreate: unknown[][] = [];
    const now = new Date();
    const creator = new Map<string, number>();
    live.forEach(({ rec, sha }, i) => {
      if (!sha || shaToId.has(sha) || creator.has(sha)) return;
      const st = b.images.get(sha);
      if (!st || (st.state !== 'encode' && st.state !== 'reuse')) return;
      creator.set(sha, i);
      const f = st.facts;
      toCreate.push([datasetId, sha, f.width, f.height, f.format, f.bytes, externalIdOf(rec), rec.line, now]);
    });
    if (toCreate.length) {
      const created = await insertRows<{ id: number; sha256: string; externalId: string | null }>(
        sql, 'Image', ['datasetId', 'sha256', 'width', 'height', 'format', 'bytes', 'externalId', 'line', 'createdAt'], toCreate, ['id', 'sha256', 'externalId'],
      );
      for (const c of created) {
        shaToId.set(c.sha256, c.id);
        storedExt.set(c.sha256, c.externalId);
        added.add(creator.get(c.sha256)!);
      }
      res.images += created.length;
    }
    // Vectors for images that have none for this model.
    const ids = [...shaToId.values()];
    const withVec = new Set(
      ids.length ? (await sql.query<{ imageId: number }>(Prisma.sql`SELECT "imageId" FROM "ImageVector" WHERE "modelId" = ${modelId} AND "imageId" IN (${Prisma.join(ids)})`)).map((v) => v.imageId) : [],
    );
    const vecRows: unknown[][] = [];
    const vecOf = new Map<number, Float32Array>();
    for (const [sha, imageId] of shaToId) {
      if (withVec.has(imageId)) continue;
      const st = b.images.get(sha);
      let v: Float32Array | undefined;
      if (st?.state === 'encode') v = enc.imageVectors.get(sha);
      else if (st?.state === 'reuse') {
        v = bytesToVector(st.vector);
        res.vectorsReused++;
      }
      if (!v) continue;
      vecOf.set(imageId, v);
      vecRows.push([imageId, modelId, vectorToBytes(v)]);
    }
    if (vecRows.length) {
      const rows = await insertRows<{ id: number; imageId: number }>(sql, 'ImageVector', ['imageId', 'modelId', 'data'], vecRows, ['id', 'imageId']);
      for (const r of rows) {
        res.newImageVectors.labels.push(r.id);
        res.newImageVectors.vectors.push(vecOf.get(r.imageId)!);
      }
      if (ctx.pendingLinks) await addPending(sql, modelId, res.newImageVectors.labels);
    }
    // MUGE: remember ids whose bytes were stored under another id (duplicate images) — only
    // those, so memory grows with the duplicates, not with the corpus.
    for (const { rec, sha } of live) {
      const ext = rec.kind === 'image' ? rec.imageId : undefined;
      if (ext && sha && shaToId.has(sha) && storedExt.get(sha) !== ext) ctx.aliases.set(ext, shaToId.get(sha)!);
    }
  }

  // Texts
  const textToId = new Map<string, number>();
  const texts = [...new Set(live.map((r) => textOf(r.rec)).filter((t): t is string => t !== undefined))];
  if (texts.length) {
    const existing = await sql.query<{ id: number; text: string }>(Prisma.sql`SELECT "id", "text" FROM "Text" WHERE "datasetId" = ${datasetId} AND "text" IN (${Prisma.join(texts)})`);
    for (const e of existing) textToId.set(e.text, e.id);
    const creator = new Map<string, number>();
    const toCreate: unknown[][] = [];
    const now = new Date();
    live.forEach(({ rec }, i) => {
      const t = textOf(rec);
      if (t === undefined || textToId.has(t) || creator.has(t)) return;
      creator.set(t, i);
      toCreate.push([datasetId, t, rec.kind === 'text' ? rec.textId ?? null : null, rec.line, now]);
    });
    if (toCreate.length) {
      const created = await insertRows<{ id: number; text: string }>(sql, 'Text', ['datasetId', 'text', 'externalId', 'line', 'createdAt'], toCreate, ['id', 'text']);
      for (const c of created) {
        textToId.set(c.text, c.id);
        added.add(creator.get(c.text)!);
      }
      res.texts += created.length;
    }
    const ids = [...textToId.values()];
    const withVec = new Set(
      ids.length ? (await sql.query<{ textId: number }>(Prisma.sql`SELECT "textId" FROM "TextVector" WHERE "modelId" = ${modelId} AND "textId" IN (${Prisma.join(ids)})`)).map((v) => v.textId) : [],
    );
    const vecRows: unknown[][] = [];
    const vecOf = new Map<number, Float32Array>();
    for (const [t, textId] of textToId) {
      const v = enc.textVectors.get(t);
      if (withVec.has(textId) || !v) continue;
      vecOf.set(textId, v);
      vecRows.push([textId, modelId, vectorToBytes(v)]);
    }
    if (vecRows.length) {
      const rows = await insertRows<{ id: number; textId: number }>(sql, 'TextVector', ['textId', 'modelId', 'data'], vecRows, ['id', 'textId']);
      for (const r of rows) {
        res.newTextVectors.labels.push(r.id);
        res.newTextVectors.vectors.push(vecOf.get(r.textId)!);
      }
    }
  }

  // Links (pairs, captioned images, MUGE texts → image ids)
  const wanted: { imageId: number; textId: number; rec: number }[] = [];
  const mugeIds = [...new Set(live.flatMap(({ rec }) => (rec.kind === 'text' && rec.imageIds ? rec.imageIds : [])))];
  const extToId = new Map<string, number>();
  if (mugeIds.length) {
    const rows = await sql.query<{ id: number; externalId: string | null }>(
      Prisma.sql`SELECT "id", "externalId" FROM "Image" WHERE "datasetId" = ${datasetId} AND "externalId" IN (${Prisma.join(mugeIds)})`,
    );
    for (const r of rows) if (r.externalId) extToId.set(r.externalId, r.id);
  }
  live.forEach(({ rec, sha }, i) => {
    const t = textOf(rec);
    const textId = t === undefined ? undefined : textToId.get(t);
    if (textId === undefined) return;
    if (rec.kind === 'text') {
      const unknown: string[] = [];
      for (const ext of rec.imageIds ?? []) {
        const imageId = extToId.get(ext) ?? ctx.aliases.get(ext);
        if (imageId === undefined) unknown.push(ext);
        else wanted.push({ imageId, textId, rec: i });
      }
      if (unknown.length) {
        const list = unknown.slice(0, 5).map((u) => `"${u}"`).join(', ') + (unknown.length > 5 ? ` and ${unknown.length - 5} more` : '');
        const reason = `image id${unknown.length > 1 ? 's' : ''} ${list} ${unknown.length > 1 ? 'are' : 'is'} not among the ingested images (missing from the images file, or its line was rejected)`;
        errors.push(ctx.textsFile ? { line: rec.line, reason, file: ctx.textsFile } : { line: rec.line, reason });
      }
    } else if (sha && shaToId.has(sha)) {
      wanted.push({ imageId: shaToId.get(sha)!, textId, rec: i });
    }
  });
  if (wanted.length) {
    const existing = await sql.query<{ imageId: number; textId: number }>(
      Prisma.sql`SELECT "imageId", "textId" FROM "ImageText" WHERE "imageId" IN (${Prisma.join([...new Set(wanted.map((w) => w.imageId))])}) AND "textId" IN (${Prisma.join([...new Set(wanted.map((w) => w.textId))])})`,
    );
    const have = new Set(existing.map((e) => `${e.imageId}:${e.textId}`));
    const data: number[][] = [];
    for (const w of wanted) {
      const key = `${w.imageId}:${w.textId}`;
      if (have.has(key)) continue;
      have.add(key);
      data.push([w.imageId, w.textId]);
      added.add(w.rec);
    }
    if (data.length) {
      await insertRows(sql, 'ImageText', ['imageId', 'textId'], data);
      res.links += data.length;
    }
  }
  // issue 11: in the same transaction, so the keyword index never lags behind the rows.
  await syncKeywordDocs(tx as Db, [...shaToId.values(), ...wanted.map((w) => w.imageId)], sql);
  res.good = live.length;
  res.duplicates = live.length - added.size;
  return res;
}

function externalIdOf(rec: PreparedBatch['records'][number]['rec']): string | null {
  if (rec.kind === 'image') return rec.imageId ?? rec.file ?? null;
  return null;
}

function fileOf(rec: PreparedBatch['records'][number]['rec']): string | undefined {
  return rec.kind === 'image' ? rec.file : undefined;
}
