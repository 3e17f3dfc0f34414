import { getEngine } from '@/lib/engine';
import { listDatasets } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { assertAdminRequest } from '@/app/_lib/session';
import { startUploadIngest } from '@/app/_lib/upload';
import { handle, json } from '@/app/api/_lib/http';

export const dynamic = 'force-dynamic';

/** GET /api/datasets → { datasets: [{ id, name, format, status, images, texts, links, … }] }. */
export async function GET() {
  return handle(async () => {
    const engine = await getEngine();
    return json({ datasets: await listDatasets(engine.db) });
  });
}

/**
 * POST /api/datasets (multipart: `file`, `dataset`, optional `format`, `texts`) → 202 { job }.
 * Needs the admin token when one is configured (`Authorization: Bearer …`). Follow the job at
 * /api/jobs/:id or /api/jobs/:id/events.
 */
export async function POST(req: Request) {
  return handle(async () => {
    assertAdminRequest(req);
    let form: FormData;
    try {
      form = await req.formData();
    } catch {
      throw new AppError('INVALID_INPUT', 'send multipart/form-data with a "file" and a "dataset" name');
    }
    const job = await startUploadIngest(form);
    return json({ job }, { status: 202 });
  });
}
