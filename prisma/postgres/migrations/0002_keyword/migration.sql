-- issue 11: the keyword index (lib/keyword). One document per image: its captions, the text found
-- in it (OCR) and its file name / corpus id, kept by lib/keyword's syncKeywordDocs (ingest, OCR,
-- reindex) and deleted with the image (ON DELETE CASCADE). "body" (all three) carries a pg_trgm
-- GIN index, so ILIKE '%part%' finds any part of three characters or more through the index
-- (红烧牛肉面 by 牛肉面, QX-4471 by 4471); shorter parts are still found, by a scan.
-- pg_trgm is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE "KeywordDoc" (
    "imageId" INTEGER NOT NULL,
    "captions" TEXT NOT NULL DEFAULT '',
    "ocr" TEXT NOT NULL DEFAULT '',
    "filename" TEXT NOT NULL DEFAULT '',
    "body" TEXT GENERATED ALWAYS AS ("captions" || E'\n' || "ocr" || E'\n' || "filename") STORED,
    CONSTRAINT "KeywordDoc_pkey" PRIMARY KEY ("imageId"),
    CONSTRAINT "KeywordDoc_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE INDEX "KeywordDoc_body_trgm" ON "KeywordDoc" USING gin ("body" gin_trgm_ops);

-- Backfill: every image already stored (captions and file name; OCR text comes with its own stage).
INSERT INTO "KeywordDoc" ("imageId", "captions", "filename")
SELECT i."id",
       COALESCE((SELECT string_agg(t."text", E'\n' ORDER BY t."id") FROM "ImageText" it JOIN "Text" t ON t."id" = it."textId" WHERE it."imageId" = i."id"), ''),
       COALESCE(i."externalId", '')
FROM "Image" i;
