/**
 * The interface languages and how a request picks one: the `clipdex-locale` cookie (set by the
 * language switcher) wins, else the first supported language in Accept-Language (by q weight),
 * else English. Pure, so the server (i18n/request.ts) and the tests use the same rule. The CLI
 * and the JSON API stay English whatever this says.
 */
export const LOCALES = ['en', 'zh'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';
/** Cookie the language switcher writes (a year; read on every request, so no flash). */
export const LOCALE_COOKIE = 'clipdex-locale';
/** Cookie the theme toggle writes: 'light' | 'dark'; absent means follow prefers-color-scheme. */
export const THEME_COOKIE = 'clipdex-theme';
export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/** BCP 47 tag for `<html lang>`: Simplified Chinese is zh-Hans-CN's script, written zh-CN here for screen readers. */
export const HTML_LANG: Record<Locale, string> = { en: 'en', zh: 'zh-CN' };

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

/** The supported language an Accept-Language header prefers, or undefined if it names none. */
export function localeFromAcceptLanguage(header: string | null | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { tag: tag.trim().toLowerCase(), weight: Number.isFinite(weight) ? weight : 0, i };
    })
    .filter((r) => r.tag && r.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.i - b.i);
  for (const r of ranked) {
    const base = r.tag.split('-')[0];
    // zh-TW / zh-Hant still read Simplified better than English for most users; no Traditional set yet.
    if (isLocale(base)) return base;
  }
  return undefined;
}

export function pickLocale(cookie: string | undefined, acceptLanguage: string | null | undefined): Locale {
  if (isLocale(cookie)) return cookie;
  return localeFromAcceptLanguage(acceptLanguage) ?? DEFAULT_LOCALE;
}

export function pickTheme(cookie: string | undefined): Theme | undefined {
  return (THEMES as readonly string[]).includes(cookie ?? '') ? (cookie as Theme) : undefined;
}
