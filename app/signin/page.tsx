import type { Metadata } from 'next';
import { safeNextPath } from '@/lib/auth';
import { getAdminSession } from '@/app/_lib/session';
import { SignInForm } from '@/components/layout/sign-in-form';
import { signInAction } from './actions';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  // Only a path on this site goes into the form (the action checks again): A11.
  const next = sp.next === undefined ? '/admin' : safeNextPath(sp.next);
  const session = await getAdminSession();
  return (
    <div className="panel stack" style={{ maxWidth: 460, margin: '2rem auto' }}>
      <h1>Sign in</h1>
      {!session.required ? (
        <p className="alert info">No admin token is configured on this server, so uploads, deletes and re-indexing are open to everyone who can reach it.</p>
      ) : session.admin ? (
        <p className="alert ok">You are signed in as admin.</p>
      ) : (
        <>
          <p className="muted">Uploading, deleting and re-indexing need the admin token (the server&apos;s CLIPDEX_ADMIN_TOKEN). Searching does not.</p>
          <SignInForm next={next} action={signInAction} />
        </>
      )}
    </div>
  );
}
