import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { safeNextPath } from '@/lib/auth';
import { getAdminSession } from '@/app/_lib/session';
import { SignInForm } from '@/components/layout/sign-in-form';
import { signInAction } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('SignIn'))('title') };
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  // Only a path on this site goes into the form (the action checks again): A11.
  const next = sp.next === undefined ? '/admin' : safeNextPath(sp.next);
  const session = await getAdminSession();
  const t = await getTranslations('SignIn');
  return (
    <div className="panel stack" style={{ maxWidth: 460, margin: '2rem auto' }}>
      <h1>{t('title')}</h1>
      {!session.required ? (
        <p className="alert info">{t('open')}</p>
      ) : session.admin ? (
        <p className="alert ok">{t('already')}</p>
      ) : (
        <>
          <p className="muted">{t('needs')}</p>
          <SignInForm next={next} action={signInAction} />
        </>
      )}
    </div>
  );
}
