import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { NavLinks } from './nav-links';
import { Preferences } from './preferences';

interface Props {
  /** A token is configured, so the header offers signing in and out. */
  authRequired: boolean;
  /** This browser is signed in as admin. */
  admin: boolean;
  /** The sign-out server action (app/signin/actions.ts). */
  signOutAction: () => Promise<void>;
  /** The theme cookie's value, for the toggle's initial state. */
  theme: 'system' | 'light' | 'dark';
}

/** The bar on every page: brand, navigation, language and theme, and the admin session when a token is configured. */
export async function SiteHeader({ authRequired, admin, signOutAction, theme }: Props) {
  const t = await getTranslations('Header');
  return (
    <header className="site-header">
      <div className="inner">
        <Link href="/" className="brand">
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src="/logo.svg" alt="" width={24} height={24} />
          clipdex
        </Link>
        <NavLinks>
          <Preferences theme={theme} />
          {authRequired ? (
            <div className="session">
              {admin ? (
                <form action={signOutAction}>
                  <span>{t('signedIn')}</span>{' '}
                  <button type="submit" className="btn small">
                    {t('signOut')}
                  </button>
                </form>
              ) : (
                <Link href="/signin" className="btn small">
                  {t('signIn')}
                </Link>
              )}
            </div>
          ) : null}
        </NavLinks>
      </div>
    </header>
  );
}
