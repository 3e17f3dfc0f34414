'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS: { href: string; label: string; match: (p: string) => boolean }[] = [
  { href: '/', label: 'Search', match: (p) => p === '/' || p.startsWith('/images') },
  { href: '/datasets', label: 'Datasets', match: (p) => p === '/datasets' || p.startsWith('/jobs') },
  { href: '/datasets/new', label: 'Upload', match: (p) => p === '/datasets/new' },
  { href: '/evaluate', label: 'Evaluate', match: (p) => p.startsWith('/evaluate') },
  { href: '/train', label: 'Train', match: (p) => p.startsWith('/train') },
  { href: '/classify', label: 'Classify', match: (p) => p.startsWith('/classify') },
  { href: '/duplicates', label: 'Duplicates', match: (p) => p.startsWith('/duplicates') }, // issue 11
  { href: '/admin', label: 'Admin', match: (p) => p.startsWith('/admin') },
];

export function NavLinks() {
  const pathname = usePathname() ?? '/';
  return (
    <nav className="site-nav" aria-label="Main">
      {LINKS.map((l) => (
        <Link key={l.href} href={l.href} aria-current={l.match(pathname) ? 'page' : undefined}>
          {l.label}
        </Link>
      ))}
    </nav>
  );
}
