import { loadJobView } from '@/app/_lib/jobs';
import { json, route } from '@/app/api/_lib/http';
import { jobIdParams } from '@/app/api/_lib/schemas';

export const dynamic = 'force-dynamic';

/** GET /api/jobs/:id → { job } with status, progress, result and the first per-line errors. */
export const GET = route({ params: jobIdParams }, async ({ engine, params }) => json({ job: await loadJobView(engine, params.id) }));
