-- issue 11: one- and two-character CJK words (牛, 汽车) through an index. pg_trgm (0002_keyword)
-- cannot use its index for a part shorter than three characters, so such a word was a scan of every
-- document. "grams" holds each document's CJK runs split into every character and every pair of
-- neighbours, space-separated (lib/keyword/grams.ts writes it; the ranges below are its ranges),
-- with a GIN index over its words: string_to_array("grams", ' ') @> ARRAY['汽车'].

ALTER TABLE "KeywordDoc" ADD COLUMN "grams" TEXT NOT NULL DEFAULT '';

-- Backfill: every character of every document, the CJK ones and the pairs of neighbouring CJK ones.
UPDATE "KeywordDoc" d SET "grams" = g.grams
FROM (
  SELECT x.id, string_agg(DISTINCT x.gram, ' ') AS grams
  FROM (
    SELECT k."imageId" AS id, gram
    FROM "KeywordDoc" k
    CROSS JOIN LATERAL generate_series(1, char_length(k."body")) AS i
    CROSS JOIN LATERAL (VALUES (substr(k."body", i, 1)), (substr(k."body", i, 2))) AS v(gram)
    WHERE gram ~ '^[\u3041-\u3096\u30A1-\u30FA\u30FC-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7A3\uF900-\uFAFF]{1,2}$'
  ) x
  GROUP BY x.id
) g
WHERE g.id = d."imageId";

CREATE INDEX "KeywordDoc_grams_gin" ON "KeywordDoc" USING gin (string_to_array("grams", ' '));
