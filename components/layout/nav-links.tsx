'use client';
import { useEffect, useState, type ReactNode } from 'react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useTranslations } from 'next-intl';

const LINKS: { href: string; key: string; match: (p: string) => boolean }[] = [
  { href: '/', key: 'search', match: (p) => p === '/' || p.startsWith('/images') },
  { href: '/datasets', key: 'datasets', match: (p) => p === '/datasets' || p.startsWith('/jobs') },
  { href: '/datasets/new', key: 'upload', match: (p) => p === '/datasets/new' },
  { href: '/collections', key: 'collections', match: (p) => p.startsWith('/collections') },
  { href: '/evaluate', key: 'evaluate', match: (p) => p.startsWith('/evaluate') },
  { href: '/train', key: 'train', match: (p) => p.startsWith('/train') },
  { href: '/classify', key: 'classify', match: (p) => p.startsWith('/classify') },
  { href: '/duplicates', key: 'duplicates', match: (p) => p.startsWith('/duplicates') }, // issue 11
  { href: '/admin', key: 'admin', match: (p) => p.startsWith('/admin') },
];

/**
 * The main navigation, with `children` (language, theme, session) beside it. On a phone the whole
 * block folds behind a Menu button (aria-expanded); on wider screens the button is hidden and the
 * block always shows. Following a link closes the menu.
 */
export function NavLinks({ children }: { children?: ReactNode }) {
  const t = useTranslations('Nav');
  const pathname = usePathname() ?? '/';
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [pathname]);
  return (
    <>
      <button
        type="button"
        className="btn small menu-button"
        aria-expanded={open}
        aria-controls="site-menu"
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setOpen(false);
        }}
      >
        <span aria-hidden="true">☰</span> {t('menu')}
      </button>
      <div id="site-menu" className={`site-menu${open ? ' open' : ''}`}>
        <nav className="site-nav" aria-label={t('label')}>
          {LINKS.map((l) => (
            <Link key={l.href} href={l.href} aria-current={l.match(pathname) ? 'page' : undefined}>
              {t(l.key)}
            </Link>
          ))}
        </nav>
        {children}
      </div>
    </>
  );
}
