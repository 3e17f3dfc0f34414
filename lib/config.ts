/**
 * Configuration: parsed from process.env once with zod. A fresh clone needs no .env at all:
 * every value has a default that works on a laptop. `resetConfig()` lets tests change env.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from './errors';

/** The shortest CLIPDEX_ADMIN_TOKEN accepted; a shorter one stops start-up (README, Configuration). */
export const ADMIN_TOKEN_MIN_LENGTH = 8;

const intFrom = (def: number, min = 1) =>
  z.coerce.number().int().min(min).default(def);

/** A switch that is on unless set to 0, false, off or no. */
const onOff = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'], { error: (iss) => `"${String(iss.input)}" is not one of 1, 0, true, false, on, off, yes, no` }))
  .default('1');
const isOn = (v: string) => ['1', 'true', 'on', 'yes'].includes(v);

const EnvSchema = z.object({
  CLIPDEX_DATA_DIR: z.string().min(1).default('./data'),
  CLIPDEX_MODEL_DIR: z.string().min(1).default('./models/mini-clip'),
  DATABASE_URL: z.string().min(1).optional(),
  CLIPDEX_THREADS: intFrom(2),
  CLIPDEX_BATCH_SIZE: intFrom(32),
  CLIPDEX_MAX_IMAGE_PIXELS: intFrom(40_000_000),
  CLIPDEX_MAX_LINE_BYTES: intFrom(64 * 1024 * 1024),
  CLIPDEX_MAX_UPLOAD_BYTES: intFrom(1024 * 1024 * 1024),
  CLIPDEX_ADMIN_TOKEN: z
    .string()
    .min(ADMIN_TOKEN_MIN_LENGTH, {
      error: (iss) =>
        `the token is ${String(iss.input).length} characters long; it must be at least ${ADMIN_TOKEN_MIN_LENGTH} (a short token is easy to guess). ` +
        'Set a longer one, e.g. CLIPDEX_ADMIN_TOKEN=$(openssl rand -hex 16), or unset it to leave changes open to everyone',
    })
    .optional(),
  CLIPDEX_HNSW_M: intFrom(16, 2),
  CLIPDEX_HNSW_EF_CONSTRUCTION: intFrom(200, 8),
  // 768: recall@10 0.988 at 1M vectors with p99 3.5 ms; 128 gave 0.905 there (bench/RESULTS.md).
  // Unset, an index rebuild of 20,000 vectors or more may measure a lower ef enough (issue 13:
  // HnswIndex.efSearch); set, it is used as it is.
  CLIPDEX_HNSW_EF_SEARCH: intFrom(768, 8),
  // issue 13: threads an index rebuild inserts with (the parallel builder npm install compiles)
  CLIPDEX_INDEX_BUILD_THREADS: intFrom(os.availableParallelism()),
  // and how much lower than the process those threads run (Linux nice 0-19; bench/rebuild.ts)
  CLIPDEX_INDEX_BUILD_NICE: z.coerce.number().int().min(0).max(19).default(0),
  // issue 12: the adapter (lib/adapters) searches and evaluations use in this process
  CLIPDEX_ADAPTER: z.string().trim().optional(),
  // issue 11: near-duplicates (lib/duplicates); 0.95 is measured (DEFAULT_DUPLICATE_THRESHOLD says how)
  CLIPDEX_DUPLICATE_THRESHOLD: z.coerce
    .number({ error: 'must be a similarity above 0 and at most 1 (default 0.95)' })
    .gt(0, { error: 'must be a similarity above 0 and at most 1 (default 0.95)' })
    .max(1, { error: 'must be a similarity above 0 and at most 1 (default 0.95)' })
    .default(0.95),
  // issue 11: OCR at ingest (lib/ocr); `clipdex ingest --no-ocr` turns it off for one run
  CLIPDEX_OCR: onOff,
  // issue 11: near-duplicate links at ingest; `clipdex ingest --no-near-duplicates` turns them off for one run
  CLIPDEX_NEAR_DUPLICATES: onOff,
  // A text-dense poster at 960 px takes ~2-5 s on two busy cores; 20 s bounds a pathological one.
  CLIPDEX_OCR_TIMEOUT_MS: intFrom(20_000, 100),
  // issue 15: distributed mode (a BullMQ queue on Redis; docs/SCALING.md)
  REDIS_URL: z.string().trim().optional(),
  CLIPDEX_BLOB_DIR: z.string().min(1).optional(),
  CLIPDEX_QUEUE: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'letters, digits, _ and - only (1 to 64)' }).default('clipdex'),
});

