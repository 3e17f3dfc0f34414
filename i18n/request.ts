/**
 * next-intl's per-request configuration ("without i18n routing": no /zh/ URL prefix, so every
 * existing link, the share links and the API keep their paths). The language comes from the
 * switcher's cookie, else Accept-Language (lib/views/locale.ts).
 */
import { cookies, headers } from 'next/headers';
import { getRequestConfig } from 'next-intl/server';
import { LOCALE_COOKIE, pickLocale } from '@/lib/views/locale';

export default getRequestConfig(async () => {
  const [jar, h] = await Promise.all([cookies(), headers()]);
  const locale = pickLocale(jar.get(LOCALE_COOKIE)?.value, h.get('accept-language'));
  return {
    locale,
    messages: (await import(`../messages/${locale}.json`)).default,
    // Dates on the pages are shown in UTC, as before, whatever the server's zone.
    timeZone: 'UTC',
  };
});
