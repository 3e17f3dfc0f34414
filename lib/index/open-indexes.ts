/**
 * Opening the indexes means reconciling them with the database, the source of truth:
 * labels stored in the DB but absent from the index are added from the stored vectors; labels in
 * the index but gone from the DB are marked deleted; an index built for another model or
 * dimension, or an unreadable file, is rebuilt from the stored vectors (never re-embedded).
 * Vectors of another model cannot be reused: those items need a re-embed (`clipdex reindex`).
 */
import path from 'node:path';
import { countVectors, iterateVectors, listVectorLabels, loadModelVectors, loadVectors, maxVectorLabel, otherModelLabels, sampleVectors, type Db } from '../db';
import { describeError, isDiskFull } from '../errors';
import { HnswIndex, type CalibrationQuery, type IndexParams, type VectorIndex } from './hnsw-index';
import { LateCommits } from './late-commits';
import type { IndexKind } from './manifest';

export interface IndexDeps {
  db: Db;
  dataDir: string;
  modelId: string;
  dim: number;
  hnsw: { m: number; efConstruction: number; efSearch: number; efSearchFixed?: boolean; buildThreads?: number; buildNice?: number };
  /** Where repair messages go (default: console.warn). */
  log?: (message: string) => void;
  /**
   * How often (at most, in ms) a search checks the database for vectors other processes added
   * or deleted (default CATCH_UP_INTERVAL_MS; 0 = before every search).
   */
  catchUpIntervalMs?: number;
  /** The data dir cannot be written: repairs happen in memory only. */
  readOnly?: boolean;
  /**
   * Ids may commit out of order (PostgreSQL, several writers): the catch-up also looks again for
   * ids it found missing below its high-water mark (late-commits.ts).
   */
  lateCommits?: boolean;
}

/**
 * Before a search, at most once per CATCH_UP_INTERVAL_MS: one index seek (the model's highest
 * vector id: 0.4 ms on 100k rows in SQLite) tells whether another process added vectors. Counting
 * the rows to notice deletions costs more (9-24 ms on 100k rows; bench/index-catch-up.ts), so it runs
 * at most once per FULL_CHECK_INTERVAL_MS; a deleted row meanwhile only means a hit that
 * hydration drops.
 */
export const CATCH_UP_INTERVAL_MS = 1000;
export const FULL_CHECK_INTERVAL_MS = 30_000;
/** Most unseen ids in a catch-up's range for which other models' rows are read (ids only). */
const OTHER_MODEL_READ_MAX = 100_000;
/** Rows one catch-up adds at most (about a second of HNSW inserts on two cores). */
export const CATCH_UP_MAX_ROWS = 2000;
/**
 * Longest run of HNSW inserts (ms) a catch-up does before giving the event loop back: an insert
 * costs ~1.5 ms at 100k × 256, so 1,000 new rows in one go held a server for 1.5 s (issue 13).
 */
export const CATCH_UP_SLICE_MS = 20;

/**
 * Rows read per query during a catch-up: better-sqlite3 reads on the event loop, and 500 rows of
 * 256-d vectors took 100+ ms through Prisma on a busy machine; 100 keep each read a slice.
 */
const CATCH_UP_PAGE_ROWS = 100;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Adds rows a few at a time, giving the event loop back whenever `sliceMs` has passed since the
 * last yield: searches in between see the rows added so far, in label order (a prefix).
 */
export async function addInSlices(index: VectorIndex, rows: { label: number; vector: Float32Array }[], sliceMs = CATCH_UP_SLICE_MS): Promise<void> {
  let t0 = performance.now();
  for (let i = 0; i < rows.length; i += 4) {
    const part = rows.slice(i, i + 4);
    index.add(part.map((v) => v.label), part.map((v) => v.vector));
    if (performance.now() - t0 >= sliceMs && i + 4 < rows.length) {
      await yieldToLoop();
      t0 = performance.now();
    }
  }
}

export interface KindReport {
  kind: IndexKind;
  action: 'loaded' | 'created' | 'repaired' | 'rebuilt';
  count: number;
  added: number;
  removed: number;
  reason?: string;
}

export interface IndexReport {
  image: KindReport;
  text: KindReport;
  /** Human sentences for everything that was repaired (empty when nothing was). */
  messages: string[];
  /** Items without a vector for the active model (their vectors belong to another model). */
  needsReembed: { images: number; texts: number };
}

