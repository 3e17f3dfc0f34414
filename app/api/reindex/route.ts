import { startReindexJob } from '@/lib/ingest';
import { loadJobView } from '@/app/_lib/jobs';
import { json, route } from '@/app/api/_lib/http';
import { reindexQuery } from '@/app/api/_lib/schemas';

export const dynamic = 'force-dynamic';

/**
 * POST /api/reindex → 202 { job } (admin token when configured). `?ocr=1` then reads the text in
 * every image not read yet (`clipdex reindex --ocr`); `&retryFailedOcr=1` also the failed ones.
 */
export const POST = route({ admin: true, query: reindexQuery }, async ({ engine, query }) => {
  const started = await startReindexJob(engine, { ocr: query.ocr === true, retryFailedOcr: query.retryFailedOcr === true });
  return json({ job: await loadJobView(engine, started.id, false) }, { status: 202 });
});
