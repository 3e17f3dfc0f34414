/**
 * Keyword search over the keyword documents (sync.ts). SQLite: the FTS5 trigram index finds the
 * candidates (parts of ≥ 3 characters) ranked by bm25; PostgreSQL: ILIKE through the pg_trgm
 * GIN index. Parts shorter than 3 characters cannot use a trigram index: a one- or two-character
 * CJK word (牛, 汽车) is looked up in the gram index (grams.ts, migration 0005_keyword_bigrams), a
 * short Latin word ("a", "on") is left to the semantic signal unless quoted, and anything else
 * short is matched with LIKE (a scan). Both engines then score the candidates the same way, here
 * (score.ts).
 */
import { Prisma } from '../generated/prisma/client';
import { imageFilterSql, isEmptyFilter, isPostgresDb, type Db, type ImageFilter } from '../db';
import { isGramWord } from './grams';
import { scoreDoc, type KeywordField, type KeywordTerm } from './score';

export interface KeywordQuery {
  /** Words (any may match) and phrases (each must match), with weights. */
  terms: KeywordTerm[];
  /** Words and phrases no result may contain. */
  exclude: { text: string; phrase: boolean }[];
}

export interface KeywordHit {
  imageId: number;
  /** Σ weight × field weight over the matched words (caption 3, text in image 2, file name 1). */
  score: number;
  /** 1-based, in this signal's own order. */
  rank: number;
  fields: KeywordField[];
  /** The matched words in their context (caption or text in the image). */
  snippet?: string;
}

const CJK = /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\u3040-\u30ff]/;
const chars = (s: string) => Array.from(s).length;

/** A part the index can use as it is (≥ 3 characters). */
const indexable = (t: string) => chars(t) >= 3;
/** Words the keyword signal looks for: too-short Latin words are left out unless quoted. */
export const usableTerms = (terms: KeywordTerm[]): KeywordTerm[] => terms.filter((t) => t.text.trim() && (t.phrase || indexable(t.text) || CJK.test(t.text)));

const ftsString = (t: string) => `"${t.replace(/"/g, '""')}"`;
/**
 * At most this many matches are ranked on SQLite, the newest: bm25 costs a pass over every match,
 * and a word in half of 100,000 documents cost 77 ms to rank in full (bench/relevance.ts). Past
 * the cap the newest RANK_CAP are scored in SQL (score.ts's score) instead; a rarer word's matches
 * are all ranked by bm25, as before. Only unfiltered queries are capped (a filter may keep
 * none of the newest); in hybrid search the semantic signal still brings older matches.
 */
export const RANK_CAP = 2000;

