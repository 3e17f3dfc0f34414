import { startReindexJob } from '@/lib/ingest';
import { loadJobView } from '@/app/_lib/jobs';
import { json, route } from '@/app/api/_lib/http';

export const dynamic = 'force-dynamic';

/** POST /api/reindex → 202 { job } (admin token when configured). */
export const POST = route({ admin: true }, async ({ engine }) => {
  const started = await startReindexJob(engine);
  return json({ job: await loadJobView(engine, started.id, false) }, { status: 202 });
});
