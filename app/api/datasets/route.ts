import path from 'node:path';
import { listDatasets } from '@/lib/db';
import { credentialsFromHeaders, isAdmin } from '@/lib/auth';
import { stageMultipart } from '@/lib/multipart-staging';
import { startUploadIngest } from '@/app/_lib/upload';
import { json, route } from '@/app/api/_lib/http';

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
 * POST /api/datasets (multipart: `file`, `dataset`, optional `format`, `texts`) → 202 { job }.
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
  const job = await startUploadIngest(engine, {
    dataset: form.fields.get('dataset'),
    format: form.fields.get('format'),
    file: form.files.get('file')?.id,
    texts: form.files.get('texts')?.id,
  });
  return json({ job }, { status: 202 });
});
