// Paths and defaults shared by the scripts (npm start, the e2e server, the Prisma wrapper), so
// they agree with each other and with lib/config.ts (CLIPDEX_DATA_DIR defaults to ./data).
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..');
/** The clipdex CLI launcher (`clipdex migrate`, `clipdex ingest`). */
export const clipdexBin = path.join(root, 'bin', 'clipdex.mjs');
export const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
export const prismaBin = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');

/** The data directory for an environment, resolved against the project root (the scripts run there). */
export function dataDirOf(env = process.env) {
  return path.resolve(root, env.CLIPDEX_DATA_DIR ?? 'data');
}
