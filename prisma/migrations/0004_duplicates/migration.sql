-- issue 11: near-duplicate links and groups (lib/duplicates). Hand-written in Prisma's migrate diff shape.

-- CreateTable
CREATE TABLE "DuplicateEdge" (
    "modelId" TEXT NOT NULL,
    "imageId" INTEGER NOT NULL,
    "otherId" INTEGER NOT NULL,
    "similarity" REAL NOT NULL,

    PRIMARY KEY ("modelId", "imageId", "otherId"),
    CONSTRAINT "DuplicateEdge_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "DuplicateEdge_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "DuplicateEdge_otherId_fkey" FOREIGN KEY ("otherId") REFERENCES "Image" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DuplicateMember" (
    "imageId" INTEGER NOT NULL,
    "modelId" TEXT NOT NULL,
    "groupId" INTEGER NOT NULL,
    "size" INTEGER NOT NULL,
    "similarity" REAL NOT NULL,

    PRIMARY KEY ("imageId", "modelId"),
    CONSTRAINT "DuplicateMember_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "DuplicateMember_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DuplicateScan" (
    "modelId" TEXT NOT NULL PRIMARY KEY,
    "threshold" REAL NOT NULL,
    "scannedAt" DATETIME NOT NULL,
    CONSTRAINT "DuplicateScan_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "DuplicateEdge_modelId_otherId_idx" ON "DuplicateEdge"("modelId", "otherId");

-- CreateIndex
CREATE INDEX "DuplicateMember_modelId_groupId_idx" ON "DuplicateMember"("modelId", "groupId");
