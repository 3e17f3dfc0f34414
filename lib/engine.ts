/**
 * The engine: everything a request, a CLI command or a job needs, opened once per process —
 * config, the migrated database, the CLIP model (registered as a Model row), the reconciled HNSW
 * indexes and the blob store. Cached on globalThis so Next.js dev reloads reuse it.
 */
import { loadClipModel, type ClipModel } from './clip';
import { getConfig, type Config } from './config';
import type { VectorFollower } from './distributed/follow';
import { closeDbs, ensureModelRow, getDb, isMigrated, migrateDatabase, notWritable, providerOf, readOnlyMessage, readOnlyReason, tuneSqlite, type Db, type NotWritable } from './db';
import { AppError, describeError, isDiskFull } from './errors';
import { openIndexes, type IndexReport, type Indexes } from './index'; // the lib/index room (HNSW indexes), not lib's own face
import { markInterruptedJobs } from './jobs';
import { createBlobStore, type BlobStore } from './store';

export interface Engine {
  config: Config;
  db: Db;
  model: ClipModel;
  indexes: Indexes;
  store: BlobStore;
  /** What opening the indexes found and repaired. */
  indexReport: IndexReport;
  /** Jobs found 'running' for a dead process and marked failed at start. */
  interruptedJobs: number;
  /** Distributed mode: the change feed keeping the indexes in step with PostgreSQL (lib/distributed/follow.ts). */
  follower?: VectorFollower;
}

export interface EngineOptions {
  /** Where repair messages go (default console.warn). */
  log?: (message: string) => void;
  /**
   * Distributed mode: follow the workers' commits as they happen (default true: a web node). A CLI
   * command passes false: it lives for one command, its searches catch up before they answer, and
   * following a running ingest's commits would spend a core's worth of CPU on the machine the
   * workers need (issue 15's bench: the coordinating CLI used 4.3 CPU-s of an 8.4 s ingest).
   */
  follow?: boolean;
  /**
   * Run the image tower in a worker thread (LoadClipModelOptions.imageTowerInWorker): `clipdex
   * ingest`, whose inference then overlaps the preparation of the next batches. The engine is
   * opened once a process, so the first caller's choice holds.
   */
  imageTowerInWorker?: boolean;
}

const g = globalThis as unknown as { __clipdexEngine?: Promise<Engine> };

export function getEngine(opts: EngineOptions = {}): Promise<Engine> {
  if (!g.__clipdexEngine) {
    g.__clipdexEngine = openEngine(opts);
    // A failed start is not cached: the next call (after the user fixes things) tries again.
    g.__clipdexEngine.catch(() => {
      g.__clipdexEngine = undefined;
    });
  }
  return g.__clipdexEngine;
}

/** Save the indexes, close the model and the database, forget the cached engine. */
export async function closeEngine(): Promise<void> {
  const p = g.__clipdexEngine;
  g.__clipdexEngine = undefined;
  if (!p) return;
  let e: Engine;
  try {
    e = await p;
  } catch {
    await closeDbs();
    return;
  }
  try {
    await e.follower?.close();
    await Promise.all([e.indexes.image.save(), e.indexes.text.save()]);
  } finally {
    await e.model.close();
    await closeDbs();
  }
}

async function openEngine(opts: EngineOptions): Promise<Engine> {
  const config = getConfig();
  // A read-only data dir (probe D1) still serves search and stats from an already migrated database.
  const ro = notWritable(config.dataDir) ?? readOnlyReason(config.databaseUrl);
  // issue 13 (start-up): the model loads while the database is checked, migrated and tidied (they
  // share nothing until ensureModelRow); ~50 ms less for a command on a new data dir.
  const loadingModel = loadClipModel(config.modelDir, { threads: config.threads, maxImagePixels: config.maxImagePixels, batchSize: config.batchSize, imageTowerInWorker: opts.imageTowerInWorker });
  loadingModel.catch(() => undefined); // surfaced below, or closed if the database fails first
  try {
    return await openWithModel(opts, config, ro, loadingModel);
  } catch (err) {
    await loadingModel.then((m) => m.close()).catch(() => undefined);
    throw err;
  }
}

async function openWithModel(opts: EngineOptions, config: Config, ro: NotWritable | undefined, loadingModel: Promise<ClipModel>): Promise<Engine> {
  let db = getDb(config.databaseUrl, { readOnly: ro });
  if (!(await isMigrated(db, config.databaseUrl))) {
    if (ro) throw new AppError('CONFLICT', readOnlyMessage(ro.dir, ro.reason, 'its database is missing or not migrated, and migrating it needs to write'));
    await closeDbs();
    await migrateDatabase(config.databaseUrl);
    db = getDb(config.databaseUrl);
  }
  if (ro) (opts.log ?? console.warn)(readOnlyMessage(ro.dir, ro.reason, 'opened for reading only'));
  else await tuneSqlite(db, config.databaseUrl);
  // On a full disk this bookkeeping cannot be written; searching and `clipdex stats` still work.
  const interruptedJobs = ro
    ? 0
    : await markInterruptedJobs(db).catch((err: unknown) => {
        if (!isDiskFull(err)) throw err;
        (opts.log ?? console.warn)(`${describeError(err)} (jobs that were interrupted are marked so once there is space)`);
        return 0;
      });
  const model = await loadingModel;
  await ensureModelRow(db, model.info, { readOnly: !!ro });
  const { report, ...indexes } = await openIndexes({
    db,
    dataDir: config.dataDir,
    modelId: model.info.id,
    dim: model.info.dim,
    hnsw: config.hnsw,
    log: opts.log,
    readOnly: !!ro,
    // Several writers commit ids out of order on PostgreSQL (lib/index/late-commits.ts).
    lateCommits: providerOf(config.databaseUrl) === 'postgresql',
  });
  // Distributed mode: workers' commits reach this node's indexes within a notification's time.
  const follower = config.redisUrl && opts.follow !== false
    ? (await import('./distributed/follow')).followVectors(config.databaseUrl, [indexes.image, indexes.text], opts.log ?? ((m) => console.warn(m)))
    : undefined;
  return { config, db, model, indexes, store: createBlobStore(config.blobDir), indexReport: report, interruptedJobs, follower };
}

