-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Model" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "layout" TEXT NOT NULL,
    "dim" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Model_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Dataset" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "source" TEXT,
    "status" TEXT NOT NULL DEFAULT 'ingesting',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Dataset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Image" (
    "id" SERIAL NOT NULL,
    "datasetId" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "format" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,
    "externalId" TEXT,
    "line" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Image_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Text" (
    "id" SERIAL NOT NULL,
    "datasetId" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "externalId" TEXT,
    "line" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Text_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ImageText" (
    "imageId" INTEGER NOT NULL,
    "textId" INTEGER NOT NULL,

    CONSTRAINT "ImageText_pkey" PRIMARY KEY ("imageId","textId")
);

-- CreateTable
CREATE TABLE "ImageVector" (
    "id" SERIAL NOT NULL,
    "imageId" INTEGER NOT NULL,
    "modelId" TEXT NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "ImageVector_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TextVector" (
    "id" SERIAL NOT NULL,
    "textId" INTEGER NOT NULL,
    "modelId" TEXT NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "TextVector_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "datasetId" INTEGER,
    "params" TEXT NOT NULL DEFAULT '{}',
    "processed" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "message" TEXT,
    "result" TEXT,
    "pid" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JobLineError" (
    "id" SERIAL NOT NULL,
    "jobId" TEXT NOT NULL,
    "line" INTEGER NOT NULL,
    "file" TEXT,
    "reason" TEXT NOT NULL,

    CONSTRAINT "JobLineError_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Dataset_name_key" ON "Dataset"("name");

-- CreateIndex
CREATE INDEX "Image_sha256_idx" ON "Image"("sha256");

-- CreateIndex
CREATE INDEX "Image_datasetId_externalId_idx" ON "Image"("datasetId", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "Image_datasetId_sha256_key" ON "Image"("datasetId", "sha256");

-- CreateIndex
CREATE INDEX "Text_datasetId_externalId_idx" ON "Text"("datasetId", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "Text_datasetId_text_key" ON "Text"("datasetId", "text");

-- CreateIndex
CREATE INDEX "ImageText_textId_idx" ON "ImageText"("textId");

-- CreateIndex
CREATE INDEX "ImageVector_modelId_idx" ON "ImageVector"("modelId");

-- CreateIndex
CREATE UNIQUE INDEX "ImageVector_imageId_modelId_key" ON "ImageVector"("imageId", "modelId");

-- CreateIndex
CREATE INDEX "TextVector_modelId_idx" ON "TextVector"("modelId");

-- CreateIndex
CREATE UNIQUE INDEX "TextVector_textId_modelId_key" ON "TextVector"("textId", "modelId");

-- CreateIndex
CREATE INDEX "Job_kind_createdAt_idx" ON "Job"("kind", "createdAt");

-- CreateIndex
CREATE INDEX "JobLineError_jobId_line_idx" ON "JobLineError"("jobId", "line");

-- AddForeignKey
ALTER TABLE "Image" ADD CONSTRAINT "Image_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Text" ADD CONSTRAINT "Text_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImageText" ADD CONSTRAINT "ImageText_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImageText" ADD CONSTRAINT "ImageText_textId_fkey" FOREIGN KEY ("textId") REFERENCES "Text"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImageVector" ADD CONSTRAINT "ImageVector_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImageVector" ADD CONSTRAINT "ImageVector_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TextVector" ADD CONSTRAINT "TextVector_textId_fkey" FOREIGN KEY ("textId") REFERENCES "Text"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TextVector" ADD CONSTRAINT "TextVector_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JobLineError" ADD CONSTRAINT "JobLineError_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

