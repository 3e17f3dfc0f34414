'use server';
import { getEngine } from '@/lib/engine';
import { startReindexJob } from '@/lib/jobs';
import { assertAdminAction } from '@/app/_lib/session';
import { actionError, type ActionResult } from '@/app/_lib/result';
import { loadJobView } from '@/app/_lib/jobs';
import type { JobView } from '@/components/jobs/types';

/** Re-index: a job that rebuilds both HNSW indexes from the stored vectors (re-embedding only what the model change requires). */
export async function reindexAction(_prev: unknown, _form: FormData): Promise<ActionResult<{ job: JobView }>> {
  try {
    await assertAdminAction();
    const engine = await getEngine();
    const started = await startReindexJob(engine);
    return { ok: true, data: { job: await loadJobView(engine, started.id, false) } };
  } catch (err) {
    return actionError(err);
  }
}
