-- issue 11: near-duplicate links and groups (lib/duplicates). Hand-written in Prisma's migrate diff shape.

-- CreateTable
CREATE TABLE "DuplicateEdge" (
    "modelId" TEXT NOT NULL,
    "imageId" INTEGER NOT NULL,
    "otherId" INTEGER NOT NULL,
    "similarity" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "DuplicateEdge_pkey" PRIMARY KEY ("modelId","imageId","otherId")
);

-- CreateTable
CREATE TABLE "DuplicateMember" (
    "imageId" INTEGER NOT NULL,
    "modelId" TEXT NOT NULL,
    "groupId" INTEGER NOT NULL,
    "size" INTEGER NOT NULL,
    "similarity" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "DuplicateMember_pkey" PRIMARY KEY ("imageId","modelId")
);

-- CreateTable
CREATE TABLE "DuplicateScan" (
    "modelId" TEXT NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "scannedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DuplicateScan_pkey" PRIMARY KEY ("modelId")
);

-- CreateIndex
CREATE INDEX "DuplicateEdge_modelId_otherId_idx" ON "DuplicateEdge"("modelId", "otherId");

-- CreateIndex
CREATE INDEX "DuplicateMember_modelId_groupId_idx" ON "DuplicateMember"("modelId", "groupId");

-- AddForeignKey
ALTER TABLE "DuplicateEdge" ADD CONSTRAINT "DuplicateEdge_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DuplicateEdge" ADD CONSTRAINT "DuplicateEdge_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DuplicateEdge" ADD CONSTRAINT "DuplicateEdge_otherId_fkey" FOREIGN KEY ("otherId") REFERENCES "Image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DuplicateMember" ADD CONSTRAINT "DuplicateMember_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DuplicateMember" ADD CONSTRAINT "DuplicateMember_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DuplicateScan" ADD CONSTRAINT "DuplicateScan_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;
