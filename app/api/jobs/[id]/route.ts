import { getEngine } from '@/lib/engine';
import { loadJobView } from '@/app/_lib/jobs';
import { handle, json } from '@/app/api/_lib/http';

export const dynamic = 'force-dynamic';

/** GET /api/jobs/:id → { job } with status, progress, result and the first per-line errors. */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const { id } = await ctx.params;
    const engine = await getEngine();
    return json({ job: await loadJobView(engine, id) });
  });
}
