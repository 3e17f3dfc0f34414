-- issue 13: image vectors committed but not yet checked for near-duplicates (an ingest killed
-- between a batch's commit and its links leaves rows here; the next ingest links them).
CREATE TABLE "DuplicatePending" (
    "modelId" TEXT NOT NULL,
    "label" INTEGER NOT NULL,

    PRIMARY KEY ("modelId", "label"),
    CONSTRAINT "DuplicatePending_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "DuplicatePending_label_fkey" FOREIGN KEY ("label") REFERENCES "ImageVector" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "DuplicatePending_label_idx" ON "DuplicatePending"("label");
