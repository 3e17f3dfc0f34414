/**
 * Opening the indexes means reconciling them with the database, the source of truth:
 * labels stored in the DB but absent from the index are added from the stored vectors; labels in
 * the index but gone from the DB are marked deleted; an index built for another model or
 * dimension, or an unreadable file, is rebuilt from the stored vectors (never re-embedded).
 * Vectors of another model cannot be reused: those items need a re-embed (`clipdex reindex`).
 */
import path from 'node:path';
import type { Db } from '../db';
import { countVectors, iterateVectors, listVectorLabels, loadVectors } from '../db/vector-queries';
import { HnswIndex, type IndexParams } from './hnsw-index';
import type { IndexKind } from './manifest';

export interface IndexDeps {
  db: Db;
  dataDir: string;
  modelId: string;
  dim: number;
  hnsw: { m: number; efConstruction: number; efSearch: number };
  /** Where repair messages go (default: console.warn). */
  log?: (message: string) => void;
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
  return { dir: indexDir(deps.dataDir), kind, modelId: deps.modelId, dim: deps.dim, ...deps.hnsw };
}

/** Refill `index` from every stored vector of the active model and save it. */
export async function rebuildIndex(index: HnswIndex, db: Db, onProgress?: (p: RebuildProgress) => void): Promise<number> {
  const total = await countVectors(db, index.kind, index.modelId);
  index.clear(Math.ceil(total * 1.1) + 16);
  let done = 0;
  onProgress?.({ kind: index.kind, done, total });
  for await (const page of iterateVectors(db, index.kind, index.modelId)) {
    index.add(page.map((v) => v.label), page.map((v) => v.vector));
    done += page.length;
    onProgress?.({ kind: index.kind, done, total });
  }
  await index.save();
  return done;
}

/** Rebuild both indexes from the stored vectors (no re-embedding), with progress. */
export async function rebuildIndexes(deps: IndexDeps, onProgress?: (p: RebuildProgress) => void, existing?: Indexes): Promise<Indexes> {
  const image = existing?.image ?? HnswIndex.create(paramsOf(deps, 'image'));
  const text = existing?.text ?? HnswIndex.create(paramsOf(deps, 'text'));
  await rebuildIndex(image, deps.db, onProgress);
  await rebuildIndex(text, deps.db, onProgress);
  return { image, text };
}

async function openOne(deps: IndexDeps, kind: IndexKind, messages: string[]): Promise<{ index: HnswIndex; report: KindReport }> {
  const params = paramsOf(deps, kind);
  let index: HnswIndex;
  try {
    index = await HnswIndex.load(params);
  } catch (err) {
    const reason = (err as Error).message;
    index = HnswIndex.create(params);
    const n = await rebuildIndex(index, deps.db);
    if (n === 0 && reason === 'no index on disk') return { index, report: { kind, action: 'created', count: 0, added: 0, removed: 0 } };
    messages.push(`index/${kind}: rebuilt from ${n} stored vectors (${reason})`);
    return { index, report: { kind, action: 'rebuilt', count: n, added: n, removed: 0, reason } };
  }
  const inDb = await listVectorLabels(deps.db, kind, deps.modelId);
  const dbSet = new Set(inDb);
  const inIndex = index.labels();
  const indexSet = new Set(inIndex);
  const missing = inDb.filter((l) => !indexSet.has(l));
  const extra = inIndex.filter((l) => !dbSet.has(l));
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
  if (missing.length || extra.length) await index.save();
  const action = missing.length || extra.length ? 'repaired' : 'loaded';
  return { index, report: { kind, action, count: index.size(), added: missing.length, removed: extra.length } };
}

export async function openIndexes(deps: IndexDeps): Promise<Indexes & { report: IndexReport }> {
  const messages: string[] = [];
  const image = await openOne(deps, 'image', messages);
  const text = await openOne(deps, 'text', messages);
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
