import { getEngine } from '@/lib/engine';
import { startReindexJob } from '@/lib/jobs';
import { assertAdminRequest } from '@/app/_lib/session';
import { loadJobView } from '@/app/_lib/jobs';
import { handle, json } from '@/app/api/_lib/http';

export const dynamic = 'force-dynamic';

/** POST /api/reindex → 202 { job } (admin token when configured). */
export async function POST(req: Request) {
  return handle(async () => {
    assertAdminRequest(req);
    const engine = await getEngine();
    const started = await startReindexJob(engine);
    return json({ job: await loadJobView(engine, started.id, false) }, { status: 202 });
  });
}