const likePattern = (t: string) => `%${t.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

interface Row {
  imageId: number;
  captions: string;
  ocr: string;
  filename: string;
}

/**
 * Images whose document matches `q` and passes `filter`, best first, at most `limit`. A query with
 * no usable word is answered with [] — unless `browse`, when it lists the filtered images (newest
 * first, exclusions applied): a search of only filters.
 */
export async function keywordSearch(db: Db, q: KeywordQuery, filter: ImageFilter, limit: number, opts: { browse?: boolean } = {}): Promise<KeywordHit[]> {
  const terms = usableTerms(q.terms);
  if (!terms.length && !opts.browse) return [];
  const pg = isPostgresDb(db);
  const rows = pg ? await searchPostgres(db, terms, q.exclude, filter, limit) : await searchSqlite(db, terms, q.exclude, filter, limit);
  const scored = rows.map((r, order) => ({ r, order, ...scoreDoc(r, terms) }));
  // Best score first; the engine's own order (bm25 on SQLite) breaks ties.
  if (terms.length) scored.sort((a, b) => b.score - a.score || a.order - b.order);
  return scored.map((s, i) => ({ imageId: Number(s.r.imageId), score: s.score, rank: i + 1, fields: s.fields, snippet: s.snippet }));
}

const SQLITE_BODY = Prisma.raw(`lower(d."captions" || char(10) || d."ocr" || char(10) || d."filename")`);

function likeAll(body: Prisma.Sql, parts: string[], not: boolean): Prisma.Sql[] {
  return parts.map((p) => (not ? Prisma.sql`${body} NOT LIKE ${likePattern(p)} ESCAPE '\\'` : Prisma.sql`${body} LIKE ${likePattern(p)} ESCAPE '\\'`));
}

async function searchSqlite(db: Db, terms: KeywordTerm[], exclude: KeywordQuery['exclude'], filter: ImageFilter, limit: number): Promise<Row[]> {
  const where: Prisma.Sql[] = [imageFilterSql(filter, false)];
  const required = terms.filter((t) => t.phrase);
  const optional = terms.filter((t) => !t.phrase);
  const ftsOk = terms.some((t) => indexable(t.text)) && optional.every((t) => indexable(t.text));
  const select = Prisma.sql`SELECT d."imageId" AS "imageId", d."captions" AS "captions", d."ocr" AS "ocr", d."filename" AS "filename"`;
  if (ftsOk) {
    // FTS5: every long phrase AND (any long word or phrase) NOT every long exclusion; the short
    // phrases and exclusions as LIKE beside it.
    const must = required.filter((t) => indexable(t.text)).map((t) => ftsString(t.text));
    const any = terms.filter((t) => indexable(t.text)).map((t) => ftsString(t.text));
    const nots = exclude.filter((t) => indexable(t.text)).map((t) => ftsString(t.text));
    let expr = [...must, `(${any.join(' OR ')})`].join(' AND ');
    if (nots.length) expr = `(${expr}) NOT (${nots.join(' OR ')})`;
    where.push(...likeAll(SQLITE_BODY, required.filter((t) => !indexable(t.text)).map((t) => t.text), false));
    where.push(...likeAll(SQLITE_BODY, exclude.filter((t) => !indexable(t.text)).map((t) => t.text), true));
    if (where.length === 1 && isEmptyFilter(filter)) {
      // Nothing else to check. At most RANK_CAP matches (counted cheaply, no ranking): bm25 inside
      // FTS5 first, joining only the top `limit` (with the join inside, SQLite joins every match
      // before sorting: 4× slower for a word in 20,000 documents of 100,000). More: bm25 alone
      // costs a pass over every match (25 ms for 47,000), so the newest RANK_CAP are scored in SQL.
      const [{ n }] = await db.$queryRaw<{ n: number | bigint }[]>`SELECT count(*) AS "n" FROM (SELECT rowid FROM "KeywordFts" WHERE "KeywordFts" MATCH ${expr} LIMIT ${RANK_CAP + 1})`;
      if (Number(n) > RANK_CAP) {
        return db.$queryRaw<Row[]>`${select}
          FROM (SELECT rowid AS "id" FROM "KeywordFts" WHERE "KeywordFts" MATCH ${expr} ORDER BY rowid DESC LIMIT ${RANK_CAP}) m
          JOIN "KeywordDoc" d ON d."imageId" = m."id"
          ORDER BY ${sqliteScore(terms)} DESC, ${DOC_LENGTH} ASC, m."id" DESC LIMIT ${limit}`;
      }
      return db.$queryRaw<Row[]>`${select}
        FROM (SELECT rowid AS "id", bm25("KeywordFts", 3.0, 2.0, 1.0) AS "r" FROM "KeywordFts" WHERE "KeywordFts" MATCH ${expr} ORDER BY "r" LIMIT ${limit}) m
        JOIN "KeywordDoc" d ON d."imageId" = m."id" ORDER BY m."r"`;
    }
    return db.$queryRaw<Row[]>`${select}
      FROM "KeywordFts" f JOIN "KeywordDoc" d ON d."imageId" = f.rowid JOIN "Image" i ON i."id" = d."imageId"
      WHERE "KeywordFts" MATCH ${expr} AND ${Prisma.join(where, ' AND ')}
      ORDER BY bm25("KeywordFts", 3.0, 2.0, 1.0) LIMIT ${limit}`;
  }
  if (terms.length && terms.every((t) => indexable(t.text) || isGramWord(t.text))) return searchSqliteGrams(db, select, where, terms, exclude, limit, isEmptyFilter(filter));
  // A scan: other short words, or only filters (browse).
  where.push(...likeAll(SQLITE_BODY, required.map((t) => t.text), false));
  where.push(...likeAll(SQLITE_BODY, exclude.map((t) => t.text), true));
  if (optional.length) where.push(Prisma.sql`(${Prisma.join(likeAll(SQLITE_BODY, optional.map((t) => t.text), false), ' OR ')})`);
  return db.$queryRaw<Row[]>`${select}
    FROM "KeywordDoc" d JOIN "Image" i ON i."id" = d."imageId"
    WHERE ${Prisma.join(where, ' AND ')} ORDER BY i."createdAt" DESC, i."id" DESC LIMIT ${limit}`;
}

/** Ids whose document holds `t`: the trigram index (≥ 3 characters) or the gram index (1–2 CJK). */
function matchIds(t: string, cap: boolean): Prisma.Sql {
  const table = Prisma.raw(indexable(t) ? '"KeywordFts"' : '"KeywordGramFts"');
  const tail = cap ? Prisma.sql` ORDER BY rowid DESC LIMIT ${RANK_CAP}` : Prisma.empty;
  return Prisma.sql`SELECT "id" FROM (SELECT rowid AS "id" FROM ${table} WHERE ${table} MATCH ${ftsString(t)}${tail})`;
}

/** Shorter documents first on a tie (as bm25 would). */
const DOC_LENGTH = Prisma.raw(`length(d."captions") + length(d."ocr") + length(d."filename")`);

/** score.ts's score in SQL (ASCII case folding only: JavaScript re-scores what comes back). */
function sqliteScore(terms: KeywordTerm[]): Prisma.Sql {
  const has = (col: string, t: string) => Prisma.sql`(instr(lower(d.${Prisma.raw(`"${col}"`)}), ${t.toLowerCase()}) > 0)`;
  return Prisma.join(terms.map((t) => Prisma.sql`${t.weight} * (3 * ${has('captions', t.text)} + 2 * ${has('ocr', t.text)} + ${has('filename', t.text)})`), ' + ');
}

/**
 * A query with a one- or two-character CJK word: candidates from both indexes (each word's newest
 * RANK_CAP matches when there is no phrase or filter to hold), scored in SQL, the best `limit` kept.
 */
async function searchSqliteGrams(db: Db, select: Prisma.Sql, where: Prisma.Sql[], terms: KeywordTerm[], exclude: KeywordQuery['exclude'], limit: number, unfiltered: boolean): Promise<Row[]> {
  const required = terms.filter((t) => t.phrase);
  const optional = terms.filter((t) => !t.phrase);
  for (const t of required) where.push(Prisma.sql`d."imageId" IN (${matchIds(t.text, false)})`);
  if (optional.length) where.push(Prisma.sql`d."imageId" IN (${Prisma.join(optional.map((t) => matchIds(t.text, unfiltered && !required.length)), ' UNION ')})`);
  where.push(...likeAll(SQLITE_BODY, exclude.map((t) => t.text), true));
  return db.$queryRaw<Row[]>`${select}
    FROM "KeywordDoc" d JOIN "Image" i ON i."id" = d."imageId"
    WHERE ${Prisma.join(where, ' AND ')}
    ORDER BY ${sqliteScore(terms)} DESC, ${DOC_LENGTH} ASC, i."id" DESC LIMIT ${limit}`;
}

async function searchPostgres(db: Db, terms: KeywordTerm[], exclude: KeywordQuery['exclude'], filter: ImageFilter, limit: number): Promise<Row[]> {
  const body = Prisma.raw(`d."body"`);
  const ilike = (col: Prisma.Sql, t: string) => Prisma.sql`${col} ILIKE ${likePattern(t)} ESCAPE '\\'`;
  const where: Prisma.Sql[] = [imageFilterSql(filter, true)];
  // A 1–2 character CJK word through the gram index (pg_trgm cannot index it); the same rows as ILIKE.
  const has = (t: string) => (isGramWord(t) ? Prisma.sql`string_to_array(d."grams", ' ') @> ARRAY[${t}]::text[]` : ilike(body, t));
  for (const t of terms.filter((t) => t.phrase)) where.push(has(t.text));
  for (const t of exclude) where.push(Prisma.sql`NOT (${ilike(body, t.text)})`);
  const optional = terms.filter((t) => !t.phrase);
  if (optional.length) where.push(Prisma.sql`(${Prisma.join(optional.map((t) => has(t.text)), ' OR ')})`);
  // The same score as score.ts, so the LIMIT keeps the best; shorter documents first on a tie (as bm25 would).
  const score = terms.length
    ? Prisma.join(
        terms.map(
          (t) =>
            Prisma.sql`${t.weight}::float8 * (3 * (${ilike(Prisma.raw('d."captions"'), t.text)})::int + 2 * (${ilike(Prisma.raw('d."ocr"'), t.text)})::int + (${ilike(Prisma.raw('d."filename"'), t.text)})::int)`,
        ),
        ' + ',
      )
    : Prisma.sql`0`;
  const order = terms.length ? Prisma.sql`ORDER BY ${score} DESC, length(d."body") ASC, i."id" ASC` : Prisma.sql`ORDER BY i."createdAt" DESC, i."id" DESC`;
  return db.$queryRaw<Row[]>`
    SELECT d."imageId" AS "imageId", d."captions" AS "captions", d."ocr" AS "ocr", d."filename" AS "filename"
    FROM "KeywordDoc" d JOIN "Image" i ON i."id" = d."imageId"
    WHERE ${Prisma.join(where, ' AND ')} ${order} LIMIT ${limit}`;
}
