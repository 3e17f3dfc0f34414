-- issue 13: image vectors committed but not yet checked for near-duplicates (an ingest killed
-- between a batch's commit and its links leaves rows here; the next ingest links them).

-- CreateTable
CREATE TABLE "DuplicatePending" (
    "modelId" TEXT NOT NULL,
    "label" INTEGER NOT NULL,

    CONSTRAINT "DuplicatePending_pkey" PRIMARY KEY ("modelId","label")
);

-- CreateIndex
CREATE INDEX "DuplicatePending_label_idx" ON "DuplicatePending"("label");

-- AddForeignKey
ALTER TABLE "DuplicatePending" ADD CONSTRAINT "DuplicatePending_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DuplicatePending" ADD CONSTRAINT "DuplicatePending_label_fkey" FOREIGN KEY ("label") REFERENCES "ImageVector"("id") ON DELETE CASCADE ON UPDATE CASCADE;
