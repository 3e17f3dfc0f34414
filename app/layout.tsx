import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { cookies } from 'next/headers';
import { NextIntlClientProvider } from 'next-intl';
import { getLocale, getTranslations } from 'next-intl/server';
import { SiteHeader } from '@/components/layout/site-header';
import { getAdminSession } from '@/app/_lib/session';
import { signOutAction } from '@/app/signin/actions';
import { HTML_LANG, THEME_COOKIE, isLocale, pickTheme } from '@/lib/views/locale';
import './globals.css';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('Layout');
  return { title: { default: 'clipdex', template: '%s · clipdex' }, description: t('description') };
}

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#1b1b21' },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [session, locale, jar, t] = await Promise.all([getAdminSession(), getLocale(), cookies(), getTranslations('Layout')]);
  // The theme cookie is read here, on the server, so a chosen theme is in the first paint (no flash);
  // without it the stylesheet follows prefers-color-scheme.
  const theme = pickTheme(jar.get(THEME_COOKIE)?.value);
  return (
    <html lang={isLocale(locale) ? HTML_LANG[locale] : 'en'} data-theme={theme}>
      <body>
        <NextIntlClientProvider>
          <a className="skip-link" href="#main">
            {t('skip')}
          </a>
          <SiteHeader authRequired={session.required} admin={session.admin} signOutAction={signOutAction} theme={theme ?? 'system'} />
          <main id="main" tabIndex={-1}>
            {children}
          </main>
          <footer className="site-footer">{t('footer')}</footer>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