export interface Config {
  dataDir: string;
  modelDir: string;
  databaseUrl: string;
  threads: number;
  batchSize: number;
  maxImagePixels: number;
  maxLineBytes: number;
  maxUploadBytes: number;
  adminToken?: string;
  hnsw: { m: number; efConstruction: number; efSearch: number; efSearchFixed: boolean; buildThreads: number; buildNice: number };
  /** CLIPDEX_ADAPTER: an adapter name from `clipdex train`; overrides the activated one. */
  adapter?: string;
  /** issue 11: CLIPDEX_DUPLICATE_THRESHOLD: min(CLIP cosine, pixel correlation) at which two images are near-duplicates. */
  duplicateThreshold: number;
  /** issue 11: CLIPDEX_OCR (default on) and CLIPDEX_OCR_TIMEOUT_MS: read the text in images at ingest. */
  ocr: { enabled: boolean; timeoutMs: number };
  /** CLIPDEX_NEAR_DUPLICATES (default on): link each ingest's new images to their near-duplicates as they are added. */
  nearDuplicates: boolean;
  /** REDIS_URL: distributed mode (needs a PostgreSQL DATABASE_URL); unset = everything in-process. */
  redisUrl?: string;
  /** Originals and thumbnails (CLIPDEX_BLOB_DIR; default the data dir): shared by every node in distributed mode. */
  blobDir: string;
  /** CLIPDEX_QUEUE: the queue's name on Redis (two deployments on one Redis use two names). */
  queue: string;
}

let cached: Config | undefined;

export function getConfig(): Config {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new AppError('CONFIG_INVALID', `invalid configuration in the environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.CLIPDEX_DATA_DIR);
  cached = {
    dataDir,
    modelDir: path.resolve(e.CLIPDEX_MODEL_DIR),
    databaseUrl: e.DATABASE_URL ?? `file:${path.join(dataDir, 'clipdex.db')}`,
    threads: e.CLIPDEX_THREADS,
    batchSize: e.CLIPDEX_BATCH_SIZE,
    maxImagePixels: e.CLIPDEX_MAX_IMAGE_PIXELS,
    maxLineBytes: e.CLIPDEX_MAX_LINE_BYTES,
    maxUploadBytes: e.CLIPDEX_MAX_UPLOAD_BYTES,
    adminToken: e.CLIPDEX_ADMIN_TOKEN,
    hnsw: { m: e.CLIPDEX_HNSW_M, efConstruction: e.CLIPDEX_HNSW_EF_CONSTRUCTION, efSearch: e.CLIPDEX_HNSW_EF_SEARCH, efSearchFixed: (process.env.CLIPDEX_HNSW_EF_SEARCH ?? '').trim() !== '', buildThreads: e.CLIPDEX_INDEX_BUILD_THREADS, buildNice: e.CLIPDEX_INDEX_BUILD_NICE },
    adapter: e.CLIPDEX_ADAPTER || undefined, // empty = none (overrides nothing)
    duplicateThreshold: e.CLIPDEX_DUPLICATE_THRESHOLD,
    ocr: { enabled: isOn(e.CLIPDEX_OCR), timeoutMs: e.CLIPDEX_OCR_TIMEOUT_MS },
    nearDuplicates: isOn(e.CLIPDEX_NEAR_DUPLICATES),
    redisUrl: e.REDIS_URL || undefined,
    blobDir: e.CLIPDEX_BLOB_DIR ? path.resolve(e.CLIPDEX_BLOB_DIR) : dataDir,
    queue: e.CLIPDEX_QUEUE,
  };
  // Workers on other machines cannot reach a SQLite file: distributed mode needs PostgreSQL.
  if (cached.redisUrl && !/^postgres(ql)?:\/\//.test(cached.databaseUrl)) {
    const url = cached.databaseUrl;
    cached = undefined;
    throw new AppError(
      'CONFIG_INVALID',
      `REDIS_URL is set (distributed mode), but DATABASE_URL is ${url.startsWith('file:') ? `the SQLite file ${url}` : `"${url}"`}: ` +
        'workers on other machines cannot share a SQLite file. Set DATABASE_URL=postgresql://user:password@host:5432/db, or unset REDIS_URL to run everything in this process.',
    );
  }
  return cached;
}

/** Forget the parsed config (tests change process.env between cases). */
export function resetConfig(): void {
  cached = undefined;
}
