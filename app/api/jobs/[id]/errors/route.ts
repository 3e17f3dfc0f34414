import { getJobLineErrors } from '@/lib/jobs';
import { lineErrorView, loadJobView } from '@/app/_lib/jobs';
import { route } from '@/app/api/_lib/http';
import { jobIdParams } from '@/app/api/_lib/schemas';

export const dynamic = 'force-dynamic';

const clean = (s: string) => s.replace(/[\t\r\n]+/g, ' ');

/** GET /api/jobs/:id/errors → every per-line error as TSV (line, file, reason), for download; files named as on the page (no server paths). */
export const GET = route({ params: jobIdParams }, async ({ engine, params }) => {
  const { id } = params;
  const job = await loadJobView(engine, id, false);
  const rows = await getJobLineErrors(engine.db, id, { limit: 0 });
  const body = ['line\tfile\treason', ...rows.map(lineErrorView).map((e) => `${e.line}\t${clean(e.file ?? '')}\t${clean(e.reason)}`)].join('\n') + '\n';
  const name = `clipdex-${job.kind}-${(job.dataset ?? id.slice(0, 8)).replace(/[^A-Za-z0-9._-]+/g, '_')}-errors.tsv`;
  return new Response(body, {
    headers: {
      'content-type': 'text/tab-separated-values; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
    },
  });
});
