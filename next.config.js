// @ts-check
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
    serverActions: { bodySizeLimit: process.env.CLIPDEX_MAX_UPLOAD_BYTES ? Number(process.env.CLIPDEX_MAX_UPLOAD_BYTES) : '1gb' },
  },
};
export default nextConfig;
