import { cancelJob } from '@/lib/jobs';
import { loadJobView } from '@/app/_lib/jobs';
import { json, route } from '@/app/api/_lib/http';
import { jobIdParams } from '@/app/api/_lib/schemas';

export const dynamic = 'force-dynamic';

/**
 * POST /api/jobs/:id/cancel → 202 { job } (admin token when configured). A queued job never
 * starts; a running ingest stops after the batch it is committing and ends 'cancelled', keeping
 * what it committed (the same ingest run again completes it), also when the CLI runs it; a running
 * re-index stops between re-embedding batches. 409 for a job that has ended, or a running evaluate.
 */
export const POST = route({ admin: true, params: jobIdParams }, async ({ engine, params }) => {
  await cancelJob(engine.db, params.id);
  return json({ job: await loadJobView(engine, params.id, false) }, { status: 202 });
});
