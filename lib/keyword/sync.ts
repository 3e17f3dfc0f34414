/**
 * Keeping the keyword documents (migration 0002_keyword) in step: one row per image with its
 * captions, the text found in it (Image.ocrText, from migration 0003_ocr) and its file name or
 * corpus id. Rebuilt from the rows, so calling it again is harmless; deleting an image deletes
 * its document (ON DELETE CASCADE; on SQLite the FTS5 triggers follow).
 */
import { Prisma } from '../generated/prisma/client';
import { isPostgresDb, type Db } from '../db';
import { prismaRunner, type SqlRunner } from '../db/sql-runner';
import { docGrams } from './grams';

/** How many images one statement rebuilds (SQLite's bound-parameter limit is far above). */
const CHUNK = 500;

/**
 * Whether Image.ocrText exists yet (migration 0003_ocr may be absent from an older database).
 * Only a yes is cached: a database migrated later in this process is seen on the next call.
 */
const hasOcrColumn = new WeakMap<object, true>();
async function ocrColumnExists(db: Db, pg: boolean, sql: SqlRunner): Promise<boolean> {
  if (hasOcrColumn.has(db)) return true;
  const rows = pg
    ? await sql.query(Prisma.sql`SELECT 1 AS "n" FROM information_schema.columns WHERE table_name = 'Image' AND column_name = 'ocrText' AND table_schema = current_schema()`)
    : await sql.query(Prisma.sql`SELECT 1 AS "n" FROM pragma_table_info('Image') WHERE name = 'ocrText'`);
  if (rows.length) hasOcrColumn.set(db, true);
  return rows.length > 0;
}

/**
 * Rebuild the keyword documents of `imageIds` (after anything changed their captions, OCR text
 * or file name). Ids of images that no longer exist are dropped. Call it inside the transaction
 * that made the change where there is one, so the index never lags behind the rows; `sql`: that
 * transaction's runner (lib/db/sql-runner.ts), when the caller has one.
 */
export async function syncKeywordDocs(db: Db, imageIds: number[], sql: SqlRunner = prismaRunner(db)): Promise<void> {
  const unique = [...new Set(imageIds.filter((id) => Number.isSafeInteger(id) && id > 0))];
  if (!unique.length) return;
  const pg = isPostgresDb(db);
  const ocr = (await ocrColumnExists(db, pg, sql)) ? Prisma.raw(`COALESCE(i."ocrText", '')`) : Prisma.raw(`''`);
  const captions = pg
    ? Prisma.raw(`COALESCE((SELECT string_agg(t."text", E'\\n' ORDER BY t."id") FROM "ImageText" it JOIN "Text" t ON t."id" = it."textId" WHERE it."imageId" = i."id"), '')`)
    : Prisma.raw(`COALESCE((SELECT group_concat(t."text", char(10)) FROM (SELECT t."text" AS "text" FROM "ImageText" it JOIN "Text" t ON t."id" = it."textId" WHERE it."imageId" = i."id" ORDER BY t."id") t), '')`);
  for (let at = 0; at < unique.length; at += CHUNK) {
    const ids = Prisma.join(unique.slice(at, at + CHUNK));
    // Read the fields, add their CJK grams (grams.ts: computed here, not in SQL), write the rows.
    const rows = await sql.query<{ imageId: number; captions: string; ocr: string; filename: string }>(Prisma.sql`
      SELECT i."id" AS "imageId", ${captions} AS "captions", ${ocr} AS "ocr", COALESCE(i."externalId", '') AS "filename" FROM "Image" i WHERE i."id" IN (${ids})`);
    // One upsert per document, never a delete then an insert: a crash between the two would lose
    // the document, and on PostgreSQL two writers syncing one image would both insert (23505).
    // The update triggers (SQLite) keep the FTS tables in step.
    const found = new Set(rows.map((r) => Number(r.imageId)));
    const gone = unique.slice(at, at + CHUNK).filter((id) => !found.has(id));
    if (gone.length) await sql.execute(Prisma.sql`DELETE FROM "KeywordDoc" WHERE "imageId" IN (${Prisma.join(gone)})`);
    if (!rows.length) continue;
    const values = rows.map((r) => Prisma.sql`(${Number(r.imageId)}, ${r.captions}, ${r.ocr}, ${r.filename}, ${docGrams(r)})`);
    await sql.execute(Prisma.sql`INSERT INTO "KeywordDoc" ("imageId", "captions", "ocr", "filename", "grams") VALUES ${Prisma.join(values)}
      ON CONFLICT ("imageId") DO UPDATE SET "captions" = excluded."captions", "ocr" = excluded."ocr", "filename" = excluded."filename", "grams" = excluded."grams"`);
  }
}

/**
 * Rebuild every image's document (`clipdex reindex`, or a database whose documents were lost).
 * Goes through the images in id order, CHUNK at a time. Returns how many it wrote.
 */
export async function rebuildKeywordDocs(db: Db, onProgress?: (done: number) => void): Promise<number> {
  let after = 0;
  let done = 0;
  for (;;) {
    const rows = await db.image.findMany({ where: { id: { gt: after } }, select: { id: true }, orderBy: { id: 'asc' }, take: CHUNK });
    if (!rows.length) return done;
    await syncKeywordDocs(db, rows.map((r) => r.id));
    done += rows.length;
    after = rows[rows.length - 1].id;
    onProgress?.(done);
  }
}
