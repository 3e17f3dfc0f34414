import Link from 'next/link';
import { getAdminSession } from '@/app/_lib/session';
import { NavLinks } from './nav-links';
import { signOutAction } from '@/app/signin/actions';

/** The bar on every page: brand, navigation, and the admin session when a token is configured. */
export async function SiteHeader() {
  const session = await getAdminSession();
  return (
    <header className="site-header">
      <div className="inner">
        <Link href="/" className="brand">
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src="/logo.svg" alt="" width={24} height={24} />
          clipdex
        </Link>
        <NavLinks />
        {session.required ? (
          <div className="session">
            {session.admin ? (
              <form action={signOutAction}>
                <span>Signed in as admin</span>{' '}
                <button type="submit" className="btn small">
                  Sign out
                </button>
              </form>
            ) : (
              <Link href="/signin" className="btn small">
                Sign in
              </Link>
            )}
          </div>
        ) : null}
      </div>
    </header>
  );
}
