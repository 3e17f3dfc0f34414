'use client';
import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { useLocale, useTranslations } from 'next-intl';
import { LOCALE_COOKIE, THEME_COOKIE } from '@/lib/views/locale';

type ThemeChoice = 'system' | 'light' | 'dark';
const YEAR = 60 * 60 * 24 * 365;

function setCookie(name: string, value: string | null) {
  document.cookie = value === null ? `${name}=; path=/; max-age=0; samesite=lax` : `${name}=${value}; path=/; max-age=${YEAR}; samesite=lax`;
}

/**
 * Language and theme. Both are cookies the server reads on the next render (layout.tsx), so the
 * choice holds across pages and visits with no flash. Written here in the browser rather than by a
 * server action: a server action is a POST, which the proxy refuses to anyone not signed in when an
 * admin token is set, and choosing a language must work for every visitor.
 */
export function Preferences({ theme: initialTheme }: { theme: ThemeChoice }) {
  const t = useTranslations('Prefs');
  const locale = useLocale();
  const router = useRouter();
  const [theme, setTheme] = useState<ThemeChoice>(initialTheme);
  const [pending, startTransition] = useTransition();

  return (
    <div className="prefs">
      <label className="pref">
        <span className="visually-hidden">{t('language')}</span>
        <span aria-hidden="true" className="pref-icon">
          文A
        </span>
        <select
          value={locale}
          aria-busy={pending}
          data-testid="language-select"
          onChange={(e) => {
            setCookie(LOCALE_COOKIE, e.target.value);
            startTransition(() => router.refresh());
          }}
        >
          <option value="en" lang="en">
            English
          </option>
          <option value="zh" lang="zh-CN">
            中文
          </option>
        </select>
      </label>
      <label className="pref">
        <span className="visually-hidden">{t('theme')}</span>
        <span aria-hidden="true" className="pref-icon">
          ◐
        </span>
        <select
          value={theme}
          data-testid="theme-select"
          onChange={(e) => {
            const next = e.target.value as ThemeChoice;
            setTheme(next);
            setCookie(THEME_COOKIE, next === 'system' ? null : next);
            if (next === 'system') delete document.documentElement.dataset.theme;
            else document.documentElement.dataset.theme = next;
          }}
        >
          <option value="system">{t('themeSystem')}</option>
          <option value="light">{t('themeLight')}</option>
          <option value="dark">{t('themeDark')}</option>
        </select>
      </label>
    </div>
  );
}
