import { AppError } from '@/lib/errors';
import { getJob, isFinished } from '@/lib/jobs';
import { isTrainJobResult, liveTrainCurve } from '@/lib/train';
import { json, route } from '@/app/api/_lib/http';
import { jobIdParams } from '@/app/api/_lib/schemas';

export const dynamic = 'force-dynamic';

/**
 * GET /api/train/curve/:jobId → { baseline, points: [{ epoch, step, loss, recall }], epochs, done }:
 * the loss and validation recall of a train job so far (live while it runs in this server, the
 * stored result afterwards). The /train page redraws its chart from it on each progress event.
 */
export const GET = route({ params: jobIdParams }, async ({ engine, params }) => {
  const { id } = params;
  const live = liveTrainCurve(id);
  if (live) return json({ ...live, done: false });
  const job = await getJob(engine.db, id);
  if (!job || job.kind !== 'train') throw new AppError('NOT_FOUND', `no train job ${id}`);
  const r = isTrainJobResult(job.result) ? job.result : null;
  const epochs = typeof (job.params as { epochs?: unknown })?.epochs === 'number' ? (job.params as { epochs: number }).epochs : r?.curve.length ?? 0;
  return json({ baseline: r?.baseline, points: r?.curve ?? [], epochs, done: isFinished(job.status) });
});