export interface Indexes {
  image: HnswIndex;
  text: HnswIndex;
}

export interface RebuildProgress {
  kind: IndexKind;
  done: number;
  total: number;
}

export const indexDir = (dataDir: string) => path.join(dataDir, 'index');

function paramsOf(deps: IndexDeps, kind: IndexKind): IndexParams {
  return { dir: indexDir(deps.dataDir), kind, modelId: deps.modelId, dim: deps.dim, ...deps.hnsw, readOnly: deps.readOnly };
}

/**
 * Indexes a rebuild in this process is refilling (a web re-index refills the live ones, with
 * awaits between pages): their size differs from the database's count until it ends, and the full
 * catch-up must not load the not-yet-re-added rows itself inside a search request.
 */
const rebuilding = new WeakSet<VectorIndex>();

/** Below this many vectors a rebuild keeps the configured ef (a search at ef 768 costs under a millisecond there). */
export const CALIBRATE_MIN_VECTORS = 20_000;

/**
 * Sample queries for a rebuild's ef calibration, as searches ask: vectors of the other kind (text
 * → image, image → text: the query lies across the modality gap, the harder case) and of the
 * same kind (image → image), 100 of each where there are.
 */
async function calibrationQueries(db: Db, index: HnswIndex): Promise<CalibrationQuery[]> {
  const other = await sampleVectors(db, index.kind === 'image' ? 'text' : 'image', index.modelId, 100);
  const same = await sampleVectors(db, index.kind, index.modelId, 200 - other.length);
  return [...other.map((v) => ({ vector: v.vector })), ...same.map((v) => ({ vector: v.vector, self: v.label }))].filter((q) => q.vector.length === index.dim);
}

/**
 * Rebuild `index` from every stored vector of the active model and save it: a new graph is built
 * while the current one keeps answering (HnswIndex.rebuild), on several threads where npm install
 * compiled the parallel builder.
 */
async function rebuildIndex(index: HnswIndex, db: Db, onProgress?: (p: RebuildProgress) => void): Promise<number> {
  rebuilding.add(index);
  try {
    const total = await countVectors(db, index.kind, index.modelId);
    const pages = (async function* () {
      for await (const page of iterateVectors(db, index.kind, index.modelId)) yield { labels: page.map((v) => v.label), vectors: page.map((v) => v.vector) };
    })();
    const r = await index.rebuild(pages, total, (done) => onProgress?.({ kind: index.kind, done, total: Math.max(total, done) }), {
      calibrate: total >= CALIBRATE_MIN_VECTORS ? await calibrationQueries(db, index) : undefined,
    });
    return r.count;
  } finally {
    rebuilding.delete(index);
  }
}

/** Rebuild both indexes from the stored vectors (no re-embedding), with progress. */
export async function rebuildIndexes(deps: IndexDeps, onProgress?: (p: RebuildProgress) => void, existing?: Indexes): Promise<Indexes> {
  const image = existing?.image ?? HnswIndex.create(paramsOf(deps, 'image'));
  const text = existing?.text ?? HnswIndex.create(paramsOf(deps, 'text'));
  await rebuildIndex(image, deps.db, onProgress);
  await rebuildIndex(text, deps.db, onProgress);
  return { image, text };
}

/** The model's labels in the database but not in `index`, and those in `index` but not in the database. */
async function compareLabels(index: VectorIndex, db: Db): Promise<{ missing: number[]; extra: number[] }> {
  const inDb = await listVectorLabels(db, index.kind, index.modelId);
  const dbSet = new Set(inDb);
  return { missing: inDb.filter((l) => !index.has(l)), extra: index.labels().filter((l) => !dbSet.has(l)) };
}

/**
 * `f` (a repair's save, or a rebuild and its save) on a full disk: an index that holds every stored
 * vector serves from memory (search and stats work) and the message says it was not saved; the
 * next start with room saves it. Anything else (a rebuild that could not build) is thrown.
 */
async function inMemoryOnFullDisk<T>(index: HnswIndex, db: Db, messages: string[], what: string, f: () => Promise<T>): Promise<T | number> {
  try {
    return await f();
  } catch (err) {
    if (!isDiskFull(err) || index.size() !== (await countVectors(db, index.kind, index.modelId))) throw err;
    messages.push(`index/${index.kind}: ${what} in memory but not saved: ${describeError(err)}`);
    return index.size();
  }
}

