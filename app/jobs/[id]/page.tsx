import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getEngine } from '@/lib/engine';
import { describeError, isAppError } from '@/lib/errors';
import { EngineError } from '@/components/layout/engine-error';
import { JobProgress } from '@/components/jobs/job-progress';
import { loadJobView } from '@/app/_lib/jobs';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  return { title: `Job ${id.slice(0, 8)}` };
}

export default async function JobPage({ params }: Props) {
  const { id } = await params;
  let engine;
  try {
    engine = await getEngine();
  } catch (err) {
    return <EngineError message={describeError(err)} />;
  }
  let job;
  try {
    job = await loadJobView(engine, id);
  } catch (err) {
    if (isAppError(err) && (err.code === 'NOT_FOUND' || err.code === 'INVALID_INPUT')) notFound();
    throw err;
  }
  return (
    <div className="stack" style={{ maxWidth: 880 }}>
      <h1>Job {job.id.slice(0, 8)}</h1>
      <JobProgress initial={job} />
    </div>
  );
}
