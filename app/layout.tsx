import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { SiteHeader } from '@/components/layout/site-header';
import { getAdminSession } from '@/app/_lib/session';
import { signOutAction } from '@/app/signin/actions';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'clipdex', template: '%s · clipdex' },
  description: 'Self-hosted image-text search: find images by text or by image, in English or Chinese.',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#1b1b21' },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await getAdminSession();
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <SiteHeader authRequired={session.required} admin={session.admin} signOutAction={signOutAction} />
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer className="site-footer">clipdex — image-text search with CLIP, ONNX Runtime and HNSW, on your own machine.</footer>
      </body>
    </html>
  );
}
