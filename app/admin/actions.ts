'use server';
import { startReindexJob } from '@/lib/ingest';
import { adminAction } from '@/app/_lib/result';
import { loadJobView } from '@/app/_lib/jobs';

/** Re-index: a job that rebuilds both HNSW indexes from the stored vectors (re-embedding only what the model change requires). */
export const reindexAction = adminAction(async (_form, engine) => {
  const started = await startReindexJob(engine);
  return { job: await loadJobView(engine, started.id, false) };
});
