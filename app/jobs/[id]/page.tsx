import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { isAppError } from '@/lib/errors';
import { JobProgress } from '@/components/jobs/job-progress';
import { loadJobView } from '@/app/_lib/jobs';
import { getAdminSession } from '@/app/_lib/session';
import { withEngine } from '@/app/_lib/with-engine';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  return { title: (await getTranslations('Job'))('title', { id: id.slice(0, 8) }) };
}

export default withEngine(async function JobPage(engine, { params }: Props) {
  const { id } = await params;
  let job;
  try {
    job = await loadJobView(engine, id);
  } catch (err) {
    if (isAppError(err) && (err.code === 'NOT_FOUND' || err.code === 'INVALID_INPUT')) notFound();
    throw err;
  }
  // Cancel is a change: offered to whoever may make changes (the route checks again).
  const session = await getAdminSession();
  const t = await getTranslations('Job');
  return (
    <div className="stack" style={{ maxWidth: 880 }}>
      <h1>{t('title', { id: job.id.slice(0, 8) })}</h1>
      <JobProgress initial={job} canCancel={session.admin} />
    </div>
  );
});