async function openOne(deps: IndexDeps, kind: IndexKind, messages: string[]): Promise<{ index: HnswIndex; report: KindReport }> {
  const params = paramsOf(deps, kind);
  let index: HnswIndex;
  try {
    index = await HnswIndex.load(params);
  } catch (err) {
    const reason = (err as Error).message;
    index = HnswIndex.create(params);
    const n = await inMemoryOnFullDisk(index, deps.db, messages, 'rebuilt', () => rebuildIndex(index, deps.db));
    if (n === 0 && reason === 'no index on disk') return { index, report: { kind, action: 'created', count: 0, added: 0, removed: 0 } };
    messages.push(`index/${kind}: rebuilt from ${n} stored vectors (${reason})`);
    return { index, report: { kind, action: 'rebuilt', count: n, added: n, removed: 0, reason } };
  }
  const { missing, extra } = await compareLabels(index, deps.db);
  if (missing.length) {
    const vs = await loadVectors(deps.db, kind, missing);
    index.add(vs.map((v) => v.label), vs.map((v) => v.vector));
    messages.push(`index/${kind}: ${missing.length} vectors in the database were missing from the index: added`);
  }
  if (extra.length) {
    index.remove(extra);
    messages.push(`index/${kind}: ${extra.length} vectors in the index are no longer in the database: marked deleted`);
  }
  // Tombstones cost memory and search time; compact when they outnumber the live vectors.
  if (index.deletedCount() > Math.max(1000, index.size())) {
    const n = await rebuildIndex(index, deps.db);
    messages.push(`index/${kind}: compacted (${n} live vectors)`);
    return { index, report: { kind, action: 'rebuilt', count: n, added: missing.length, removed: extra.length, reason: 'compaction' } };
  }
  if (missing.length || extra.length) await inMemoryOnFullDisk(index, deps.db, messages, 'repaired', () => index.save());
  const action = missing.length || extra.length ? 'repaired' : 'loaded';
  return { index, report: { kind, action, count: index.size(), added: missing.length, removed: extra.length } };
}

/**
 * Bring an open index up to date with the database, reading only rows it cannot have seen:
 * those above `after`, the highest id the database had when the index was last reconciled
 * (SQLite commits ids in order, so nothing older can appear later). Rows this process added
 * itself meanwhile are skipped. With `full`, the rows are also counted, and when the count and
 * the index disagree (something was deleted; on PostgreSQL a transaction may also commit an
 * older id late) the label sets are compared in full, as at open: it adds at most `maxRows` missing
 * rows too, and says `fullPending` when more are left or a backlog kept the check from running
 * (the caller runs `full` again next time).
 * The full check is skipped while a rebuild in this process refills the index. Returns what
 * changed and the new `after`; the index is saved by its owner later.
 */
