import { describe, expect, it } from 'vitest';
import { localeFromAcceptLanguage, pickLocale, pickTheme } from './locale';

describe('pickLocale', () => {
  it('prefers the cookie over Accept-Language', () => {
    expect(pickLocale('zh', 'en-US,en;q=0.9')).toBe('zh');
    expect(pickLocale('en', 'zh-CN,zh;q=0.9')).toBe('en');
  });
  it('ignores an unknown cookie value and falls back to the header', () => {
    expect(pickLocale('fr', 'zh-CN')).toBe('zh');
    expect(pickLocale('../x', undefined)).toBe('en');
  });
  it('is English with no cookie and no header (what the e2e specs expect)', () => {
    expect(pickLocale(undefined, undefined)).toBe('en');
    expect(pickLocale(undefined, '')).toBe('en');
  });
});

describe('localeFromAcceptLanguage', () => {
  it('takes the first supported language by weight, then by order', () => {
    expect(localeFromAcceptLanguage('en-US,en;q=0.9')).toBe('en');
    expect(localeFromAcceptLanguage('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh');
    expect(localeFromAcceptLanguage('fr-FR,fr;q=0.9,zh;q=0.5,en;q=0.4')).toBe('zh');
    expect(localeFromAcceptLanguage('en;q=0.3,zh-TW;q=0.8')).toBe('zh');
  });
  it('skips q=0 and names it does not support', () => {
    expect(localeFromAcceptLanguage('zh;q=0,de')).toBeUndefined();
    expect(localeFromAcceptLanguage('*')).toBeUndefined();
  });
});

describe('pickTheme', () => {
  it('accepts light and dark only', () => {
    expect(pickTheme('dark')).toBe('dark');
    expect(pickTheme('light')).toBe('light');
    expect(pickTheme('system')).toBeUndefined();
    expect(pickTheme(undefined)).toBeUndefined();
  });
});
