-- issue 11: one- and two-character CJK words (牛, 汽车) through an index. The trigram index of
-- 0002_keyword cannot look up a part shorter than three characters, so such a word was a LIKE scan
-- of every document. "grams" holds each document's CJK runs split into every character and every
-- pair of neighbours, space-separated (lib/keyword/grams.ts writes it; the ranges below are its
-- ranges), and KeywordGramFts indexes those as words (unicode61: a space-free CJK run is one token).

ALTER TABLE "KeywordDoc" ADD COLUMN "grams" TEXT NOT NULL DEFAULT '';

-- The trigram index follows only the fields it indexes (before: any update, so the backfill
-- below and every grams write would have re-indexed the whole document).
DROP TRIGGER "KeywordDoc_au";
CREATE TRIGGER "KeywordDoc_au" AFTER UPDATE OF "captions", "ocr", "filename" ON "KeywordDoc" BEGIN
  INSERT INTO "KeywordFts"("KeywordFts", rowid, captions, ocr, filename) VALUES ('delete', old."imageId", old.captions, old.ocr, old.filename);
  INSERT INTO "KeywordFts"(rowid, captions, ocr, filename) VALUES (new."imageId", new.captions, new.ocr, new.filename);
END;

-- Backfill: walk every document's characters (a recursive CTE), keep the CJK ones and the pairs of
-- neighbouring CJK ones, one distinct list per document.
CREATE TEMP TABLE "_kw_grams" AS
WITH RECURSIVE
  body(id, s) AS (SELECT "imageId", "captions" || char(10) || "ocr" || char(10) || "filename" FROM "KeywordDoc"),
  c(id, s, i, ch, prev) AS (
    SELECT id, s, 1, substr(s, 1, 1), '' FROM body WHERE length(s) > 0
    UNION ALL
    SELECT id, s, i + 1, substr(s, i + 1, 1), ch FROM c WHERE i < length(s)
  ),
  k(id, ch, prev) AS (
    SELECT id, ch, prev FROM c
    WHERE (unicode(ch) BETWEEN 0x3041 AND 0x3096) OR (unicode(ch) BETWEEN 0x30A1 AND 0x30FA) OR (unicode(ch) BETWEEN 0x30FC AND 0x30FF)
       OR (unicode(ch) BETWEEN 0x3400 AND 0x4DBF) OR (unicode(ch) BETWEEN 0x4E00 AND 0x9FFF) OR (unicode(ch) BETWEEN 0xAC00 AND 0xD7A3)
       OR (unicode(ch) BETWEEN 0xF900 AND 0xFAFF)
  ),
  g(id, gram) AS (
    SELECT id, ch FROM k
    UNION
    SELECT id, prev || ch FROM k
    WHERE prev <> '' AND ((unicode(prev) BETWEEN 0x3041 AND 0x3096) OR (unicode(prev) BETWEEN 0x30A1 AND 0x30FA) OR (unicode(prev) BETWEEN 0x30FC AND 0x30FF)
       OR (unicode(prev) BETWEEN 0x3400 AND 0x4DBF) OR (unicode(prev) BETWEEN 0x4E00 AND 0x9FFF) OR (unicode(prev) BETWEEN 0xAC00 AND 0xD7A3)
       OR (unicode(prev) BETWEEN 0xF900 AND 0xFAFF))
  )
SELECT id, group_concat(gram, ' ') AS grams FROM g GROUP BY id;

UPDATE "KeywordDoc" SET "grams" = t.grams FROM "_kw_grams" t WHERE t.id = "KeywordDoc"."imageId";
DROP TABLE "_kw_grams";

CREATE VIRTUAL TABLE "KeywordGramFts" USING fts5(grams, content='KeywordDoc', content_rowid='imageId', tokenize='unicode61 remove_diacritics 0');
INSERT INTO "KeywordGramFts"("KeywordGramFts") VALUES ('rebuild');

CREATE TRIGGER "KeywordDoc_gram_ai" AFTER INSERT ON "KeywordDoc" BEGIN
  INSERT INTO "KeywordGramFts"(rowid, grams) VALUES (new."imageId", new.grams);
END;
CREATE TRIGGER "KeywordDoc_gram_ad" AFTER DELETE ON "KeywordDoc" BEGIN
  INSERT INTO "KeywordGramFts"("KeywordGramFts", rowid, grams) VALUES ('delete', old."imageId", old.grams);
END;
CREATE TRIGGER "KeywordDoc_gram_au" AFTER UPDATE OF "grams" ON "KeywordDoc" BEGIN
  INSERT INTO "KeywordGramFts"("KeywordGramFts", rowid, grams) VALUES ('delete', old."imageId", old.grams);
  INSERT INTO "KeywordGramFts"(rowid, grams) VALUES (new."imageId", new.grams);
END;
