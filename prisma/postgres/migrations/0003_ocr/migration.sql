-- issue 11: text found inside images by OCR (lib/ocr). Nullable columns: images ingested before
-- OCR existed keep NULL (not run) until `clipdex reindex --ocr` backfills them.
ALTER TABLE "Image" ADD COLUMN "ocrText" TEXT;
ALTER TABLE "Image" ADD COLUMN "ocrStatus" TEXT;
ALTER TABLE "Image" ADD COLUMN "ocrError" TEXT;
