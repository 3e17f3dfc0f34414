// @ts-check
import createNextIntlPlugin from 'next-intl/plugin';

// The interface's languages: i18n/request.ts picks one per request (cookie, else Accept-Language).
const withNextIntl = createNextIntlPlugin('./i18n/request.ts');

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native addons and the Prisma client must be loaded by Node at run time, never bundled.
  serverExternalPackages: [
    'onnxruntime-node',
    'sharp',
    'hnswlib-node',
    'better-sqlite3',
    '@prisma/client',
    '@prisma/adapter-better-sqlite3',
    '@prisma/adapter-pg',
    'pg',
    '@huggingface/tokenizers',
  ],
  poweredByHeader: false,
  experimental: {
    // Server actions never carry file bytes: uploads stream to /api/uploads first and the action
    // gets the staged id (lib/staged-uploads). So a body of more than 1 MB is refused before it is
    // parsed, signed in or not (A9).
    serverActions: { bodySizeLimit: '1mb' },
    // When proxy.ts runs, Next copies the request body in memory up to this size: keep it just
    // above the action limit (proxy.ts does not run for /api, whose uploads may be gigabytes).
    proxyClientMaxBodySize: '2mb',
  },
};
export default withNextIntl(nextConfig);
