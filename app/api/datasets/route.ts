import path from 'node:path';
import { listDatasets } from '@/lib/db';
import { credentialsFromHeaders, isAdmin } from '@/lib/auth';
import { stageMultipart } from '@/lib/multipart-staging';
import { startUploadIngest } from '@/app/_lib/upload';
import { dropRefusedUploads } from '@/lib/staged-uploads';
import { parseInput } from '@/lib/views/parse';
import { json, route } from '@/app/api/_lib/http';
import { datasetFormSchema } from '@/app/api/_lib/schemas';

export const dynamic = 'force-dynamic';

/**
 * GET /api/datasets → { datasets: [{ id, name, format, status, images, texts, links, source, … }] }.
 * `source` (the file or folder a dataset was ingested from) is the server's full path only for an
 * admin; anyone else gets its last part, so no server paths leak to anonymous users (A12).
 */
export const GET = route({}, async ({ req, engine }) => {
  const admin = isAdmin(engine.config.adminToken, credentialsFromHeaders(req.headers));
  const datasets = await listDatasets(engine.db);
  return json({ datasets: admin ? datasets : datasets.map((d) => ({ ...d, source: d.source ? path.basename(d.source) : d.source })) });
});

/**
 * POST /api/datasets (multipart: `file`, `dataset`, optional `format`, `texts`, `ocr`) → 202 { job }.
 * `ocr` (true/false/1/0) reads the text in the images added, or not; absent: CLIPDEX_OCR.
 * Needs the admin token when one is configured (`Authorization: Bearer …`), checked before the
 * body is read. The body is streamed: each file goes to disk as it arrives, with the size limit
 * (CLIPDEX_MAX_UPLOAD_BYTES) applied while it streams. Follow the job at /api/jobs/:id or
 * /api/jobs/:id/events.
 */
export const POST = route({ admin: true }, async ({ req, engine }) => {
  const form = await stageMultipart(req.body, req.headers.get('content-type'), {
    dataDir: engine.config.dataDir,
    maxBytes: engine.config.maxUploadBytes,
    fileFields: { file: 'corpus file', texts: 'texts file' },
    expected: 'a "file" and a "dataset" name',
  });
  let fields;
  try {
    // Unknown fields and a bad `ocr` are a 400 naming the allowed ones (empty fields count as absent).
    fields = parseInput(datasetFormSchema, Object.fromEntries([...form.fields].filter(([, v]) => v.trim() !== '')), 'field');
  } catch (err) {
    await dropRefusedUploads(engine.config.dataDir, [], [...form.files.values()].map((f) => f.id));
    throw err;
  }
  const job = await startUploadIngest(engine, {
    dataset: fields.dataset,
    format: fields.format,
    file: form.files.get('file')?.id,
    texts: form.files.get('texts')?.id,
    ocr: fields.ocr,
  });
  return json({ job }, { status: 202 });
});
