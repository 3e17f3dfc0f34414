import Link from 'next/link';
import { NavLinks } from './nav-links';

interface Props {
  /** A token is configured, so the header offers signing in and out. */
  authRequired: boolean;
  /** This browser is signed in as admin. */
  admin: boolean;
  /** The sign-out server action (app/signin/actions.ts). */
  signOutAction: () => Promise<void>;
}

/** The bar on every page: brand, navigation, and the admin session when a token is configured. */
export function SiteHeader({ authRequired, admin, signOutAction }: Props) {
  return (
    <header className="site-header">
      <div className="inner">
        <Link href="/" className="brand">
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src="/logo.svg" alt="" width={24} height={24} />
          clipdex
        </Link>
        <NavLinks />
        {authRequired ? (
          <div className="session">
            {admin ? (
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
