/**
 * Which adapter searches use, and the engine that applies it. The choice is
 * DATA_DIR/adapters/active.json (written by `clipdex adapters activate` or the /train page, never
 * by training), overridden per process by CLIPDEX_ADAPTER or a command's --adapter. Activation
 * builds the adapter's indexes from the stored vectors first, and only then switches, so a search
 * never meets a half-built adapter index.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Engine } from '../engine';
import type { Indexes, IndexKind } from '../index';
import { REQUEST_CATCH_UP_WAIT_MS } from '../index/types';
import { adaptModel, type AdaptedModel } from './apply';
import { adapterIndexDir, openAdapterIndexes, syncAdapterIndexes, type AdapterIndexReport } from './adapter-index';
import { adaptersDir, assertAdapterFits, checkAdapterName, loadAdapter, readAdapterManifest, removeAdapterFiles, type Adapter } from './store';

const activeFile = (dataDir: string) => path.join(adaptersDir(dataDir), 'active.json');

export async function readActiveAdapter(dataDir: string): Promise<string | undefined> {
  try {
    const j = JSON.parse(await fs.readFile(activeFile(dataDir), 'utf8')) as { name?: unknown };
    return typeof j.name === 'string' ? j.name : undefined;
  } catch {
    return undefined;
  }
}

async function writeActive(dataDir: string, name: string | undefined): Promise<void> {
  const file = activeFile(dataDir);
  if (name === undefined) {
    await fs.rm(file, { force: true });
    return;
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify({ name, activatedAt: new Date().toISOString() })}\n`);
  await fs.rename(tmp, file);
}

export type AdaptedEngine = Engine & { model: AdaptedModel };

type EngineParts = Pick<Engine, 'config' | 'db' | 'model' | 'indexes'>;

interface CacheEntry {
  dataDir: string;
  sha: string;
  versions: string;
  value: Promise<{ adapter: Adapter; model: AdaptedModel; indexes: Indexes; reports: AdapterIndexReport[] }>;
}
const g = globalThis as unknown as { __clipdexAdapters?: Map<string, CacheEntry> };
const cache = (g.__clipdexAdapters ??= new Map());

/**
 * The engine with adapter `name` applied: the adapted model and the adapter's indexes (built or
 * repaired from the stored vectors when needed). Cached per process until the adapter's weights or
 * the main indexes change.
 */
export async function adaptEngine<E extends EngineParts>(
  engine: E,
  name: string,
  onProgress?: (kind: IndexKind, done: number, total: number) => void,
): Promise<E & { model: AdaptedModel; indexes: Indexes; adapterReports: AdapterIndexReport[] }> {
  checkAdapterName(name);
  const manifest = await readAdapterManifest(engine.config.dataDir, name);
  assertAdapterFits(manifest, engine.model.info);
  const waitMs = REQUEST_CATCH_UP_WAIT_MS; // the rest of a big catch-up is synced by a later search
  await Promise.all([engine.indexes.image.refreshIfStale({ waitMs }), engine.indexes.text.refreshIfStale({ waitMs })]);
  const versions = `${engine.indexes.image.version}:${engine.indexes.text.version}`;
  let entry = cache.get(name);
  const deps = { db: engine.db, dataDir: engine.config.dataDir, modelId: engine.model.info.id, hnsw: engine.config.hnsw, indexes: engine.indexes };
  const same = entry?.dataDir === engine.config.dataDir && entry.sha === manifest.weightsSha256;
  if (entry && same && entry.versions !== versions) {
    // Only the main indexes changed (a catch-up, an ingest, a delete): add the difference to the
    // open adapter indexes instead of reloading their files.
    const prev: CacheEntry['value'] = entry.value;
    const value = prev.then(async (v) => ({ ...v, reports: await syncAdapterIndexes(deps, v.adapter, v.indexes) }));
    entry = { dataDir: engine.config.dataDir, sha: manifest.weightsSha256, versions, value };
    cache.set(name, entry);
    value.catch(() => cache.delete(name));
  } else if (!entry || !same) {
    const value = (async () => {
      const adapter = await loadAdapter(engine.config.dataDir, name);
      const model = adaptModel(engine.model, adapter);
      const { indexes, reports } = await openAdapterIndexes(deps, adapter, onProgress);
      return { adapter, model, indexes, reports };
    })();
    entry = { dataDir: engine.config.dataDir, sha: manifest.weightsSha256, versions, value };
    cache.set(name, entry);
    value.catch(() => cache.delete(name));
  }
  const { model, indexes, reports } = await entry.value;
  return { ...engine, model, indexes, adapterReports: reports };
}

/** The adapter searches should use in this process: CLIPDEX_ADAPTER, else the activated one. */
export async function searchAdapterName(config: { dataDir: string; adapter?: string }): Promise<string | undefined> {
  return config.adapter ?? readActiveAdapter(config.dataDir);
}

/** The engine searches run on: the process engine, with the active adapter applied if there is one. */
export async function getSearchEngine(): Promise<Engine> {
  const { getEngine } = await import('../engine');
  const engine = await getEngine();
  const name = await searchAdapterName(engine.config);
  return name ? adaptEngine(engine, name) : engine;
}

/** Build the adapter's indexes from the stored vectors, then make it the one searches use. */
export async function activateAdapter(engine: EngineParts, name: string, onProgress?: (kind: IndexKind, done: number, total: number) => void) {
  const adapted = await adaptEngine(engine, name, onProgress);
  await writeActive(engine.config.dataDir, name);
  return adapted.adapterReports;
}

export async function deactivateAdapter(dataDir: string): Promise<string | undefined> {
  const was = await readActiveAdapter(dataDir);
  await writeActive(dataDir, undefined);
  return was;
}

/** Delete an adapter, its indexes, and its activation if it was the active one. */
export async function deleteAdapter(dataDir: string, name: string): Promise<{ wasActive: boolean }> {
  checkAdapterName(name);
  await readAdapterManifest(dataDir, name);
  const wasActive = (await readActiveAdapter(dataDir)) === name;
  if (wasActive) await writeActive(dataDir, undefined);
  await removeAdapterFiles(dataDir, name);
  await fs.rm(adapterIndexDir(dataDir, name), { recursive: true, force: true });
  cache.delete(name);
  return { wasActive };
}

