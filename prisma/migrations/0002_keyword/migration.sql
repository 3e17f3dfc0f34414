-- issue 11: the keyword index (lib/keyword). One document per image: its captions, the text found
-- in it (OCR) and its file name / corpus id, kept by lib/keyword's syncKeywordDocs (ingest, OCR,
-- reindex) and deleted with the image (ON DELETE CASCADE, whose deletes fire the triggers below).
-- KeywordFts is an external-content FTS5 index over it with the trigram tokenizer, so any part of
-- three characters or more matches (红烧牛肉面 by 牛肉面, QX-4471 by 4471); shorter parts
-- (a two-character Chinese word) are matched with LIKE on KeywordDoc.
CREATE TABLE "KeywordDoc" (
    "imageId" INTEGER NOT NULL PRIMARY KEY,
    "captions" TEXT NOT NULL DEFAULT '',
    "ocr" TEXT NOT NULL DEFAULT '',
    "filename" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "KeywordDoc_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE VIRTUAL TABLE "KeywordFts" USING fts5(captions, ocr, filename, content='KeywordDoc', content_rowid='imageId', tokenize='trigram');

CREATE TRIGGER "KeywordDoc_ai" AFTER INSERT ON "KeywordDoc" BEGIN
  INSERT INTO "KeywordFts"(rowid, captions, ocr, filename) VALUES (new."imageId", new.captions, new.ocr, new.filename);
END;
CREATE TRIGGER "KeywordDoc_ad" AFTER DELETE ON "KeywordDoc" BEGIN
  INSERT INTO "KeywordFts"("KeywordFts", rowid, captions, ocr, filename) VALUES ('delete', old."imageId", old.captions, old.ocr, old.filename);
END;
CREATE TRIGGER "KeywordDoc_au" AFTER UPDATE ON "KeywordDoc" BEGIN
  INSERT INTO "KeywordFts"("KeywordFts", rowid, captions, ocr, filename) VALUES ('delete', old."imageId", old.captions, old.ocr, old.filename);
  INSERT INTO "KeywordFts"(rowid, captions, ocr, filename) VALUES (new."imageId", new.captions, new.ocr, new.filename);
END;

-- Backfill: every image already stored (captions and file name; OCR text comes with its own stage).
INSERT INTO "KeywordDoc" ("imageId", "captions", "filename")
SELECT i."id",
       COALESCE((SELECT group_concat(t."text", char(10)) FROM "ImageText" it JOIN "Text" t ON t."id" = it."textId" WHERE it."imageId" = i."id"), ''),
       COALESCE(i."externalId", '')
FROM "Image" i;
