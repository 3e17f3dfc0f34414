import { getEngine } from '@/lib/engine';
import { collectStats } from '@/lib/db';
import { REQUEST_CATCH_UP_WAIT_MS } from '@/lib/index/types';
import { describeError, isAppError, toHttpStatus } from '@/lib/errors';
import { hidePaths } from '@/lib/views/hide-paths';
import { requestIsAdmin } from '@/app/_lib/session';
import { json } from '@/app/api/_lib/http';

export const dynamic = 'force-dynamic';

/**
 * The one route not written with route() (app/api/_lib/http.ts): its job is to report an engine
 * that will not open, as 503 `{ status: "unavailable", error }`, where route() would fail first.
 * GET /api/health → 200 `{ status: "ok", model, indexes, counts }` once the engine is open
 * (database migrated, model loaded, indexes reconciled); 503 with the reason otherwise. The reason
 * shows server paths to an admin only (anyone else gets each path's last segment, A12).
 */
export async function GET(req: Request) {
  try {
    const engine = await getEngine();
    // The same catch-up a search runs: counts include what another process (a CLI ingest) added
    // (a big batch joins in the background, a slice at a time).
    const waitMs = REQUEST_CATCH_UP_WAIT_MS;
    await Promise.all([engine.indexes.image.refreshIfStale({ waitMs }), engine.indexes.text.refreshIfStale({ waitMs })]);
    const stats = await collectStats(engine.db);
    const { info } = engine.model;
    return json({
      status: 'ok',
      model: { name: info.name, id: info.id, layout: info.layout, dim: info.dim },
      indexes: { image: engine.indexes.image.size(), text: engine.indexes.text.size() },
      counts: { datasets: stats.datasets, images: stats.images, texts: stats.texts, links: stats.links },
    });
  } catch (err) {
    const status = isAppError(err) ? Math.max(503, toHttpStatus(err)) : 503;
    const message = requestIsAdmin(req) ? describeError(err) : hidePaths(describeError(err));
    return json({ status: 'unavailable', error: { code: isAppError(err) ? err.code : 'INTERNAL', message } }, { status });
  }
}