export async function catchUpWithDatabase(
  index: VectorIndex,
  db: Db,
  opts: { after: number; full?: boolean; maxRows?: number; late?: LateCommits; sliceMs?: number },
): Promise<{ added: number; removed: number; after: number; fullPending?: true; behind?: true }> {
  const top = await maxVectorLabel(db, index.kind, index.modelId);
  const max = opts.maxRows ?? CATCH_UP_MAX_ROWS;
  let added = 0;
  let removed = 0;
  let after = Math.max(top, opts.after);
  let read = 0;
  let fullPending: true | undefined;
  const late = opts.late;
  if (late?.size) {
    // Ids found missing by earlier calls: rows whose transaction committed after a higher id's.
    // Every one is looked up (500 a query), not the first `max`: ids that never come (rolled back,
    // deleted) would otherwise stay at the front and hide a real late row until they all expire.
    const pending = late.pending().filter((l) => !index.has(l));
    const vs = await loadModelVectors(db, index.kind, index.modelId, pending);
    index.add(vs.map((v) => v.label), vs.map((v) => v.vector));
    added += vs.length;
    late.found(vs.map((v) => v.label));
    late.found(late.pending().filter((l) => index.has(l)));
    // Ids that turned out to be another model's rows (they were uncommitted when recorded) are not ours.
    late.found(await otherModelLabels(db, index.kind, index.modelId, late.pending()));
  }
  const seen = new Set<number>();
  if (top > opts.after) {
    // sliceMs Infinity: the behaviour before slicing (500-row reads, no yields), kept for the
    // bench and the test's control.
    const unsliced = opts.sliceMs === Infinity;
    const pageRows = Math.min(unsliced ? 500 : CATCH_UP_PAGE_ROWS, max);
    for await (const page of iterateVectors(db, index.kind, index.modelId, { after: opts.after, upTo: top, page: pageRows })) {
      if (!unsliced) await yieldToLoop(); // between reads too, not only between inserts
      const fresh = page.filter((v) => !index.has(v.label));
      await addInSlices(index, fresh, opts.sliceMs);
      added += fresh.length;
      read += page.length;
      if (late) for (const v of page) seen.add(v.label);
      // The inserts yield to the event loop every CATCH_UP_SLICE_MS; a big backlog (a long CLI
      // ingest and no search meanwhile) is also taken at most `max` rows per call.
      if (read >= max && page[page.length - 1].label < top) {
        after = page[page.length - 1].label;
        break;
      }
    }
    if (late) {
      // Another model's rows in the range are not this model's late commits (a re-embed into a
      // second model beside an ingest would otherwise fill the tracker with ids that never come).
      // A range of more holes than that is worth reading goes to the full check, as before.
      const holes = after - opts.after - seen.size;
      if (holes > 0 && holes <= OTHER_MODEL_READ_MAX) for (const id of await otherModelLabels(db, index.kind, index.modelId, { after: opts.after, upTo: after })) seen.add(id);
      if (!late.recordRange(opts.after, after, seen)) fullPending = true;
    }
  }
  // Not while a backlog remains (the counts differ by it): the full check waits for the next call.
  if (opts.full && after < top) fullPending = true;
  else if (opts.full && !rebuilding.has(index) && index.size() !== (await countVectors(db, index.kind, index.modelId))) {
    const { missing, extra } = await compareLabels(index, db);
    // A search waits for this too: a slice per call, like the incremental part above.
    const slice = missing.slice(0, max);
    if (slice.length) {
      const vs = await loadVectors(db, index.kind, slice);
      await addInSlices(index, vs, opts.sliceMs);
      added += vs.length;
    }
    if (missing.length > slice.length) fullPending = true;
    index.remove(extra);
    removed = extra.length;
  }
  return { added, removed, after, ...(fullPending ? { fullPending } : {}), ...(after < top ? { behind: true as const } : {}) };
}

export async function openIndexes(deps: IndexDeps): Promise<Indexes & { report: IndexReport }> {
  const messages: string[] = [];
  // Read before reconciling: rows committed meanwhile are above it and the first catch-up adds them.
  const [imageTop, textTop] = await Promise.all([maxVectorLabel(deps.db, 'image', deps.modelId), maxVectorLabel(deps.db, 'text', deps.modelId)]);
  const image = await openOne(deps, 'image', messages);
  const text = await openOne(deps, 'text', messages);
  for (const [index, top] of [[image.index, imageTop], [text.index, textTop]] as const) {
    let after = top;
    let fullPending = false; // the last full check left missing rows for the next call
    const late = deps.lateCommits ? new LateCommits() : undefined;
    index.follow({
      catchUp: async (i, { full }) => {
        const r = await catchUpWithDatabase(i, deps.db, { after, full: full || fullPending, late });
        after = r.after;
        fullPending = r.fullPending === true;
        // A pending full check (late commits past what can be tracked, or more missing rows than
        // one call adds) is work left too: the next call runs it.
        return { behind: r.behind === true || fullPending };
      },
      intervalMs: deps.catchUpIntervalMs ?? CATCH_UP_INTERVAL_MS,
      fullIntervalMs: FULL_CHECK_INTERVAL_MS,
    });
  }
  const [images, texts] = await Promise.all([
    deps.db.image.count({ where: { vectors: { none: { modelId: deps.modelId } } } }),
    deps.db.text.count({ where: { vectors: { none: { modelId: deps.modelId } } } }),
  ]);
  if (images || texts) {
    messages.push(
      `${images} images and ${texts} texts have no vector for the active model ${deps.modelId}: run \`clipdex reindex\` to embed them`,
    );
  }
  const log = deps.log ?? ((m: string) => console.warn(m));
  for (const m of messages) log(m);
  return { image: image.index, text: text.index, report: { image: image.report, text: text.report, messages, needsReembed: { images, texts } } };
}
