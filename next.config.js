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
    // Room for the multipart envelope and a second file (MUGE texts) around an upload of the
    // maximum size; lib/uploads enforces the real per-file limit with a clear message.
    serverActions: { bodySizeLimit: 2 * Number(process.env.CLIPDEX_MAX_UPLOAD_BYTES ?? 1024 ** 3) + 1024 ** 2 },
  },
};
export default nextConfig;
